import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { StorageConfig } from "@avatar-chat/api";
import S3rver from "s3rver";

/** An S3-compatible server in this process, its objects under the data dir, for embedded mode. */
export async function startEmbeddedS3(dataDir: string, bucket: string, port: number) {
  const directory = path.resolve(dataDir, "s3");
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({ port, address: "127.0.0.1", silent: true, directory });
  const address = (await server.run()) as AddressInfo;
  const config: StorageConfig = {
    endpoint: `http://127.0.0.1:${address.port}`,
    region: "us-east-1",
    bucket,
    // s3rver's fixed development credentials.
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
  };
  return { config, stop: () => server.close() };
}
