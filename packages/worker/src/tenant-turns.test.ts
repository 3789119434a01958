import { randomUUID } from "node:crypto";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import { DelayedError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";
import { randomPrefix, testRedis } from "../test/fixtures";
import { createTenantTurns } from "./tenant-turns";

const redis: Redis = testRedis();
const prefix = randomPrefix();
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

/** The part of a BullMQ job turns use, recording where it was delayed to. */
function fakeJob(tenantId: string) {
  const job = { id: randomUUID(), data: { tenantId }, delayedTo: 0 };
  const moveToDelayed = async (timestamp: number) => {
    job.delayedTo = timestamp;
  };
  return Object.assign(job, { moveToDelayed }) as typeof job & Job;
}

it("keeps a running job's slot past its lease by renewing it, and sends others of the tenant to wait", async () => {
  const turns = createTenantTurns(redis, prefix, { queue: "q", perTenant: 1, leaseMs: 300 });
  const tenant = randomUUID();
  let finish = () => {};
  const released = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const holding = turns.run(fakeJob(tenant), "t", () => released);
  await expect.poll(() => turns.running(tenant)).toBe(1);
  // Three leases long: without renewal the slot would have lapsed and the next job would run.
  await new Promise((resolve) => setTimeout(resolve, 900));
  expect(await turns.running(tenant)).toBe(1);
  const waiting = fakeJob(tenant);
  await expect(turns.run(waiting, "t", async () => "ran")).rejects.toBeInstanceOf(DelayedError);
  expect(waiting.delayedTo).toBeGreaterThan(Date.now());
  // Another tenant is not held up.
  expect(await turns.run(fakeJob(randomUUID()), "t", async () => "ran")).toBe("ran");

  finish();
  await holding;
  expect(await turns.running(tenant)).toBe(0);
  expect(await turns.run(waiting, "t", async () => "ran")).toBe("ran");
});
