// Layout repairs for text that arrives without structure: a PDF's visual lines and a plain-text file's headings.

/** A line is a heading candidate: short, no sentence or label punctuation, not a list item. */
function looksLikeHeading(line: string): boolean {
  const words = line.split(/\s+/).length;
  return (
    words > 0 &&
    words <= 8 &&
    line.length <= 70 &&
    /^[\p{Lu}\p{N}]/u.test(line) &&
    !/[.!?:;,]$/.test(line) &&
    !/:\s/.test(line) &&
    !/^[-*•]\s|^\d+[.)]\s/.test(line)
  );
}

/**
 * A PDF's text comes as visual lines: a sentence wrapped at the margin must be one line again (a line break
 * ends a sentence for the chunker), "bor-\nrowed" is "borrowed", and a paragraph ends at a line shorter than
 * the text width. A lone short line without punctuation is a heading.
 */
export function rejoinPdfLines(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const width = Math.max(0, ...lines.map((l) => l.length));
  const paragraphs: string[] = [];
  let current = "";
  const end = () => {
    if (current) paragraphs.push(current);
    current = "";
  };
  for (const line of lines) {
    const full = line.length >= width * 0.8;
    if (!current && !full && looksLikeHeading(line)) {
      paragraphs.push(`## ${line}`);
      continue;
    }
    if (!current) current = line;
    else if (/\p{Ll}-$/u.test(current) && /^\p{Ll}/u.test(line)) current = current.slice(0, -1) + line;
    else current = `${current} ${line}`;
    // A line that stops short of the margin ends its paragraph.
    if (!full) end();
  }
  end();
  return paragraphs.join("\n\n");
}

/** Plain text: a short unpunctuated line opening a block (after a blank line, or first) becomes a heading. */
export function markPlainHeadings(text: string): string {
  const lines = text.split("\n");
  return lines
    .map((line, i) => {
      const opensBlock = i === 0 || lines[i - 1]!.trim() === "";
      if (!opensBlock || !looksLikeHeading(line.trim())) return line;
      if ((lines[i + 1] ?? "").trim() !== "") return `## ${line.trim()}`;
      // A lone line at the very top is the document's title.
      return lines.slice(0, i).every((l) => l.trim() === "") ? `# ${line.trim()}` : line;
    })
    .join("\n");
}
