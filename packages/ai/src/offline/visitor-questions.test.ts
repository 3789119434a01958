import { createDb, type Db, migrate, withTenant } from "@avatar-chat/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { citationsFrom } from "../prompt/citations";
import { createOfflineProvider } from "../provider/offline";
import { hybridSearch } from "../retrieval/hybrid-search";
import { evalDocuments } from "../testing/eval-set";
import { type SeededCorpus, seedUploads } from "../testing/seed-corpus";

// The three questions, asked the way the worker asks them (embed, hybrid search, offline answer), on the
// embedded database (PGlite) with a shop's size guide, shipping and returns rules indexed.
const provider = createOfflineProvider();
let db: Db;
let shop: SeededCorpus;

beforeAll(async () => {
  db = await createDb({ dataDir: "memory://" });
  await migrate(db.kysely);
  // The shop's help page as separate documents, one per section, as a shop owner often uploads them.
  const page = new TextDecoder().decode(evalDocuments().find((d) => d.id === "shop")!.bytes);
  const sections = page.split(/^(?=## )/m).slice(1);
  shop = await seedUploads(
    db.kysely,
    provider,
    sections.map((section) => {
      const title = section.split("\n")[0]!.replace("## ", "");
      return {
        id: title,
        title,
        bytes: new TextEncoder().encode(`# ${title}\n${section.slice(section.indexOf("\n"))}`),
        contentType: "text/markdown",
      };
    }),
  );
  // Starting PGlite alone took 61 s at load average 25 on the shared 2-core machine; the default hook timeout is 60 s.
}, 180_000);
afterAll(() => db?.close());

async function ask(question: string) {
  const [embedding] = await provider.embed([question]);
  const hits = await withTenant(db.kysely, shop.tenantId, (tx) =>
    hybridSearch(tx, {
      tenantId: shop.tenantId,
      chatbotId: shop.chatbotId,
      embedding: embedding!,
      text: question,
      limit: 5,
    }),
  );
  let text = "";
  for await (const event of provider.streamChat([{ role: "user", content: question }], {
    context: { chunks: hits },
  })) {
    if (event.type === "delta") text += event.text;
  }
  return { text, cited: citationsFrom(hits, text).map((c) => c.sourceId) };
}

describe("offline answers to a shop's visitors", () => {
  it("answers 'What sizes do you have?' from the size guide's table", async () => {
    const { text, cited } = await ask("What sizes do you have?");
    expect(text).not.toMatch(/don't know/);
    for (const row of ["35–38", "39–42", "43–46", "47–50"]) expect(text).toContain(row);
    expect(cited).toEqual([shop.sourceIds.get("Size guide")]);
  });

  it("answers 'Which size fits EU shoe size 40?' with the table row and its column names", async () => {
    const { text } = await ask("Which size fits EU shoe size 40?");
    expect(text).toMatch(/Size: M\b/);
    expect(text).toContain("EU shoe size: 39–42");
    expect(text).not.toContain("43–46");
  });

  it("answers 'Can I return worn socks?' with the rule for worn socks, not the one for unworn socks", async () => {
    const { text } = await ask("Can I return worn socks?");
    expect(text).toContain("Worn socks and underwear cannot be returned for hygiene reasons.");
    expect(text).not.toMatch(/Unworn socks/i);
  });

  it("declines a question no document answers and offers a person", async () => {
    const { text, cited } = await ask("Do you sell gift cards?");
    expect(text).toMatch(/don't know/);
    expect(text).toMatch(/person/);
    expect(cited).toEqual([]);
  });
});
