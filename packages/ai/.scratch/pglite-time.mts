import { createDb, migrate } from "@avatar-chat/db";

let t = performance.now();
const db = await createDb({ dataDir: "memory://" });
console.log("create", performance.now() - t);
t = performance.now();
await migrate(db.kysely);
console.log("migrate", performance.now() - t);
await db.close();
