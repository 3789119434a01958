/** The database role tenant-scoped transactions run as; row-level security applies to it. */
export const TENANT_ROLE = "avatar_chat_tenant";
