import type { AvatarSettings, ThemeSettings } from "@avatar-chat/db";
import { z } from "zod";
import type { WidgetChatbotConfig } from "./config-cache";

export const publicKeySchema = z
  .string()
  .trim()
  .regex(/^pk_[a-z0-9]{10,64}$/, "This is not a chatbot key. Copy the embed snippet again.");

export const widgetConfigInput = z.object({ publicKey: publicKeySchema });
export const widgetStartInput = z.object({
  publicKey: publicKeySchema,
  visitorToken: z.string().max(2000).optional(),
});

/** Who may open a chatbot's widget: its allowed origins when published; the dashboard always (preview). */
export function widgetAccessProblem(
  chatbot: { published: boolean; allowedOrigins: readonly string[] },
  origin: string | null,
  dashboardOrigins: readonly string[],
): { code: "NOT_FOUND" | "FORBIDDEN"; message: string } | null {
  if (origin !== null && dashboardOrigins.includes(origin)) return null;
  if (!chatbot.published) return { code: "NOT_FOUND", message: "This chatbot is not published." };
  if (origin === null || !chatbot.allowedOrigins.includes(origin)) {
    return {
      code: "FORBIDDEN",
      message: `This chatbot may not be used on ${origin ?? "this page"}. Add the site to the chatbot's allowed origins.`,
    };
  }
  return null;
}

/** The widget's theme vocabulary ("left"/"right") from the stored one ("bottom-left"/"bottom-right"). */
export function widgetConfigFrom(
  chatbot: {
    id: string;
    name: string;
    greeting: string;
    locale: string;
    theme: ThemeSettings;
    avatar: AvatarSettings;
    voice: { provider: string };
  },
  avatarUrl: string | null,
  aiProvider: { provider: string | null; hasKey: boolean } = { provider: null, hasKey: false },
): WidgetChatbotConfig {
  const theme: WidgetChatbotConfig["theme"] = {};
  if (chatbot.theme.primaryColor) theme.primaryColor = chatbot.theme.primaryColor;
  if (chatbot.theme.position) theme.position = chatbot.theme.position === "bottom-left" ? "left" : "right";
  if (chatbot.theme.dark !== undefined) theme.dark = chatbot.theme.dark;
  // A custom avatar without a ready file falls back to the default one rather than a broken model.
  const avatar: WidgetChatbotConfig["avatar"] =
    chatbot.avatar.kind !== "default" && avatarUrl
      ? { kind: chatbot.avatar.kind, url: avatarUrl }
      : { kind: "default" };
  if (chatbot.avatar.voice) avatar.voice = chatbot.avatar.voice;
  return {
    id: chatbot.id,
    name: chatbot.name,
    greeting: chatbot.greeting,
    locale: chatbot.locale,
    theme,
    avatar,
    serverVoice: chatbot.voice.provider !== "off",
    transcription: transcriptionAvailable(aiProvider),
  };
}

/** Recordings can be transcribed only by a tenant's own AI provider (the offline one has no speech recognition). */
export function transcriptionAvailable(ai: { provider: string | null; hasKey: boolean }): boolean {
  return ai.provider === "openai" && ai.hasKey;
}
