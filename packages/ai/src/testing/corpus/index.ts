export { type CorpusDocument, documents } from "./documents";
export { type CorpusQuestion, questions } from "./questions";
