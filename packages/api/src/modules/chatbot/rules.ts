// The subpath, not the package root: the dashboard bundles this file, and the root pulls in node:crypto.
import { voiceSettingsSchema } from "@avatar-chat/protocol/voice";
import { z } from "zod";

/** Chatbots a plan allows at most; counts come from `tenants.max_chatbots`. */
export function canCreateChatbot(limits: { maxChatbots: number }, currentCount: number): boolean {
  return currentCount < limits.maxChatbots;
}

export const PUBLIC_KEY_PREFIX = "pk_";
export const MAX_ALLOWED_ORIGINS = 50;

/**
 * An origin a widget may run on: scheme + host (+ port), nothing else. `*` and paths are refused because
 * visitor procedures compare the browser's Origin header with these exactly.
 */
export const originSchema = z
  .string()
  .trim()
  .max(253, "An origin is at most 253 characters.")
  .refine((value) => normalizeOrigin(value) !== null, {
    message: "Enter an origin like https://www.example.com (scheme and host, no path, no *).",
  })
  .transform((value) => normalizeOrigin(value)!);

/** `https://Example.com:443/` → `https://example.com`; null when it is not a plain http(s) origin. */
export function normalizeOrigin(value: string): string | null {
  if (value.includes("*")) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== ""))
    return null;
  return url.origin;
}

export const hexColorSchema = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, "Use a hex color like #3366ff.")
  .transform((c) => c.toLowerCase());

export const themeSchema = z.object({
  primaryColor: hexColorSchema.optional(),
  position: z.enum(["bottom-right", "bottom-left"]).optional(),
  dark: z.boolean().optional(),
});
export type Theme = z.infer<typeof themeSchema>;

export const avatarKinds = ["default", "glb", "vrm"] as const;

export const avatarSettingsSchema = z
  .object({
    kind: z.enum(avatarKinds),
    assetId: z.uuid().optional(),
    voice: z.string().trim().min(1).max(80).optional(),
  })
  .refine((a) => a.kind === "default" || a.assetId !== undefined, {
    message: "Choose an uploaded avatar for a GLB or VRM avatar.",
    path: ["assetId"],
  });
export type AvatarSettingsInput = z.infer<typeof avatarSettingsSchema>;

/** BCP 47-ish tags the widget knows how to localize: "en", "de", "pt-BR". */
export const localeSchema = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, "Use a language tag like en or pt-BR.");

/**
 * Credentials by their shape: the platform's API keys, OpenAI-style provider keys, AWS access key ids,
 * PEM private keys. A model that obeys an injected instruction repeats its system prompt, so text that
 * reaches it is public (docs/ai.md, "What the system prompt may contain").
 */
const CREDENTIAL =
  /\back_\w{8}_\w+|\bsk-[\w-]{20,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export function looksLikeCredential(text: string): boolean {
  return CREDENTIAL.test(text);
}

/** Persona and greeting: text the model sees and may repeat to any visitor, so never a credential. */
const promptText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !looksLikeCredential(text), {
      message:
        "This text reaches the model, which can repeat it to visitors: it is public. Keep keys out of it.",
    });

export const chatbotSettingsSchema = z.object({
  name: z.string().trim().min(1, "Give the chatbot a name.").max(80),
  persona: promptText(4000),
  greeting: promptText(500),
  locale: localeSchema,
  model: z.string().trim().min(1).max(100).nullable(),
  // Kept to two decimals: the column is a `real`, which refuses what a double can hold (5e-324 underflows).
  temperature: z
    .number()
    .min(0)
    .max(2)
    .transform((t) => Math.round(t * 100) / 100),
  maxTokens: z.number().int().min(16).max(8192),
  avatar: avatarSettingsSchema,
  allowedOrigins: z
    .array(originSchema)
    .max(MAX_ALLOWED_ORIGINS, `At most ${MAX_ALLOWED_ORIGINS} origins.`)
    .transform((origins) => [...new Set(origins)]),
  theme: themeSchema,
  voice: voiceSettingsSchema,
  /** Keep visitors' voice recordings (off: each is transcribed and forgotten). */
  storeVoiceInput: z.boolean(),
});
export type ChatbotSettings = z.infer<typeof chatbotSettingsSchema>;

/** The create form: a name is enough, everything else has a default. */
export const createChatbotInput = chatbotSettingsSchema.partial().required({ name: true });
export const updateChatbotInput = chatbotSettingsSchema.partial().extend({ chatbotId: z.uuid() });
export const chatbotIdInput = z.object({ chatbotId: z.uuid() });

/** The dashboard's "listen": a chatbot and the voice settings in its form, saved or not. */
export const voiceSampleInput = z.object({ chatbotId: z.uuid(), voice: voiceSettingsSchema });

/** Spoken when a chatbot has no greeting to sample. */
export const SAMPLE_FALLBACK = "Hello! This is how I will sound to your visitors.";

export const AVATAR_FORMATS = {
  glb: ["model/gltf-binary", "application/octet-stream"],
  vrm: ["model/vrm", "model/gltf-binary", "application/octet-stream"],
} as const;

/** Avatars are loaded by every visitor: keep them small enough for a phone. */
export const MAX_AVATAR_BYTES = 30 * 1024 * 1024;

export const createAvatarUploadInput = z.object({
  name: z.string().trim().min(1).max(120),
  format: z.enum(["glb", "vrm"]),
  contentType: z.string().trim().min(1).max(100),
  sizeBytes: z.number().int().positive(),
});

/** Why an avatar upload is refused, or null when it is fine. */
export function avatarUploadProblem(
  upload: { format: "glb" | "vrm"; contentType: string; sizeBytes: number },
  maxBytes: number,
): string | null {
  const allowed: readonly string[] = AVATAR_FORMATS[upload.format];
  if (!allowed.includes(upload.contentType.toLowerCase()))
    return `A ${upload.format.toUpperCase()} avatar must be sent as ${allowed.join(" or ")}.`;
  if (upload.sizeBytes > maxBytes)
    return `The avatar is larger than ${Math.round(maxBytes / 1048576)} MB. Compress its textures and try again.`;
  return null;
}

/** The snippet a tenant pastes into their site. */
export function embedSnippet(publicUrl: string, publicKey: string): string {
  const base = publicUrl.replace(/\/$/, "");
  return `<script type="module" src="${base}/widget/avatar-chat.js"></script><avatar-chat bot="${publicKey}"></avatar-chat>`;
}
