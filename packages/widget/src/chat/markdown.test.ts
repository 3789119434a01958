import { describe, expect, it } from "vitest";
import { type Inline, parseInline, parseMarkdown, safeHref } from "./markdown";

const text = (t: string): Inline => ({ type: "text", text: t });

describe("safeHref", () => {
  it("accepts http, https and mailto", () => {
    expect(safeHref("https://example.com/a?b=1")).toBe("https://example.com/a?b=1");
    expect(safeHref("http://example.com")).toBe("http://example.com/");
    expect(safeHref("mailto:help@example.com")).toBe("mailto:help@example.com");
  });

  it("refuses javascript:, data:, relative and obfuscated schemes", () => {
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("JaVaScRiPt:alert(1)")).toBeNull();
    expect(safeHref("java\tscript:alert(1)")).toBeNull();
    expect(safeHref(" \u0001javascript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,<script>alert(1)</script>")).toBeNull();
    expect(safeHref("vbscript:msgbox")).toBeNull();
    expect(safeHref("/relative/path")).toBeNull();
    expect(safeHref("//evil.example")).toBeNull();
  });
});

describe("parseInline", () => {
  it("parses bold, italic, code and links", () => {
    expect(parseInline("a **b** *c* `d` [e](https://x.test)")).toEqual([
      text("a "),
      { type: "strong", children: [text("b")] },
      text(" "),
      { type: "em", children: [text("c")] },
      text(" "),
      { type: "code", text: "d" },
      text(" "),
      { type: "link", href: "https://x.test/", children: [text("e")] },
    ]);
  });

  it("keeps HTML as literal text", () => {
    expect(parseInline("<img src=x onerror=alert(1)>")).toEqual([text("<img src=x onerror=alert(1)>")]);
    expect(parseInline("<script>alert(1)</script>")).toEqual([text("<script>alert(1)</script>")]);
  });

  it("drops refused links but keeps their text", () => {
    expect(JSON.stringify(parseInline("[click](javascript:alert(1))"))).not.toContain('"link"');
    expect(parseInline("[click](javascript:void)")).toEqual([text("click")]);
  });

  it("links bare URLs without trailing punctuation", () => {
    expect(parseInline("see https://x.test/a.")).toEqual([
      text("see "),
      { type: "link", href: "https://x.test/a", children: [text("https://x.test/a")] },
      text("."),
    ]);
  });

  it("leaves unclosed markers (mid-stream) and arithmetic as text", () => {
    expect(parseInline("**bol")).toEqual([text("**bol")]);
    expect(parseInline("2 * 3 * 4")).toEqual([text("2 * 3 * 4")]);
    expect(parseInline("snake_case_name")).toEqual([text("snake_case_name")]);
    expect(parseInline("window.__a=1 and window.__b")).toEqual([text("window.__a=1 and window.__b")]);
  });

  it("turns newlines into breaks", () => {
    expect(parseInline("a\nb")).toEqual([text("a"), { type: "break" }, text("b")]);
  });
});

describe("parseMarkdown", () => {
  it("splits paragraphs, lists, headings and code blocks", () => {
    const blocks = parseMarkdown(
      "# Title\n\nFirst\nline\n\n- one\n- **two**\n\n1. a\n2. b\n\n```\n<b>x</b>\n```",
    );
    expect(blocks.map((b) => b.type)).toEqual(["heading", "paragraph", "list", "list", "code"]);
    expect(blocks[2]).toEqual({
      type: "list",
      ordered: false,
      items: [[text("one")], [{ type: "strong", children: [text("two")] }]],
    });
    expect(blocks[3]).toMatchObject({ type: "list", ordered: true });
    expect(blocks[4]).toEqual({ type: "code", text: "<b>x</b>" });
  });

  it("renders an unterminated code fence while streaming", () => {
    expect(parseMarkdown("```\nlet a")).toEqual([{ type: "code", text: "let a" }]);
  });
});
