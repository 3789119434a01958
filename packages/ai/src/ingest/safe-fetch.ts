import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isPublicAddress } from "./ip-ranges";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface SafeFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** MIME types accepted (parameters ignored), e.g. ["text/html", "application/pdf"]. */
  allowedContentTypes: readonly string[];
  /** Redirects followed, each re-checked; default 3. */
  maxRedirects?: number;
  /** DNS resolution; injectable so tests can map names to a local server. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Tests only: host names that may resolve to non-public addresses (a local test server). */
  allowPrivateForTests?: readonly string[];
  userAgent?: string;
}

export interface SafeFetchResult {
  url: string;
  status: number;
  contentType: string;
  /** The body in the pieces it arrived in: joining 10 MB into one buffer held the event loop ~100 ms. */
  parts: Uint8Array[];
}

export type SafeFetchFailure =
  | "invalid_url"
  | "protocol"
  | "blocked_address"
  | "dns"
  | "too_many_redirects"
  | "too_large"
  | "timeout"
  | "content_type"
  | "http_status"
  | "network";

export class SafeFetchError extends Error {
  override readonly name = "SafeFetchError";
  constructor(
    readonly reason: SafeFetchFailure,
    message: string,
    /** Worth retrying later: timeouts, network errors, 5xx and 429. */
    readonly retryable = false,
  ) {
    super(message);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const results = await dnsLookup(hostname, { all: true, verbatim: true });
  return results.map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
}

/**
 * Fetches a user-supplied URL without letting it reach internal services (SSRF): http(s) only, every host
 * resolved here and refused if any address is not public, the connection made to exactly the checked address
 * (no second DNS lookup to race), each redirect re-checked, and size, time and content type limited.
 */
export async function safeFetch(url: string, options: SafeFetchOptions): Promise<SafeFetchResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    let current = parseUrl(url);
    for (let redirects = 0; ; redirects++) {
      const response = await requestOnce(current, options, controller.signal);
      if (response.kind === "done") return response.result;
      if (redirects >= (options.maxRedirects ?? 3)) {
        throw new SafeFetchError("too_many_redirects", `more than ${options.maxRedirects ?? 3} redirects`);
      }
      current = parseUrl(new URL(response.location, current).toString());
    }
  } catch (error) {
    if (error instanceof SafeFetchError) throw error;
    if (controller.signal.aborted) {
      throw new SafeFetchError("timeout", `no complete answer within ${options.timeoutMs} ms`, true);
    }
    throw new SafeFetchError(
      "network",
      `fetch failed: ${error instanceof Error ? error.message : error}`,
      true,
    );
  } finally {
    clearTimeout(timer);
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SafeFetchError("invalid_url", `not a URL: ${text}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SafeFetchError("protocol", `only http and https URLs can be fetched, not ${url.protocol}`);
  }
  if (url.username || url.password)
    throw new SafeFetchError("invalid_url", "URLs with credentials are refused");
  return url;
}

/** Resolves and checks a host, returning the one address the socket will connect to. */
async function checkedAddress(hostname: string, options: SafeFetchOptions): Promise<ResolvedAddress> {
  const host = hostname.replace(/^\[|\]$/g, "");
  const allowPrivate = options.allowPrivateForTests?.includes(host) ?? false;
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolve)(host);
    } catch (error) {
      throw new SafeFetchError(
        "dns",
        `cannot resolve ${host}: ${error instanceof Error ? error.message : error}`,
        true,
      );
    }
  }
  if (addresses.length === 0) throw new SafeFetchError("dns", `${host} has no address`, true);
  // Refuse when any address is internal: a mixed answer is a classic rebinding trick.
  const blocked = addresses.find((a) => !isPublicAddress(a.address));
  if (blocked && !allowPrivate) {
    throw new SafeFetchError(
      "blocked_address",
      `${host} resolves to a non-public address (${blocked.address})`,
    );
  }
  return addresses[0]!;
}

type Outcome = { kind: "redirect"; location: string } | { kind: "done"; result: SafeFetchResult };

async function requestOnce(url: URL, options: SafeFetchOptions, signal: AbortSignal): Promise<Outcome> {
  const target = await checkedAddress(url.hostname, options);
  // The socket connects to the address checked above, whatever the system resolver would say now.
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise<Outcome>((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: "GET",
        lookup,
        // A fresh connection per request: a pooled socket would skip the address check above.
        agent: false,
        signal,
        headers: {
          "user-agent": options.userAgent ?? "AvatarChatIndexer/1.0",
          accept: options.allowedContentTypes.join(", "),
          "accept-encoding": "identity",
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        // Bodies we do not read are dropped with the connection, not drained (they could be endless).
        if (REDIRECTS.has(status) && location) {
          response.destroy();
          return resolve({ kind: "redirect", location });
        }
        if (status < 200 || status > 299) {
          response.destroy();
          return reject(
            new SafeFetchError(
              "http_status",
              `${url.host} answered ${status}`,
              status >= 500 || status === 429,
            ),
          );
        }
        const contentType = response.headers["content-type"] ?? "";
        const mime = contentType.split(";")[0]!.trim().toLowerCase();
        if (!options.allowedContentTypes.some((t) => t.toLowerCase() === mime)) {
          response.destroy();
          return reject(
            new SafeFetchError("content_type", `content type ${mime || "(none)"} is not accepted`),
          );
        }
        const encoding = response.headers["content-encoding"];
        if (encoding && encoding !== "identity") {
          response.destroy();
          return reject(
            new SafeFetchError(
              "content_type",
              `compressed response (${encoding}) although identity was asked`,
            ),
          );
        }
        const declared = Number(response.headers["content-length"]);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          response.destroy();
          return reject(tooLarge(options.maxBytes));
        }
        const parts: Buffer[] = [];
        let received = 0;
        response.on("data", (part: Buffer) => {
          received += part.length;
          if (received > options.maxBytes) {
            response.destroy();
            reject(tooLarge(options.maxBytes));
            return;
          }
          parts.push(part);
        });
        response.on("end", () =>
          resolve({
            kind: "done",
            result: { url: url.toString(), status, contentType, parts },
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end();
  });
}

function tooLarge(maxBytes: number) {
  return new SafeFetchError("too_large", `document is larger than ${maxBytes} bytes`);
}
