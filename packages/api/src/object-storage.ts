// The object store for the processes that read and write files (the api and the worker): the S3 client,
// and the embedded S3-compatible server for embedded mode.
export { startEmbeddedS3 } from "./embedded-s3";
export { createStorage, type Storage, type StorageConfig } from "./storage";
