import type { Kysely } from "kysely";
import { runStatements } from "./run-statements";

// A chatbot's voice (provider, voice, speed; protocol's voiceSettingsSchema). Existing chatbots get the
// offline voice, which needs no key and speaks only to visitors who turn voice on.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `alter table chatbots add column voice jsonb not null default '{"provider": "offline", "voice": "", "speed": 1}';`,
  );
}
