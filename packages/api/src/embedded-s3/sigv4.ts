import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** What a request looks like to the verifier: its raw target (path and query as sent) and its headers. */
export interface SignedRequest {
  method: string;
  /** The request target exactly as received, e.g. `/bucket/key?X-Amz-Date=...`. */
  target: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** A request whose signature checked out: what it signed, for the store's own rules. */
export interface Verified {
  signedHeaders: string[];
  /** The x-amz-content-sha256 value: a hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
  presigned: boolean;
}

export type Verification = { ok: true; verified: Verified } | { ok: false; code: string; message: string };

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60_000;
const MAX_PRESIGN_SECONDS = 7 * 86_400;
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, `/` kept in paths. */
export function awsEncode(value: string, keepSlash = false): string {
  const encoded = encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? encoded.replace(/%2F/g, "/") : encoded;
}

/** `decodeURIComponent` that says null instead of throwing on a malformed escape. */
export function safeDecode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/** The query's pairs, decoded (a `+` stays a plus: SigV4 clients encode spaces as %20). */
export function parseQuery(query: string): Array<[string, string]> | null {
  const pairs: Array<[string, string]> = [];
  for (const part of query.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = safeDecode(eq < 0 ? "" : part.slice(eq + 1));
    if (name === null || value === null) return null;
    pairs.push([name, value]);
  }
  return pairs;
}

function headerValue(headers: SignedRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** `20260105T101010Z` → a Date, or null. */
function parseAmzDate(value: string | undefined): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? null : date;
}

interface Authorization {
  credential: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string | undefined;
  payloadHash: string | undefined;
  expiresSeconds: number | null;
}

/** The signature's parts from the Authorization header or, for a presigned URL, the query. */
function readAuthorization(
  headers: SignedRequest["headers"],
  query: Array<[string, string]>,
): Authorization | string {
  const fromQuery = new Map(query);
  if (fromQuery.has("X-Amz-Signature") || fromQuery.has("X-Amz-Algorithm")) {
    if (headerValue(headers, "authorization"))
      return "Sign with the Authorization header or the query, not both.";
    if (fromQuery.get("X-Amz-Algorithm") !== ALGORITHM)
      return "Only AWS4-HMAC-SHA256 signatures are accepted.";
    const expires = Number(fromQuery.get("X-Amz-Expires"));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS)
      return "X-Amz-Expires must be between 1 and 604800 seconds.";
    return {
      credential: fromQuery.get("X-Amz-Credential") ?? "",
      signedHeaders: (fromQuery.get("X-Amz-SignedHeaders") ?? "").split(";"),
      signature: fromQuery.get("X-Amz-Signature") ?? "",
      amzDate: fromQuery.get("X-Amz-Date"),
      payloadHash: fromQuery.get("X-Amz-Content-Sha256") ?? UNSIGNED_PAYLOAD,
      expiresSeconds: expires,
    };
  }
  const header = headerValue(headers, "authorization");
  if (!header) return "The request is not signed.";
  const m =
    /^AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]{64})$/.exec(
      header.trim(),
    );
  if (!m) return "The Authorization header is not an AWS4-HMAC-SHA256 signature.";
  return {
    credential: m[1]!,
    signedHeaders: m[2]!.split(";"),
    signature: m[3]!,
    amzDate: headerValue(headers, "x-amz-date"),
    payloadHash: headerValue(headers, "x-amz-content-sha256"),
    expiresSeconds: null,
  };
}

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
const sha256Hex = (data: string) => createHash("sha256").update(data).digest("hex");

/** The canonical request of SigV4 for S3 (paths are encoded once, never normalised). */
export function canonicalRequest(
  request: SignedRequest,
  path: string,
  query: Array<[string, string]>,
  signedHeaders: string[],
  payloadHash: string,
): string {
  const canonicalQuery = query
    .filter(([name]) => name !== "X-Amz-Signature")
    .map(([name, value]) => [awsEncode(name), awsEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(headerValue(request.headers, name) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  return [request.method, path, canonicalQuery, canonicalHeaders, signedHeaders.join(";"), payloadHash].join(
    "\n",
  );
}

/**
 * Checks a request's SigV4 signature (Authorization header or presigned query) against one set of
 * credentials, with S3's rules: the date within 15 minutes, a presigned URL within its expiry, the
 * host always signed. Which other headers must be signed is the caller's rule.
 */
export function verifySignature(request: SignedRequest, credentials: Credentials, now: Date): Verification {
  const refuse = (code: string, message: string): Verification => ({ ok: false, code, message });
  const queryStart = request.target.indexOf("?");
  const rawPath = queryStart < 0 ? request.target : request.target.slice(0, queryStart);
  const query = parseQuery(queryStart < 0 ? "" : request.target.slice(queryStart + 1));
  const decodedPath = safeDecode(rawPath);
  if (!query || decodedPath === null) return refuse("InvalidURI", "The URL is not validly encoded.");

  const auth = readAuthorization(request.headers, query);
  if (typeof auth === "string") return refuse("AccessDenied", auth);
  const [accessKeyId, day, region, service, terminator, ...rest] = auth.credential.split("/");
  if (accessKeyId !== credentials.accessKeyId || rest.length > 0)
    return refuse("InvalidAccessKeyId", "The access key is not known here.");
  if (region !== credentials.region || service !== "s3" || terminator !== "aws4_request")
    return refuse("AuthorizationHeaderMalformed", "The credential scope does not match this store.");
  const signedAt = parseAmzDate(auth.amzDate);
  if (!signedAt || auth.amzDate!.slice(0, 8) !== day)
    return refuse("AccessDenied", "The signing date is missing or does not match the credential scope.");
  const age = now.getTime() - signedAt.getTime();
  if (age < -MAX_SKEW_MS) return refuse("RequestTimeTooSkewed", "The request was signed in the future.");
  if (auth.expiresSeconds === null ? age > MAX_SKEW_MS : age > auth.expiresSeconds * 1000)
    return refuse("AccessDenied", "Request has expired.");
  if (!auth.signedHeaders.includes("host")) return refuse("AccessDenied", "The host header must be signed.");
  if (!auth.payloadHash) return refuse("InvalidRequest", "Missing x-amz-content-sha256.");
  if (auth.signedHeaders.some((name) => headerValue(request.headers, name) === undefined))
    return refuse("AccessDenied", "A signed header is missing from the request.");

  const canonical = canonicalRequest(
    request,
    awsEncode(decodedPath, true),
    query,
    auth.signedHeaders,
    auth.payloadHash,
  );
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = [ALGORITHM, auth.amzDate, scope, sha256Hex(canonical)].join("\n");
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day!);
  for (const part of [region!, "s3", "aws4_request"]) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(auth.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse("SignatureDoesNotMatch", "The request signature does not match.");
  return {
    ok: true,
    verified: {
      signedHeaders: auth.signedHeaders,
      payloadHash: auth.payloadHash,
      presigned: auth.expiresSeconds !== null,
    },
  };
}
