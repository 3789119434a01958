export { sql } from "kysely";
export { type ConnectionEvents, createDb, type Db, type DbConfig } from "./create-db";
export { migrate, pendingMigrations } from "./migrate";
export { isUniqueViolation } from "./pg-errors";
export { precompiled } from "./precompiled";
export type * from "./schema";
export { TENANT_ROLE } from "./tenant-role";
export { TENANT_TABLES } from "./tenant-tables";
export { runTransaction, SecondConnectionError } from "./transaction-guard";
export { fromVector, toVector } from "./vector";
export {
  readInTenant,
  type TenantConnection,
  type TenantReader,
  type TransactionSettings,
  type Tx,
  withTenant,
} from "./with-tenant";
