import { z } from "zod";
import { keysetCursor } from "../../paging";

/** Types the indexer can read; anything else would fail later in the worker, so it is refused up front. */
export const KNOWLEDGE_CONTENT_TYPES = [
  "text/plain",
  "text/markdown",
  "text/html",
  "application/pdf",
] as const;
export type KnowledgeContentType = (typeof KNOWLEDGE_CONTENT_TYPES)[number];

export const MAX_TEXT_CHARS = 200_000;

const chatbotId = z.uuid();
const title = z.string().trim().min(1, "Give it a title.").max(200);

export const createUploadInput = z.object({
  chatbotId,
  name: title,
  contentType: z
    .string()
    .trim()
    .toLowerCase()
    .max(100)
    .transform((t) => t.split(";")[0]!.trim())
    .pipe(z.enum(KNOWLEDGE_CONTENT_TYPES, "Upload a text, Markdown, HTML or PDF file.")),
  sizeBytes: z.number().int().positive("The file is empty."),
});

export const sourceIdInput = z.object({ sourceId: z.uuid() });
/** Sources per page of the list unless asked otherwise. */
export const SOURCES_PAGE_SIZE = 50;
/** One page of a chatbot's sources, newest first, after `cursor` (the previous page's `nextCursor`). */
export const listSourcesInput = z.object({
  chatbotId,
  cursor: keysetCursor.optional(),
  limit: z.number().int().min(1).max(100).default(SOURCES_PAGE_SIZE),
});
export type SourcesPage = z.output<typeof listSourcesInput>;

export const knowledgeUrlSchema = z
  .string()
  .trim()
  .max(2000, "Use a URL under 2000 characters.")
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password;
    } catch {
      return false;
    }
  }, "Enter a web address starting with http:// or https://.");

export const addUrlInput = z.object({ chatbotId, url: knowledgeUrlSchema, title: title.optional() });

export const addTextInput = z.object({
  chatbotId,
  title,
  text: z
    .string()
    .trim()
    .min(1, "Paste some text first.")
    .max(MAX_TEXT_CHARS, `Paste at most ${MAX_TEXT_CHARS} characters at once.`),
});

export const searchPreviewInput = z.object({
  chatbotId,
  question: z.string().trim().min(1, "Ask a question.").max(1000),
  limit: z.number().int().min(1).max(20).default(5),
});

/** Why a file of `sizeBytes` may not be added, or null when it fits both the upload cap and the plan. */
export function knowledgeSizeProblem(
  sizeBytes: number,
  limits: { maxUploadBytes: number; maxKnowledgeBytes: number; usedBytes: number },
): { code: "PAYLOAD_TOO_LARGE" | "FORBIDDEN"; message: string } | null {
  if (sizeBytes > limits.maxUploadBytes) {
    return {
      code: "PAYLOAD_TOO_LARGE",
      message: `Files can be at most ${megabytes(limits.maxUploadBytes)}.`,
    };
  }
  if (limits.usedBytes + sizeBytes > limits.maxKnowledgeBytes) {
    return {
      code: "FORBIDDEN",
      message: `Your plan holds ${megabytes(limits.maxKnowledgeBytes)} of knowledge and ${megabytes(limits.usedBytes)} is used. Delete a source or upgrade your plan.`,
    };
  }
  return null;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(bytes < 10_485_760 ? 1 : 0)} MB`;
}

/** A URL source's default title: host and path, as a person would read it. */
export function titleFromUrl(value: string): string {
  const url = new URL(value);
  const path = url.pathname === "/" ? "" : url.pathname;
  return `${url.host}${path}`.slice(0, 200);
}

export const knowledgeStorageKey = (tenantId: string, sourceId: string) =>
  `tenants/${tenantId}/knowledge/${sourceId}`;
