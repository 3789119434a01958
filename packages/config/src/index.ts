export { databaseEnv, flag, port, redisEnv, secretsEnv, storageEnv } from "./env-schemas";
export { ConfigError, readConfig } from "./read-config";
