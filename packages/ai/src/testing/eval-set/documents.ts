import { readFileSync } from "node:fs";
import type { UploadedDocument } from "../seed-corpus";
import type { EvalDocumentId } from "./questions";

// Six businesses' documents as their owners would upload them: Markdown with tables, HTML, plain text, PDF.
const files: Record<EvalDocumentId, { file: string; title: string; contentType: string }> = {
  shop: { file: "shop.md", title: "Northwind Socks & Shoes help", contentType: "text/markdown" },
  "help-center": { file: "help-center.html", title: "Taskly Help Center", contentType: "text/html" },
  clinic: { file: "clinic.txt", title: "Riverside Family Clinic", contentType: "text/plain" },
  library: { file: "library.pdf", title: "Millbrook Library member guide", contentType: "application/pdf" },
  rental: { file: "rental.md", title: "Alpine Bike & Ski Rental", contentType: "text/markdown" },
  hotel: { file: "hotel.html", title: "Harbour View Hotel guest information", contentType: "text/html" },
};

/** The evaluation documents, read from the files beside this module. */
export function evalDocuments(): UploadedDocument[] {
  return Object.entries(files).map(([id, { file, title, contentType }]) => ({
    id,
    title,
    contentType,
    bytes: new Uint8Array(readFileSync(new URL(`./documents/${file}`, import.meta.url))),
  }));
}
