import type { AppRouter } from "@avatar-chat/api";
import { addTextInput, addUrlInput, searchPreviewInput } from "@avatar-chat/api/schemas";
import { type InfiniteData, useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { type ChangeEvent, type FormEvent, useState } from "react";
import { useChosenChatbot } from "../components/chatbot-picker";
import { DataTable } from "../components/data-table";
import { Field } from "../components/field";
import { LiveIndicator } from "../components/live-indicator";
import { EmptyState, ErrorState, Loading, LoadMore, Notice, QueryStates } from "../components/states";
import { readableError } from "../lib/errors";
import { formatBytes, formatRelative } from "../lib/format";
import { can } from "../lib/permissions";
import { useTenantEvent } from "../lib/realtime";
import { contentTypeOf, uploadFile } from "../lib/upload";
import { type FieldErrors, validate } from "../lib/validate";
import { useSession } from "../session/session";
import { handleError, queryClient, trpc, trpcClient } from "../trpc";

type SourcesPage = inferRouterOutputs<AppRouter>["knowledge"]["list"];

export default function Knowledge() {
  const { chosen, picker, placeholder } = useChosenChatbot();
  return (
    <section aria-labelledby="knowledge-title">
      <div className="page-header">
        <h1 id="knowledge-title">Knowledge</h1>
        {chosen && picker}
      </div>
      {placeholder ?? (chosen && <KnowledgeOf chatbotId={chosen.id} key={chosen.id} />)}
    </section>
  );
}

function KnowledgeOf({ chatbotId }: { chatbotId: string }) {
  const { role, tenantId } = useSession();
  // Pages of 50, newest first; older ones on "Load more" (the list is keyset-paged, docs/api.md).
  const listOptions = trpc.knowledge.list.infiniteQueryOptions(
    { chatbotId },
    { getNextPageParam: (page) => page.nextCursor },
  );
  const listKey = listOptions.queryKey;
  const sources = useInfiniteQuery(listOptions);
  const rows = sources.data?.pages.flatMap((page) => page.items);
  // Status changes arrive live; the row is patched at once and the list reloaded for the rest.
  useTenantEvent(tenantId, "knowledge.status", (event) => {
    if (event.chatbotId !== chatbotId) return;
    queryClient.setQueryData(
      listKey,
      (data: InfiniteData<SourcesPage, string | null> | undefined) =>
        data && {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((row) =>
              row.id === event.sourceId
                ? {
                    ...row,
                    status: event.status,
                    error: event.error ?? null,
                    chunkCount: event.chunkCount ?? row.chunkCount,
                  }
                : row,
            ),
          })),
        },
    );
    if (event.status === "ready" || event.status === "failed")
      void queryClient.invalidateQueries({ queryKey: listKey });
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey });
  const reindex = useMutation(trpc.knowledge.reindex.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.knowledge.delete.mutationOptions({ onSuccess: refresh }));
  const editable = can(role, "editKnowledge");
  return (
    <div className="grid-2">
      <div>
        {editable && <AddSources chatbotId={chatbotId} onAdded={refresh} />}
        <RetrievalPreview chatbotId={chatbotId} />
      </div>
      <div className="card">
        <div className="page-header">
          <h2>Sources</h2>
          <LiveIndicator />
        </div>
        <QueryStates query={sources} what="sources" />
        {(reindex.error ?? remove.error) && (
          <Notice kind="error">{readableError(reindex.error ?? remove.error)}</Notice>
        )}
        {rows?.length === 0 && (
          <EmptyState title="No knowledge yet.">
            <p>Upload documents, add web pages or paste text; the chatbot answers from them.</p>
          </EmptyState>
        )}
        {rows && rows.length > 0 && (
          <DataTable columns={["Source", "Status", "Chunks", ...(editable ? ["Actions"] : [])]}>
            {rows.map((s) => (
              <tr key={s.id} data-testid="knowledge-source">
                <td>
                  <strong>{s.title}</strong>
                  <br />
                  <span className="muted">
                    {s.kind}
                    {s.sizeBytes ? ` · ${formatBytes(s.sizeBytes)}` : ""} · added{" "}
                    {formatRelative(s.createdAt)}
                  </span>
                  {s.error && <p className="field-error">{s.error}</p>}
                </td>
                <td>
                  <span className={`badge badge-${s.status}`}>{s.status}</span>
                </td>
                <td>{s.chunkCount}</td>
                {editable && (
                  <td>
                    <div className="row">
                      <button
                        type="button"
                        className="button button-small"
                        disabled={reindex.isPending}
                        onClick={() => reindex.mutate({ sourceId: s.id })}
                      >
                        Re-index
                      </button>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        disabled={remove.isPending}
                        onClick={() => {
                          if (confirm(`Delete ${s.title}?`)) remove.mutate({ sourceId: s.id });
                        }}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        )}
        <LoadMore query={sources}>Load more sources</LoadMore>
      </div>
    </div>
  );
}

interface UploadRow {
  name: string;
  percent: number;
  error?: string;
}

function AddSources({ chatbotId, onAdded }: { chatbotId: string; onAdded: () => void }) {
  const [uploads, setUploads] = useState<UploadRow[]>([]);
  const patch = (index: number, change: Partial<UploadRow>) =>
    setUploads((rows) => rows.map((row, i) => (i === index ? { ...row, ...change } : row)));

  async function uploadOne(file: File, index: number) {
    try {
      const { source, uploadUrl, headers } = await trpcClient.knowledge.createUpload.mutate({
        chatbotId,
        name: file.name.slice(0, 200),
        contentType: contentTypeOf(file),
        sizeBytes: file.size,
      });
      onAdded();
      await uploadFile(uploadUrl, file, headers, (percent) => patch(index, { percent }));
      await trpcClient.knowledge.confirmUpload.mutate({ sourceId: source.id });
      onAdded();
    } catch (error) {
      handleError(error);
      patch(index, { error: readableError(error) });
    }
  }

  function pick(event: ChangeEvent<HTMLInputElement>) {
    const files = [...(event.target.files ?? [])];
    event.target.value = "";
    const offset = uploads.length;
    setUploads((rows) => [...rows, ...files.map((f) => ({ name: f.name, percent: 0 }))]);
    files.forEach((file, i) => void uploadOne(file, offset + i));
  }

  return (
    <div className="card stack">
      <h2>Add knowledge</h2>
      <Field label="Upload files" hint="Text, Markdown, HTML or PDF.">
        <input type="file" multiple accept=".txt,.md,.markdown,.html,.htm,.pdf" onChange={pick} />
      </Field>
      {uploads.length > 0 && (
        <ul className="stack" aria-label="Uploads" style={{ listStyle: "none", padding: 0 }}>
          {uploads.map((u, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are only appended, never reordered
            <li key={i}>
              <div className="row">
                <span>{u.name}</span>
                <span className="muted">
                  {u.error ? "failed" : u.percent === 100 ? "uploaded" : `${u.percent}%`}
                </span>
              </div>
              <progress className="progress" max={100} value={u.percent} aria-label={`Upload of ${u.name}`} />
              {u.error && <p className="field-error">{u.error}</p>}
            </li>
          ))}
        </ul>
      )}
      <AddUrl chatbotId={chatbotId} onAdded={onAdded} />
      <AddText chatbotId={chatbotId} onAdded={onAdded} />
    </div>
  );
}

function AddUrl({ chatbotId, onAdded }: { chatbotId: string; onAdded: () => void }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const add = useMutation(trpc.knowledge.addUrl.mutationOptions({ onSuccess: onAdded }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const result = validate(addUrlInput, { chatbotId, url: form.get("url") });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) add.mutate(result.data, { onSuccess: () => formElement.reset() });
  }
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <Field label="Add a web page" error={errors.url}>
        <input name="url" type="url" placeholder="https://www.example.com/faq" />
      </Field>
      {add.error && <Notice kind="error">{readableError(add.error)}</Notice>}
      <div>
        <button type="submit" className="button" disabled={add.isPending}>
          Add page
        </button>
      </div>
    </form>
  );
}

function AddText({ chatbotId, onAdded }: { chatbotId: string; onAdded: () => void }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const add = useMutation(trpc.knowledge.addText.mutationOptions({ onSuccess: onAdded }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const result = validate(addTextInput, { chatbotId, title: form.get("title"), text: form.get("text") });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) add.mutate(result.data, { onSuccess: () => formElement.reset() });
  }
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <Field label="Text title" error={errors.title}>
        <input name="title" placeholder="Shipping policy" />
      </Field>
      <Field label="Text" error={errors.text}>
        <textarea name="text" rows={4} />
      </Field>
      {add.error && <Notice kind="error">{readableError(add.error)}</Notice>}
      <div>
        <button type="submit" className="button" disabled={add.isPending}>
          Add text
        </button>
      </div>
    </form>
  );
}

function RetrievalPreview({ chatbotId }: { chatbotId: string }) {
  const [question, setQuestion] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const hits = useQuery({
    ...trpc.knowledge.searchPreview.queryOptions({ chatbotId, question: question ?? "", limit: 5 }),
    enabled: question !== null,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = validate(searchPreviewInput, { chatbotId, question: form.get("question") });
    setError(result.ok ? undefined : result.errors.question);
    if (result.ok) setQuestion(result.data.question);
  }
  return (
    <div className="card stack">
      <h2>Retrieval preview</h2>
      <p className="muted">Which passages would the chatbot read to answer this?</p>
      <form className="row" onSubmit={submit} noValidate>
        <Field label="Question" error={error}>
          <input name="question" size={36} />
        </Field>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {hits.isFetching && <Loading what="passages" />}
      {hits.error && <ErrorState error={hits.error} />}
      {hits.data?.length === 0 && <EmptyState title="Nothing relevant found." />}
      {hits.data && hits.data.length > 0 && (
        <ol className="stack">
          {hits.data.map((hit) => (
            <li key={hit.chunkId}>
              <strong>{hit.sourceTitle}</strong> <span className="muted">score {hit.score.toFixed(3)}</span>
              <p>{hit.content.length > 400 ? `${hit.content.slice(0, 400)}…` : hit.content}</p>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
