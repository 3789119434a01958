// What other modules may use of auth; nothing else of this folder crosses (module-entries.test.ts).
export { clearActiveTenant, findUser, setActiveTenant } from "./queries";
export { emailSchema } from "./rules";
