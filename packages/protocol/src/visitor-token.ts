import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * Visitor tokens: `vt1.<base64url claims>.<base64url HMAC-SHA256>`. The prefix tells a bearer header
 * apart from API keys (`ack_...`). Short-lived and scoped to one visitor of one chatbot.
 */
export const visitorTokenPrefix = "vt1.";

export const visitorClaimsSchema = z.object({
  visitorId: z.string().min(1),
  tenantId: z.string().min(1),
  chatbotId: z.string().min(1),
});

export type VisitorClaims = z.infer<typeof visitorClaimsSchema>;
export type VerifiedVisitor = VisitorClaims & { expiresAt: number };

const payloadSchema = visitorClaimsSchema.extend({ exp: z.number().int() });

function sign(secret: string, body: string): Buffer {
  return createHmac("sha256", secret).update(`${visitorTokenPrefix}${body}`).digest();
}

export function createVisitorToken(
  secret: string,
  claims: VisitorClaims,
  ttlSeconds: number,
  now: Date = new Date(),
): string {
  const exp = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const body = Buffer.from(JSON.stringify({ ...visitorClaimsSchema.parse(claims), exp })).toString(
    "base64url",
  );
  return `${visitorTokenPrefix}${body}.${sign(secret, body).toString("base64url")}`;
}

/** Claims of a valid, unexpired token; null for anything else (no reason given to the caller on purpose). */
export function verifyVisitorToken(
  secret: string,
  token: string,
  now: Date = new Date(),
): VerifiedVisitor | null {
  if (!token.startsWith(visitorTokenPrefix)) return null;
  const [body, signature, extra] = token.slice(visitorTokenPrefix.length).split(".");
  if (!body || !signature || extra !== undefined) return null;
  const expected = sign(secret, body);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success || parsed.data.exp * 1000 <= now.getTime()) return null;
  const { exp, ...claims } = parsed.data;
  return { ...claims, expiresAt: exp };
}
