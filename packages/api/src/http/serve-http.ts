import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { serve } from "@hono/node-server";

type FetchHandler = (
  request: Request,
  env: { incoming: IncomingMessage; outgoing: ServerResponse },
) => unknown;

/** Serves a Hono app's `fetch` over HTTP/1.1 and resolves once it listens (rejects if it cannot). */
export async function serveHttp(options: {
  fetch: FetchHandler;
  port: number;
  hostname: string;
}): Promise<Server> {
  const server = serve({
    fetch: options.fetch as Parameters<typeof serve>[0]["fetch"],
    port: options.port,
    hostname: options.hostname,
  }) as Server;
  closeAfterEarlyAnswers(server);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return server;
}

/**
 * An answer written while the request's body is still arriving (a 413, a preflight or a 405 that never
 * reads it) says `Connection: close`, and Node ends the connection after it. Without that,
 * @hono/node-server drains the rest for at most 500 ms and then destroys a socket the client was told
 * it could reuse: the client's next request on it fails with "other side closed".
 */
export function closeAfterEarlyAnswers(server: Server): void {
  server.prependListener("request", (request: IncomingMessage, response: ServerResponse) => {
    if (!hasBody(request)) return;
    const writeHead = response.writeHead;
    response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (!request.complete && !this.headersSent) this.setHeader("connection", "close");
      return (writeHead as (...all: unknown[]) => ServerResponse).apply(this, args);
    } as typeof response.writeHead;
  });
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}
