import { closeCodes, conversationChannel, publishEvent } from "@avatar-chat/protocol";
import { expect, it } from "vitest";
import type { Principal } from "./access";
import { readPresence } from "./presence";
import {
  authenticate,
  dashboardOrigin,
  openSocket,
  redisForTests,
  startNode,
  subscribed,
  visitorToken,
} from "./testing";

const { prefix, redis } = redisForTests();

const c1 = conversationChannel("c1");
const nowSeconds = () => Math.floor(Date.now() / 1000);

it("closes a visitor socket with 4001 when its token expires and clears its presence", async () => {
  const node = await startNode({ prefix });
  const lasting = await openSocket(`${node.url}?token=${visitorToken("v1b")}`);
  const expiring = await openSocket(`${node.url}?token=${visitorToken("v1", "t1", "b1", 2)}`);
  await subscribed(expiring, c1);
  await expect
    .poll(() => readPresence(redis, prefix, { kind: "chatbot", tenantId: "t1", chatbotId: "b1" }))
    .toEqual(["v1", "v1b"]);

  await expect.poll(() => expiring.closeCode(), { timeout: 5000 }).toBe(closeCodes.unauthorized);
  await expect
    .poll(() => readPresence(redis, prefix, { kind: "chatbot", tenantId: "t1", chatbotId: "b1" }))
    .toEqual(["v1b"]);
  expect(lasting.closeCode()).toBeNull();
  expect(node.realtime.stats()).toMatchObject({ expiredCloses: 1, connections: 1, expiring: 1 });

  await lasting.close();
  await expect.poll(() => node.realtime.stats().expiring).toBe(0);
  await node.realtime.close();
});

it("keeps a socket whose credential renews (a sliding session) and closes it once renewal fails", async () => {
  const renewals: Principal[] = [];
  let sessionValid = true;
  const node = await startNode({
    prefix,
    authenticate: async (req) => {
      const principal = await authenticate(req);
      return principal && { ...principal, expiresAt: nowSeconds() + 1 };
    },
    renew: async (principal) => {
      renewals.push(principal);
      return sessionValid ? nowSeconds() + 1 : null;
    },
  });
  const member = await openSocket(node.url, { cookie: "session=s1", origin: dashboardOrigin });
  await subscribed(member, c1);
  await expect.poll(() => renewals.length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
  expect(member.closeCode()).toBeNull();
  expect(renewals[0]).toMatchObject({ kind: "member", userId: "u1" });

  // Still fed after a renewal.
  const { id } = await publishEvent(
    redis,
    c1,
    { type: "message.delta", conversationId: "c1", messageId: "m", delta: "t", index: 0 },
    { prefix },
  );
  await expect.poll(() => member.ids(c1)).toContain(id);

  sessionValid = false; // revoked: the next renewal refuses it
  await expect.poll(() => member.closeCode(), { timeout: 5000 }).toBe(closeCodes.unauthorized);
  await node.realtime.close();
});

it("checks the picked sockets at once when asked (a credential revoked elsewhere), and only those", async () => {
  let revoked = false;
  const node = await startNode({
    prefix,
    // Next regular check an hour away: only `recheck` can close the socket within the test.
    authenticate: async (req) => {
      const principal = await authenticate(req);
      return principal && { ...principal, expiresAt: nowSeconds() + 3600 };
    },
    renew: async () => (revoked ? null : nowSeconds() + 3600),
  });
  const member = await openSocket(node.url, { cookie: "session=s1", origin: dashboardOrigin });
  const visitor = await openSocket(`${node.url}?token=${visitorToken("v2")}`);
  await subscribed(member, c1);
  revoked = true;
  expect(node.realtime.recheck((principal) => principal.kind === "member")).toBe(1);
  await expect.poll(() => member.closeCode(), { timeout: 2000 }).toBe(closeCodes.unauthorized);
  expect(visitor.closeCode()).toBeNull();
  await visitor.close();
  await node.realtime.close();
});
