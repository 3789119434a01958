import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

// Secrets stored for tenants (their model provider's API key) are sealed with AES-256-GCM under a key
// derived from APP_SECRET with HKDF, so a database dump alone reveals nothing. The `context` (the tenant
// id) is authenticated data: a sealed value copied to another tenant's row does not open.
const VERSION = "v1";
const INFO = "avatar-chat secret-box v1";
// A memo of a pure derivation (the same secret always gives the same key), one entry per APP_SECRET:
// nothing a caller could observe, so it is not passed in as state.
const derivedKeys = new Map<string, Buffer>();

function keyFor(appSecret: string): Buffer {
  let key = derivedKeys.get(appSecret);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", appSecret, "avatar-chat", INFO, 32));
    derivedKeys.set(appSecret, key);
  }
  return key;
}

/** `v1.<iv>.<ciphertext>.<tag>`, each part base64url. */
export function sealSecret(appSecret: string, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(appSecret), iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const parts = [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString("base64url"));
  return [VERSION, ...parts].join(".");
}

/** The plaintext, or null when the value was tampered with, sealed for another context or another secret. */
export function openSecret(appSecret: string, sealed: string, context: string): string | null {
  const [version, iv, ciphertext, tag, extra] = sealed.split(".");
  if (version !== VERSION || !iv || ciphertext === undefined || !tag || extra !== undefined) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(appSecret), Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    return null;
  }
}
