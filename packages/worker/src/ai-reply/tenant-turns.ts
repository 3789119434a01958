import { aiReplyJob } from "@avatar-chat/protocol/jobs";
import { DelayedError, type Job } from "bullmq";
import type { Redis } from "ioredis";

// Drops lapsed leases, then takes one for the job if the tenant has a free slot (or already holds one:
// a retried or recovered attempt of the same job). KEYS[1] the tenant's lease set; ARGV: now, lease end,
// slots, job id. Returns 1 when the job may run.
const TAKE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** How long a waiting reply stays aside before it asks again (plus jitter, so waiters do not ask in step). */
export const TURN_WAIT_MS = 200;

/**
 * At most `perTenant` replies of one tenant run at once across every worker, so one busy tenant cannot
 * fill all reply slots while other tenants' visitors wait. A slot is a lease in Redis that lapses after
 * `leaseMs` (longer than a reply attempt may run), so a crashed worker's slots free themselves; a reply
 * over its tenant's share is put back as delayed (not a failed attempt) and asks again shortly.
 */
export function createTenantTurns(
  redis: Redis,
  prefix: string,
  options: { perTenant: number; leaseMs: number },
) {
  const key = (tenantId: string) => `${prefix}reply-slots:${tenantId}`;
  return {
    async run<T>(job: Job, token: string | undefined, reply: () => Promise<T>): Promise<T> {
      const tenantId = aiReplyJob.safeParse(job.data).data?.tenantId;
      // A malformed payload is the reply's to refuse (unrecoverably); a job always has an id in a worker.
      if (!tenantId || !job.id) return reply();
      const now = Date.now();
      const taken = await redis.eval(
        TAKE_SLOT,
        1,
        key(tenantId),
        now,
        now + options.leaseMs,
        options.perTenant,
        job.id,
      );
      if (taken !== 1) {
        await job.moveToDelayed(now + TURN_WAIT_MS + Math.floor(Math.random() * TURN_WAIT_MS), token);
        throw new DelayedError();
      }
      try {
        return await reply();
      } finally {
        await redis.zrem(key(tenantId), job.id).catch(() => {});
      }
    },
    /** Replies of the tenant holding a slot now (for tests and diagnostics). */
    running: (tenantId: string) => redis.zcount(key(tenantId), Date.now(), "+inf"),
  };
}
