import { parseChannel } from "@avatar-chat/protocol";

/** Who holds a socket. The composition root turns a token, cookie or API key into one of these. */
export type Principal = (
  | { kind: "visitor"; tenantId: string; chatbotId: string; visitorId: string }
  /** `sessionId` lets the composition root's `renew` see a session revoked while its socket is open. */
  | { kind: "member"; tenantId: string; userId: string; sessionId?: string }
  | { kind: "apiKey"; tenantId: string; keyId: string }
) & {
  /** Unix seconds when the credential stops holding: the socket is then renewed or closed with 4001. Absent: never. */
  expiresAt?: number;
};

/** Owner of a conversation, looked up by the caller (the realtime package has no database). */
export interface ConversationOwner {
  tenantId: string;
  visitorId: string;
}

export type ConversationLookup = (conversationId: string) => Promise<ConversationOwner | null>;

/**
 * May this principal join this channel? Visitors: only their own conversations, never the tenant channel.
 * Members and API keys: their tenant's channel and any conversation of their tenant.
 */
export async function canJoin(
  principal: Principal,
  channel: string,
  lookup: ConversationLookup,
): Promise<boolean> {
  const parsed = parseChannel(channel);
  if (!parsed) return false;
  if (parsed.kind === "tenant") return principal.kind !== "visitor" && parsed.tenantId === principal.tenantId;
  const owner = await lookup(parsed.conversationId);
  if (!owner || owner.tenantId !== principal.tenantId) return false;
  return principal.kind !== "visitor" || owner.visitorId === principal.visitorId;
}

/**
 * Cookie-authenticated members must come from an allowed Origin: the browser attaches the cookie to a
 * socket opened by any site (cross-site WebSocket hijacking). Visitors and API keys present an explicit
 * token, which another site cannot read, so their Origin does not matter (the widget runs on any site).
 */
export function originAllowed(
  principal: Principal,
  origin: string | undefined,
  allowedOrigins: readonly string[],
): boolean {
  if (principal.kind !== "member") return true;
  return origin !== undefined && allowedOrigins.includes(origin);
}

/** Bearer credential of an upgrade request: `Authorization: Bearer ...` (Node clients) or `?token=` (browsers). */
export function bearerToken(
  headers: { authorization?: string | undefined },
  url: string | undefined,
): string | null {
  const header = headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice(7).trim() || null;
  const query = url?.indexOf("?") ?? -1;
  if (query < 0 || !url) return null;
  return new URLSearchParams(url.slice(query + 1)).get("token");
}
