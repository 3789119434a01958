import type { IncomingMessage, ServerResponse } from "node:http";
import type { BucketFiles, ObjectMeta } from "./bucket-files";
import { isBucketName, isStorableKey } from "./bucket-files";
import { type Credentials, parseQuery, safeDecode, UNSIGNED_PAYLOAD, verifySignature } from "./sigv4";

export interface StoreOptions {
  files: BucketFiles;
  credentials: Credentials;
  /** Origins whose browsers may call the store (the dashboard uploads files straight to it). */
  allowedOrigins: readonly string[];
  clock: () => Date;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const CORS_METHODS = ["GET", "HEAD", "PUT"];
/** Query parameters a signed request may carry: its signature and the SDK's operation name. */
const allowedQueryParameter = (name: string) => /^x-amz-/i.test(name) || name === "x-id";

/**
 * The embedded object store's HTTP handler: the S3 operations the platform uses (bucket HEAD/PUT, object
 * PUT/GET/HEAD/DELETE, CopyObject), each only with a valid SigV4 signature. A PUT must sign its content type and
 * length, so a presigned upload URL writes exactly one key, one type, one size. No listing.
 */
export function objectStoreHandler(options: StoreOptions) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    const corsAllowed = origin !== undefined && options.allowedOrigins.includes(origin);
    if (corsAllowed) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-expose-headers", "ETag");
    }
    res.setHeader("vary", "Origin");
    try {
      if (req.method === "OPTIONS") return preflight(req, res, corsAllowed);
      await serve(req, res, options);
    } catch (error) {
      const failure =
        error instanceof S3Error ? error : new S3Error(500, "InternalError", "The store could not do that.");
      // Whatever body the client still sends is not wanted; the connection goes with the answer.
      if (!req.complete) res.setHeader("connection", "close");
      if (res.headersSent) return void res.destroy();
      res.statusCode = failure.status;
      if (req.method === "HEAD") return void res.end();
      res.setHeader("content-type", "application/xml");
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${failure.code}</Code><Message>${escapeXml(failure.message)}</Message></Error>`,
      );
    }
  };
}

function preflight(req: IncomingMessage, res: ServerResponse, corsAllowed: boolean) {
  const method = req.headers["access-control-request-method"] ?? "";
  if (!corsAllowed || !CORS_METHODS.includes(method)) {
    res.removeHeader("access-control-allow-origin");
    res.removeHeader("access-control-expose-headers");
    res.statusCode = 403;
    return void res.end();
  }
  res.setHeader("access-control-allow-methods", CORS_METHODS.join(", "));
  const asked = req.headers["access-control-request-headers"];
  if (asked) res.setHeader("access-control-allow-headers", asked);
  res.setHeader("access-control-max-age", "3000");
  res.statusCode = 200;
  res.end();
}

async function serve(req: IncomingMessage, res: ServerResponse, options: StoreOptions) {
  const method = req.method ?? "";
  const target = req.url ?? "/";
  const verification = verifySignature(
    { method, target, headers: req.headers },
    options.credentials,
    options.clock(),
  );
  if (!verification.ok) {
    throw new S3Error(
      verification.code === "InvalidURI" ? 400 : 403,
      verification.code,
      verification.message,
    );
  }
  const { verified } = verification;
  // As on S3: every x-amz-* header a request carries is part of what was signed.
  const unsigned = Object.keys(req.headers).find(
    (name) => name.startsWith("x-amz-") && !verified.signedHeaders.includes(name),
  );
  if (unsigned) throw new S3Error(403, "AccessDenied", `The header ${unsigned} must be signed.`);

  const queryStart = target.indexOf("?");
  const query = parseQuery(queryStart < 0 ? "" : target.slice(queryStart + 1)) ?? [];
  if (query.some(([name]) => !allowedQueryParameter(name)))
    throw new S3Error(501, "NotImplemented", "This store offers object reads and writes only.");
  const path = safeDecode(queryStart < 0 ? target : target.slice(0, queryStart)) ?? "";
  const slash = path.indexOf("/", 1);
  const bucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
  const key = slash < 0 ? "" : path.slice(slash + 1);
  if (!isBucketName(bucket))
    throw new S3Error(501, "NotImplemented", "This store offers object reads and writes only.");

  const { files } = options;
  if (!key) {
    if (method === "HEAD") {
      res.statusCode = (await files.bucketExists(bucket)) ? 200 : 404;
      return void res.end();
    }
    if (method === "PUT") {
      await files.createBucket(bucket);
      res.setHeader("location", `/${bucket}`);
      return void res.end();
    }
    throw new S3Error(501, "NotImplemented", "Buckets are not listed here.");
  }
  if (!isStorableKey(key))
    throw new S3Error(400, "InvalidArgument", "This store does not keep keys like that one.");
  if (!(await files.bucketExists(bucket))) throw new S3Error(404, "NoSuchBucket", "No such bucket.");

  if (method === "GET" || method === "HEAD") {
    const object = method === "GET" ? await files.read(bucket, key) : await headOnly(files, bucket, key);
    if (!object) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
    const { meta, body } = object;
    res.setHeader("etag", meta.etag);
    res.setHeader("last-modified", meta.lastModified);
    const precondition = preconditionStatus(req, meta);
    if (precondition !== null) body?.destroy();
    if (precondition === 412) throw new S3Error(412, "PreconditionFailed", "The object has changed.");
    if (precondition === 304) {
      res.statusCode = 304;
      return void res.end();
    }
    res.setHeader("content-type", meta.contentType);
    res.setHeader("content-length", meta.size);
    if (!body) return void res.end();
    res.once("close", () => body.destroy());
    return void body.pipe(res);
  }
  if (method === "DELETE") {
    await files.delete(bucket, key);
    res.statusCode = 204;
    return void res.end();
  }
  if (method === "PUT" && req.headers["x-amz-copy-source"] !== undefined)
    return copy(req, res, options, { bucket, key });
  if (method === "PUT")
    return put(req, res, options, {
      bucket,
      key,
      signedHeaders: verified.signedHeaders,
      payloadHash: verified.payloadHash,
    });
  throw new S3Error(405, "MethodNotAllowed", "The method is not allowed here.");
}

async function put(
  req: IncomingMessage,
  res: ServerResponse,
  options: StoreOptions,
  request: { bucket: string; key: string; signedHeaders: string[]; payloadHash: string },
) {
  for (const name of ["content-type", "content-length"]) {
    if (!request.signedHeaders.includes(name))
      throw new S3Error(403, "AccessDenied", `An upload must sign its ${name}.`);
  }
  if (req.headers["transfer-encoding"])
    throw new S3Error(411, "MissingContentLength", "Send a Content-Length.");
  const hash = request.payloadHash;
  if (hash !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(hash))
    throw new S3Error(501, "NotImplemented", "Streaming uploads are not supported here.");
  const meta = await options.files.write(
    request.bucket,
    request.key,
    req,
    req.headers["content-type"] ?? "application/octet-stream",
    (written) => {
      if (hash !== UNSIGNED_PAYLOAD && written.sha256 !== hash)
        throw new S3Error(400, "XAmzContentSHA256Mismatch", "The body does not match its signed hash.");
    },
  );
  res.setHeader("etag", meta.etag);
  res.end();
}

/**
 * CopyObject within the bucket (how a confirmed upload moves out of its upload URL's reach). Its source
 * header is an x-amz-* header, so it is signed like every other: a presigned upload URL cannot be
 * turned into a copy. Honours x-amz-copy-source-if-match; versions and other buckets are not kept here.
 */
async function copy(
  req: IncomingMessage,
  res: ServerResponse,
  options: StoreOptions,
  request: { bucket: string; key: string },
) {
  if (Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"])
    throw new S3Error(400, "InvalidRequest", "A copy carries no body.");
  const source = safeDecode(String(req.headers["x-amz-copy-source"]).replace(/^\//, "")) ?? "";
  const slash = source.indexOf("/");
  const [bucket, key] = [source.slice(0, slash), source.slice(slash + 1)];
  if (slash < 0 || bucket !== request.bucket || source.includes("?") || !isStorableKey(key))
    throw new S3Error(400, "InvalidArgument", "Copy from an object of this bucket.");
  const ifMatch = req.headers["x-amz-copy-source-if-match"];
  const copied = await options.files.copy(
    request.bucket,
    key,
    request.key,
    typeof ifMatch === "string" ? ifMatch : null,
  );
  if (copied === "missing") throw new S3Error(404, "NoSuchKey", "The copy source does not exist.");
  if (copied === "changed") throw new S3Error(412, "PreconditionFailed", "The copy source has changed.");
  res.setHeader("content-type", "application/xml");
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>${escapeXml(copied.etag)}</ETag><LastModified>${new Date(copied.lastModified).toISOString()}</LastModified></CopyObjectResult>`,
  );
}

async function headOnly(files: BucketFiles, bucket: string, key: string) {
  const meta = await files.head(bucket, key);
  return meta ? { meta, body: null } : null;
}

/** 412 when If-Match names another version, 304 when If-None-Match names this one, else null. */
function preconditionStatus(req: IncomingMessage, meta: ObjectMeta): 412 | 304 | null {
  const tags = (header: string | undefined) =>
    (header ?? "").split(",").map((t) => t.trim().replace(/^W\//, ""));
  const ifMatch = req.headers["if-match"];
  if (ifMatch && !tags(ifMatch).some((t) => t === "*" || t === meta.etag)) return 412;
  const ifNoneMatch = req.headers["if-none-match"];
  if (ifNoneMatch && tags(ifNoneMatch).some((t) => t === "*" || t === meta.etag)) return 304;
  return null;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
