import { LRUCache } from "lru-cache";

/** What the widget's hot reads need of a chatbot, without a database round trip. */
export interface CachedChatbot {
  id: string;
  tenantId: string;
  publicKey: string;
  published: boolean;
  allowedOrigins: string[];
  /** The public config the widget paints first. */
  config: WidgetChatbotConfig;
}

export interface WidgetChatbotConfig {
  id: string;
  name: string;
  greeting: string;
  locale: string;
  theme: { primaryColor?: string; position?: "left" | "right"; dark?: boolean };
  avatar: { kind: "default" | "glb" | "vrm"; url?: string; voice?: string };
  /** The worker speaks answers (espeak-ng or the provider) for visitors who turn voice on. */
  serverVoice: boolean;
  /** The tenant's AI provider transcribes recordings (`POST /voice-input/<conversationId>`). */
  transcription: boolean;
}

export interface WidgetCache {
  byPublicKey: LRUCache<string, CachedChatbot>;
  byChatbotId: LRUCache<string, CachedChatbot>;
  /** tRPC's wire format of each cached chatbot's config, made once (config-response.ts). */
  configBodies: WeakMap<CachedChatbot, string>;
  remember(chatbot: CachedChatbot): void;
  /** Called by every chatbot change on this node; other nodes see it within the TTL. */
  forget(chatbot: { id: string; publicKey: string }): void;
}

/** Short: other api nodes learn of a chatbot change only by expiry. */
export const WIDGET_CACHE_TTL_MS = 10_000;
const WIDGET_CACHE_MAX = 5_000;

/** One per app instance, built by its composition root, so test platforms in one process never share entries. */
export function createWidgetCache(clock: () => Date): WidgetCache {
  const options = {
    max: WIDGET_CACHE_MAX,
    ttl: WIDGET_CACHE_TTL_MS,
    // Expiry on the app's clock, read at every check (lru-cache would reuse a reading for 1 ms).
    perf: { now: () => clock().getTime() },
    ttlResolution: 0,
  };
  const byPublicKey = new LRUCache<string, CachedChatbot>(options);
  const byChatbotId = new LRUCache<string, CachedChatbot>(options);
  return {
    byPublicKey,
    byChatbotId,
    // Keyed by the cached object: a change to the chatbot replaces the entry and with it this text.
    configBodies: new WeakMap(),
    remember(chatbot) {
      byPublicKey.set(chatbot.publicKey, chatbot);
      byChatbotId.set(chatbot.id, chatbot);
    },
    forget(chatbot) {
      byPublicKey.delete(chatbot.publicKey);
      byChatbotId.delete(chatbot.id);
    },
  };
}
