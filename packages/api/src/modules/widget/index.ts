// What other modules may use of widget; nothing else of this folder crosses (module-entries.test.ts).
export { createWidgetCache, type WidgetCache } from "./config-cache";
export { widgetChatbot } from "./lookup";
export { widgetAccessProblem } from "./rules";
