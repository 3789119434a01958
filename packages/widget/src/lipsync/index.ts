import { german } from "./de";
import { english } from "./en";
import type { LipsyncLanguage } from "./rules";

export type { LipsyncLanguage } from "./rules";
export { type Viseme, visemeDurations, visemes } from "./visemes";

const languages: Record<string, LipsyncLanguage> = { en: english, de: german };

/** Lip-sync rules for a BCP 47 tag; English rules are a fair approximation for unknown languages. */
export function lipsyncFor(locale: string): LipsyncLanguage {
  return languages[locale.toLowerCase().split(/[-_]/)[0] ?? "en"] ?? english;
}
