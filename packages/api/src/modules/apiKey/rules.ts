import { z } from "zod";

export const apiKeyScopeSchema = z.enum(["read", "write", "chat"]);

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1).max(80),
  scopes: z
    .array(apiKeyScopeSchema)
    .min(1, "Choose at least one scope.")
    .max(3)
    .transform((scopes) => [...new Set(scopes)]),
  /** ISO date-time; absent: the key never expires. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const apiKeyIdInput = z.object({ keyId: z.uuid() });

/** Why an expiry is refused, or null. Keys live at most five years so forgotten ones end eventually. */
export function expiryRefusal(expiresAt: Date, now: Date): string | null {
  if (expiresAt.getTime() <= now.getTime()) return "Choose an expiry date in the future.";
  if (expiresAt.getTime() > now.getTime() + 5 * 365 * 86_400_000)
    return "Keys expire within five years at most.";
  return null;
}
