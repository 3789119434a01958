import type { Kysely } from "kysely";
import { runStatements } from "./run-statements";

// Speech in (docs/widget.md, "Speech in"): a visitor's recording is transcribed and forgotten unless the
// chatbot's tenant turns storing on; a stored recording lives in the object store under the tenant and its
// message names it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
alter table chatbots add column store_voice_input boolean not null default false;
alter table messages add column voice_input_key text;
`,
  );
}
