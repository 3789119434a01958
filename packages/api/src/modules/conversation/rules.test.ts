import { describe, expect, it } from "vitest";
import { humanRequestedNotice, humanRequestOutcome } from "./rules";

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
});
