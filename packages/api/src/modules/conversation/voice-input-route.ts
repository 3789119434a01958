import { randomUUID } from "node:crypto";
import { createProvider, isProviderError, type ProviderError } from "@avatar-chat/ai";
import { withTenant } from "@avatar-chat/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import type { Context as HonoContext, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { AppDeps } from "../../deps";
import { corsGrant } from "../../http/api-cors";
import { isBrokenRequestBody } from "../../http/app-errors";
import { dependencyOutageError } from "../../http/dependency-outage";
import { trpcErrorBody } from "../../http/trpc-error-response";
import type { ResponseHeaders } from "../../http/trpc-query";
import { type Context, limitOrThrow, noteCaller } from "../../trpc";
import { providerSettingsFor } from "../ai";
import { authenticateChatter, ownsConversation } from "./chat-procedure";
import { findVoiceInputTarget, insertVoiceInput, recordUsage } from "./queries";
import { checkRecording, voiceInputKey, wavSeconds } from "./recording";
import { MAX_MESSAGE_CHARS } from "./rules";

const conversationIdSchema = z.uuid();

/**
 * `POST /voice-input/<conversationId>`: the body is one recording (`Content-Type` its media type), the
 * answer `{ text, voiceInputId? }`. The caller is checked as for `conversation.send` (visitor token or
 * `chat` API key, rate limits, the chatbot's allowed origins), the recording by size and magic bytes, then
 * the tenant's AI provider transcribes it. The audio is kept only when the chatbot's `storeVoiceInput` is
 * on (object store, under the tenant; `voiceInputId` names it for `conversation.send`); otherwise it
 * lives in this request's memory alone. The widget sends the text as the visitor's message.
 */
export function voiceInputRoute(
  deps: AppDeps,
  contextFor: (c: HonoContext, resHeaders: ResponseHeaders) => Context,
): MiddlewareHandler {
  return async (c) => {
    // The CORS grant is set here, not left to the app's middleware: mounted under the platform's root app
    // (`root.route`), a plain handler's response does not get the sub-app middleware's headers.
    const headers = new Headers({
      ...corsGrant(c.req.header("origin"), deps.config.dashboardOrigins),
      vary: "Origin",
      "x-content-type-options": "nosniff",
    });
    const answer = (body: object, status: number) => {
      const out: Record<string, string> = {};
      headers.forEach((value, name) => {
        out[name] = value;
      });
      return c.json(body, status as ContentfulStatusCode, out);
    };
    const refuse = (code: TRPC_ERROR_CODE_KEY, status: number, message: string) =>
      answer(trpcErrorBody(code, status, message), status);
    try {
      const ctx = contextFor(c, headers);
      const chatter = await authenticateChatter(ctx);
      noteCaller(chatter.tenantId, chatter.kind);
      const who = chatter.kind === "visitor" ? chatter.visitorId : chatter.keyId;
      // As many as messages: each recording becomes one.
      await limitOrThrow(ctx, `voice-input:${who}`, {
        limit: chatter.kind === "visitor" ? 20 : 300,
        windowMs: 60_000,
      });
      const conversationId = c.req.param("conversationId") ?? "";
      if (!conversationIdSchema.safeParse(conversationId).success)
        return refuse("NOT_FOUND", 404, "No such conversation.");
      const recording = new Uint8Array(await c.req.arrayBuffer());
      const check = checkRecording(recording, c.req.header("content-type"));
      if (!check.ok) return refuse(check.code, check.status, check.message);

      const target = await withTenant(deps.db, chatter.tenantId, (tx) =>
        findVoiceInputTarget(tx, chatter.tenantId, conversationId),
      );
      if (!target || !ownsConversation(chatter, target))
        return refuse("NOT_FOUND", 404, "No such conversation.");
      if (target.status === "closed")
        return refuse("CONFLICT", 409, "This conversation was closed. Start a new one.");

      const settings = await providerSettingsFor(deps.db, deps.config.appSecret, chatter.tenantId);
      const provider = createProvider(settings, { network: deps.config.aiNetwork });
      if (!provider.transcribe)
        return refuse(
          "PRECONDITION_FAILED",
          412,
          "Voice input is not available here: this chatbot's workspace has no AI provider to transcribe it.",
        );
      let text: string;
      try {
        text = await provider.transcribe(recording, {
          contentType: check.type,
          language: target.locale.slice(0, 2),
          signal: c.req.raw.signal,
        });
      } catch (error) {
        if (!isProviderError(error)) throw error;
        const [code, status, message] = transcriptionFailure(error);
        if (error.retryAfterMs) headers.set("retry-after", String(Math.ceil(error.retryAfterMs / 1000)));
        return refuse(code, status, message);
      }
      // The provider bills every transcription it answered, heard speech or not: the tenant's analytics count it.
      const seconds = check.type === "audio/wav" ? wavSeconds(recording) : null;
      const voiceInputId = text && target.store_voice_input ? randomUUID() : undefined;
      const keptKey = voiceInputId ? voiceInputKey(chatter.tenantId, conversationId, voiceInputId) : null;
      await withTenant(deps.db, chatter.tenantId, async (tx) => {
        await recordUsage(tx, {
          tenantId: chatter.tenantId,
          chatbotId: target.chatbot_id,
          conversationId,
          kind: "transcription",
          detail: { bytes: recording.byteLength, type: check.type, ...(seconds === null ? {} : { seconds }) },
          at: deps.clock(),
        });
        // The row first: a recording whose upload then fails leaves a row housekeeping deletes, never an
        // object nothing names.
        if (voiceInputId && keptKey)
          await insertVoiceInput(tx, {
            id: voiceInputId,
            tenantId: chatter.tenantId,
            conversationId,
            storageKey: keptKey,
          });
      });
      if (!text) return refuse("UNPROCESSABLE_CONTENT", 422, "No speech was heard in the recording.");
      if (keptKey) await deps.storage.put(keptKey, recording, check.type);
      return answer(
        { text: text.slice(0, MAX_MESSAGE_CHARS), ...(voiceInputId ? { voiceInputId } : {}) },
        200,
      );
    } catch (error) {
      if (isBrokenRequestBody(error)) return refuse("BAD_REQUEST", 400, "The recording was cut off.");
      const known =
        error instanceof TRPCError
          ? error
          : new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "voice input failed", cause: error });
      const failure = dependencyOutageError(known) ?? known;
      if (failure.code === "INTERNAL_SERVER_ERROR") {
        deps.logger.error({ err: error }, "voice input failed");
        return refuse(failure.code, 500, "Something went wrong on our side. Please try again.");
      }
      return refuse(failure.code, getHTTPStatusCodeFromError(failure), failure.message);
    }
  };
}

/** The provider's refusal in the visitor's words; a 5xx only for a passing failure (docs/api.md, "Errors"). */
function transcriptionFailure(error: ProviderError): [TRPC_ERROR_CODE_KEY, number, string] {
  switch (error.kind) {
    case "permanent":
      return [
        "UNPROCESSABLE_CONTENT",
        422,
        "The recording could not be transcribed. Please type your question.",
      ];
    case "rate_limit":
      return ["TOO_MANY_REQUESTS", 429, "Voice input is busy. Please try again in a moment."];
    case "auth":
      return [
        "PRECONDITION_FAILED",
        412,
        "Voice input is not available: the AI provider refused this workspace's key.",
      ];
    default:
      // Passing (network, 5xx at the provider): like PostgreSQL or Redis away, a 503 to try again.
      return ["SERVICE_UNAVAILABLE", 503, "Voice input did not answer. Please try again."];
  }
}
