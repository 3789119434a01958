import { describe, expect, it } from "vitest";
import { humanRequestedNotice, humanRequestOutcome, inboxInput } from "./rules";

describe("conversation rules", () => {
  it("requests a person only from the bot, never twice, never when closed", () => {
    expect(humanRequestOutcome({ status: "open", handoff: "bot" })).toBe("request");
    expect(humanRequestOutcome({ status: "open", handoff: "requested" })).toBe("unchanged");
    expect(humanRequestOutcome({ status: "open", handoff: "agent" })).toBe("unchanged");
    expect(humanRequestOutcome({ status: "closed", handoff: "bot" })).toBe("closed");
  });

  it("words the notice in the chatbot's language, English otherwise", () => {
    expect(humanRequestedNotice("pt-BR")).toMatch(/^Você pediu/);
    expect(humanRequestedNotice("fr")).toBe(humanRequestedNotice("en"));
  });

  it("searches the inbox for 3 characters or more, which the trigram index can serve", () => {
    // Two characters hold no trigram: `%ab%` would read every message of the tenant.
    const short = inboxInput.safeParse({ search: " ab " });
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.message).toBe("Search for at least 3 characters.");
    expect(inboxInput.parse({ search: " abc " }).search).toBe("abc");
    expect(inboxInput.parse({}).search).toBeUndefined();
  });
});
