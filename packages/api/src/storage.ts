import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

export interface StorageConfig {
  /** Where the platform's processes reach the object store. */
  endpoint: string;
  /**
   * Where browsers reach it, when that differs (a container network's `http://s3:8333` is not a name a
   * browser can resolve): presigned upload URLs are signed for this host.
   */
  publicEndpoint?: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

/** Upload URLs: long enough to start right after asking; they write to an upload key only (see below). */
export const UPLOAD_URL_SECONDS = 300;

/**
 * Where a presigned upload URL for `key` writes. Never `key` itself: confirming an upload copies it to
 * `key` (server-side) and deletes it here, so a URL still within its minutes can only write here again,
 * and nothing the platform reads or serves changes. On every S3-compatible store, without versioning.
 */
export function uploadKey(key: string): string {
  return `uploads/${key}`;
}

export interface ObjectHead {
  size: number;
  contentType: string | null;
  /** Names this version of the object: a later write gives another. */
  etag: string | null;
}

export interface ObjectRead extends ObjectHead {
  body: ReadableStream<Uint8Array>;
}

const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** Object storage as a few functions; S3, MinIO and the embedded server all speak the same protocol. */
export interface Storage {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** The object as a stream, or why not: it is gone, or it is no longer the version `ifMatch` names. */
  open(key: string, options?: { ifMatch?: string | null }): Promise<ObjectRead | "missing" | "changed">;
  head(key: string): Promise<ObjectHead | null>;
  /** Server-side copy; the copy's head, or "missing" when `from` is not there. */
  copy(from: string, to: string): Promise<ObjectHead | "missing">;
  delete(key: string): Promise<void>;
  /** A URL that uploads exactly one object: this key, this content type, this many bytes. */
  presignPut(
    key: string,
    upload: { contentType: string; contentLength: number },
    expiresInSeconds?: number,
  ): Promise<string>;
  ensureBucket(): Promise<void>;
}

export function createStorage(config: StorageConfig): Storage {
  const clientFor = (endpoint: string) =>
    new S3Client({
      endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // Embedded and older S3-compatible servers reject the SDK's default CRC32 trailers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  const client = clientFor(config.endpoint);
  // Signing is local: this client only presigns, for the host browsers use.
  const presigner = config.publicEndpoint ? clientFor(config.publicEndpoint) : client;
  const Bucket = config.bucket;
  return {
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async get(key) {
      const result = await client.send(new GetObjectCommand({ Bucket, Key: key }));
      if (!result.Body) throw new Error(`object ${key} has no body`);
      return result.Body.transformToByteArray();
    },
    async open(key, options = {}) {
      try {
        const result = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: key,
            ...(options.ifMatch ? { IfMatch: options.ifMatch } : {}),
          }),
        );
        if (!result.Body) throw new Error(`object ${key} has no body`);
        return {
          body: result.Body.transformToWebStream() as ReadableStream<Uint8Array>,
          size: result.ContentLength ?? 0,
          contentType: result.ContentType ?? null,
          etag: result.ETag ?? null,
        };
      } catch (error) {
        if (statusOf(error) === 404) return "missing";
        if (statusOf(error) === 412) return "changed";
        throw error;
      }
    },
    async head(key) {
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return {
          size: result.ContentLength ?? 0,
          contentType: result.ContentType ?? null,
          etag: result.ETag ?? null,
        };
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    },
    async copy(from, to) {
      try {
        const copySource = `${Bucket}/${from.split("/").map(encodeURIComponent).join("/")}`;
        await client.send(new CopyObjectCommand({ Bucket, Key: to, CopySource: copySource }));
      } catch (error) {
        if (statusOf(error) === 404) return "missing";
        throw error;
      }
      // The copy's own head: a server may answer a copy's ETag in another form than a read's.
      const head = await this.head(to);
      if (!head) throw new Error(`object ${to} is missing right after its copy`);
      return head;
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    presignPut: (key, upload, expiresIn = 900) =>
      getSignedUrl(
        presigner,
        new PutObjectCommand({
          Bucket,
          Key: key,
          ContentType: upload.contentType,
          ContentLength: upload.contentLength,
        }),
        // The presigner leaves the content type unsigned by default: signing it and the length makes
        // S3 (and the embedded store) refuse any other type or size.
        { expiresIn, signableHeaders: new Set(["content-type", "content-length"]) },
      ),
    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
      } catch {
        await client.send(new CreateBucketCommand({ Bucket }));
      }
    },
  };
}

/**
 * Confirms an upload: copies it from its upload key to `key` and deletes the upload key. The head of
 * what is now at `key`, or null when nothing was uploaded. A URL re-used later writes the upload key
 * only; deleting `key` deletes that leftover too (`deleteStored`).
 */
export async function adoptUpload(storage: Storage, key: string): Promise<ObjectHead | null> {
  const copied = await storage.copy(uploadKey(key), key);
  if (copied === "missing") return null;
  await storage.delete(uploadKey(key));
  return copied;
}

/** Deletes a stored object and whatever its upload URL left at its upload key. */
export async function deleteStored(storage: Storage, key: string): Promise<void> {
  await Promise.all([storage.delete(key), storage.delete(uploadKey(key))]);
}
