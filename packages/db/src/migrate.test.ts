import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./create-db";
import { migrate } from "./migrate";
import * as onePendingInvitation from "./migrations/0004_one_pending_invitation";
import type { Database } from "./schema";
import { createTestDatabase } from "./testing";
import { toVector } from "./vector";

// The same migrations must run on both backends, and the things the product relies on must work on both.
describe.each(["postgres", "pglite"] as const)("migrations on %s", (backend) => {
  const opened: Promise<{ kysely: Kysely<Database>; drop?: () => Promise<void>; close(): Promise<void> }> =
    backend === "postgres" ? createTestDatabase({ migrate: false }) : createDb({ dataDir: "memory://" });

  afterAll(async () => {
    const db = await opened;
    await (db.drop ? db.drop() : db.close());
  });

  it("applies every migration once, then has nothing left to do", async () => {
    const { kysely } = await opened;
    expect(await migrate(kysely)).toEqual([
      "0001_schema",
      "0002_tenant_isolation",
      "0003_notification_settings",
      "0004_one_pending_invitation",
      "0005_retention_indexes",
      "0006_redelivery_index",
      "0007_chatbot_voice",
      "0008_inbox_search",
      "0009_voice_input",
      "0010_knowledge_paging",
      "0011_voice_input_upkeep",
      "0012_conversation_retention",
    ]);
    expect(await migrate(kysely)).toEqual([]);
  });

  it("keeps the newest of duplicate open invitations when it adds the one-open-invitation index", async () => {
    const { kysely } = await opened;
    await sql`drop index invitations_open_email_idx`.execute(kysely);
    const tenant = await kysely
      .insertInto("tenants")
      .values({ name: "Dup", slug: `dup-${backend}` })
      .returning("id")
      .executeTakeFirstOrThrow();
    const invite = (email: string, minutesAgo: number) =>
      kysely
        .insertInto("invitations")
        .values({
          tenant_id: tenant.id,
          email,
          role: "member",
          token_hash: Buffer.from(randomBytes(32)),
          expires_at: new Date(Date.now() + 86_400_000),
          created_at: new Date(Date.now() - minutesAgo * 60_000),
        } as never) // created_at is not insertable in the schema's types
        .returning("id")
        .executeTakeFirstOrThrow();
    await invite("a@x.test", 10); // the older of two for one address: revoked
    const newest = await invite("a@x.test", 1);
    const other = await invite("b@x.test", 5);
    await onePendingInvitation.up(kysely as never);
    const open = await kysely
      .selectFrom("invitations")
      .select("id")
      .where("tenant_id", "=", tenant.id)
      .where("revoked_at", "is", null)
      .orderBy("email")
      .execute();
    expect(open.map((r) => r.id)).toEqual([newest.id, other.id]);
    await expect(invite("a@x.test", 0)).rejects.toMatchObject({ code: "23505" });
  });

  it("stores vectors and answers cosine and full-text queries", async () => {
    const { kysely } = await opened;
    const tenant = await kysely
      .insertInto("tenants")
      .values({ name: "Acme", slug: `acme-${backend}` })
      .returning("id")
      .executeTakeFirstOrThrow();
    const bot = await kysely
      .insertInto("chatbots")
      .values({ tenant_id: tenant.id, name: "Bot", public_key: `pk_${backend}`, avatar: "{}", theme: "{}" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const source = await kysely
      .insertInto("knowledge_sources")
      .values({ tenant_id: tenant.id, chatbot_id: bot.id, kind: "text", title: "Returns" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const unit = (i: number) => toVector(Array.from({ length: 256 }, (_, j) => (j === i ? 1 : 0)));
    await kysely
      .insertInto("knowledge_chunks")
      .values([
        {
          tenant_id: tenant.id,
          chatbot_id: bot.id,
          source_id: source.id,
          ordinal: 0,
          content: "Refunds take five days",
          metadata: "{}",
          embedding: unit(0),
        },
        {
          tenant_id: tenant.id,
          chatbot_id: bot.id,
          source_id: source.id,
          ordinal: 1,
          content: "Shipping is free",
          metadata: "{}",
          embedding: unit(1),
        },
      ])
      .execute();
    const nearest = await kysely
      .selectFrom("knowledge_chunks")
      .select("content")
      .orderBy(sql`embedding <=> ${unit(1)}::vector`)
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(nearest.content).toBe("Shipping is free");
    const matched = await kysely
      .selectFrom("knowledge_chunks")
      .select("content")
      .where(sql<boolean>`tsv @@ websearch_to_tsquery('english', 'refund')`)
      .execute();
    expect(matched.map((r) => r.content)).toEqual(["Refunds take five days"]);
    const counted = await kysely
      .selectFrom("knowledge_chunks")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(counted.n).toBe(2);
  });
});
