import { describe, expect, it } from "vitest";
import { cosine } from "../embedding/hash-embedding";
import { citationsFrom } from "../prompt/citations";
import { createProvider } from "./create-provider";
import type { ProviderError } from "./errors";
import { type ChatStreamEvent, EMBEDDING_DIMENSIONS } from "./types";

const offline = createProvider({ kind: "offline" });

const context = {
  greeting: "Hi! Ask me about Nimbus lamps.",
  topics: ["Nimbus lamps", "shipping"],
  chunks: [
    {
      sourceTitle: "Returns policy",
      content:
        "# Returns\nYou can return any lamp within 30 days of delivery for a full refund. Refunds are paid to the original card within 5 business days. Custom engraved lamps cannot be returned.",
    },
    {
      sourceTitle: "Shipping",
      content:
        "We ship to 40 countries. Standard shipping takes 3 to 5 days. Express shipping costs 12 euros.",
    },
  ],
};

async function answer(question: string, options = {}) {
  const events: ChatStreamEvent[] = [];
  for await (const e of offline.streamChat([{ role: "user", content: question }], { context, ...options })) {
    events.push(e);
  }
  return { events, text: events.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("") };
}

describe("offline provider", () => {
  it("embeds to unit vectors of 256 dimensions, similar texts closer than unrelated ones", async () => {
    const [a, b, c] = await offline.embed([
      "How do refunds work?",
      "refund policy for returned lamps",
      "express shipping cost",
    ]);
    for (const v of [a!, b!, c!]) {
      expect(v).toHaveLength(EMBEDDING_DIMENSIONS);
      expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    }
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!));
  });

  it("answers by quoting the best matching sentences with citations, streamed in pieces", async () => {
    const { events, text } = await answer("How many days do I have to return a lamp?");
    expect(text).toContain('"You can return any lamp within 30 days of delivery for a full refund.');
    expect(text).toContain("[1]");
    expect(text).not.toContain("Express shipping");
    expect(events.filter((e) => e.type === "delta").length).toBeGreaterThan(10);
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "stop" });
    expect(citationsFrom(context.chunks, text).map((c) => c.title)).toEqual(["Returns policy"]);
  });

  it("cites the right source for another question", async () => {
    const { text } = await answer("How much does express shipping cost?");
    expect(text).toContain("Express shipping costs 12 euros.");
    expect(text).toContain("[2]");
  });

  it("says it does not know and lists what it can help with when nothing matches", async () => {
    const { text } = await answer("Do you sell garden furniture?");
    expect(text).toMatch(/don't know/);
    expect(text).toContain("Nimbus lamps");
    expect(text).not.toContain("[1]");
  });

  it("replies to a bare greeting with the chatbot's greeting", async () => {
    expect((await answer("Hello!")).text).toBe("Hi! Ask me about Nimbus lamps.");
  });

  it("stops at maxTokens with reason length", async () => {
    const { events } = await answer("How many days do I have to return a lamp?", { maxTokens: 3 });
    expect(events.filter((e) => e.type === "delta")).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "length", usage: { completionTokens: 3 } });
  });

  it("stops with cancelled when the signal aborts", async () => {
    const controller = new AbortController();
    await expect(async () => {
      for await (const e of offline.streamChat([{ role: "user", content: "return a lamp" }], {
        context,
        signal: controller.signal,
      })) {
        if (e.type === "delta") controller.abort();
      }
    }).rejects.toMatchObject({ kind: "cancelled" } satisfies Partial<ProviderError>);
  });

  it("always connects", async () => {
    await expect(offline.testConnection()).resolves.toBeUndefined();
  });
});
