import { createApiKeyInput } from "@avatar-chat/api/schemas";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { DataTable } from "../../components/data-table";
import { Field } from "../../components/field";
import { EmptyState, Notice, QueryStates } from "../../components/states";
import { readableError } from "../../lib/errors";
import { formatDateTime, formatRelative } from "../../lib/format";
import { type FieldErrors, validate } from "../../lib/validate";
import { queryClient, trpc } from "../../trpc";

const scopes = [
  { id: "read", label: "read — list chatbots, conversations, analytics" },
  { id: "write", label: "write — change chatbots and knowledge" },
  { id: "chat", label: "chat — talk to chatbots from your server" },
] as const;

export function ApiKeys() {
  const keys = useQuery(trpc.apiKey.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKey.list.queryKey() });
  const revoke = useMutation(trpc.apiKey.revoke.mutationOptions({ onSuccess: refresh }));
  return (
    <div className="stack">
      <CreateKey onCreated={refresh} />
      <div className="card">
        <h2>API keys</h2>
        <QueryStates query={keys} what="API keys" />
        {revoke.error && <Notice kind="error">{readableError(revoke.error)}</Notice>}
        {keys.data?.length === 0 && <EmptyState title="No API keys yet." />}
        {keys.data && keys.data.length > 0 && (
          <DataTable columns={["Name", "Key", "Scopes", "Last used", "Expires", "Actions"]}>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.scopes.join(", ")}</td>
                <td>{k.last_used_at ? formatRelative(k.last_used_at) : "never"}</td>
                <td>{k.expires_at ? formatDateTime(k.expires_at) : "never"}</td>
                <td>
                  {k.revoked_at ? (
                    <span className="badge badge-failed">revoked</span>
                  ) : (
                    <button
                      type="button"
                      className="button button-small button-danger"
                      disabled={revoke.isPending}
                      onClick={() => {
                        if (confirm(`Revoke ${k.name}? Integrations using it stop working at once.`))
                          revoke.mutate({ keyId: k.id });
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </div>
    </div>
  );
}

function CreateKey({ onCreated }: { onCreated: () => void }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [shown, setShown] = useState<string | null>(null);
  const create = useMutation(
    trpc.apiKey.create.mutationOptions({
      onSuccess: (key) => {
        setShown(key.key);
        onCreated();
      },
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const expires = String(form.get("expires") ?? "");
    const result = validate(createApiKeyInput, {
      name: form.get("name"),
      scopes: form.getAll("scopes"),
      ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
    });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) create.mutate(result.data, { onSuccess: () => formElement.reset() });
  }
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="new-key-title">
      <h2 id="new-key-title">Create an API key</h2>
      {shown && (
        <output className="stack">
          <Notice kind="success">Copy this key now. It is shown only once.</Notice>
          <pre data-testid="new-api-key">{shown}</pre>
          <div className="row">
            <button
              type="button"
              className="button"
              onClick={() => void navigator.clipboard.writeText(shown).catch(() => {})}
            >
              Copy key
            </button>
            <button type="button" className="button button-quiet" onClick={() => setShown(null)}>
              I saved it
            </button>
          </div>
        </output>
      )}
      <Field label="Name" error={errors.name} hint="What uses it, e.g. “CRM sync”.">
        <input name="name" />
      </Field>
      <fieldset className="stack">
        <legend>Scopes</legend>
        {scopes.map((s) => (
          <label key={s.id} className="check">
            <input type="checkbox" name="scopes" value={s.id} defaultChecked={s.id === "read"} /> {s.label}
          </label>
        ))}
        {errors.scopes && <p className="field-error">{errors.scopes}</p>}
      </fieldset>
      <Field label="Expires on (optional)" error={errors.expiresAt}>
        <input name="expires" type="date" />
      </Field>
      {create.error && <Notice kind="error">{readableError(create.error)}</Notice>}
      <div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Create key
        </button>
      </div>
    </form>
  );
}
