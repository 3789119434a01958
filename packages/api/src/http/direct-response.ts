import { corsGrant } from "./api-cors";
import { SECURITY_HEADERS } from "./security-headers";

/** Response headers as Node's `writeHead` takes them: `set-cookie` may repeat. */
export type HeaderRecord = Record<string, string | string[]>;

/**
 * The answer of a route registered ahead of the app's middleware, carrying what `securityHeaders` and
 * `apiCors` would have added. The headers stay one plain record, which @hono/node-server hands to
 * `writeHead` as it is; headers given to Hono's `c.body` or set by middleware after the handler become
 * a fetch `Headers`, built, validated and read back on every request (a tenth of a hot read's CPU).
 */
export function directResponse(
  body: string,
  status: number,
  headers: HeaderRecord,
  cors: { origin: string | undefined; credentialOrigins: readonly string[] },
): Response {
  const vary = headers.vary;
  const all: HeaderRecord = {
    ...SECURITY_HEADERS,
    ...corsGrant(cors.origin, cors.credentialOrigins),
    ...headers,
    vary: vary === undefined ? "Origin" : `${vary}, Origin`,
  };
  return new Response(body, { status, headers: asHeadersInit(all) });
}

// Repeated cookies need a fetch `Headers` (a record would join them with commas); rare on this path.
function asHeadersInit(record: HeaderRecord): Headers | Record<string, string> {
  let headers: Headers | undefined;
  for (const name in record) {
    const value = record[name]!;
    if (typeof value === "string") continue;
    headers ??= new Headers(
      Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
    for (const each of value) headers.append(name, each);
  }
  return headers ?? (record as Record<string, string>);
}
