import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hashEmbedding } from "../embedding/hash-embedding";
import { tokenPieces } from "../offline/answer";
import { speakWithEspeak } from "../voice/espeak";

/** What the fake server does with the next requests; every field is optional. */
export interface OpenAIServerBehaviour {
  /** Reply text, or a function of the request's chat messages. Default: "Hello from the test server." */
  reply?: string | ((messages: readonly { role: string; content: string }[]) => string);
  /** Delay before each streamed chunk. */
  tokenDelayMs?: number;
  /** Answer with this HTTP error instead (401, 429, 500...), for `failTimes` requests (default: all). */
  fail?: { status: number; retryAfter?: string; message?: string; failTimes?: number };
  /** Destroy the socket after this many SSE chunks (a stream cut mid-way). */
  cutAfterChunks?: number;
  /** Write the whole SSE stream in one go, no delays: for benchmarks. */
  instant?: boolean;
  /** Dimensions of returned embeddings; default: the request's `dimensions` or 256. */
  embeddingDimensions?: number;
  finishReason?: "stop" | "length";
  /**
   * What /v1/audio/transcriptions hears: the text registered for the upload's SHA-256 (hex) in
   * `transcripts`, else `transcript`, else "What are your opening hours?". No speech recognition happens:
   * a test registers the exact bytes it sends, or fixes the text when the bytes are a browser's recording.
   */
  transcripts?: Record<string, string>;
  transcript?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface OpenAITestServer {
  /** Base URL including `/v1`, ready for `baseUrl` in provider settings. */
  url: string;
  requests: RecordedRequest[];
  setBehaviour(behaviour: OpenAIServerBehaviour): void;
  close(): Promise<void>;
}

interface ChatBody {
  model?: string;
  messages?: { role: string; content: string }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
}

/** A real node:http server speaking enough of the OpenAI protocol to test providers end to end. */
export async function startOpenAIServer(
  options: { apiKey?: string; behaviour?: OpenAIServerBehaviour } = {},
): Promise<OpenAITestServer> {
  let behaviour: OpenAIServerBehaviour = options.behaviour ?? {};
  let failuresServed = 0;
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: "server_error" } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const raw = await readBody(req);
    const type = req.headers["content-type"] ?? "";
    // Transcriptions arrive as multipart form data: parsed into their fields and the file's hash.
    const body: unknown =
      raw.byteLength === 0
        ? undefined
        : type.startsWith("application/json")
          ? JSON.parse(raw.toString("utf8"))
          : type.startsWith("multipart/form-data")
            ? await formFields(raw, type)
            : { bytes: raw.byteLength };
    requests.push({ method: req.method ?? "GET", path, authorization: req.headers.authorization, body });

    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendError(res, 401, "Incorrect API key provided.", "invalid_api_key");
    }
    const fail = behaviour.fail;
    if (fail && failuresServed < (fail.failTimes ?? Number.POSITIVE_INFINITY)) {
      failuresServed++;
      if (fail.retryAfter !== undefined) res.setHeader("retry-after", fail.retryAfter);
      return sendError(res, fail.status, fail.message ?? `scripted failure ${fail.status}`, null);
    }

    if (req.method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, {
        object: "list",
        data: [{ id: "test-chat", object: "model", created: 0, owned_by: "test" }],
      });
    }
    if (req.method === "POST" && path === "/v1/embeddings") {
      return embeddings(res, body as { input: string | string[]; model?: string; dimensions?: number });
    }
    if (req.method === "POST" && path === "/v1/chat/completions") return chat(res, body as ChatBody);
    if (req.method === "POST" && path === "/v1/audio/speech") {
      // Real audio: espeak-ng speaks the input (as WAV, whatever format was asked for).
      const { input, speed } = body as { input: string; speed?: number };
      const { audio } = await speakWithEspeak(input, { voice: "en", speed: speed ?? 1 });
      res.writeHead(200, { "content-type": "audio/wav", "content-length": String(audio.byteLength) });
      return res.end(audio);
    }
    if (req.method === "POST" && path === "/v1/audio/transcriptions") {
      const form = body as Partial<TranscriptionForm> | undefined;
      if (!form?.file || !form.model) return sendError(res, 400, "model and file are required", null);
      if (form.file.bytes === 0) return sendError(res, 400, "The audio file is empty.", null);
      const text =
        behaviour.transcripts?.[form.file.sha256] ?? behaviour.transcript ?? "What are your opening hours?";
      return sendJson(res, 200, { text });
    }
    return sendError(res, 404, `no route ${req.method} ${path}`, null);
  }

  function embeddings(
    res: ServerResponse,
    body: { input: string | string[]; model?: string; dimensions?: number },
  ) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dimensions = behaviour.embeddingDimensions ?? body.dimensions ?? 256;
    const data = inputs.map((text, index) => {
      const base = hashEmbedding(text);
      const embedding = Array.from({ length: dimensions }, (_, i) => base[i % base.length]!);
      return { object: "embedding", index, embedding };
    });
    const tokens = inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    sendJson(res, 200, {
      object: "list",
      data,
      model: body.model ?? "test-embed",
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function chat(res: ServerResponse, body: ChatBody) {
    const messages = body.messages ?? [];
    const reply =
      typeof behaviour.reply === "function"
        ? behaviour.reply(messages)
        : (behaviour.reply ?? "Hello from the test server.");
    let pieces = tokenPieces(reply);
    let finishReason = behaviour.finishReason ?? "stop";
    if (body.max_tokens !== undefined && pieces.length > body.max_tokens) {
      pieces = pieces.slice(0, body.max_tokens);
      finishReason = "length";
    }
    const usage = {
      prompt_tokens: messages.reduce((n, m) => n + Math.ceil(String(m.content).length / 4), 0),
      completion_tokens: pieces.length,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const base = {
      id: "chatcmpl-test",
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? "test-chat",
    };

    if (!body.stream) {
      return sendJson(res, 200, {
        ...base,
        object: "chat.completion",
        choices: [
          { index: 0, message: { role: "assistant", content: pieces.join("") }, finish_reason: finishReason },
        ],
        usage,
      });
    }

    const chunks: object[] = pieces.map((text, i) => ({
      ...base,
      object: "chat.completion.chunk",
      choices: [
        {
          index: 0,
          delta: i === 0 ? { role: "assistant", content: text } : { content: text },
          finish_reason: null,
        },
      ],
    }));
    chunks.push({
      ...base,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta: {}, finish_reason: finishReason }],
    });
    if (body.stream_options?.include_usage) {
      chunks.push({ ...base, object: "chat.completion.chunk", choices: [], usage });
    }
    const lines = [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), "data: [DONE]\n\n"];

    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    if (behaviour.instant && behaviour.cutAfterChunks === undefined) {
      res.end(lines.join(""));
      return;
    }
    for (const [i, line] of lines.entries()) {
      if (behaviour.cutAfterChunks !== undefined && i >= behaviour.cutAfterChunks) {
        res.socket?.destroy();
        return;
      }
      if (behaviour.tokenDelayMs) await new Promise((r) => setTimeout(r, behaviour.tokenDelayMs));
      if (res.destroyed) return;
      // Wait for the flush so a cut that follows really comes after these chunks reached the client.
      await new Promise<void>((resolve) => res.write(line, () => resolve()));
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setBehaviour(next) {
      behaviour = next;
      failuresServed = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A transcription request as recorded: its text fields and what the uploaded file was. */
export interface TranscriptionForm {
  model: string;
  language?: string;
  file: { name: string; type: string; bytes: number; sha256: string };
}

/** Multipart form data through the platform's own parser (undici's `Request.formData`). */
async function formFields(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  const form = await new Request("http://localhost/", {
    method: "POST",
    headers: { "content-type": contentType },
    body: new Uint8Array(raw),
  }).formData();
  const fields: Record<string, unknown> = {};
  // forEach, not for…of: packages typechecked without the DOM.Iterable lib import this file too.
  const entries: [string, string | File][] = [];
  form.forEach((value, name) => {
    entries.push([name, value]);
  });
  for (const [name, value] of entries) {
    if (typeof value === "string") fields[name] = value;
    else {
      const bytes = new Uint8Array(await value.arrayBuffer());
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      fields[name] = { name: value.name, type: value.type, bytes: bytes.byteLength, sha256 };
    }
  }
  return fields;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, code: string | null) {
  const type =
    status === 401 ? "invalid_request_error" : status === 429 ? "rate_limit_exceeded" : "server_error";
  sendJson(res, status, { error: { message, type, param: null, code } });
}
