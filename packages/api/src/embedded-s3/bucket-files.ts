import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { copyFile, mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** What the store keeps about an object besides its bytes. */
export interface ObjectMeta {
  size: number;
  contentType: string;
  /** S3's ETag for a single-part upload: the quoted MD5 of the bytes. */
  etag: string;
  lastModified: string;
}

/** Keys are paths of plain segments: no empty, dot-led or odd-character segment can escape the bucket. */
const SEGMENT = /^[A-Za-z0-9_~+()! -][A-Za-z0-9._~+()!\u00C0-\uFFFF -]*$/u;
const MAX_KEY_LENGTH = 512;
/** Each segment is a file or folder name: longer than file systems allow (ENAMETOOLONG) is refused, not a 500. */
const MAX_SEGMENT_BYTES = 255;

export function isStorableKey(key: string): boolean {
  return (
    key.length <= MAX_KEY_LENGTH &&
    key
      .split("/")
      .every((segment) => SEGMENT.test(segment) && Buffer.byteLength(segment) <= MAX_SEGMENT_BYTES)
  );
}

export function isBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name);
}

/** Every object file starts with its metadata as JSON padded to this many bytes, then the bytes follow. */
const HEADER_BYTES = 1024;

function header(meta: ObjectMeta): Buffer {
  const json = JSON.stringify(meta);
  if (Buffer.byteLength(json) >= HEADER_BYTES) throw new Error("object metadata too large");
  return Buffer.from(`${json.padEnd(HEADER_BYTES - 1, " ")}\n`);
}

type Handle = Awaited<ReturnType<typeof open>>;

async function openObject(file: string): Promise<Handle | null> {
  try {
    const handle = await open(file, "r");
    if ((await handle.stat()).isFile()) return handle;
    await handle.close();
    return null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function readMeta(handle: Handle): Promise<ObjectMeta> {
  const buffer = Buffer.alloc(HEADER_BYTES);
  await handle.read(buffer, 0, HEADER_BYTES, 0);
  return JSON.parse(buffer.toString("utf8")) as ObjectMeta;
}

/**
 * A bucket as files: `<directory>/<bucket>/<key>` holds the metadata header, then the bytes. Writes go
 * to a temporary file renamed into place, so a reader sees the old object or the new one, whole, with
 * its own metadata.
 */
export function bucketFiles(directory: string) {
  const bucketDir = (bucket: string) => path.join(directory, bucket);
  const objectPath = (bucket: string, key: string) => path.join(directory, bucket, ...key.split("/"));

  return {
    async bucketExists(bucket: string) {
      return (await stat(bucketDir(bucket)).catch(() => null))?.isDirectory() ?? false;
    },

    async createBucket(bucket: string) {
      await mkdir(path.join(bucketDir(bucket), ".tmp"), { recursive: true });
    },

    async head(bucket: string, key: string): Promise<ObjectMeta | null> {
      const handle = await openObject(objectPath(bucket, key));
      if (!handle) return null;
      try {
        return await readMeta(handle);
      } finally {
        await handle.close();
      }
    },

    /** The object's metadata and a stream of its bytes, both of the one version open at the time of the call. */
    async read(bucket: string, key: string): Promise<{ meta: ObjectMeta; body: Readable } | null> {
      const handle = await openObject(objectPath(bucket, key));
      if (!handle) return null;
      try {
        const meta = await readMeta(handle);
        return { meta, body: handle.createReadStream({ start: HEADER_BYTES, autoClose: true }) };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    /**
     * Streams `body` into the bucket under `key`. `check` sees the byte count and SHA-256 before the
     * object replaces an older one; throwing from it leaves the old object as it was.
     */
    async write(
      bucket: string,
      key: string,
      body: Readable,
      contentType: string,
      check: (written: { size: number; sha256: string }) => void,
    ): Promise<ObjectMeta> {
      const temp = path.join(bucketDir(bucket), ".tmp", randomBytes(12).toString("hex"));
      const md5 = createHash("md5");
      const sha256 = createHash("sha256");
      let size = 0;
      try {
        await pipeline(
          body,
          async function* (chunks: AsyncIterable<Buffer>) {
            // Room for the header, written once the size and hash are known.
            yield Buffer.alloc(HEADER_BYTES, " ");
            for await (const chunk of chunks) {
              size += chunk.length;
              md5.update(chunk);
              sha256.update(chunk);
              yield chunk;
            }
          },
          createWriteStream(temp),
        );
        check({ size, sha256: sha256.digest("hex") });
        const meta: ObjectMeta = {
          size,
          contentType,
          etag: `"${md5.digest("hex")}"`,
          lastModified: new Date().toUTCString(),
        };
        const handle = await open(temp, "r+");
        try {
          await handle.write(header(meta), 0, HEADER_BYTES, 0);
        } finally {
          await handle.close();
        }
        const target = objectPath(bucket, key);
        await mkdir(path.dirname(target), { recursive: true });
        await rename(temp, target);
        return meta;
      } finally {
        await rm(temp, { force: true });
      }
    },

    /**
     * Copies `from` to `to` in one bucket, bytes and metadata (S3's CopyObject); null when `from` is
     * missing, or is not the version `ifMatch` names ("changed"). A reader of `to` sees the old object or
     * the copy, whole.
     */
    async copy(
      bucket: string,
      from: string,
      to: string,
      ifMatch: string | null,
    ): Promise<ObjectMeta | "missing" | "changed"> {
      const temp = path.join(bucketDir(bucket), ".tmp", randomBytes(12).toString("hex"));
      try {
        // The copy is taken first and its own header read: a write to `from` meanwhile cannot mix in.
        await copyFile(objectPath(bucket, from), temp).catch((error: unknown) => {
          if (isMissing(error)) return null;
          throw error;
        });
        const handle = await openObject(temp);
        if (!handle) return "missing";
        let meta: ObjectMeta;
        try {
          const source = await readMeta(handle);
          if (ifMatch !== null && ifMatch !== source.etag) return "changed";
          meta = { ...source, lastModified: new Date().toUTCString() };
        } finally {
          await handle.close();
        }
        const writable = await open(temp, "r+");
        try {
          await writable.write(header(meta), 0, HEADER_BYTES, 0);
        } finally {
          await writable.close();
        }
        const target = objectPath(bucket, to);
        await mkdir(path.dirname(target), { recursive: true });
        await rename(temp, target);
        return meta;
      } finally {
        await rm(temp, { force: true });
      }
    },

    async delete(bucket: string, key: string) {
      const file = objectPath(bucket, key);
      // A "key" that is a folder of other keys is no object: nothing to delete, as on S3.
      if ((await stat(file).catch(() => null))?.isFile()) await rm(file, { force: true });
    },
  };
}

export type BucketFiles = ReturnType<typeof bucketFiles>;

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
}
