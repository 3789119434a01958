import { describe, expect, it } from "vitest";
import { randomUuid } from "./uuid";

describe("randomUuid", () => {
  it("makes version 4 UUIDs from getRandomValues alone (no randomUUID outside secure contexts)", () => {
    const insecure = { getRandomValues: crypto.getRandomValues.bind(crypto) };
    const ids = Array.from({ length: 50 }, () => randomUuid(insecure));
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(50);
  });

  it("sets the version and variant bits whatever the random bytes", () => {
    const ones = {
      getRandomValues<T extends ArrayBufferView | null>(array: T): T {
        new Uint8Array(array!.buffer).fill(0xff);
        return array;
      },
    };
    expect(randomUuid(ones)).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
  });
});
