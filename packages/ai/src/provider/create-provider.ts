import { createOfflineProvider } from "./offline";
import { createOpenAIProvider, type ProviderOptions } from "./openai";
import { type Provider, type ProviderSettings, providerSettingsSchema } from "./types";

/** The one entry point: settings (validated) in, provider functions out. */
export function createProvider(settings: ProviderSettings, options: ProviderOptions = {}): Provider {
  const parsed = providerSettingsSchema.parse(settings);
  return parsed.kind === "offline" ? createOfflineProvider() : createOpenAIProvider(parsed, options);
}
