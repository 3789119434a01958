import type { AppDeps } from "../../deps";

/** A bounded map whose entries expire: least recently used entries leave first when it is full. */
export interface LruCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

export function createLruCache<V>(options: { max: number; ttlMs: number; clock: () => Date }): LruCache<V> {
  // A Map iterates in insertion order: re-inserting on read keeps the oldest-used entry first.
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= options.clock().getTime()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expiresAt: options.clock().getTime() + options.ttlMs });
      while (entries.size > options.max) entries.delete(entries.keys().next().value!);
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}

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
  byPublicKey: LruCache<CachedChatbot>;
  byChatbotId: LruCache<CachedChatbot>;
  remember(chatbot: CachedChatbot): void;
  /** Called by every chatbot change on this node; other nodes see it within the TTL. */
  forget(chatbot: { id: string; publicKey: string }): void;
}

/** Short: other api nodes learn of a chatbot change only by expiry. */
export const WIDGET_CACHE_TTL_MS = 10_000;
const WIDGET_CACHE_MAX = 5_000;

// One cache per app instance (per deps), so test platforms in one process never share entries.
const caches = new WeakMap<AppDeps, WidgetCache>();

export function widgetCache(deps: AppDeps): WidgetCache {
  let cache = caches.get(deps);
  if (!cache) {
    const options = { max: WIDGET_CACHE_MAX, ttlMs: WIDGET_CACHE_TTL_MS, clock: deps.clock };
    const byPublicKey = createLruCache<CachedChatbot>(options);
    const byChatbotId = createLruCache<CachedChatbot>(options);
    cache = {
      byPublicKey,
      byChatbotId,
      remember(chatbot) {
        byPublicKey.set(chatbot.publicKey, chatbot);
        byChatbotId.set(chatbot.id, chatbot);
      },
      forget(chatbot) {
        byPublicKey.delete(chatbot.publicKey);
        byChatbotId.delete(chatbot.id);
      },
    };
    caches.set(deps, cache);
  }
  return cache;
}
