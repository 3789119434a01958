export { evalDocuments } from "./documents";
export { type EvalOutcome, type EvalReport, measureEvalSet } from "./measure";
export { type EvalDocumentId, type EvalQuestion, evalQuestions } from "./questions";
