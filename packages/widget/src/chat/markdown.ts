// A small Markdown subset parsed into a tree; render-markdown.ts turns the tree into DOM nodes.
// Model text never reaches innerHTML: anything that is not this subset stays literal text.

export type Inline =
  | { type: "text"; text: string }
  | { type: "strong"; children: Inline[] }
  | { type: "em"; children: Inline[] }
  | { type: "code"; text: string }
  | { type: "link"; href: string; children: Inline[] }
  | { type: "break" };

export type Block =
  | { type: "paragraph"; children: Inline[] }
  | { type: "heading"; children: Inline[] }
  | { type: "list"; ordered: boolean; items: Inline[][] }
  | { type: "code"; text: string };

const allowedProtocols = new Set(["http:", "https:", "mailto:"]);

/** The link target if it is an absolute http(s)/mailto URL, else null (javascript:, data:, relative...). */
export function safeHref(raw: string): string | null {
  // Browsers ignore control characters and whitespace inside schemes ("java\tscript:"), so drop them first.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const cleaned = raw.replace(/[\u0000-\u0020\u007f]/g, "");
  let url: URL;
  try {
    url = new URL(cleaned);
  } catch {
    return null;
  }
  return allowedProtocols.has(url.protocol) ? url.href : null;
}

const linkPattern = /^\[([^\]\n]*)\]\(\s*<?([^()\s<>]+)>?\s*\)/;
const autolinkPattern = /^https?:\/\/[^\s<>()]*[^\s<>().,;:!?"']/;

function pushText(out: Inline[], text: string): void {
  const last = out[out.length - 1];
  if (last?.type === "text") last.text += text;
  else out.push({ type: "text", text });
}

/** Finds the closing delimiter that is not directly after whitespace (so "2 * 3 * 4" stays text). */
function findClose(s: string, delimiter: string, from: number): number {
  let at = s.indexOf(delimiter, from);
  while (at !== -1) {
    if (at > from && !/\s/.test(s[at - 1] ?? "")) return at;
    at = s.indexOf(delimiter, at + 1);
  }
  return -1;
}

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const ch = s[i]!;
    if (ch === "\n") {
      out.push({ type: "break" });
      i++;
      continue;
    }
    if (ch === "\\" && i + 1 < s.length && /[\\`*_[\]()#+\-.!]/.test(s[i + 1]!)) {
      pushText(out, s[i + 1]!);
      i += 2;
      continue;
    }
    if (ch === "`") {
      const end = s.indexOf("`", i + 1);
      if (end > i + 1) {
        out.push({ type: "code", text: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    // `__` like `_` only at a word start and end, so `window.__name` stays intact.
    if (rest.startsWith("**") || (rest.startsWith("__") && !/\w/.test(s[i - 1] ?? ""))) {
      const delimiter = rest.slice(0, 2);
      const end = /\s/.test(s[i + 2] ?? " ") ? -1 : findClose(s, delimiter, i + 2);
      if (end !== -1 && !(delimiter === "__" && /\w/.test(s[end + 2] ?? ""))) {
        out.push({ type: "strong", children: parseInline(s.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    // `_` only opens emphasis at a word start, so snake_case names stay intact.
    if ((ch === "*" || (ch === "_" && !/\w/.test(s[i - 1] ?? ""))) && !/\s/.test(s[i + 1] ?? " ")) {
      const end = findClose(s, ch, i + 1);
      if (end !== -1 && !(ch === "_" && /\w/.test(s[end + 1] ?? ""))) {
        out.push({ type: "em", children: parseInline(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (ch === "[") {
      const match = linkPattern.exec(rest);
      if (match) {
        const href = safeHref(match[2]!);
        const children = parseInline(match[1]!);
        if (href) out.push({ type: "link", href, children });
        else out.push(...children);
        i += match[0].length;
        continue;
      }
    }
    if (ch === "h" && !/\w/.test(s[i - 1] ?? "")) {
      const match = autolinkPattern.exec(rest);
      const href = match ? safeHref(match[0]) : null;
      if (match && href) {
        out.push({ type: "link", href, children: [{ type: "text", text: match[0] }] });
        i += match[0].length;
        continue;
      }
    }
    pushText(out, ch);
    i++;
  }
  return out;
}

const listItemPattern = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ type: "paragraph", children: parseInline(paragraph.join("\n")) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      flush();
      const code: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i]!)) code.push(lines[i++]!);
      blocks.push({ type: "code", text: code.join("\n") });
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ type: "heading", children: parseInline(heading[1]!) });
      continue;
    }
    const item = listItemPattern.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[1]!);
      const last = blocks[blocks.length - 1];
      const list =
        last?.type === "list" && last.ordered === ordered
          ? last
          : ({ type: "list", ordered, items: [] } satisfies Block);
      if (list !== last) blocks.push(list);
      list.items.push(parseInline(item[2]!));
      continue;
    }
    const last = blocks[blocks.length - 1];
    // An indented line right after a list item continues that item.
    if (paragraph.length === 0 && last?.type === "list" && /^\s+\S/.test(line)) {
      const items = last.items;
      items[items.length - 1] = [...items[items.length - 1]!, { type: "break" }, ...parseInline(line.trim())];
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return blocks;
}
