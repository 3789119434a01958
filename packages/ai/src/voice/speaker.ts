import type { VoiceSettings } from "@avatar-chat/protocol/voice";
import type { Provider } from "../provider/types";
import { EspeakMissingError, espeakVoiceFor, type SpokenAudio, speakWithEspeak } from "./espeak";

/** Speaks one piece of text in a chatbot's voice. */
export type Speak = (text: string, signal: AbortSignal) => Promise<SpokenAudio>;

export interface SpeakerOptions {
  /** The chatbot's locale: the offline voice when the settings name none. */
  locale: string;
  /** The tenant's provider, asked for only when the settings say `ai`. */
  provider(): Provider | Promise<Provider>;
  /** Whether espeak-ng runs here. */
  offlineVoice: boolean | Promise<boolean>;
}

/**
 * Who speaks for a chatbot: the tenant's provider for `ai` when it has a speech endpoint, else espeak-ng
 * in the named voice or the locale's (English when espeak-ng has no such voice); null for `off` or when
 * nothing here can speak. The worker speaks answers with it and the api the dashboard's sample, so a
 * tenant hears what visitors will.
 */
export async function voiceSpeaker(settings: VoiceSettings, options: SpeakerOptions): Promise<Speak | null> {
  if (settings.provider === "off") return null;
  if (settings.provider === "ai") {
    const provider = await options.provider();
    const speakWithProvider = provider.speak?.bind(provider);
    if (speakWithProvider)
      return (text, signal) =>
        speakWithProvider(text, { voice: settings.voice, speed: settings.speed, signal });
    // No speech endpoint (the offline provider): the offline voice speaks instead.
  }
  if (!(await options.offlineVoice)) return null;
  const voice =
    settings.provider === "offline" && settings.voice ? settings.voice : espeakVoiceFor(options.locale);
  const speed = settings.speed;
  return (text, signal) =>
    speakWithEspeak(text, { voice, speed, signal }).catch((error: unknown) => {
      // A locale espeak-ng has no voice for: English rather than silence.
      if (error instanceof EspeakMissingError || voice === "en") throw error;
      return speakWithEspeak(text, { voice: "en", speed, signal });
    });
}
