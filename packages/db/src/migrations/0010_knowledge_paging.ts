import type { Kysely } from "kysely";
import { runStatements } from "./run-statements";

// The knowledge list is keyset-paged newest first, (created_at desc, id desc): the index holds that whole
// order, so a page is a seek and a short walk at any number of sources (the old one ended at created_at
// and left ties to a sort).
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
drop index knowledge_sources_chatbot_idx;
create index knowledge_sources_chatbot_idx on knowledge_sources (tenant_id, chatbot_id, created_at desc, id desc);
`,
  );
}
