// What other modules may use of tenant; nothing else of this folder crosses (module-entries.test.ts).
export { insertEmail } from "./queries";
export { notifiedOfHumanRequests } from "./rules";
