import type { AppRouter } from "@avatar-chat/api";
import { aiSettingsInput } from "@avatar-chat/api/schemas";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { type FormEvent, useState } from "react";
import { Field } from "../../components/field";
import { ErrorState, Loading, Notice } from "../../components/states";
import { readableError } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { type FieldErrors, validate } from "../../lib/validate";
import { queryClient, trpc } from "../../trpc";

export function AiSettings() {
  const settings = useQuery(trpc.ai.get.queryOptions());
  if (settings.isPending) return <Loading what="AI settings" />;
  if (settings.error) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  return <AiForm current={settings.data} key={String(settings.data.updatedAt)} />;
}

type Current = inferRouterOutputs<AppRouter>["ai"]["get"];

function AiForm({ current }: { current: Current }) {
  const [provider, setProvider] = useState(current.provider);
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation(
    trpc.ai.update.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.ai.get.queryKey() }),
    }),
  );
  const test = useMutation(trpc.ai.testConnection.mutationOptions());

  function read(form: HTMLFormElement) {
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? "").trim() || null;
    const apiKey = text("apiKey");
    return validate(aiSettingsInput, {
      provider,
      baseUrl: provider === "openai" ? text("baseUrl") : null,
      chatModel: provider === "openai" ? text("chatModel") : null,
      embeddingModel: provider === "openai" ? text("embeddingModel") : null,
      // An empty key field keeps the stored key.
      ...(apiKey ? { apiKey } : {}),
    });
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = read(event.currentTarget);
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) save.mutate(result.data);
  }

  function testConnection(form: HTMLFormElement | null) {
    if (!form) return;
    const result = read(form);
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) test.mutate(result.data);
  }

  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="ai-title">
      <h2 id="ai-title">AI provider</h2>
      <p className="muted">Last changed {formatDateTime(current.updatedAt)}.</p>
      <Field label="Provider">
        <select value={provider} onChange={(e) => setProvider(e.target.value as typeof provider)}>
          <option value="offline">Offline (built-in, for trying things out)</option>
          <option value="openai">OpenAI-compatible API</option>
        </select>
      </Field>
      {provider === "openai" && (
        <>
          <Field
            label="Base URL"
            error={errors.baseUrl}
            hint="Empty: https://api.openai.com/v1. Local or private addresses (e.g. Ollama on localhost) work only if the platform operator allows them."
          >
            <input name="baseUrl" type="url" defaultValue={current.baseUrl ?? ""} />
          </Field>
          <Field label="Chat model" error={errors.chatModel}>
            <input name="chatModel" defaultValue={current.chatModel ?? ""} placeholder="gpt-4o-mini" />
          </Field>
          <Field label="Embedding model" error={errors.embeddingModel}>
            <input
              name="embeddingModel"
              defaultValue={current.embeddingModel ?? ""}
              placeholder="text-embedding-3-small"
            />
          </Field>
          <Field
            label="API key"
            error={errors.apiKey}
            hint={
              current.apiKeySet
                ? `A key ending in ${current.apiKeyLast4} is stored. Leave empty to keep it.`
                : undefined
            }
          >
            <input name="apiKey" type="password" autoComplete="off" />
          </Field>
        </>
      )}
      {save.error && <Notice kind="error">{readableError(save.error)}</Notice>}
      {save.isSuccess && <Notice kind="success">Saved.</Notice>}
      {test.error && <Notice kind="error">{readableError(test.error)}</Notice>}
      {test.data &&
        (test.data.ok ? (
          <Notice kind="success">Connected ({test.data.provider}).</Notice>
        ) : (
          <Notice kind="error">
            Connection failed ({test.data.kind}): {test.data.message}
          </Notice>
        ))}
      <div className="row">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save
        </button>
        <button
          type="button"
          className="button"
          disabled={test.isPending}
          onClick={(e) => testConnection(e.currentTarget.form)}
        >
          {test.isPending ? "Testing…" : "Test connection"}
        </button>
      </div>
    </form>
  );
}
