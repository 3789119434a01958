// Browser and Node realtime client. Runtime imports: none (types only), so a widget bundle stays tiny.
import type { Envelope, ServerControlMessage } from "@avatar-chat/protocol";

/** The part of the WebSocket API used here; the browser's, Node 22+'s global and `ws` all fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * `expired`: the server closed the socket because its credential expired (4001) and a fixed `url` cannot
 * provide a new one; the client stops. With a `url` function it reconnects with a fresh credential instead.
 */
export type ConnectionStatus = "connecting" | "open" | "closed" | "expired";

export interface RealtimeClientOptions {
  /**
   * Socket URL with its credential (`?token=vt1...`). A function is called on every (re)connect: return a fresh,
   * unexpired token from it, so a socket closed because its token expired (4001) reconnects and resumes.
   */
  url: string | (() => string | Promise<string>);
  /** Defaults to `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect delay: random in [0, min(maxMs, initialMs * 2^attempt)] ("full jitter"). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Sends a ping this often and reconnects when nothing arrived for twice as long (browsers cannot see ping frames). */
  pingMs?: number;
  onStatus?(status: ConnectionStatus, closeCode?: number): void;
  /** `denied`, `gap` (reload the conversation through the API) and `error` frames. */
  onControl?(message: ServerControlMessage): void;
}

export interface SubscribeOptions {
  /** Resume after this id (e.g. kept across a page reload); omitted: live events from now on. */
  lastId?: number;
}

type Listener = (envelope: Envelope) => void;

interface ChannelCursor {
  listeners: Set<Listener>;
  /** Highest id delivered; undefined until the server has told where the feed starts. */
  lastId: number | undefined;
}

const OPEN = 1;
/** The protocol's `closeCodes.unauthorized`; importing it at run time would pull zod into browser bundles. */
const CREDENTIALS_EXPIRED = 4001;

export function createRealtimeClient(options: RealtimeClientOptions) {
  const given = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!given) throw new Error("No WebSocket implementation: pass options.WebSocket");
  const Socket: WebSocketConstructor = given;
  const initialMs = options.backoff?.initialMs ?? 500;
  const maxMs = options.backoff?.maxMs ?? 30_000;
  const pingMs = options.pingMs ?? 20_000;
  const channels = new Map<string, ChannelCursor>();
  let socket: WebSocketLike | null = null;
  let attempt = 0;
  let stopped = false;
  let lastReceived = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;

  function send(message: object): void {
    if (socket?.readyState === OPEN) socket.send(JSON.stringify(message));
  }

  function sendSubscribe(channel: string, cursor: ChannelCursor): void {
    send(
      cursor.lastId === undefined
        ? { type: "subscribe", channel }
        : { type: "subscribe", channel, lastId: cursor.lastId },
    );
  }

  function onMessage(data: unknown): void {
    lastReceived = Date.now();
    let message: { id?: unknown; type?: unknown; channel?: unknown };
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof message.id === "number" && typeof message.channel === "string") {
      const cursor = channels.get(message.channel);
      // Dedupe across reconnects: the server replays from our cursor, so anything at or below it is a repeat.
      if (!cursor || cursor.lastId === undefined || message.id <= cursor.lastId) return;
      cursor.lastId = message.id;
      for (const listener of cursor.listeners) listener(message as Envelope);
      return;
    }
    const control = message as ServerControlMessage;
    if (control.type === "subscribed") {
      const cursor = channels.get(control.channel);
      if (cursor) cursor.lastId = control.lastId; // the server's word wins (e.g. its Redis lost data)
      attempt = 0;
      return;
    }
    if (control.type !== "pong" && control.type !== "unsubscribed") options.onControl?.(control);
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    options.onStatus?.("connecting");
    let url: string;
    try {
      url = typeof options.url === "string" ? options.url : await options.url();
    } catch {
      return scheduleReconnect();
    }
    if (stopped) return;
    const ws = new Socket(url);
    socket = ws;
    ws.onopen = () => {
      lastReceived = Date.now();
      options.onStatus?.("open");
      for (const [channel, cursor] of channels) sendSubscribe(channel, cursor);
      pingTimer = setInterval(() => {
        if (Date.now() - lastReceived > 2 * pingMs) ws.close(4000, "no heartbeat");
        else send({ type: "ping" });
      }, pingMs);
    };
    ws.onmessage = (event) => onMessage(event.data);
    ws.onerror = () => {};
    ws.onclose = (event) => {
      clearInterval(pingTimer);
      if (socket === ws) socket = null;
      // The same fixed URL would only be refused again; a URL function hands out a fresh token on reconnect.
      if (event.code === CREDENTIALS_EXPIRED && typeof options.url === "string") {
        options.onStatus?.("expired", event.code);
        return;
      }
      options.onStatus?.("closed", event.code);
      scheduleReconnect();
    };
  }

  function scheduleReconnect(): void {
    if (stopped) return;
    const delay = Math.random() * Math.min(maxMs, initialMs * 2 ** attempt);
    attempt++;
    reconnectTimer = setTimeout(() => void connect(), delay);
  }

  void connect();

  return {
    /** Calls `listener` with each event of the channel, in id order, once each; returns the unsubscribe function. */
    subscribe(channel: string, listener: Listener, subscribeOptions: SubscribeOptions = {}): () => void {
      let cursor = channels.get(channel);
      if (!cursor) {
        cursor = { listeners: new Set(), lastId: subscribeOptions.lastId };
        channels.set(channel, cursor);
        sendSubscribe(channel, cursor);
      }
      cursor.listeners.add(listener);
      const owned = cursor;
      return () => {
        owned.listeners.delete(listener);
        if (owned.listeners.size > 0 || channels.get(channel) !== owned) return;
        channels.delete(channel);
        send({ type: "unsubscribe", channel });
      };
    },
    typing(conversationId: string, on: boolean): void {
      send({ type: "typing", conversationId, on });
    },
    /** Last id seen on a channel; store it to resume after a page reload. */
    lastId(channel: string): number | undefined {
      return channels.get(channel)?.lastId;
    },
    close(): void {
      stopped = true;
      clearTimeout(reconnectTimer);
      clearInterval(pingTimer);
      socket?.close(1000, "client closed");
      socket = null;
    },
  };
}

export type RealtimeClient = ReturnType<typeof createRealtimeClient>;
