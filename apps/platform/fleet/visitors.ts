// Visitors as the widget is one: through the proxy, each from its own address, a visitor token from
// widget.start, one conversation, sends retried with the same client message id, replies streamed over
// realtime (reconnecting and resuming by itself). Everything each saw is recorded for the verdict.
import { randomUUID } from "node:crypto";
import { createBrowserClient } from "@avatar-chat/api/testing";
import { conversationChannel, type Envelope } from "@avatar-chat/protocol";
import { createRealtimeClient } from "@avatar-chat/realtime/client";
import { replyMessageId } from "@avatar-chat/worker";
import { WebSocket } from "ws";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Tenant {
  name: string;
  site: string;
  publicKey: string;
}

/** `count` workspaces, each with a published chatbot allowed on its own site. */
export async function createTenants(url: string, count: number): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  for (let i = 0; i < count; i++) {
    const name = `Fleet Shop ${i + 1}`;
    const site = `https://shop-${i + 1}.fleet.test`;
    const owner = createBrowserClient({ url, origin: url });
    await owner.auth.signUp.mutate({
      email: `owner-${randomUUID()}@fleet.test`,
      password: "a long enough password",
      name: `Owner ${i + 1}`,
      workspaceName: name,
    });
    const bot = await owner.chatbot.create.mutate({ name: `Bot ${i + 1}`, allowedOrigins: [site] });
    await owner.chatbot.publish.mutate({ chatbotId: bot.id });
    tenants.push({ name, site, publicKey: bot.publicKey });
  }
  return tenants;
}

export interface Attempt {
  at: number;
  /** HTTP status, 0 when no answer came (connection refused or reset, timeout). */
  status: number;
}

export interface SentMessage {
  content: string;
  /** The first attempt. */
  sentAt: number;
  attempts: Attempt[];
  messageId: string | null;
  acceptedAt: number | null;
  firstTokenAt: number | null;
  /** When the reply's message.complete arrived (or it was read from the transcript after a restart). */
  repliedAt: number | null;
}

export interface ReplyStream {
  text: string;
  nextIndex: number;
  /** Times the worker streamed it again from the start (a retried job). */
  restarts: number;
  completes: number;
  complete: boolean;
  /** The channel was announced started over or gapped while it streamed: the transcript completes it. */
  fromTranscript: boolean;
}

export interface VisitorRecord {
  tenant: string;
  address: string;
  conversationId: string;
  messages: SentMessage[];
  streams: Map<string, ReplyStream>;
  /** Broken promises: out-of-order or missing deltas, duplicate completes, text not matching the reply. */
  violations: string[];
  /** Events of someone else's conversation. */
  foreignEvents: number;
  /** Channel restarts and gaps the server announced. */
  resumeNotices: number;
}

interface Answer {
  status: number;
  data: unknown;
}

/** One tRPC call over plain HTTP through the proxy, as the widget makes it. */
async function call(
  url: string,
  procedure: string,
  input: unknown,
  headers: Record<string, string>,
  kind: "mutation" | "query" = "mutation",
): Promise<Answer> {
  try {
    const response =
      kind === "mutation"
        ? await fetch(`${url}/trpc/${procedure}`, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify(input),
            signal: AbortSignal.timeout(20_000),
          })
        : await fetch(`${url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, {
            headers,
            signal: AbortSignal.timeout(20_000),
          });
    const body = (await response.json().catch(() => null)) as { result?: { data?: unknown } } | null;
    return { status: response.status, data: body?.result?.data };
  } catch {
    return { status: 0, data: undefined };
  }
}

/** Answers a visitor waits out and tries again (the widget does the same): the platform or a process is away. */
const retryable = (status: number) => status === 0 || status === 502 || status === 503 || status === 504;

/** Calls until answered 200, backing off from 250 ms to 4 s; every attempt is recorded. */
async function persist(
  attempts: Attempt[],
  attempt: () => Promise<Answer>,
  deadline: number,
): Promise<Answer> {
  for (let n = 0; ; n++) {
    const answer = await attempt();
    attempts.push({ at: Date.now(), status: answer.status });
    if (answer.status === 200 || !retryable(answer.status) || Date.now() > deadline) return answer;
    await sleep(Math.min(4_000, 250 * 2 ** n) * (0.5 + Math.random() / 2));
  }
}

export interface VisitorOptions {
  url: string;
  tenant: Tenant;
  /** The visitor's own address, sent as X-Forwarded-For (the proxy appends the socket's, which is trusted). */
  address: string;
  /** Time between a visitor's sends (keeps each under its 20 sends a minute). */
  paceMs: number;
  /** Setup calls that failed go here too. */
  setupAttempts: Attempt[];
}

/** A visitor's session: opened, then `next()` sends one message and waits for its streamed reply. */
export async function openVisitor(options: VisitorOptions) {
  const { url, tenant, address } = options;
  const base = { origin: tenant.site, "x-forwarded-for": address };
  const farDeadline = () => Date.now() + 180_000;
  const started = await persist(
    options.setupAttempts,
    () => call(url, "widget.start", { publicKey: tenant.publicKey }, base),
    farDeadline(),
  );
  if (started.status !== 200) throw new Error(`widget.start answered ${started.status}`);
  const { visitorToken } = started.data as { visitorToken: string };
  const headers = { ...base, authorization: `Bearer ${visitorToken}` };
  const conversation = await persist(
    options.setupAttempts,
    () => call(url, "conversation.start", {}, headers),
    farDeadline(),
  );
  if (conversation.status !== 200) throw new Error(`conversation.start answered ${conversation.status}`);
  const { conversationId } = conversation.data as { conversationId: string };
  const channel = conversationChannel(conversationId);

  const record: VisitorRecord = {
    tenant: tenant.name,
    address,
    conversationId,
    messages: [],
    streams: new Map(),
    violations: [],
    foreignEvents: 0,
    resumeNotices: 0,
  };
  const waiters = new Map<string, () => void>();
  const streamOf = (messageId: string) => {
    let stream = record.streams.get(messageId);
    if (!stream) {
      stream = { text: "", nextIndex: 0, restarts: 0, completes: 0, complete: false, fromTranscript: false };
      record.streams.set(messageId, stream);
    }
    return stream;
  };
  const byReply = new Map<string, SentMessage>();
  // Control frames the client handles by itself (a restart is a `subscribed` below its cursor) are seen here.
  let highestId = 0;
  const observe = (data: unknown) => {
    let frame: { type?: string; channel?: string; lastId?: number; id?: number };
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof frame.id === "number") return;
    const restarted = frame.type === "subscribed" && (frame.lastId ?? 0) < highestId;
    if (restarted || frame.type === "gap") {
      record.resumeNotices++;
      for (const stream of record.streams.values()) if (!stream.complete) stream.fromTranscript = true;
    }
  };
  class VisitorSocket extends WebSocket {
    constructor(socketUrl: string) {
      super(socketUrl, { headers: { "x-forwarded-for": address, origin: tenant.site } });
      this.on("message", observe);
    }
  }
  const realtime = createRealtimeClient({
    url: `${url.replace(/^http/, "ws")}/realtime?token=${encodeURIComponent(visitorToken)}`,
    WebSocket: VisitorSocket as never,
    backoff: { initialMs: 200, maxMs: 2_000 },
    pingMs: 5_000,
  });
  realtime.subscribe(channel, (envelope: Envelope) => {
    highestId = Math.max(highestId, envelope.id);
    const event = envelope.event as { type: string; conversationId?: string } & Record<string, unknown>;
    if (event.conversationId !== undefined && event.conversationId !== conversationId) {
      record.foreignEvents++;
      return;
    }
    if (event.type === "message.delta") {
      const { messageId, index, delta } = event as unknown as {
        messageId: string;
        index: number;
        delta: string;
      };
      const stream = streamOf(messageId);
      const sent = byReply.get(messageId);
      if (sent && sent.firstTokenAt === null) sent.firstTokenAt = Date.now();
      if (stream.complete) return record.violations.push(`${messageId}: delta ${index} after its complete`);
      if (index === 0 && stream.nextIndex > 0) {
        stream.restarts++;
        stream.text = "";
        stream.nextIndex = 0;
      }
      if (index !== stream.nextIndex && !stream.fromTranscript)
        record.violations.push(`${messageId}: delta ${index} where ${stream.nextIndex} was next`);
      stream.text += delta;
      stream.nextIndex = index + 1;
    } else if (event.type === "message.discarded") {
      const stream = streamOf(String(event.messageId));
      stream.text = "";
      stream.nextIndex = 0;
    } else if (event.type === "message.complete") {
      const message = event.message as { id: string; role: string; content: string };
      if (message.role !== "assistant") return;
      const stream = streamOf(message.id);
      stream.completes++;
      if (stream.completes > 1) record.violations.push(`${message.id}: completed twice`);
      else if (stream.text !== message.content && !stream.fromTranscript)
        record.violations.push(`${message.id}: streamed text differs from the reply`);
      stream.complete = true;
      const sent = byReply.get(message.id);
      if (sent && sent.repliedAt === null) sent.repliedAt = Date.now();
      waiters.get(message.id)?.();
    }
  });

  async function transcript(): Promise<{ id: string; role: string; content: string }[]> {
    const messages: { id: string; role: string; content: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await persist(
        [],
        () =>
          call(
            url,
            "conversation.history",
            { conversationId, limit: 200, ...(cursor ? { cursor } : {}) },
            headers,
            "query",
          ),
        farDeadline(),
      );
      if (page.status !== 200) throw new Error(`conversation.history answered ${page.status}`);
      const data = page.data as {
        messages: { id: string; role: string; content: string }[];
        nextCursor: string | null;
      };
      messages.push(...data.messages);
      cursor = data.nextCursor ?? undefined;
    } while (cursor);
    return messages;
  }

  let n = 0;
  return {
    record,
    headers,
    /** Sends one message (retrying as the widget does) and waits up to `replyWaitMs` for its streamed reply. */
    async next(replyWaitMs: number): Promise<void> {
      const started = Date.now();
      const sent: SentMessage = {
        content: `${tenant.name} / ${address} / question ${n++}: how long does delivery take?`,
        sentAt: started,
        attempts: [],
        messageId: null,
        acceptedAt: null,
        firstTokenAt: null,
        repliedAt: null,
      };
      record.messages.push(sent);
      const clientMessageId = randomUUID();
      const answer = await persist(
        sent.attempts,
        () =>
          call(url, "conversation.send", { conversationId, content: sent.content, clientMessageId }, headers),
        started + 120_000,
      );
      if (answer.status !== 200) return;
      sent.acceptedAt = Date.now();
      sent.messageId = (answer.data as { messageId: string }).messageId;
      const replyId = replyMessageId(sent.messageId);
      byReply.set(replyId, sent);
      if (!record.streams.get(replyId)?.complete) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, replyWaitMs);
          waiters.set(replyId, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        waiters.delete(replyId);
      }
      // A stream the server announced as restarted is completed from the transcript, as the widget reloads it.
      const stream = record.streams.get(replyId);
      if (!stream?.complete && stream?.fromTranscript) {
        const reply = (await transcript()).find((m) => m.id === replyId);
        if (reply && sent.repliedAt === null) sent.repliedAt = Date.now();
      }
      const rest = options.paceMs - (Date.now() - started);
      if (rest > 0) await sleep(rest);
    },
    transcript,
    close: () => realtime.close(),
  };
}

export type Visitor = Awaited<ReturnType<typeof openVisitor>>;

/** May a visitor of one tenant read another tenant's conversation? It must be answered as nonexistent. */
export async function crossTenantRead(url: string, visitor: Visitor, foreignConversationId: string) {
  return call(
    url,
    "conversation.history",
    { conversationId: foreignConversationId, limit: 10 },
    visitor.headers,
    "query",
  );
}
