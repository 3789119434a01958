import { createHash } from "node:crypto";

// Fixed namespace of the platform's reply ids (a random v4 uuid, chosen once), as bytes once.
const NAMESPACE = Buffer.from("6f1c7a52-3d0b-4e8e-9a51-2c9d4f0b7e13".replaceAll("-", ""), "hex");

/**
 * The assistant message id for the reply to `userMessageId`: a UUID v5 (RFC 9562) of it, so every attempt
 * of the job streams and stores under the same id without having to store it first.
 */
export function replyMessageId(userMessageId: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update(userMessageId).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Key marking that an attempt of this reply has published deltas (so the next attempt discards them first). */
export const streamedKey = (prefix: string, replyId: string) => `${prefix}reply:streamed:${replyId}`;
