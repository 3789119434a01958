import { redisScript, runScript } from "@avatar-chat/protocol";
import { DelayedError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";

// Drops lapsed leases, then takes one for the job if the tenant has a free slot (or already holds one:
// a retried or recovered attempt of the same job). KEYS[1] the tenant's lease set; ARGV: now, lease end,
// slots, job id. Returns 1 when the job may run.
const TAKE_SLOT = redisScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  return 1
end
return 0`);

/** How long a waiting job stays aside before it asks again (plus jitter, so waiters do not ask in step). */
export const TURN_WAIT_MS = 200;
/** A slot's lease; a running job renews it every third of this, so a crashed worker's slots lapse soon. */
export const TURN_LEASE_MS = 60_000;

// Jobs of a queue that takes turns say whose they are.
const tenantJob = z.object({ tenantId: z.uuid() });

/**
 * At most `perTenant` jobs of one tenant run at once on a queue, across every worker, so one busy tenant
 * cannot fill all slots while other tenants wait. A slot is a lease in Redis, renewed while its job runs
 * and lapsing soon after a worker crashes; a recovered job takes its own slot back. A job over its
 * tenant's share is put back as delayed (not a failed attempt) and asks again shortly.
 */
export function createTenantTurns(
  redis: Redis,
  prefix: string,
  options: { queue: string; perTenant: number; leaseMs?: number },
) {
  const key = (tenantId: string) => `${prefix}${options.queue}:slots:${tenantId}`;
  const leaseMs = options.leaseMs ?? TURN_LEASE_MS;
  return {
    async run<T>(job: Job, token: string | undefined, work: () => Promise<T>): Promise<T> {
      const tenantId = tenantJob.safeParse(job.data).data?.tenantId;
      // A malformed payload is the job's to refuse (unrecoverably); a job always has an id in a worker.
      if (!tenantId || !job.id) return work();
      const jobId = job.id;
      const now = Date.now();
      const taken = await runScript(redis, TAKE_SLOT, 1, [
        key(tenantId),
        now,
        now + leaseMs,
        options.perTenant,
        jobId,
      ]);
      if (taken !== 1) {
        await job.moveToDelayed(now + TURN_WAIT_MS + Math.floor(Math.random() * TURN_WAIT_MS), token);
        throw new DelayedError();
      }
      // Every lease is as long, so the key lives as long as the lease set or renewed last.
      const renew = setInterval(() => {
        const end = Date.now() + leaseMs;
        redis
          .multi()
          .zadd(key(tenantId), end, jobId)
          .pexpireat(key(tenantId), end)
          .exec()
          .catch(() => {});
      }, leaseMs / 3);
      try {
        return await work();
      } finally {
        clearInterval(renew);
        await redis.zrem(key(tenantId), jobId).catch(() => {});
      }
    },
    /** Jobs of the tenant holding a slot now (for tests and diagnostics). */
    running: (tenantId: string) => redis.zcount(key(tenantId), Date.now(), "+inf"),
  };
}
