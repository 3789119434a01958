import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { checkProviderTarget, type ProviderNetworkPolicy, type Resolve } from "./provider-target";

const IDLE_SOCKET_MS = 15_000;

/**
 * A `fetch` for the OpenAI SDK that checks every request's host against the network policy and connects to
 * exactly the address it checked (no second DNS query for a rebinding attacker to answer differently).
 * Redirects are not followed: a provider API has no reason to redirect, and a redirect could point inward.
 */
export function createPinnedFetch(policy: ProviderNetworkPolicy, resolve?: Resolve): typeof fetch {
  // Kept-alive sockets are safe to reuse: every one of them was opened to a checked address. Idle ones close
  // after a while: providers are built per job, and some servers (Ollama) never close idle connections.
  const keepAlive = { keepAlive: true, timeout: IDLE_SOCKET_MS };
  const agents = { http: new http.Agent(keepAlive), https: new https.Agent(keepAlive) };

  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const target = await checkProviderTarget(url, policy, resolve);
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [target]);
      else callback(null, target.address, target.family);
    };
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : null;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    // node:http does not decompress; ask for plain bodies.
    headers["accept-encoding"] = "identity";
    const secure = url.protocol === "https:";
    return new Promise<Response>((resolvePromise, reject) => {
      const outgoing = (secure ? https : http).request(
        url,
        {
          method: request.method,
          headers,
          lookup,
          agent: secure ? agents.https : agents.http,
          signal: request.signal,
        },
        (incoming) => {
          const responseHeaders = new Headers();
          for (let i = 0; i < incoming.rawHeaders.length; i += 2)
            responseHeaders.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
          const status = incoming.statusCode ?? 502;
          const empty = status === 204 || status === 304 || request.method === "HEAD";
          if (empty) incoming.resume();
          resolvePromise(
            new Response(
              empty ? null : (Readable.toWeb(incoming) as WebReadableStream as unknown as ReadableStream),
              { status, statusText: incoming.statusMessage ?? "", headers: responseHeaders },
            ),
          );
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body ?? undefined);
    });
  };
}
