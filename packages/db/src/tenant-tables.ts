import { TENANT_TABLES as ISOLATED_IN_0002 } from "./migrations/0002_tenant_isolation";

/** Every table whose rows belong to one tenant, each under row-level security: 0002's and those added since. */
export const TENANT_TABLES = [...ISOLATED_IN_0002, "voice_inputs"] as const;
