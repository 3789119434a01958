// An integrator's whole program: a chatbot with some knowledge, one question, one answer.
// Run: AVATAR_CHAT_URL=http://localhost:3000 AVATAR_CHAT_API_KEY=ack_... pnpm --filter @avatar-chat/examples integrator
import { pathToFileURL } from "node:url";
import { createClient } from "@avatar-chat/api/client";

type Client = ReturnType<typeof createClient>;

/** Polls `check` until it returns a value (not undefined), for at most `timeoutMs`. */
async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("timed out");
}

export async function askOnce(api: Client, question: string): Promise<string> {
  const bot = await api.chatbot.create.mutate({
    name: "Shop assistant",
    greeting: "Hi! Ask me about orders.",
  });
  const source = await api.knowledge.addText.mutate({
    chatbotId: bot.id,
    title: "Shipping",
    text: "We ship to Norway, Sweden and Denmark. Delivery to Norway takes 3 working days and costs 9 euros.",
  });
  const indexed = await waitFor(async () => {
    const { items } = await api.knowledge.list.query({ chatbotId: bot.id }); // newest first: ours is on page one
    const found = items.find((s) => s.id === source.id);
    return found?.status === "ready" || found?.status === "failed" ? found : undefined;
  });
  if (indexed.status === "failed") throw new Error(`indexing failed: ${indexed.error}`);

  // Conversations started with an API key belong to the "api" channel; the reply arrives asynchronously
  // (live over the realtime socket, or here by polling the history).
  const { conversationId } = await api.conversation.start.mutate({ chatbotId: bot.id });
  const { messageId } = await api.conversation.send.mutate({
    conversationId,
    content: question,
    clientMessageId: crypto.randomUUID(),
  });
  const reply = await waitFor(async () => {
    const { messages } = await api.conversation.history.query({ conversationId });
    const index = messages.findIndex((m) => m.id === messageId);
    return messages.slice(index + 1).find((m) => m.role === "assistant");
  });
  return reply.content;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const api = createClient({
    url: process.env.AVATAR_CHAT_URL ?? "http://localhost:3000",
    apiKey: process.env.AVATAR_CHAT_API_KEY ?? "",
  });
  console.log(await askOnce(api, "How long does delivery to Norway take?"));
}
