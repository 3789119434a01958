import { describe, expect, it } from "vitest";
import { markPlainHeadings, rejoinPdfLines } from "./text-layout";

describe("rejoinPdfLines", () => {
  it("joins a sentence wrapped over lines, undoing hyphenation, and keeps paragraphs and headings apart", () => {
    const pdf = [
      "Loan periods",
      "Books and audiobooks can be borrowed for 3 weeks. DVDs, video games and magazines can be bor-",
      "rowed for 1 week. You can borrow up to 20 items at a time.",
      "Loans can be renewed twice, online or at the desk, except items that another member has",
      "reserved.",
      "Late fees",
      "Items returned late are charged 20 cents per item per day.",
    ].join("\n");
    expect(rejoinPdfLines(pdf)).toBe(
      [
        "## Loan periods",
        "Books and audiobooks can be borrowed for 3 weeks. DVDs, video games and magazines can be borrowed for 1 week. You can borrow up to 20 items at a time.",
        "Loans can be renewed twice, online or at the desk, except items that another member has reserved.",
        "## Late fees",
        "Items returned late are charged 20 cents per item per day.",
      ].join("\n\n"),
    );
  });
});

describe("markPlainHeadings", () => {
  it("marks short title lines that open a block as headings, not list items or labelled lines", () => {
    const text = [
      "CLINIC INFORMATION",
      "",
      "Opening hours",
      "Monday to Friday: 8:00 to 18:00",
      "Sunday: closed",
      "",
      "Your first visit",
      "Please bring:",
      "- your insurance card",
      "",
      "A plain sentence that ends without a full stop",
    ].join("\n");
    expect(markPlainHeadings(text)).toBe(
      [
        "# CLINIC INFORMATION",
        "",
        "## Opening hours",
        "Monday to Friday: 8:00 to 18:00",
        "Sunday: closed",
        "",
        "## Your first visit",
        "Please bring:",
        "- your insurance card",
        "",
        "A plain sentence that ends without a full stop",
      ].join("\n"),
    );
  });
});
