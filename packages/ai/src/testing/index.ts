export { type CorpusDocument, type CorpusQuestion, documents, questions } from "./corpus";
export { type EvalQuestion, evalDocuments, evalQuestions, measureEvalSet } from "./eval-set";
export { localServerAccess } from "./local-access";
export {
  type OpenAIServerBehaviour,
  type OpenAITestServer,
  type RecordedRequest,
  startOpenAIServer,
  type TranscriptionForm,
} from "./openai-server";
export { makePdf } from "./pdf";
export { type AnswerReport, measureOfflineAnswers, measureRecall, type RecallReport } from "./recall";
export { type SeededCorpus, seedCorpus, seedUploads, type UploadedDocument } from "./seed-corpus";
