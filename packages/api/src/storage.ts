import {
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

/** Upload URLs: long enough to start right after asking; whatever they write after confirmation is ignored. */
export const UPLOAD_URL_SECONDS = 300;

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

/** Object storage as five functions; S3, MinIO and the embedded server all speak the same protocol. */
export interface Storage {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** The object as a stream, or why not: it is gone, or it is no longer the version `ifMatch` names. */
  open(key: string, options?: { ifMatch?: string | null }): Promise<ObjectRead | "missing" | "changed">;
  /**
   * The whole object when it is still the version `etag` names (any version when null) and at most
   * `maxBytes` long; what is read never exceeds `maxBytes`, whatever the object's size.
   */
  read(
    key: string,
    expect: { etag: string | null; maxBytes: number },
  ): Promise<Uint8Array | "missing" | "changed" | "too-large">;
  head(key: string): Promise<ObjectHead | null>;
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
    async read(key, expect) {
      const file = await this.open(key, { ifMatch: expect.etag });
      if (typeof file === "string") return file;
      const reader = file.body.getReader();
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > expect.maxBytes) {
          await reader.cancel();
          return "too-large";
        }
        chunks.push(value);
      }
      return Buffer.concat(chunks);
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
