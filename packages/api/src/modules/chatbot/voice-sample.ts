import {
  createProvider,
  EspeakMissingError,
  isProviderError,
  speakableText,
  voiceSpeaker,
} from "@avatar-chat/ai";
import { TRPCError } from "@trpc/server";
import { limitOrThrow, tenantProcedure } from "../../trpc";
import { providerSettingsFor } from "../ai";
import { findChatbot } from "./queries";
import { SAMPLE_FALLBACK, voiceSampleInput } from "./rules";

const SAMPLE_TIMEOUT_MS = 15_000;
/** A few seconds of speech: enough to judge a voice, little to pay for with a provider's. */
const SAMPLE_CHARS = 160;

/**
 * The dashboard's "listen": the chatbot's greeting spoken with the voice settings in the form (saved or
 * not), by the same code that speaks its answers. The text is the saved greeting, never free input, so
 * this cannot become a speech service; 10 samples a minute per tenant.
 */
export const voiceSample = tenantProcedure
  .meta({ scope: "write", minRole: "admin" })
  .input(voiceSampleInput)
  .mutation(async ({ ctx, input }) => {
    await limitOrThrow(ctx, `voice-sample:${ctx.tenantId}`, { limit: 10, windowMs: 60_000 });
    const row = await ctx.readTenant((db) => findChatbot(db, ctx.tenantId, input.chatbotId));
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "No such chatbot." });
    const { db, config } = ctx.deps;
    const speak = await voiceSpeaker(input.voice, {
      locale: row.locale,
      provider: async () =>
        createProvider(await providerSettingsFor(db, config.appSecret, ctx.tenantId), {
          timeoutMs: SAMPLE_TIMEOUT_MS,
          network: config.aiNetwork,
        }),
      offlineVoice: true,
    });
    if (!speak)
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "This setting speaks with the visitor's browser.",
      });
    const text = speakableText(row.greeting).slice(0, SAMPLE_CHARS).trim() || SAMPLE_FALLBACK;
    try {
      const spoken = await speak(text, AbortSignal.timeout(SAMPLE_TIMEOUT_MS));
      return { contentType: spoken.contentType, audio: Buffer.from(spoken.audio).toString("base64") };
    } catch (error) {
      if (error instanceof EspeakMissingError)
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: "The built-in voice (espeak-ng) is not installed on this server.",
        });
      if (isProviderError(error))
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: `Your AI provider could not speak the sample: ${error.message}`,
        });
      throw error;
    }
  });
