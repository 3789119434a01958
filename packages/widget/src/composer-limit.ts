// The server takes at most 4,000 characters per message. The text box does not cut a long paste
// (that would drop the end silently): it keeps everything, counts, and says how much is too much.

export const MAX_MESSAGE_CHARS = 4000;
/** The counter shows from this share of the limit on. */
const SHOW_FROM = 0.9;

export type ComposerLimit =
  | { kind: "quiet" }
  | { kind: "near"; left: number }
  | { kind: "over"; over: number };

export function composerLimit(length: number, max = MAX_MESSAGE_CHARS): ComposerLimit {
  if (length > max) return { kind: "over", over: length - max };
  if (length >= max * SHOW_FROM) return { kind: "near", left: max - length };
  return { kind: "quiet" };
}
