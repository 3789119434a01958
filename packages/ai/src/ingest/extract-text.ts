import { type HTMLElement, type Node, NodeType, parse } from "node-html-parser";
import { extractText as extractPdfText, getDocumentProxy } from "unpdf";
import { markPlainHeadings, rejoinPdfLines } from "./text-layout";

export const EXTRACTABLE_CONTENT_TYPES = [
  "text/plain",
  "text/markdown",
  "text/html",
  "application/pdf",
] as const;
export type ExtractableContentType = (typeof EXTRACTABLE_CONTENT_TYPES)[number];

export interface ExtractInput {
  bytes: Uint8Array;
  /** A MIME type, parameters allowed ("text/html; charset=iso-8859-1"). */
  contentType: string;
  url?: string;
}

export interface ExtractedText {
  /** Plain text; headings kept as Markdown `#` lines so chunkText can track the heading path. */
  text: string;
  title: string | null;
  contentType: ExtractableContentType;
}

/** A document we cannot read: unsupported type or a broken file. Retrying will not help. */
export class ExtractError extends Error {
  override readonly name = "ExtractError";
}

const EXTENSION_TYPES: Record<string, ExtractableContentType> = {
  txt: "text/plain",
  md: "text/markdown",
  markdown: "text/markdown",
  html: "text/html",
  htm: "text/html",
  pdf: "application/pdf",
};

/** Resolves the document's type from its MIME type, falling back to the URL's extension for generic types. */
export function documentType(contentType: string, url?: string): ExtractableContentType | null {
  const mime = contentType.split(";")[0]!.trim().toLowerCase();
  if (mime === "text/x-markdown") return "text/markdown";
  if (mime === "application/xhtml+xml") return "text/html";
  if ((EXTRACTABLE_CONTENT_TYPES as readonly string[]).includes(mime)) return mime as ExtractableContentType;
  if (mime === "" || mime === "application/octet-stream" || mime === "binary/octet-stream") {
    const extension = url ? new URL(url, "http://x").pathname.split(".").pop()?.toLowerCase() : undefined;
    return (extension && EXTENSION_TYPES[extension]) || null;
  }
  return null;
}

export async function extractText(input: ExtractInput): Promise<ExtractedText> {
  const type = documentType(input.contentType, input.url);
  if (!type) throw new ExtractError(`unsupported content type: ${input.contentType || "(none)"}`);
  if (type === "application/pdf") return { ...(await extractPdf(input.bytes)), contentType: type };
  const raw = decode(input.bytes, input.contentType);
  if (type === "text/html") return { ...extractHtml(raw), contentType: type };
  if (type === "text/markdown") return { ...extractMarkdown(raw), contentType: type };
  return { text: markPlainHeadings(tidy(raw)), title: null, contentType: type };
}

function decode(bytes: Uint8Array, contentType: string): string {
  const charset = /charset="?([\w-]+)"?/i.exec(contentType)?.[1] ?? "utf-8";
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

async function extractPdf(bytes: Uint8Array): Promise<{ text: string; title: string | null }> {
  try {
    // pdf.js takes ownership of (detaches) the buffer it gets, so hand it a copy; verbosity 0 keeps it off stderr.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    try {
      const { text } = await extractPdfText(pdf, { mergePages: true });
      const info = (await pdf.getMetadata().catch(() => null))?.info as { Title?: unknown } | undefined;
      return {
        text: rejoinPdfLines(tidy(text)),
        title: typeof info?.Title === "string" && info.Title.trim() ? info.Title.trim() : null,
      };
    } finally {
      await pdf.loadingTask.destroy();
    }
  } catch (error) {
    throw new ExtractError(`unreadable PDF: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// Elements whose text is never content: code, styling, navigation chrome, embedded media and forms.
const SKIPPED = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "nav",
  "svg",
  "iframe",
  "canvas",
  "form",
  "button",
  "select",
  "head",
]);
const BLOCKS = new Set([
  "p",
  "div",
  "section",
  "article",
  "main",
  "aside",
  "header",
  "footer",
  "blockquote",
  "pre",
  "table",
  "tr",
  "ul",
  "ol",
  "dl",
  "dt",
  "dd",
  "figure",
  "figcaption",
  "address",
  "details",
  "summary",
]);

function extractHtml(html: string): { text: string; title: string | null } {
  const root = parse(html, { comment: false, blockTextElements: { script: false, style: false, pre: true } });
  const title = root.querySelector("title")?.text.trim() || root.querySelector("h1")?.text.trim() || null;
  const body = root.querySelector("body") ?? root;
  const out: string[] = [];
  walk(body, out);
  return { text: tidy(out.join("")), title: title ? collapse(title) : null };
}

function walk(node: Node, out: string[]) {
  if (node.nodeType === NodeType.TEXT_NODE) {
    out.push(collapse(node.text));
    return;
  }
  if (node.nodeType !== NodeType.ELEMENT_NODE) return;
  const element = node as HTMLElement;
  const tag = element.tagName?.toLowerCase() ?? "";
  if (SKIPPED.has(tag) || element.getAttribute("aria-hidden") === "true" || element.hasAttribute("hidden"))
    return;
  const heading = /^h([1-6])$/.exec(tag);
  if (heading) {
    const text = collapse(element.text).trim();
    if (text) out.push(`\n\n${"#".repeat(Number(heading[1]))} ${text}\n\n`);
    return;
  }
  if (tag === "br") return void out.push("\n");
  if (tag === "table") return void out.push(`\n\n${pipeTable(element)}\n\n`);
  if (tag === "li") out.push("\n- ");
  else if (tag === "td" || tag === "th") out.push(" ");
  else if (BLOCKS.has(tag)) out.push("\n\n");
  for (const child of element.childNodes) walk(child, out);
  if (BLOCKS.has(tag)) out.push("\n\n");
}

/** A table as Markdown pipe rows, the first row as header: a row's cells must stay apart from the next row's. */
function pipeTable(table: HTMLElement): string {
  const rows = table
    .querySelectorAll("tr")
    .map((row) =>
      row.querySelectorAll("th, td").map((cell) => collapse(cell.text).trim().replaceAll("|", "/")),
    )
    .filter((cells) => cells.some(Boolean));
  if (rows.length === 0) return "";
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const separator = line(rows[0]!.map(() => "---"));
  return [line(rows[0]!), separator, ...rows.slice(1).map(line)].join("\n");
}

const FRONT_MATTER = /^---\n[\s\S]*?\n---\n/;

function extractMarkdown(markdown: string): { text: string; title: string | null } {
  return markdownText(markdown.replace(FRONT_MATTER, ""));
}

/** Markdown without front matter → text with `#` headings, and the first `#` heading as a title. */
function markdownText(markdown: string): { text: string; title: string | null } {
  const text = markdown
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1") // images → alt text
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1") // links → link text
    .replace(/^(#{1,6})[ \t]*(.+?)[ \t]*#*[ \t]*$/gm, "$1 $2")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/^```.*$/gm, "");
  const title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim() ?? null;
  return { text: tidy(text), title };
}

function collapse(text: string): string {
  return text.replace(/[ \t\r\n\f\u00a0]+/g, " ");
}

/** Trims lines, drops trailing spaces and collapses runs of blank lines to one. */
function tidy(text: string): string {
  return text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/[ \t\u00a0]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
