export {
  bearerToken,
  type ConversationLookup,
  type ConversationOwner,
  canJoin,
  originAllowed,
  type Principal,
} from "./access";
export { limitsSchema, type RealtimeLimits, type RealtimeLimitsInput } from "./limits";
export { type PresenceScope, readPresence } from "./presence";
export { createRealtime, type Realtime, type RealtimeDeps } from "./server";
