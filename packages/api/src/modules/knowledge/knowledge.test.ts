import { createProvider } from "@avatar-chat/ai";
import { toVector } from "@avatar-chat/db";
import { silentLogger } from "@avatar-chat/telemetry";
import { processKbIndex } from "@avatar-chat/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";

describe("knowledge", () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let other: TestUser;
  let chatbotId: string;

  async function indexJobIds() {
    const jobs = await platform.deps.queues.kbIndex.getJobs([
      "waiting",
      "delayed",
      "active",
      "completed",
      "failed",
    ]);
    return jobs.map((j) => j.id ?? "");
  }

  beforeAll(async () => {
    platform = await createTestPlatform({ maxUploadBytes: 4096 });
    owner = await signedInUser(platform, "owner@kb.test");
    other = await signedInUser(platform, "other@kb.test");
    chatbotId = (await owner.browser.chatbot.create.mutate({ name: "Docs" })).id;
  });
  afterAll(() => platform.close());

  it("stores pasted text as an object and enqueues indexing", async () => {
    const source = await owner.browser.knowledge.addText.mutate({
      chatbotId,
      title: "Shipping",
      text: "We ship to Norway in 3 days.",
    });
    expect(source).toMatchObject({ kind: "text", status: "pending", sizeBytes: 28, chunkCount: 0 });
    const stored = await platform.deps.storage.get(`tenants/${owner.tenantId}/knowledge/${source.id}`);
    expect(new TextDecoder().decode(stored)).toBe("We ship to Norway in 3 days.");
    expect((await indexJobIds()).some((id) => id.startsWith(`index-${source.id}-`))).toBe(true);
    const listed = await owner.browser.knowledge.list.query({ chatbotId });
    expect(listed.items.map((s) => s.id)).toContain(source.id);
  });

  it("uploads a file through a presigned URL and checks its real size", async () => {
    await expect(
      owner.browser.knowledge.createUpload.mutate({
        chatbotId,
        name: "a.exe",
        contentType: "application/x-msdownload",
        sizeBytes: 10,
      }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      owner.browser.knowledge.createUpload.mutate({
        chatbotId,
        name: "big.pdf",
        contentType: "application/pdf",
        sizeBytes: 5000,
      }),
    ).rejects.toMatchObject({ data: { code: "PAYLOAD_TOO_LARGE" } });

    const body = "# FAQ\n\nReturns: 30 days.";
    const upload = await owner.browser.knowledge.createUpload.mutate({
      chatbotId,
      name: "faq.md",
      contentType: "text/markdown",
      sizeBytes: new TextEncoder().encode(body).byteLength,
    });
    expect(upload.source).toMatchObject({ kind: "file", status: "pending", title: "faq.md" });
    await expect(
      owner.browser.knowledge.confirmUpload.mutate({ sourceId: upload.source.id }),
    ).rejects.toMatchObject({
      message: "The file has not been uploaded yet.",
    });
    const put = await fetch(upload.uploadUrl, { method: "PUT", headers: upload.headers, body });
    expect(put.ok).toBe(true);
    const confirmed = await owner.browser.knowledge.confirmUpload.mutate({ sourceId: upload.source.id });
    expect(confirmed.sizeBytes).toBe(new TextEncoder().encode(body).byteLength);
    expect((await indexJobIds()).some((id) => id.startsWith(`index-${upload.source.id}-`))).toBe(true);

    // A file larger than it claimed never lands: the URL signs the declared length.
    const liar = await owner.browser.knowledge.createUpload.mutate({
      chatbotId,
      name: "l.txt",
      contentType: "text/plain",
      sizeBytes: 5,
    });
    const refused = await fetch(liar.uploadUrl, {
      method: "PUT",
      headers: liar.headers,
      body: "x".repeat(5000),
    });
    expect(refused.status).toBe(403);
    await expect(
      owner.browser.knowledge.confirmUpload.mutate({ sourceId: liar.source.id }),
    ).rejects.toMatchObject({ message: "The file has not been uploaded yet." });
    expect(
      await platform.deps.storage.head(`tenants/${owner.tenantId}/knowledge/${liar.source.id}`),
    ).toBeNull();
  });

  it("keeps a confirmed file out of its upload URL's reach: a later PUT changes nothing stored or indexed", async () => {
    const body = "# Returns\n\nWithin 30 days.";
    const upload = await owner.browser.knowledge.createUpload.mutate({
      chatbotId,
      name: "returns.md",
      contentType: "text/markdown",
      sizeBytes: body.length,
    });
    expect((await fetch(upload.uploadUrl, { method: "PUT", headers: upload.headers, body })).ok).toBe(true);
    await owner.browser.knowledge.confirmUpload.mutate({ sourceId: upload.source.id });
    // The URL is still within its minutes and signs this length: a same-sized swap is all it could do.
    const swap = "# Returns\n\nNever, no ever.";
    expect(swap.length).toBe(body.length);
    await fetch(upload.uploadUrl, { method: "PUT", headers: upload.headers, body: swap });
    await expect(
      owner.browser.knowledge.confirmUpload.mutate({ sourceId: upload.source.id }),
    ).rejects.toMatchObject({ data: { code: "CONFLICT" } });
    const key = `tenants/${owner.tenantId}/knowledge/${upload.source.id}`;
    expect(new TextDecoder().decode(await platform.deps.storage.get(key))).toBe(body);

    // The worker's indexing step, on the same storage, after a re-index: the confirmed text, nothing else.
    await owner.browser.knowledge.reindex.mutate({ sourceId: upload.source.id });
    const outcome = await processKbIndex(
      {
        db: platform.deps.db,
        redis: platform.deps.redis,
        prefix: platform.deps.config.redisPrefix,
        storage: platform.deps.storage,
        providerFor: () => createProvider({ kind: "offline" }),
        clock: () => new Date(),
        logger: silentLogger,
      },
      {
        data: { tenantId: owner.tenantId, sourceId: upload.source.id },
        attemptsMade: 0,
        timestamp: Date.now(),
        opts: { attempts: 1 },
      },
    );
    expect(outcome).toBe("ready");
    const chunks = await platform.deps.db
      .selectFrom("knowledge_chunks")
      .select("content")
      .where("source_id", "=", upload.source.id)
      .execute();
    expect(chunks.map((c) => c.content).join("\n")).toContain("Within 30 days.");
    expect(chunks.map((c) => c.content).join("\n")).not.toContain("Never");

    // Deleting the source deletes what the URL left at its upload key too.
    await owner.browser.knowledge.delete.mutate({ sourceId: upload.source.id });
    expect(await platform.deps.storage.head(key)).toBeNull();
    expect(await platform.deps.storage.head(`uploads/${key}`)).toBeNull();
  });

  it("refuses knowledge beyond the plan's budget", async () => {
    await platform.deps.db
      .updateTable("tenants")
      .set({ max_knowledge_bytes: 100 })
      .where("id", "=", owner.tenantId)
      .execute();
    await expect(
      owner.browser.knowledge.addText.mutate({ chatbotId, title: "Long", text: "y".repeat(200) }),
    ).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: expect.stringContaining("Your plan holds"),
    });
    await platform.deps.db
      .updateTable("tenants")
      .set({ max_knowledge_bytes: 52_428_800 })
      .where("id", "=", owner.tenantId)
      .execute();
  });

  it("adds http(s) URLs only", async () => {
    await expect(
      owner.browser.knowledge.addUrl.mutate({ chatbotId, url: "ftp://example.com/file" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      owner.browser.knowledge.addUrl.mutate({ chatbotId, url: "javascript:alert(1)" }),
    ).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
    const source = await owner.browser.knowledge.addUrl.mutate({
      chatbotId,
      url: "https://example.com/help/shipping",
    });
    expect(source).toMatchObject({
      kind: "url",
      title: "example.com/help/shipping",
      url: "https://example.com/help/shipping",
    });
    expect((await indexJobIds()).some((id) => id.startsWith(`index-${source.id}-`))).toBe(true);
  });

  it("re-indexes under a new job id and deletes with the stored object", async () => {
    const source = await owner.browser.knowledge.addText.mutate({
      chatbotId,
      title: "Tmp",
      text: "temporary",
    });
    await platform.deps.db
      .updateTable("knowledge_sources")
      .set({ status: "failed", error: "boom" })
      .where("id", "=", source.id)
      .execute();
    const before = (await indexJobIds()).filter((id) => id.startsWith(`index-${source.id}-`));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await owner.browser.knowledge.reindex.mutate({ sourceId: source.id });
    expect(again).toMatchObject({ status: "pending", error: null });
    const after = (await indexJobIds()).filter((id) => id.startsWith(`index-${source.id}-`));
    expect(after.length).toBe(before.length + 1);

    await expect(other.browser.knowledge.delete.mutate({ sourceId: source.id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await owner.browser.knowledge.delete.mutate({ sourceId: source.id });
    expect(await platform.deps.storage.head(`tenants/${owner.tenantId}/knowledge/${source.id}`)).toBeNull();
    await expect(owner.browser.knowledge.reindex.mutate({ sourceId: source.id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
  });

  it("previews which chunks a question retrieves, within the tenant's chatbot", async () => {
    const source = await owner.browser.knowledge.addText.mutate({
      chatbotId,
      title: "Policies",
      text: "policies",
    });
    const texts = ["Returns are accepted within 30 days of delivery.", "Our office cat is called Miso."];
    const embeddings = await createProvider({ kind: "offline" }).embed(texts);
    await platform.deps.db
      .insertInto("knowledge_chunks")
      .values(
        texts.map((content, ordinal) => ({
          tenant_id: owner.tenantId,
          chatbot_id: chatbotId,
          source_id: source.id,
          ordinal,
          content,
          metadata: "{}",
          embedding: toVector(embeddings[ordinal]!),
        })),
      )
      .execute();
    const hits = await owner.browser.knowledge.searchPreview.query({
      chatbotId,
      question: "How many days for returns?",
      limit: 2,
    });
    expect(hits[0]).toMatchObject({ sourceId: source.id, sourceTitle: "Policies", content: texts[0] });
    await expect(
      other.browser.knowledge.searchPreview.query({ chatbotId, question: "returns" }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await expect(other.browser.knowledge.list.query({ chatbotId })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(
      other.browser.knowledge.addText.mutate({ chatbotId, title: "x", text: "x" }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });
});
