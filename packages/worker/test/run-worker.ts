// A worker process for the crash test: env in, "ready" on stdout, runs until killed.
import { createProvider } from "@avatar-chat/ai";
import { localServerAccess } from "@avatar-chat/ai/testing";
import { createDb } from "@avatar-chat/db";
import { createWorker } from "../src/create-worker";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const db = await createDb({ url: env("DATABASE_URL"), poolSize: 4 });
const provider = createProvider(
  {
    kind: "openai",
    baseUrl: env("OPENAI_BASE_URL"),
    apiKey: "sk-test",
    chatModel: "test-chat",
    embeddingModel: "test-embed",
  },
  localServerAccess,
);
const worker = createWorker({
  db: db.kysely,
  redis: env("REDIS_URL"),
  prefix: env("PREFIX"),
  storage: { open: async () => "missing", delete: async () => {} },
  providerFor: () => provider,
  rollupEveryMs: null,
  // Short locks: a killed worker's job is seen as stalled within seconds.
  lock: { lockDuration: 2000, stalledInterval: 1000 },
});
await worker.waitUntilReady();
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void worker
    .close()
    .then(() => db.close())
    .then(() => process.exit(0));
});
