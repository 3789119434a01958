import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createProvider } from "@avatar-chat/ai";
import { makePdf } from "@avatar-chat/ai/testing";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { tenantChannel } from "@avatar-chat/protocol";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import { silentLogger } from "@avatar-chat/telemetry";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addSource,
  attempt,
  channelEvents,
  eventsOf,
  memoryStorage,
  randomPrefix,
  seedConversation,
  testRedis,
} from "../../test/fixtures";
import { type IndexDeps, processKbIndex } from "./process-index";

let db: TestDatabase;
let redis: Redis;
let site: Server;
let siteUrl: string;
const prefix = randomPrefix();
const storage = memoryStorage();
const offline = createProvider({ kind: "offline" });
let deps: IndexDeps;

const PAGE = `<html><head><title>Shipping</title></head><body><nav>Menu</nav>
<main><h1>Shipping</h1><p>We ship to every country in Europe within five days.</p></main></body></html>`;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = testRedis();
  site = createServer((req, res) => {
    if (req.url === "/shipping") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://docs.test:${(site.address() as AddressInfo).port}`;
  deps = {
    db: db.kysely,
    redis,
    prefix,
    storage,
    providerFor: () => offline,
    clock: () => new Date(),
    logger: silentLogger,
    fetchOptions: {
      resolve: async () => [{ address: "127.0.0.1", family: 4 }],
      allowPrivateForTests: ["docs.test"],
    },
  };
});

afterAll(async () => {
  await new Promise((resolve) => site.close(resolve));
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await db.drop();
});

async function source(id: string) {
  return db.kysely.selectFrom("knowledge_sources").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

async function chunks(sourceId: string) {
  return db.kysely
    .selectFrom("knowledge_chunks")
    .select(["id", "ordinal", "content", "token_count", "metadata"])
    .where("source_id", "=", sourceId)
    .orderBy("ordinal")
    .execute();
}

describe("kb-index", () => {
  const cases = [
    {
      kind: "text",
      title: "Pasted note",
      contentType: "text/plain",
      body: "Gift cards never expire at Acme.",
      expect: "Gift cards never expire",
    },
    {
      kind: "file",
      title: "faq.md",
      contentType: "text/markdown",
      body: "# Payments\n\nWe accept credit cards and PayPal.",
      expect: "PayPal",
    },
    {
      kind: "file",
      title: "about.html",
      contentType: "text/html",
      body: "<h1>About</h1><p>Acme was founded in 1999.</p><script>x()</script>",
      expect: "founded in 1999",
    },
    {
      kind: "file",
      title: "policy.pdf",
      contentType: "application/pdf",
      body: makePdf(["Warranty lasts two years."]),
      expect: "two years",
    },
    {
      kind: "file",
      title: "notes.md",
      contentType: "application/octet-stream",
      body: "# Notes\n\nTyped by the file name.",
      expect: "file name",
    },
  ] as const;

  for (const c of cases) {
    it(`indexes a ${c.kind} source of ${c.contentType}`, async () => {
      const seeded = await seedConversation(db.kysely);
      const sourceId = await addSource(db.kysely, storage, seeded, c);
      expect(await processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId }))).toBe("ready");
      const row = await source(sourceId);
      expect(row).toMatchObject({ status: "ready", error: null, chunk_count: 1 });
      expect(row.indexed_at).toBeInstanceOf(Date);
      expect(row.size_bytes).toBe(typeof c.body === "string" ? Buffer.byteLength(c.body) : c.body.byteLength);
      const stored = await chunks(sourceId);
      expect(stored).toHaveLength(1);
      expect(stored[0]?.content).toContain(c.expect);
      expect(stored[0]?.token_count).toBeGreaterThan(0);

      const statuses = eventsOf(
        await channelEvents(redis, tenantChannel(seeded.tenantId), prefix),
        "knowledge.status",
      );
      expect(statuses.map((s) => s.status)).toEqual(["indexing", "ready"]);
      expect(statuses[1]).toMatchObject({ sourceId, chatbotId: seeded.chatbotId, chunkCount: 1 });
    });
  }

  it("indexes a URL through safeFetch", async () => {
    const seeded = await seedConversation(db.kysely);
    const sourceId = await addSource(db.kysely, storage, seeded, {
      kind: "url",
      title: "Shipping",
      url: `${siteUrl}/shipping`,
    });
    expect(await processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId }))).toBe("ready");
    const [chunk] = await chunks(sourceId);
    expect(chunk?.content).toContain("every country in Europe");
    expect(chunk?.content).not.toContain("Menu");
  });

  it("marks a source it cannot read as failed with a readable error, without retrying", async () => {
    const seeded = await seedConversation(db.kysely);
    const sourceId = await addSource(db.kysely, storage, seeded, {
      kind: "file",
      title: "photo.png",
      contentType: "image/png",
      body: new Uint8Array([137, 80, 78, 71]),
    });
    await expect(
      processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId }, { attempts: 3 })),
    ).rejects.toMatchObject({
      name: "UnrecoverableError",
    });
    const row = await source(sourceId);
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/unsupported content type/);
    expect(row.error).not.toMatch(/\n\s+at /);
    const statuses = eventsOf(
      await channelEvents(redis, tenantChannel(seeded.tenantId), prefix),
      "knowledge.status",
    );
    expect(statuses.at(-1)).toMatchObject({ status: "failed", error: row.error });
  });

  // An upload URL stays valid for minutes after `confirmUpload`: whatever it writes then is not indexed.
  it("refuses an upload changed after it was confirmed, and a stored object over its checked size", async () => {
    const seeded = await seedConversation(db.kysely);
    const swapped = await addSource(db.kysely, storage, seeded, {
      kind: "file",
      title: "faq.md",
      contentType: "text/markdown",
      body: "# FAQ\n\nReturns within 30 days.",
    });
    storage.put(`kb/${swapped}`, "# FAQ\n\nReturns never, ever.");
    await expect(
      processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId: swapped }, { attempts: 3 })),
    ).rejects.toMatchObject({ name: "UnrecoverableError" });
    expect(await source(swapped)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/changed/),
    });
    expect(await chunks(swapped)).toEqual([]);

    const grown = await addSource(db.kysely, storage, seeded, {
      kind: "text",
      title: "Notes",
      body: "Short.",
    });
    storage.put(`kb/${grown}`, "Much longer than the size that was checked. ".repeat(1000));
    await expect(
      processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId: grown }, { attempts: 3 })),
    ).rejects.toMatchObject({ name: "UnrecoverableError" });
    expect(await source(grown)).toMatchObject({ status: "failed", error: expect.stringMatching(/larger/) });
    expect(await chunks(grown)).toEqual([]);

    // A store that announces the checked size but sends more: the stream is cut at the checked size.
    const lying = await addSource(db.kysely, storage, seeded, {
      kind: "text",
      title: "Notes",
      body: "Short.",
    });
    const more = new TextEncoder().encode("Much longer than announced. ".repeat(1000));
    const lyingStorage: IndexDeps["storage"] = {
      open: async () => ({ body: new Blob([more]).stream(), size: 6 }),
    };
    await expect(
      processKbIndex(
        { ...deps, storage: lyingStorage },
        attempt({ tenantId: seeded.tenantId, sourceId: lying }, { attempts: 3 }),
      ),
    ).rejects.toMatchObject({ name: "UnrecoverableError" });
    expect(await source(lying)).toMatchObject({ status: "failed", error: expect.stringMatching(/larger/) });
  });

  it("fails a URL that answers 404", async () => {
    const seeded = await seedConversation(db.kysely);
    const sourceId = await addSource(db.kysely, storage, seeded, {
      kind: "url",
      title: "Gone",
      url: `${siteUrl}/gone`,
    });
    await expect(
      processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId }, { attempts: 3 })),
    ).rejects.toThrow();
    expect((await source(sourceId)).status).toBe("failed");
  });

  it("re-indexing replaces the chunks, and running it twice changes nothing", async () => {
    const seeded = await seedConversation(db.kysely);
    const long = Array.from(
      { length: 40 },
      (_, i) => `Paragraph ${i} explains policy number ${i} in some detail for customers.`,
    ).join("\n\n");
    const sourceId = await addSource(db.kysely, storage, seeded, {
      kind: "text",
      title: "Policies",
      body: long,
    });
    await processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId }));
    const before = await chunks(sourceId);
    expect(before.length).toBeGreaterThan(1);

    storage.put(`kb/${sourceId}`, "Only one short policy remains.");
    await processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId }));
    await processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId }));
    const after = await chunks(sourceId);
    expect(after.map((c) => c.content)).toEqual(["Only one short policy remains."]);
    expect(after.some((c) => before.some((b) => b.id === c.id))).toBe(false);
    expect((await source(sourceId)).chunk_count).toBe(1);
  });
});
