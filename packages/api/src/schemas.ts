// Zod input schemas and pure rules of the api's modules, for clients that validate forms with the same
// rules as the server (the dashboard). Only `rules.ts` files belong here: they import zod and nothing
// server-side, so a browser bundle can include them.
export { inputError } from "./input-messages";
export * from "./modules/ai/rules";
export * from "./modules/analytics/rules";
export * from "./modules/apiKey/rules";
export * from "./modules/auth/rules";
export * from "./modules/chatbot/rules";
export * from "./modules/conversation/rules";
export * from "./modules/knowledge/rules";
export * from "./modules/tenant/rules";
export * from "./modules/widget/rules";
