import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localServerAccess } from "../testing/local-access";
import { type OpenAITestServer, startOpenAIServer } from "../testing/openai-server";
import { createProvider } from "./create-provider";
import { ProviderError } from "./errors";
import { type ChatStreamEvent, EMBEDDING_DIMENSIONS, type Provider } from "./types";

const API_KEY = "sk-test-key";
let server: OpenAITestServer;
let provider: Provider;

beforeAll(async () => {
  server = await startOpenAIServer({ apiKey: API_KEY });
  provider = createProvider(
    {
      kind: "openai",
      baseUrl: server.url,
      apiKey: API_KEY,
      chatModel: "test-chat",
      embeddingModel: "test-embed",
    },
    localServerAccess,
  );
});
afterAll(() => server.close());

async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

async function failure(run: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error("expected a ProviderError");
}

const ask = [{ role: "user" as const, content: "Say hello" }];

describe("OpenAI provider against the local OpenAI-protocol server", () => {
  it("streams deltas then a finish with the server's usage", async () => {
    server.setBehaviour({ reply: "Hello there, visitor. How can I help?" });
    const events = await collect(provider.streamChat(ask, { temperature: 0.2, maxTokens: 100 }));
    const text = events.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("");
    expect(text).toBe("Hello there, visitor. How can I help?");
    const deltas = events.filter((e) => e.type === "delta").length;
    expect(deltas).toBeGreaterThan(3);
    const finish = events.at(-1);
    expect(finish).toMatchObject({ type: "finish", reason: "stop", usage: { completionTokens: deltas } });
    const body = server.requests.at(-1)?.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: "test-chat", stream: true, temperature: 0.2, max_tokens: 100 });
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it("reports length when max tokens cut the answer", async () => {
    server.setBehaviour({ reply: "one two three four five six" });
    const events = await collect(provider.streamChat(ask, { maxTokens: 2 }));
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "length" });
  });

  it("embeds in order with 256 dimensions and asks the server for them", async () => {
    server.setBehaviour({});
    const vectors = await provider.embed(["refund policy", "shipping times", "refund policy"]);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) expect(v).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(vectors[0]).toEqual(vectors[2]);
    expect(server.requests.at(-1)?.body).toMatchObject({ dimensions: 256, model: "test-embed" });
  });

  it("refuses embeddings of the wrong size as permanent", async () => {
    server.setBehaviour({ embeddingDimensions: 1536 });
    const error = await failure(() => provider.embed(["x"]));
    expect(error.kind).toBe("permanent");
  });

  it("tests the connection", async () => {
    server.setBehaviour({});
    await expect(provider.testConnection()).resolves.toBeUndefined();
  });

  it("maps a wrong key to auth", async () => {
    const wrong = createProvider(
      {
        kind: "openai",
        baseUrl: server.url,
        apiKey: "sk-wrong",
        chatModel: "test-chat",
        embeddingModel: "test-embed",
      },
      localServerAccess,
    );
    expect((await failure(() => wrong.testConnection())).kind).toBe("auth");
    expect((await failure(() => collect(wrong.streamChat(ask)))).kind).toBe("auth");
    expect((await failure(() => wrong.embed(["x"]))).kind).toBe("auth");
  });

  it("maps 429 with retry-after to rate_limit with the delay, and sends exactly one request", async () => {
    server.setBehaviour({ fail: { status: 429, retryAfter: "7" } });
    const before = server.requests.length;
    const error = await failure(() => collect(provider.streamChat(ask)));
    expect(error).toMatchObject({ kind: "rate_limit", retryAfterMs: 7000, status: 429, retryable: true });
    expect(server.requests.length - before).toBe(1);
  });

  it("maps 500 to transient", async () => {
    server.setBehaviour({ fail: { status: 500 } });
    const error = await failure(() => collect(provider.streamChat(ask)));
    expect(error).toMatchObject({ kind: "transient", status: 500 });
  });

  it("maps 400 to permanent", async () => {
    server.setBehaviour({ fail: { status: 400, message: "bad model" } });
    const error = await failure(() => provider.embed(["x"]));
    expect(error).toMatchObject({ kind: "permanent", retryable: false });
  });

  it("fails only the scripted number of times", async () => {
    server.setBehaviour({ fail: { status: 503, failTimes: 1 }, reply: "ok" });
    expect((await failure(() => collect(provider.streamChat(ask)))).kind).toBe("transient");
    const events = await collect(provider.streamChat(ask));
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "stop" });
  });

  it("maps a stream cut mid-way to transient after the deltas already sent", async () => {
    server.setBehaviour({ reply: "a b c d e f g h i j", cutAfterChunks: 3 });
    const seen: string[] = [];
    const error = await failure(async () => {
      for await (const event of provider.streamChat(ask)) if (event.type === "delta") seen.push(event.text);
    });
    expect(error.kind).toBe("transient");
    expect(seen.join("")).toBe("a b c ");
  });

  it("maps an unreachable server to transient", async () => {
    const closed = await startOpenAIServer();
    const url = closed.url;
    await closed.close();
    const offline = createProvider(
      {
        kind: "openai",
        baseUrl: url,
        apiKey: "k",
        chatModel: "m",
        embeddingModel: "e",
      },
      localServerAccess,
    );
    expect((await failure(() => offline.testConnection())).kind).toBe("transient");
  });

  it("maps an abort to cancelled", async () => {
    server.setBehaviour({ reply: "slow answer with many words in it", tokenDelayMs: 20 });
    const controller = new AbortController();
    const error = await failure(async () => {
      for await (const event of provider.streamChat(ask, { signal: controller.signal })) {
        if (event.type === "delta") controller.abort();
      }
    });
    expect(error.kind).toBe("cancelled");
  });

  it("streams instantly in benchmark mode", async () => {
    server.setBehaviour({ reply: "fast ".repeat(50), instant: true });
    const events = await collect(provider.streamChat(ask));
    expect(events.filter((e) => e.type === "delta")).toHaveLength(50);
  });

  it("transcribes a recording through /v1/audio/transcriptions: the text registered for its bytes", async () => {
    const recording = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4, 5]);
    const sha256 = createHash("sha256").update(recording).digest("hex");
    server.setBehaviour({ transcripts: { [sha256]: "How long to Norway?" }, transcript: "not this one" });
    const text = await provider.transcribe!(recording, {
      contentType: "audio/webm;codecs=opus",
      language: "en",
    });
    expect(text).toBe("How long to Norway?");
    expect(server.requests.at(-1)).toMatchObject({
      path: "/v1/audio/transcriptions",
      body: {
        model: "whisper-1",
        language: "en",
        file: { name: "recording.webm", type: "audio/webm", bytes: recording.byteLength, sha256 },
      },
    });
  });

  it("maps a refused recording to permanent", async () => {
    server.setBehaviour({});
    const error = await failure(() => provider.transcribe!(new Uint8Array(0), { contentType: "audio/wav" }));
    expect(error).toMatchObject({ kind: "permanent", status: 400 });
  });
});
