import { createOfflineProvider } from "./offline";
import { createOpenAIProvider } from "./openai";
import { type Provider, type ProviderSettings, providerSettingsSchema } from "./types";

/** The one entry point: settings (validated) in, provider functions out. */
export function createProvider(settings: ProviderSettings, options: { timeoutMs?: number } = {}): Provider {
  const parsed = providerSettingsSchema.parse(settings);
  return parsed.kind === "offline" ? createOfflineProvider() : createOpenAIProvider(parsed, options);
}
