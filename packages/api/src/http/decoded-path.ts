import { isStorableText } from "../accepted-input";

/** A percent-encoded URL path as text, or null when it does not decode (`%ZZ`, cut UTF-8) or holds NUL. */
export function decodedPath(encoded: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return null; // URIError: not a valid percent-encoding of UTF-8
  }
  return isStorableText(decoded) ? decoded : null;
}
