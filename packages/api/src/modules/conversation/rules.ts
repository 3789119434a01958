import type { Citation, Handoff, MessageRole } from "@avatar-chat/db";
import { z } from "zod";
import { instant } from "../../accepted-input";
import { keysetCursor } from "../../paging";

export const MAX_MESSAGE_CHARS = 4000;

export const conversationIdInput = z.object({ conversationId: z.uuid() });
/** Visitors start in their token's chatbot; API keys name the chatbot. */
export const startConversationInput = z.object({ chatbotId: z.uuid().optional() }).default({});
export const sendMessageInput = z.object({
  conversationId: z.uuid(),
  content: z
    .string()
    .trim()
    .min(1, "Write a message first.")
    .max(MAX_MESSAGE_CHARS, `Keep a message under ${MAX_MESSAGE_CHARS} characters.`),
  clientMessageId: z.string().trim().min(1).max(64),
  /** The visitor has voice on: the answer is spoken too. */
  voice: z.boolean().optional(),
  /** The message was spoken: the id `POST /voice-input` gave its kept recording, linked to the message. */
  voiceInputId: z.uuid().optional(),
});
export const feedbackInput = z.object({
  messageId: z.uuid(),
  rating: z.enum(["up", "down"]),
  comment: z.string().trim().max(1000).optional(),
});

export const agentReplyInput = z.object({
  conversationId: z.uuid(),
  content: z.string().trim().min(1, "Write a reply first.").max(MAX_MESSAGE_CHARS),
  /** Makes a re-sent reply (the dashboard retrying after a 503) store nothing twice. */
  clientMessageId: z.string().trim().min(1).max(64).optional(),
});

/**
 * The shortest inbox search. The trigram index (`messages_content_trgm_idx`) finds `%abc%` from the
 * pattern's trigrams; one or two characters hold none, so such a search would read every message of the
 * tenant (seconds at a million messages). The dashboard's search box says so and sends nothing shorter.
 */
export const MIN_SEARCH_CHARS = 3;

export const inboxInput = z.object({
  chatbotId: z.uuid().optional(),
  status: z.enum(["open", "closed"]).optional(),
  handoff: z.enum(["bot", "requested", "agent"]).optional(),
  from: instant.optional(),
  to: instant.optional(),
  /** Matches any message's text, the first question (the title) included. */
  search: z
    .string()
    .trim()
    .min(MIN_SEARCH_CHARS, `Search for at least ${MIN_SEARCH_CHARS} characters.`)
    .max(200)
    .optional(),
  cursor: keysetCursor.optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export type InboxFilters = z.infer<typeof inboxInput>;

export const exportInput = z.object({ conversationId: z.uuid(), format: z.enum(["json", "markdown"]) });

/** Messages per transcript page unless asked otherwise (the widget's first screen and then some). */
export const TRANSCRIPT_PAGE_SIZE = 50;

/** One page of a transcript: the newest `limit` messages before `cursor` (the previous page's `nextCursor`). */
export const transcriptPageInput = z.object({
  conversationId: z.uuid(),
  cursor: keysetCursor.optional(),
  limit: z.number().int().min(1).max(200).default(TRANSCRIPT_PAGE_SIZE),
});
export type TranscriptPage = z.output<typeof transcriptPageInput>;

/** What a visitor's request for a person does: nothing twice, nothing once a person is there. */
export function humanRequestOutcome(conversation: {
  status: "open" | "closed";
  handoff: Handoff;
}): "request" | "unchanged" | "closed" {
  if (conversation.status === "closed") return "closed";
  return conversation.handoff === "bot" ? "request" : "unchanged";
}

const humanRequestedNotices: Record<string, string> = {
  en: "You asked to talk to a person. Someone from the team will join this chat; until then the assistant keeps answering.",
  "pt-BR":
    "Você pediu para falar com uma pessoa. Alguém da equipe entrará nesta conversa; até lá, o assistente continua respondendo.",
};

/** The notice stored in the transcript when a visitor asks for a person, in the chatbot's language. */
export function humanRequestedNotice(locale: string): string {
  return humanRequestedNotices[locale] ?? humanRequestedNotices.en!;
}

const agentJoinedNotices: Record<string, (name: string) => string> = {
  en: (name) => `${name} has joined the chat.`,
  "pt-BR": (name) => `${name} entrou na conversa.`,
};

/** The notice stored in the transcript when a person takes the conversation over, before their first words. */
export function agentJoinedNotice(locale: string, name: string): string {
  return (agentJoinedNotices[locale] ?? agentJoinedNotices.en!)(name);
}

/** The email to a workspace's owners and admins when a visitor asks for a person. */
export function humanRequestEmail(input: { chatbotName: string; link: string; settingsLink: string }) {
  return {
    subject: `A visitor is asking for a person (${input.chatbotName})`,
    text: [
      `A visitor talking to "${input.chatbotName}" asked to talk to a person.`,
      "The assistant keeps answering until someone takes over the conversation.",
      "",
      `Open the conversation: ${input.link}`,
      "",
      `To stop or start these emails: ${input.settingsLink}`,
    ].join("\n"),
  };
}

/** First day of the UTC month, the key of `usage_monthly`. */
export function quotaMonth(now: Date): string {
  return `${now.toISOString().slice(0, 7)}-01`;
}

export function quotaExceededMessage(limit: number): string {
  return `This chatbot has used all ${limit} messages of its plan this month. Please try again next month.`;
}

/** A conversation's title is its first question, cut at a word. */
export function titleFrom(content: string): string {
  const line = content.replace(/\s+/g, " ").trim();
  if (line.length <= 80) return line;
  const cut = line.slice(0, 80);
  const space = cut.lastIndexOf(" ");
  return `${space > 40 ? cut.slice(0, space) : cut}…`;
}

export type Rating = "up" | "down";
export const ratingValue = (rating: Rating): 1 | -1 => (rating === "up" ? 1 : -1);
export const ratingOf = (value: -1 | 1 | null): Rating | null =>
  value === null ? null : value > 0 ? "up" : "down";

export interface TranscriptMessage {
  role: MessageRole;
  content: string;
  createdAt: string;
  citations: Citation[];
}

/** A readable transcript: one heading per message, sources listed under answers. */
export function transcriptMarkdown(
  conversation: { id: string; title: string; chatbotName: string; createdAt: string; handoff: Handoff },
  messages: readonly TranscriptMessage[],
): string {
  const who: Record<MessageRole, string> = {
    user: "Visitor",
    assistant: conversation.chatbotName,
    agent: "Agent",
    system: "System",
  };
  const lines = [
    `# ${conversation.title || "Conversation"}`,
    "",
    `- Chatbot: ${conversation.chatbotName}`,
    `- Started: ${conversation.createdAt}`,
    `- Conversation: ${conversation.id}`,
    "",
  ];
  for (const message of messages) {
    lines.push(`## ${who[message.role]} · ${message.createdAt}`, "", message.content, "");
    if (message.citations.length) {
      lines.push("Sources:");
      for (const c of message.citations) lines.push(`- ${c.title}${c.url ? ` (${c.url})` : ""}`);
      lines.push("");
    }
  }
  return lines.join("\n");
}
