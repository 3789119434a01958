import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { makePdf } from "../testing/pdf";
import { documentType, ExtractError, extractText } from "./extract-text";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("extractText", () => {
  it("reads plain text, tidying whitespace and a BOM", async () => {
    const result = await extractText({
      bytes: bytes("\uFEFFLine one.  \r\n\r\n\r\n\r\nLine two.\t"),
      contentType: "text/plain",
    });
    expect(result).toEqual({ text: "Line one.\n\nLine two.", title: null, contentType: "text/plain" });
  });

  it("decodes the declared charset", async () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]); // "café" in ISO-8859-1
    const result = await extractText({ bytes: latin1, contentType: "text/plain; charset=iso-8859-1" });
    expect(result.text).toBe("café");
  });

  it("keeps Markdown headings, turns links and images into their text, drops front matter", async () => {
    const md =
      "---\ntitle: x\n---\n# Returns\n\nSee the **[form](https://x.test/form)** ![diagram](d.png).\n\n## Damaged items ##\nWrite to us.";
    const result = await extractText({ bytes: bytes(md), contentType: "text/markdown" });
    expect(result.title).toBe("Returns");
    expect(result.text).toBe("# Returns\n\nSee the form diagram.\n\n## Damaged items\nWrite to us.");
  });

  it("extracts headings and paragraphs from HTML without scripts, styles or navigation", async () => {
    const html = `<!doctype html><html><head><title>Acme &amp; Co — Help</title><style>p{color:red}</style></head>
      <body><nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
      <script>var secret = "do not index";</script>
      <main><h1>Shipping</h1><p>We ship to   40 countries.<br>Fast.</p>
      <h2>Costs</h2><ul><li>Standard: free</li><li>Express: 12&nbsp;€</li></ul>
      <div hidden>hidden text</div><noscript>enable js</noscript></main></body></html>`;
    const result = await extractText({ bytes: bytes(html), contentType: "text/html" });
    expect(result.title).toBe("Acme & Co — Help");
    expect(result.text).toBe(
      "# Shipping\n\nWe ship to 40 countries.\nFast.\n\n## Costs\n\n- Standard: free\n- Express: 12 €",
    );
    expect(result.text).not.toMatch(/secret|Home|color|hidden|enable js/);
  });

  it("extracts text from a PDF offline", async () => {
    const pdf = makePdf(["Warranty terms.", "Every lamp has a two year warranty (parts and labour)."]);
    const result = await extractText({ bytes: pdf, contentType: "application/pdf" });
    expect(result.text).toContain("Every lamp has a two year warranty (parts and labour).");
    expect(result.contentType).toBe("application/pdf");
  });

  it("rejoins a typeset PDF's wrapped and hyphenated lines into sentences under headings", async () => {
    const pdf = new Uint8Array(
      readFileSync(new URL("../testing/eval-set/documents/library.pdf", import.meta.url)),
    );
    const { text } = await extractText({ bytes: pdf, contentType: "application/pdf" });
    expect(text).toContain("## Loan periods");
    expect(text).toContain("DVDs, video games and magazines can be borrowed for 1 week.");
    expect(text).toMatch(
      /\nLoans can be renewed twice, online or at the desk, except items that another member has reserved\./,
    );
  });

  it("keeps an HTML table's rows and header cells apart, as a pipe table", async () => {
    const html = `<h2>Plans</h2><table><thead><tr><th>Plan</th><th>Price</th></tr></thead>
      <tbody><tr><td>Free</td><td>$0</td></tr><tr><td>Team</td><td><b>$12</b> per user</td></tr></tbody></table><p>Billed monthly.</p>`;
    const { text } = await extractText({ bytes: bytes(html), contentType: "text/html" });
    expect(text).toBe(
      "## Plans\n\n| Plan | Price |\n| --- | --- |\n| Free | $0 |\n| Team | $12 per user |\n\nBilled monthly.",
    );
  });

  it("marks a plain-text file's section titles as headings", async () => {
    const txt =
      "Opening hours\nMonday to Friday: 8:00 to 18:00\n\nParking\nFree parking behind the building.";
    const { text } = await extractText({ bytes: bytes(txt), contentType: "text/plain" });
    expect(text).toBe(
      "## Opening hours\nMonday to Friday: 8:00 to 18:00\n\n## Parking\nFree parking behind the building.",
    );
  });

  it("refuses a broken PDF and unsupported types with ExtractError", async () => {
    await expect(
      extractText({ bytes: bytes("not a pdf"), contentType: "application/pdf" }),
    ).rejects.toBeInstanceOf(ExtractError);
    await expect(extractText({ bytes: bytes("x"), contentType: "image/png" })).rejects.toBeInstanceOf(
      ExtractError,
    );
  });

  it("uses the URL extension for generic binary types", () => {
    expect(documentType("application/octet-stream", "https://x.test/manual.PDF")).toBe("application/pdf");
    expect(documentType("application/octet-stream", "https://x.test/readme.md")).toBe("text/markdown");
    expect(documentType("application/octet-stream", "https://x.test/data.bin")).toBeNull();
    expect(documentType("text/html; charset=utf-8")).toBe("text/html");
  });
});
