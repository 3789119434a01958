import { agentReplyInput, inboxInput, MIN_SEARCH_CHARS } from "@avatar-chat/api/schemas";
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useChosenChatbot } from "../components/chatbot-picker";
import { Field } from "../components/field";
import { LiveIndicator } from "../components/live-indicator";
import { EmptyState, ErrorState, Loading, LoadMore, Notice, QueryStates } from "../components/states";
import { downloadText } from "../lib/download";
import { readableError } from "../lib/errors";
import { formatDateTime, formatRelative } from "../lib/format";
import { useConversationEvents, useTenantEvent } from "../lib/realtime";
import { retryDelayMs, shouldRetrySend } from "../lib/send-retry";
import { foldStreaming, type Streaming } from "../lib/streaming";
import { validate } from "../lib/validate";
import { useSession } from "../session/session";
import { handleError, queryClient, trpc, trpcClient } from "../trpc";

type Handoff = "bot" | "requested" | "agent";
type Status = "open" | "closed";

const handoffLabel: Record<Handoff, string> = {
  bot: "bot",
  requested: "waiting for a human",
  agent: "human",
};
const roleLabel = { user: "Visitor", agent: "You (human)", assistant: "Bot", system: "Notice" } as const;

export default function Inbox() {
  const { conversationId } = useParams();
  const { tenantId } = useSession();
  const [params, setParams] = useSearchParams();
  const { chosen, picker } = useChosenChatbot({ allowAll: true });
  const status = (params.get("status") as Status | null) ?? undefined;
  const handoff = (params.get("handoff") as Handoff | null) ?? undefined;
  const search = params.get("q") ?? undefined;
  // The api's own rule: a search under MIN_SEARCH_CHARS cannot use the trigram index and is refused, so
  // it is explained here and never sent.
  const searchError =
    search === undefined ? undefined : inboxInput.shape.search.safeParse(search).error?.issues[0]?.message;
  const searchHintId = useId();
  const filters = {
    limit: 25,
    ...(chosen ? { chatbotId: chosen.id } : {}),
    ...(status ? { status } : {}),
    ...(handoff ? { handoff } : {}),
    ...(search && !searchError ? { search } : {}),
  };
  const inbox = useInfiniteQuery({
    ...trpc.conversation.inbox.infiniteQueryOptions(filters, { getNextPageParam: (page) => page.nextCursor }),
    // Events that arrived while the inbox (or this filter) was not shown were not heard: a cached list may
    // be missing conversations, so every showing of a list asks again.
    staleTime: 0,
  });
  // Any conversation change reloads the list: new conversations, new last messages, handoff changes.
  useTenantEvent(tenantId, "conversation.updated", () => {
    void queryClient.invalidateQueries({ queryKey: trpc.conversation.inbox.pathKey() });
  });
  const setFilter = (key: string, value: string) =>
    setParams((p) => {
      if (value) p.set(key, value);
      else p.delete(key);
      return p;
    });
  const items = inbox.data?.pages.flatMap((p) => p.items) ?? [];
  const query = params.toString();
  return (
    <section aria-labelledby="inbox-title">
      <div className="page-header">
        <h1 id="inbox-title">Inbox</h1>
        <LiveIndicator />
      </div>
      <search className="row card">
        {picker}
        <label className="row">
          <span>Status</span>
          <select value={status ?? ""} onChange={(e) => setFilter("status", e.target.value)}>
            <option value="">Any</option>
            <option value="open">Open</option>
            <option value="closed">Closed</option>
          </select>
        </label>
        <label className="row">
          <span>Handled by</span>
          <select value={handoff ?? ""} onChange={(e) => setFilter("handoff", e.target.value)}>
            <option value="">Anyone</option>
            <option value="bot">Bot</option>
            <option value="requested">Waiting for a human</option>
            <option value="agent">Human</option>
          </select>
        </label>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter("q", String(new FormData(e.currentTarget).get("q") ?? "").trim());
          }}
        >
          <label className="row">
            <span>Search</span>
            <input
              name="q"
              type="search"
              defaultValue={search ?? ""}
              placeholder={`${MIN_SEARCH_CHARS} characters or more`}
              aria-invalid={searchError ? true : undefined}
              aria-describedby={searchError ? searchHintId : undefined}
            />
          </label>
          {searchError && (
            <p className="field-error" id={searchHintId} role="alert">
              {searchError}
            </p>
          )}
        </form>
      </search>
      <div className="inbox">
        <nav className="card" aria-label="Conversations" style={{ padding: 0 }}>
          <QueryStates query={inbox} what="conversations" />
          {inbox.data && items.length === 0 && <EmptyState title="No conversations match." />}
          <ul className="conversation-list">
            {items.map((c) => (
              <li
                key={c.id}
                data-testid="inbox-row"
                className={c.handoff === "requested" ? "waiting-for-human" : undefined}
              >
                <Link
                  to={`/inbox/${c.id}${query ? `?${query}` : ""}`}
                  aria-current={c.id === conversationId ? "page" : undefined}
                >
                  <span className="row">
                    <strong>{c.title || "New conversation"}</strong>
                    <span className={`badge badge-${c.handoff}`}>{handoffLabel[c.handoff]}</span>
                    {c.status === "closed" && <span className="badge">closed</span>}
                  </span>
                  <span className="conversation-preview">
                    {c.chatbotName} · {c.messageCount} messages · {formatRelative(c.lastMessageAt)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          <LoadMore query={inbox}>Load more</LoadMore>
        </nav>
        <div>
          {conversationId ? (
            <Transcript conversationId={conversationId} key={conversationId} />
          ) : (
            <EmptyState title="Choose a conversation." />
          )}
        </div>
      </div>
    </section>
  );
}

function Transcript({ conversationId }: { conversationId: string }) {
  const getKey = trpc.conversation.get.infiniteQueryKey({ conversationId });
  // Pages go backwards: the first is the newest messages, each next one older (via nextCursor).
  const conversation = useInfiniteQuery(
    trpc.conversation.get.infiniteQueryOptions(
      { conversationId },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const [streaming, setStreaming] = useState<Streaming>({});
  useConversationEvents(conversationId, (envelope) => {
    setStreaming((s) => foldStreaming(s, envelope.event));
    const type = envelope.event.type;
    if (type === "message.complete" || type === "conversation.state" || type === "message.discarded")
      void queryClient.invalidateQueries({ queryKey: getKey });
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: getKey });
    void queryClient.invalidateQueries({ queryKey: trpc.conversation.inbox.pathKey() });
  };
  const takeOver = useMutation(trpc.conversation.takeOver.mutationOptions({ onSuccess: refresh }));
  const handBack = useMutation(trpc.conversation.handBack.mutationOptions({ onSuccess: refresh }));
  const close = useMutation(trpc.conversation.close.mutationOptions({ onSuccess: refresh }));
  const reopen = useMutation(trpc.conversation.reopen.mutationOptions({ onSuccess: refresh }));
  const [exportError, setExportError] = useState<string | null>(null);

  if (conversation.isPending) return <Loading what="the conversation" />;
  if (conversation.error)
    return <ErrorState error={conversation.error} retry={() => void conversation.refetch()} />;
  const { pages } = conversation.data;
  const c = pages[0]!.conversation;
  const messages = pages.toReversed().flatMap((page) => page.messages);
  const actionError = takeOver.error ?? handBack.error ?? close.error ?? reopen.error;

  async function exportAs(format: "json" | "markdown") {
    try {
      setExportError(null);
      const file = await trpcClient.conversation.export.query({ conversationId, format });
      downloadText(file.filename, file.contentType, file.body);
    } catch (error) {
      handleError(error);
      setExportError(readableError(error));
    }
  }

  return (
    <article className="card stack" aria-labelledby="transcript-title">
      <div className="page-header">
        <h2 id="transcript-title">{c.title || "New conversation"}</h2>
        <span className={`badge badge-${c.handoff}`}>{handoffLabel[c.handoff]}</span>
      </div>
      <p className="muted">
        Started {formatDateTime(c.createdAt)} · {c.channel} · {c.status}
      </p>
      {c.handoff === "requested" && (
        <output className="notice notice-waiting">
          The visitor asked for a person. The bot keeps answering until you take over.
        </output>
      )}
      <div className="row">
        {c.handoff === "agent" ? (
          <button
            type="button"
            className="button"
            disabled={handBack.isPending}
            onClick={() => handBack.mutate({ conversationId })}
          >
            Hand back to the bot
          </button>
        ) : (
          <button
            type="button"
            className="button button-primary"
            disabled={takeOver.isPending || c.status === "closed"}
            onClick={() => takeOver.mutate({ conversationId })}
          >
            Take over
          </button>
        )}
        {c.status === "open" ? (
          <button
            type="button"
            className="button"
            disabled={close.isPending}
            onClick={() => close.mutate({ conversationId })}
          >
            Close
          </button>
        ) : (
          <button
            type="button"
            className="button"
            disabled={reopen.isPending}
            onClick={() => reopen.mutate({ conversationId })}
          >
            Reopen
          </button>
        )}
        <button type="button" className="button" onClick={() => void exportAs("json")}>
          Export JSON
        </button>
        <button type="button" className="button" onClick={() => void exportAs("markdown")}>
          Export Markdown
        </button>
      </div>
      {actionError && <Notice kind="error">{readableError(actionError)}</Notice>}
      {exportError && <Notice kind="error">{exportError}</Notice>}
      <div className="chat-log" role="log" aria-live="polite" aria-label="Transcript">
        <LoadMore query={conversation}>
          {conversation.isFetchingNextPage ? "Loading…" : "Load earlier messages"}
        </LoadMore>
        {messages.length === 0 && <p className="muted">No messages yet.</p>}
        {messages.map((m) => (
          <div key={m.id} className={`bubble bubble-${m.role}`} data-testid={`message-${m.role}`}>
            <div className="bubble-meta">
              {roleLabel[m.role]} · {formatRelative(m.createdAt)}
              {m.feedback && ` · rated ${m.feedback === "up" ? "👍" : "👎"}`}
            </div>
            {m.content}
          </div>
        ))}
        {Object.entries(streaming).map(([id, s]) => (
          <div key={id} className="bubble bubble-assistant">
            <div className="bubble-meta">Bot · writing…</div>
            {s.text}
          </div>
        ))}
      </div>
      {c.status === "open" && <ReplyForm conversationId={conversationId} onSent={refresh} />}
    </article>
  );
}

function ReplyForm({ conversationId, onSent }: { conversationId: string; onSent: () => void }) {
  const [error, setError] = useState<string | undefined>();
  // Resent by itself after a passing failure (send-retry.ts), with the same client id: stored once.
  const reply = useMutation(
    trpc.conversation.reply.mutationOptions({
      onSuccess: onSent,
      retry: shouldRetrySend,
      retryDelay: (attempt) => retryDelayMs(attempt),
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const result = validate(agentReplyInput, {
      conversationId,
      content: new FormData(formElement).get("content"),
      clientMessageId: crypto.randomUUID(),
    });
    setError(result.ok ? undefined : result.errors.content);
    if (result.ok) reply.mutate(result.data, { onSuccess: () => formElement.reset() });
  }
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <Field label="Reply as a human" error={error} hint="Sending takes the conversation over from the bot.">
        <textarea
          name="content"
          rows={3}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
          }}
        />
      </Field>
      {reply.isPending && reply.failureCount > 0 && (
        <output className="muted">Not sent yet, trying again…</output>
      )}
      {reply.error && <Notice kind="error">{readableError(reply.error)}</Notice>}
      <div>
        <button type="submit" className="button button-primary" disabled={reply.isPending}>
          Send reply
        </button>
      </div>
    </form>
  );
}
