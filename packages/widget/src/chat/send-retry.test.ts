import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, createApiClient } from "../api-client";
import { isTransientSendError, retryDelayMs, SEND_RETRY } from "./send-retry";
import { createChatSession } from "./session";
import type { ChatState } from "./state";

describe("send retry rules", () => {
  it("retries what passes (unavailable, rate limited, no answer at all), not what was refused", () => {
    expect(isTransientSendError(new ApiError("down", "SERVICE_UNAVAILABLE", 503))).toBe(true);
    expect(isTransientSendError(new ApiError("slow down", "TOO_MANY_REQUESTS", 429))).toBe(true);
    expect(isTransientSendError(new TypeError("Failed to fetch"))).toBe(true);
    expect(isTransientSendError(new ApiError("bad", "BAD_REQUEST", 400))).toBe(false);
    expect(isTransientSendError(new ApiError("closed", "CONFLICT", 409))).toBe(false);
  });

  it("backs off exponentially up to a cap, with a random half", () => {
    expect(retryDelayMs(0, () => 0)).toBe(500);
    expect(retryDelayMs(0, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, () => 0.5)).toBe(6_000);
    expect(retryDelayMs(20, () => 1)).toBe(SEND_RETRY.maxMs);
  });
});

// The widget's session against a real HTTP server that is unavailable for the first sends.
describe("a send while the platform is briefly unavailable", () => {
  let server: Server;
  let url: string;
  let answers: number[] = [];
  const sends: unknown[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        if (req.url?.startsWith("/trpc/conversation.start"))
          return res.end(JSON.stringify({ result: { data: { conversationId: "c1" } } }));
        sends.push(JSON.parse(body));
        const status = answers.shift() ?? 200;
        res.statusCode = status;
        if (status === 200) return res.end(JSON.stringify({ result: { data: { messageId: "m1" } } }));
        res.end(
          JSON.stringify({ error: { message: "unavailable", data: { code: "X", httpStatus: status } } }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const session = (states: ChatState[]) => {
    let saved = {};
    return createChatSession({
      api: createApiClient({ baseUrl: url, token: () => "token" }),
      publicKey: "pk_test",
      store: {
        load: () => saved as never,
        save: (record) => {
          saved = record;
        },
      },
      connect: () => ({ subscribe: () => () => {}, close() {} }),
      onState: (state) => states.push(state),
      newId: () => "client-1",
      wait: async () => {},
    });
  };

  it("shows 'retrying' and sends again with the same client id until it is stored", async () => {
    answers = [503, 503];
    sends.length = 0;
    const states: ChatState[] = [];
    await session(states).send("Hello?");
    expect(sends).toHaveLength(3);
    expect(new Set(sends.map((s) => (s as { clientMessageId: string }).clientMessageId))).toEqual(
      new Set(["client-1"]),
    );
    expect(states.some((s) => s.messages[0]?.retrying === true && s.messages[0].status === "sending")).toBe(
      true,
    );
    expect(states.some((s) => s.messages[0]?.status === "failed")).toBe(false);
    expect(states.at(-1)?.messages[0]).toMatchObject({ id: "m1", status: "complete" });
    expect(states.at(-1)?.messages[0]?.retrying).toBeUndefined();
  });

  it("marks a refused send failed at once, for the visitor to retry", async () => {
    answers = [400];
    sends.length = 0;
    const states: ChatState[] = [];
    await session(states).send("Hello?");
    expect(sends).toHaveLength(1);
    expect(states.at(-1)?.messages[0]).toMatchObject({ status: "failed" });
  });

  it("sends a spoken message again with its kept recording's link when the visitor retries it", async () => {
    answers = [400, 200];
    sends.length = 0;
    const states: ChatState[] = [];
    const chat = session(states);
    await chat.send("Hello?", "00000000-0000-4000-8000-000000000001");
    expect(states.at(-1)?.messages[0]).toMatchObject({ status: "failed" });
    await chat.retry("client-1");
    expect(sends).toHaveLength(2);
    expect(sends.map((s) => (s as { voiceInputId?: string }).voiceInputId)).toEqual([
      "00000000-0000-4000-8000-000000000001",
      "00000000-0000-4000-8000-000000000001",
    ]);
    expect(states.at(-1)?.messages[0]).toMatchObject({ id: "m1", status: "complete" });
  });
});
