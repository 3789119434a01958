import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SafeFetchOptions, safeFetch } from "./safe-fetch";

let server: Server;
let port: number;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    const path = req.url ?? "/";
    if (path === "/page") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end("<h1>Hello</h1>");
    }
    if (path === "/to-page") return redirect(res, "/page");
    if (path === "/to-loopback") return redirect(res, `http://127.0.0.1:${port}/page`);
    if (path === "/to-localhost") return redirect(res, `http://localhost:${port}/page`);
    if (path === "/to-mapped") return redirect(res, `http://[::ffff:127.0.0.1]:${port}/page`);
    if (path === "/to-metadata") return redirect(res, "http://169.254.169.254/latest/meta-data/");
    const loop = /^\/loop(\d+)$/.exec(path);
    if (loop) return redirect(res, `/loop${Number(loop[1]) + 1}`);
    if (path === "/big") {
      res.writeHead(200, { "content-type": "text/plain", "content-length": "5000" });
      return res.end("x".repeat(5000));
    }
    if (path === "/big-chunked") {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 10; i++) res.write("y".repeat(1000));
      return res.end();
    }
    if (path === "/image") {
      res.writeHead(200, { "content-type": "image/png" });
      return res.end("png");
    }
    if (path === "/gzip") {
      res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
      return res.end("not really gzip");
    }
    if (path === "/slow") return; // never answers
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("missing");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function redirect(res: import("node:http").ServerResponse, location: string) {
  res.writeHead(302, { location });
  res.end();
}

// "docs.test" is not in any DNS: reaching the server proves the connection uses the address checked here.
const testOptions: SafeFetchOptions = {
  maxBytes: 2000,
  timeoutMs: 1500,
  allowedContentTypes: ["text/html", "text/plain"],
  resolve: async (host) => {
    if (host === "docs.test") return [{ address: "127.0.0.1", family: 4 }];
    if (host === "public.test") return [{ address: "93.184.216.34", family: 4 }];
    if (host === "mixed.test") {
      return [
        { address: "93.184.216.34", family: 4 },
        { address: "10.0.0.5", family: 4 },
      ];
    }
    throw new Error("ENOTFOUND");
  },
  allowPrivateForTests: ["docs.test"],
};
const base = () => `http://docs.test:${port}`;

async function refusal(url: string, options: SafeFetchOptions = testOptions) {
  const error = await safeFetch(url, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as { reason: string; retryable: boolean };
}

describe("safeFetch refusals", () => {
  it.each([
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://10.1.2.3/",
    "http://192.168.0.1/",
    "http://172.16.5.4/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
  ])("refuses %s without connecting", async (url) => {
    const before = hits;
    const error = await refusal(url);
    expect(error.reason).toBe("blocked_address");
    expect(hits).toBe(before);
  });

  it("refuses localhost through the system resolver", async () => {
    const { resolve: _, ...withSystemDns } = testOptions;
    expect((await refusal(`http://localhost:${port}/page`, withSystemDns)).reason).toBe("blocked_address");
  });

  it("refuses a name with any non-public address among its answers", async () => {
    expect((await refusal("http://mixed.test/")).reason).toBe("blocked_address");
  });

  it.each([
    "ftp://docs.test/file",
    "file:///etc/passwd",
    "gopher://docs.test/",
    "javascript:alert(1)",
  ])("refuses the protocol of %s", async (url) => {
    expect((await refusal(url)).reason).toBe("protocol");
  });

  it("refuses URLs with credentials", async () => {
    expect((await refusal(`http://user:pw@docs.test:${port}/page`)).reason).toBe("invalid_url");
  });

  it.each([
    "/to-loopback",
    "/to-localhost",
    "/to-mapped",
    "/to-metadata",
  ])("refuses a redirect %s to an internal address", async (path) => {
    const { resolve: _, ...options } = testOptions;
    const error = await refusal(`${base()}${path}`, {
      ...options,
      resolve: async (host) => (host === "docs.test" ? [{ address: "127.0.0.1", family: 4 }] : []),
    });
    expect(error.reason).toMatch(/blocked_address|dns/);
  });

  it("stops after three redirects", async () => {
    expect((await refusal(`${base()}/loop0`)).reason).toBe("too_many_redirects");
  });

  it("refuses a body over maxBytes, declared or streamed", async () => {
    expect((await refusal(`${base()}/big`)).reason).toBe("too_large");
    expect((await refusal(`${base()}/big-chunked`)).reason).toBe("too_large");
  });

  it("refuses a content type outside the allowlist", async () => {
    expect((await refusal(`${base()}/image`)).reason).toBe("content_type");
  });

  it("refuses a compressed body it did not ask for", async () => {
    expect((await refusal(`${base()}/gzip`)).reason).toBe("content_type");
  });

  it("gives up after timeoutMs, as a retryable failure", async () => {
    const error = await refusal(`${base()}/slow`, { ...testOptions, timeoutMs: 200 });
    expect(error).toMatchObject({ reason: "timeout", retryable: true });
  });

  it("reports error statuses", async () => {
    expect((await refusal(`${base()}/nope`)).reason).toBe("http_status");
  });
});

describe("safeFetch success", () => {
  it("fetches an allowed page through the checked address", async () => {
    const result = await safeFetch(`${base()}/page`, testOptions);
    expect(result.status).toBe(200);
    expect(result.contentType).toBe("text/html; charset=utf-8");
    expect(Buffer.concat(result.parts).toString("utf8")).toBe("<h1>Hello</h1>");
  });

  it("follows a redirect and reports the final URL", async () => {
    const result = await safeFetch(`${base()}/to-page`, testOptions);
    expect(result.url).toBe(`${base()}/page`);
  });
});
