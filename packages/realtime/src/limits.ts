import { z } from "zod";

/** Operating limits of a realtime node; docs/realtime.md explains each. */
export const limitsSchema = z.object({
  /** Largest client frame accepted; larger ones close the socket with 1009. */
  maxMessageBytes: z.number().int().positive().default(4096),
  /** Client frames per second (token bucket, burst of the same size); more closes with 4029. */
  messagesPerSecond: z.number().positive().default(20),
  /** Send buffer a socket may hold before it is closed as a slow consumer (4008). */
  maxBufferedBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /**
   * Sockets one tenant may hold open across the nodes sharing Redis; more are closed with 4003 right after
   * the upgrade. Other nodes' counts are as of the last census round.
   */
  maxConnectionsPerTenant: z.number().int().positive().default(5000),
  /**
   * Sockets one visitor (one visitor id, however many tokens) may hold open across the nodes sharing
   * Redis (socket-leases.ts); more are closed with 4005. A visitor has a tab or two: well below the tenant
   * quota, so one visitor cannot fill it.
   */
  maxConnectionsPerVisitor: z.number().int().positive().default(10),
  /**
   * Sockets one client address may hold open across the nodes for visitors and dashboard members (API keys
   * are the tenant's own); more are closed with 4005. Bounds visitors minted in bulk from one address.
   */
  maxConnectionsPerAddress: z.number().int().positive().default(200),
  /** How often a node writes its per-tenant socket counts to Redis and reads the other nodes'. */
  censusMs: z.number().int().positive().default(5_000),
  /** Channels one socket may join. */
  maxSubscriptions: z.number().int().positive().default(50),
  /** Ping interval; a socket that has not answered the previous ping is terminated. Also the presence refresh. */
  heartbeatMs: z.number().int().positive().default(25_000),
  /**
   * Presence entries and socket leases expire after this long without a refresh (a dead node's vanish by
   * themselves).
   */
  presenceTtlMs: z.number().int().positive().default(60_000),
  /** After sending a close frame, how long to wait for the peer before dropping the TCP connection. */
  closeTimeoutMs: z.number().int().positive().default(5_000),
  /** Approximate length of each channel's Redis Stream (how far back a client can resume). */
  streamMaxLen: z.number().int().positive().default(1000),
});

export type RealtimeLimits = z.infer<typeof limitsSchema>;
export type RealtimeLimitsInput = z.input<typeof limitsSchema>;
