// What other modules may use of chatbot; nothing else of this folder crosses (module-entries.test.ts).
export { findChatbotId } from "./queries";
