import { createClient } from "@avatar-chat/api/client";
import { createTestPlatform, TEST_REDIS_URL, type TestPlatform } from "@avatar-chat/api/testing";
import { signedInUser } from "@avatar-chat/api/testing-users";
import { createWorker, type RunningWorker } from "@avatar-chat/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askOnce } from "./integrator";

describe("integrator example", () => {
  let platform: TestPlatform;
  let worker: RunningWorker;
  beforeAll(async () => {
    platform = await createTestPlatform();
    worker = createWorker({
      db: platform.deps.db,
      redis: TEST_REDIS_URL,
      prefix: platform.deps.config.redisPrefix,
      storage: platform.deps.storage,
      rollupEveryMs: null,
      shutdownTimeoutMs: 5_000,
    });
    await worker.waitUntilReady();
  });
  afterAll(async () => {
    await worker.close();
    await platform.close();
  });

  it("creates a chatbot, indexes knowledge and gets an answer through the typed client", async () => {
    const owner = await signedInUser(platform, "integrator@example.test");
    const { key } = await owner.browser.apiKey.create.mutate({
      name: "example",
      scopes: ["read", "write", "chat"],
    });
    const answer = await askOnce(
      createClient({ url: platform.url, apiKey: key }),
      "How long does delivery to Norway take?",
    );
    expect(answer).toMatch(/3 working days/);
  });
});
