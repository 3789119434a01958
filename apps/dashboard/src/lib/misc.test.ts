import { describe, expect, it } from "vitest";
import { safeNext, signInPath } from "../session/paths";
import { formatOriginList, parseOriginList } from "./origins";
import { realtimeSocketUrl } from "./realtime";
import { templateById } from "./templates";

describe("sign-in redirects", () => {
  it("returns only to paths on this site", () => {
    expect(safeNext("/inbox?bot=1")).toBe("/inbox?bot=1");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext("/sign-in")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });

  it("builds the sign-in URL with where to go and why", () => {
    expect(signInPath("/")).toBe("/sign-in");
    expect(signInPath("/inbox", "expired")).toBe("/sign-in?next=%2Finbox&reason=expired");
  });
});

describe("small helpers", () => {
  it("reads one origin per line or comma", () => {
    expect(parseOriginList(" https://a.example \n\nhttps://b.example, https://c.example")).toEqual([
      "https://a.example",
      "https://b.example",
      "https://c.example",
    ]);
    expect(formatOriginList(["https://a.example", "https://b.example"])).toBe(
      "https://a.example\nhttps://b.example",
    );
  });

  it("opens the socket on this origin", () => {
    expect(realtimeSocketUrl({ protocol: "https:", host: "app.example.com" })).toBe(
      "wss://app.example.com/realtime",
    );
    expect(realtimeSocketUrl({ protocol: "http:", host: "localhost:5173" })).toBe(
      "ws://localhost:5173/realtime",
    );
  });

  it("falls back to the first template", () => {
    expect(templateById("sales").id).toBe("sales");
    expect(templateById("unknown").id).toBe("support");
  });
});
