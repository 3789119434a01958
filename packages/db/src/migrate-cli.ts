import path from "node:path";
import { databaseEnv, readConfig } from "@avatar-chat/config";
import { createDb } from "./create-db";
import { migrate } from "./migrate";

// `pnpm db:migrate`: migrates DATABASE_URL, or the embedded database under DATA_DIR.
const config = readConfig(databaseEnv);
const db = await createDb({
  url: config.DATABASE_URL,
  dataDir: path.resolve(process.env.INIT_CWD ?? process.cwd(), config.DATA_DIR, "pglite"),
});
try {
  const applied = await migrate(db.kysely);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
} finally {
  await db.close();
}
