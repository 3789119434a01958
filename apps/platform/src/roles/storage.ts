import { createHmac } from "node:crypto";
import path from "node:path";
import {
  createStorage,
  type Storage,
  type StorageConfig,
  startEmbeddedS3,
} from "@avatar-chat/api/object-storage";
import type { RoleContext } from "./context";

/** The object store the api and the worker share: the configured one, or an S3 server of its own. */
export async function startStorage({ env, config, stops, banner }: RoleContext): Promise<Storage> {
  let storageConfig: StorageConfig = {
    endpoint: env.S3_ENDPOINT ?? "",
    publicEndpoint: env.S3_PUBLIC_ENDPOINT,
    region: env.S3_REGION,
    bucket: env.S3_BUCKET,
    accessKeyId: env.S3_ACCESS_KEY_ID ?? "",
    secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? "",
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
  };
  if (!env.S3_ENDPOINT) {
    const s3 = await startEmbeddedS3({
      directory: path.resolve(env.DATA_DIR, "s3"),
      bucket: env.S3_BUCKET,
      port: env.EMBEDDED_S3_PORT,
      allowedOrigins: config.dashboardOrigins,
      // From the app secret, so presigned URLs stay valid across a restart.
      secretAccessKey: createHmac("sha256", config.appSecret).update("embedded object store").digest("hex"),
    });
    stops.push(() => s3.stop());
    storageConfig = s3.config;
    banner.push(
      `object storage: embedded S3 at ${s3.config.endpoint}, files in ${path.resolve(env.DATA_DIR, "s3")}`,
    );
  } else {
    banner.push(`object storage: ${env.S3_ENDPOINT}`);
  }
  const storage = createStorage(storageConfig);
  await storage.ensureBucket();
  return storage;
}
