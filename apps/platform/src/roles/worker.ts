import { createProvider } from "@avatar-chat/ai";
import type { Storage } from "@avatar-chat/api/object-storage";
import { providerSettingsFor } from "@avatar-chat/api/provider-settings";
import { createWorker, type RunningWorker } from "@avatar-chat/worker";
import type { RoleContext } from "./context";

/** The worker role: every queue's consumers, with the tenants' AI providers. */
export async function startWorkerRole(context: RoleContext, storage: Storage): Promise<RunningWorker> {
  const { env, db, config, metrics } = context;
  const providerFor = async (tenantId: string) =>
    createProvider(await providerSettingsFor(db.kysely, config.appSecret, tenantId), {
      network: config.aiNetwork,
    });
  const worker = createWorker({
    db: db.kysely,
    redis: context.redisConnection,
    prefix: config.redisPrefix,
    storage,
    providerFor,
    mailer: { smtpUrl: env.SMTP_URL ?? null, from: env.MAIL_FROM },
    retention: { auditDays: env.AUDIT_RETENTION_DAYS },
    repliesPerTenant: env.AI_REPLIES_PER_TENANT,
    indexingPerTenant: env.KB_INDEXING_PER_TENANT,
    slowJobMs: env.SLOW_JOB_MS,
    logger: context.logger,
    ...(metrics ? { metrics } : {}),
  });
  await worker.waitUntilReady();
  context.stops.push(() => worker.close());
  context.banner.push("worker: ai-reply, kb-index, analytics-rollup, email, housekeeping");
  return worker;
}
