import { z } from "zod";

const httpUrl = z
  .url({ protocol: /^https?$/, error: "Enter an http(s) URL, e.g. https://api.openai.com/v1." })
  .max(500);
const modelName = z.string().trim().min(1).max(120);

/** The settings form. `apiKey` absent keeps the stored key; `null` deletes it. */
export const aiSettingsInput = z.object({
  provider: z.enum(["offline", "openai"]),
  baseUrl: httpUrl.nullable().default(null),
  chatModel: modelName.nullable().default(null),
  embeddingModel: modelName.nullable().default(null),
  apiKey: z.string().trim().min(1).max(500).nullable().optional(),
});
export type AiSettingsInput = z.output<typeof aiSettingsInput>;

/** Test saved settings (no input) or unsaved ones from the form (the stored key fills in a missing one). */
export const testConnectionInput = aiSettingsInput.optional();

/** Why these settings cannot be used, or null. `hasKey` is whether a key will be available after the change. */
export function settingsRefusal(input: AiSettingsInput, hasKey: boolean): string | null {
  if (input.provider === "offline") return null;
  if (!input.chatModel || !input.embeddingModel) return "Choose a chat model and an embedding model.";
  if (!hasKey) return "Enter the provider's API key.";
  return null;
}

/** Only the last four characters of a stored key are ever shown, to tell keys apart. */
export function keyHint(key: string | null): string | null {
  return key ? key.slice(-4) : null;
}
