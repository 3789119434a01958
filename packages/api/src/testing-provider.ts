// Test helper: a tenant whose AI provider is the local OpenAI-protocol test server.
import { type OpenAITestServer, startOpenAIServer } from "@avatar-chat/ai/testing";
import { createTestPlatform, type TestPlatform } from "./testing";
import type { TestUser } from "./testing-users";

export interface PlatformWithTestServer {
  platform: TestPlatform;
  /** Accepts only the `apiKey` it was started with. */
  server: OpenAITestServer;
  close(): Promise<void>;
}

/** A test platform and the OpenAI-protocol test server, which it may reach although it is on 127.0.0.1. */
export async function createPlatformWithTestServer(apiKey: string): Promise<PlatformWithTestServer> {
  // A private address is refused unless the operator allows it.
  const platform = await createTestPlatform({ aiNetwork: { allowedPrivateHosts: ["127.0.0.1"] } });
  const server = await startOpenAIServer({ apiKey });
  return {
    platform,
    server,
    async close() {
      await server.close();
      await platform.close();
    },
  };
}

/** Points `user`'s tenant at `server` through the AI settings form's procedure. */
export async function setTestServerAsProvider(
  user: TestUser,
  server: OpenAITestServer,
  apiKey: string,
): Promise<void> {
  await user.browser.ai.update.mutate({
    provider: "openai",
    baseUrl: server.url,
    chatModel: "test-chat",
    embeddingModel: "test-embed",
    apiKey,
  });
}
