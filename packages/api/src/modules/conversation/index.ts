// What other modules may use of conversation; nothing else of this folder crosses (module-entries.test.ts).
export { latestOpenConversation, listMessagePage, messageView } from "./queries";
export { MAX_RECORDING_BYTES } from "./recording";
export { TRANSCRIPT_PAGE_SIZE } from "./rules";
export { voiceInputRoute } from "./voice-input-route";
