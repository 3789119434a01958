import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { StorageConfig } from "../storage";
import { bucketFiles } from "./bucket-files";
import { objectStoreHandler } from "./handler";

/**
 * The embedded object store: an S3-compatible server inside this process, for embedded mode and tests.
 * The storage module talks the real S3 protocol to it, as to MinIO or AWS, and it refuses what S3
 * refuses (docs/architecture.md, "Object storage").
 */
export async function startEmbeddedS3(options: {
  directory: string;
  bucket: string;
  /** Browser origins that may call it: the dashboard's, for uploads to presigned URLs. */
  allowedOrigins: readonly string[];
  /** Signs and verifies every request; derive it from the app secret so URLs survive a restart. */
  secretAccessKey: string;
  port?: number;
}) {
  mkdirSync(options.directory, { recursive: true });
  const region = "us-east-1";
  const accessKeyId = "embedded";
  const handler = objectStoreHandler({
    files: bucketFiles(options.directory),
    credentials: { accessKeyId, secretAccessKey: options.secretAccessKey, region },
    allowedOrigins: options.allowedOrigins,
    clock: () => new Date(),
  });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const config: StorageConfig = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region,
    bucket: options.bucket,
    accessKeyId,
    secretAccessKey: options.secretAccessKey,
    forcePathStyle: true,
  };
  return {
    config,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
