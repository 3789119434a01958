import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeFetch } from "../ingest/safe-fetch";
import { createPinnedFetch } from "./pinned-fetch";

// Hosted providers and most knowledge URLs are reached over https: pinning the checked address must leave
// TLS as it is, with the URL's host name sent as SNI and verified against the certificate.
describe("pinned fetches over https", () => {
  let dir: string;
  let cert: string;
  let server: https.Server;
  let port: number;
  const seen: { sni: string | false; host: string | undefined }[] = [];
  const defaultCAs = tls.getCACertificates("default");
  const toLoopback = async () => [{ address: "127.0.0.1", family: 4 as const }];
  const pinnedFetch = () =>
    createPinnedFetch({ allowedPrivateHosts: [`provider.test:${port}`, `other.test:${port}`] }, toLoopback);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "pinned-tls-"));
    // A certificate for provider.test only, trusted by nobody until the test says so.
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
        ...["-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")],
        ...["-subj", "/CN=provider.test", "-addext", "subjectAltName=DNS:provider.test"],
      ],
      { stdio: "ignore" },
    );
    cert = await readFile(path.join(dir, "cert.pem"), "utf8");
    server = https.createServer({ cert, key: await readFile(path.join(dir, "key.pem")) }, (req, res) => {
      // TLSSocket.servername (the SNI the client sent) is missing from its type.
      const { servername } = req.socket as tls.TLSSocket & { servername?: string | false };
      seen.push({ sni: servername ?? false, host: req.headers.host });
      res.writeHead(200, { "content-type": "application/json" }).end('{"object":"list","data":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    tls.setDefaultCACertificates(defaultCAs);
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a certificate no authority vouches for", async () => {
    await expect(pinnedFetch()(`https://provider.test:${port}/v1/models`)).rejects.toThrow(/self-signed/);
    expect(seen).toHaveLength(0);
  });

  it("sends the host name as SNI and Host to the checked address, and checks the certificate names it", async () => {
    tls.setDefaultCACertificates([...defaultCAs, cert]);
    const fetch = pinnedFetch();
    const response = await fetch(`https://provider.test:${port}/v1/models`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: "list", data: [] });
    expect(seen).toEqual([{ sni: "provider.test", host: `provider.test:${port}` }]);
    // Same address, another name: the certificate does not cover it.
    await expect(fetch(`https://other.test:${port}/v1/models`)).rejects.toThrow(/altnames/);
    expect(seen).toHaveLength(1);
  });

  it("fetches a knowledge URL the same way (safeFetch)", async () => {
    const options = {
      maxBytes: 1_000,
      timeoutMs: 5_000,
      allowedContentTypes: ["application/json"],
      resolve: toLoopback,
      allowPrivateForTests: ["provider.test", "other.test"],
    };
    const page = await safeFetch(`https://provider.test:${port}/page`, options);
    expect(Buffer.concat(page.parts).toString("utf8")).toBe('{"object":"list","data":[]}');
    expect(seen.at(-1)).toEqual({ sni: "provider.test", host: `provider.test:${port}` });
    await expect(safeFetch(`https://other.test:${port}/page`, options)).rejects.toMatchObject({
      reason: "network",
      message: expect.stringContaining("altnames"),
    });
  });
});
