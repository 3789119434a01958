import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenAITestServer, startOpenAIServer } from "../testing/openai-server";
import { createProvider } from "./create-provider";
import { ProviderError } from "./errors";
import { checkProviderTarget, privateHostEntrySchema, privateTargetAllowed } from "./provider-target";

describe("privateTargetAllowed", () => {
  const target = { host: "localhost", port: 11434, address: "127.0.0.1" };

  it("allows nothing by default", () => {
    expect(privateTargetAllowed({}, target)).toBe(false);
  });

  it("matches the URL's host or the resolved address, with or without a port", () => {
    expect(privateTargetAllowed({ allowedPrivateHosts: ["localhost:11434"] }, target)).toBe(true);
    expect(privateTargetAllowed({ allowedPrivateHosts: ["LOCALHOST"] }, target)).toBe(true);
    expect(privateTargetAllowed({ allowedPrivateHosts: ["127.0.0.1"] }, target)).toBe(true);
    expect(privateTargetAllowed({ allowedPrivateHosts: ["localhost:8000"] }, target)).toBe(false);
    expect(privateTargetAllowed({ allowedPrivateHosts: ["ollama.internal"] }, target)).toBe(false);
    expect(
      privateTargetAllowed(
        { allowedPrivateHosts: ["[::1]:8000"] },
        { host: "[::1]", port: 8000, address: "::1" },
      ),
    ).toBe(true);
  });

  it("allows every private address for single-tenant self-hosting", () => {
    expect(privateTargetAllowed({ allowPrivateNetwork: true }, target)).toBe(true);
  });

  it("validates allow-list entries", () => {
    for (const ok of ["localhost", "localhost:11434", "10.0.0.5:8000", "[::1]:8000", "ollama.internal"])
      expect(privateHostEntrySchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of ["http://localhost", "host:port", "a b", "host/path", ""])
      expect(privateHostEntrySchema.safeParse(bad).success, bad).toBe(false);
  });
});

describe("checkProviderTarget", () => {
  const resolveTo =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? (6 as const) : (4 as const) }));

  it("accepts public hosts and refuses metadata, loopback and mixed answers", async () => {
    await expect(
      checkProviderTarget(new URL("https://api.example/v1"), {}, resolveTo("93.184.216.34")),
    ).resolves.toMatchObject({ address: "93.184.216.34" });
    for (const url of [
      "http://169.254.169.254/latest",
      "http://127.0.0.1:6379",
      "http://[::ffff:10.0.0.1]/",
    ]) {
      await expect(checkProviderTarget(new URL(url), {})).rejects.toMatchObject({ kind: "permanent" });
    }
    await expect(
      checkProviderTarget(new URL("https://rebind.example/v1"), {}, resolveTo("93.184.216.34", "10.0.0.7")),
    ).rejects.toThrow(/private or reserved address \(10\.0\.0\.7\)/);
  });

  it("lets an allowed name resolve to a private address, on the allowed port only", async () => {
    const policy = { allowedPrivateHosts: ["ollama.internal:11434"] };
    const resolve = resolveTo("10.1.2.3");
    await expect(
      checkProviderTarget(new URL("http://ollama.internal:11434/v1"), policy, resolve),
    ).resolves.toMatchObject({ address: "10.1.2.3" });
    await expect(
      checkProviderTarget(new URL("http://ollama.internal:5432/"), policy, resolve),
    ).rejects.toThrow(ProviderError);
  });

  it("reports an unresolvable host as transient", async () => {
    const fail = async () => {
      throw new Error("ENOTFOUND");
    };
    await expect(checkProviderTarget(new URL("https://nowhere.example/"), {}, fail)).rejects.toMatchObject({
      kind: "transient",
    });
  });
});

describe("the OpenAI provider's network policy", () => {
  let server: OpenAITestServer;
  const settings = { kind: "openai" as const, apiKey: "k", chatModel: "m", embeddingModel: "e" };

  beforeAll(async () => {
    server = await startOpenAIServer();
  });
  afterAll(() => server.close());

  it("refuses a loopback base URL by default, without sending a request", async () => {
    const provider = createProvider({ ...settings, baseUrl: server.url });
    await expect(provider.testConnection()).rejects.toMatchObject({ kind: "permanent" });
    await expect(provider.embed(["x"])).rejects.toThrow(/private or reserved address/);
    expect(server.requests).toHaveLength(0);
  });

  it("reaches an allowed host, connecting to the address it checked", async () => {
    const port = new URL(server.url).port;
    // "ollama.test" is in no DNS: an answer proves the socket used the injected, checked address.
    const provider = createProvider(
      { ...settings, baseUrl: `http://ollama.test:${port}/v1` },
      {
        network: { allowedPrivateHosts: [`ollama.test:${port}`] },
        resolve: async () => [{ address: "127.0.0.1", family: 4 }],
      },
    );
    await provider.testConnection();
    const events = [];
    for await (const event of provider.streamChat([{ role: "user", content: "hi" }])) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "stop" });
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/models", "/v1/chat/completions"]);
  });
});
