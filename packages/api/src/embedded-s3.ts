/// <reference path="./s3rver.d.ts" />
import { mkdirSync } from "node:fs";
import S3rver from "s3rver";
import type { StorageConfig } from "./storage";

// Browsers upload to presigned URLs directly (the dashboard's files and avatars), which is a
// cross-origin request: the bucket must answer CORS preflights. Signatures, not origins, guard access.
const browserUploadCors = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/**
 * An S3-compatible server inside this process (s3rver), for embedded mode and tests: the storage
 * module talks the real S3 protocol to it, exactly as to MinIO or AWS.
 */
export async function startEmbeddedS3(options: { directory: string; bucket: string; port?: number }) {
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    port: options.port ?? 0,
    address: "127.0.0.1",
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket, configs: [browserUploadCors] }],
  });
  const address = await server.run();
  const config: StorageConfig = {
    endpoint: `http://127.0.0.1:${address.port}`,
    region: "us-east-1",
    bucket: options.bucket,
    // s3rver's fixed development credentials.
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
  };
  return { config, stop: () => server.close() };
}
