// Its own file so the health routes, which every process serves, load nothing of tRPC for it.
/** Seconds a caller is asked to wait before trying again while PostgreSQL or Redis is away. */
export const OUTAGE_RETRY_AFTER_S = 2;
