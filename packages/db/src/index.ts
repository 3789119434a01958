export { sql } from "kysely";
export { type ConnectionEvents, createDb, type Db, type DbConfig } from "./create-db";
export { migrate, pendingMigrations } from "./migrate";
export { TENANT_TABLES } from "./migrations/0002_tenant_isolation";
export { isUniqueViolation } from "./pg-errors";
export { precompiled } from "./precompiled";
export type * from "./schema";
export { TENANT_ROLE } from "./tenant-role";
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
