import { z } from "zod";

// A chatbot's voice and the audio it speaks. Shared by the api (settings, audio route), the worker
// (synthesis) and the widget (playback).

/** `offline`: espeak-ng run by the worker, no key needed. `ai`: the tenant's AI provider's speech endpoint. */
export const voiceProviders = ["off", "offline", "ai"] as const;
export type VoiceProvider = (typeof voiceProviders)[number];

export const voiceSettingsSchema = z.object({
  provider: z.enum(voiceProviders),
  /** espeak-ng voice (`en`, `de`, `en-us+f3`) or the provider's voice name (`alloy`); empty: the default for the locale. */
  voice: z
    .string()
    .trim()
    .max(40)
    .regex(/^[A-Za-z0-9_+.-]*$/, "A voice name is letters, digits and _ + . - only."),
  /** 1 = normal; 0.5 to 2. */
  speed: z.number().min(0.5).max(2),
});
export type VoiceSettings = z.infer<typeof voiceSettingsSchema>;

export const DEFAULT_VOICE: VoiceSettings = { provider: "offline", voice: "", speed: 1 };

/** Audio ids are random capabilities: 24 url-safe characters (144 bits). */
export const AUDIO_ID = /^[A-Za-z0-9_-]{24}$/;
/** Where a sentence's audio waits for the visitor: Redis, under the deployment prefix, for AUDIO_TTL_S. */
export const voiceAudioKey = (prefix: string, audioId: string) => `${prefix}voice:audio:${audioId}`;
export const AUDIO_TTL_S = 300;
/** The api route the widget fetches it from. */
export const voiceAudioPath = (audioId: string) => `/voice/${audioId}`;

export const audioContentTypes = ["audio/wav", "audio/mpeg"] as const;
