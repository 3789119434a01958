export { evalDocuments } from "./documents";
export { type EvalOutcome, type EvalReport, judgeAnswer, measureEvalSet, retrieveFor } from "./measure";
export { type EvalDocumentId, type EvalQuestion, evalQuestions } from "./questions";
