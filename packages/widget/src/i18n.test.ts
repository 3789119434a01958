import { describe, expect, it } from "vitest";
import { format, pickLocale, stringsFor } from "./i18n";

describe("i18n", () => {
  it("picks the first supported language, ignoring region and case", () => {
    expect(pickLocale(["de-AT"])).toBe("de");
    expect(pickLocale([null, "fr-FR", "DE"])).toBe("de");
    expect(pickLocale(["en_GB", "de"])).toBe("en");
  });

  it("falls back to English", () => {
    expect(pickLocale([])).toBe("en");
    expect(pickLocale(["fr", undefined, ""])).toBe("en");
  });

  it("has every English string in German too", () => {
    const english = stringsFor("en");
    const german = stringsFor("de");
    expect(Object.keys(german).sort()).toEqual(Object.keys(english).sort());
    for (const value of Object.values(german)) expect(value.length).toBeGreaterThan(0);
    expect(german.send).toBe("Senden");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(format(stringsFor("de").handoffAgent, { name: "Eva" })).toBe("Eva ist dem Chat beigetreten");
    expect(format("{a} {b}", { a: "1" })).toBe("1 {b}");
  });
});
