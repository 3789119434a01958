import type { AppRouter } from "@avatar-chat/api";
import { CONVERSATION_RETENTION_DAYS, conversationRetentionInput } from "@avatar-chat/api/schemas";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { type FormEvent, useState } from "react";
import { Field } from "../../components/field";
import { ErrorState, Loading, Notice } from "../../components/states";
import { readableError } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { type FieldErrors, validate } from "../../lib/validate";
import { useSession } from "../../session/session";
import { queryClient, trpc } from "../../trpc";

/** How long the workspace keeps conversations (the api's `tenant.setConversationRetention`). */
export function Retention() {
  const tenant = useQuery(trpc.tenant.get.queryOptions());
  if (tenant.isPending) return <Loading what="data retention" />;
  if (tenant.error) return <ErrorState error={tenant.error} retry={() => void tenant.refetch()} />;
  return <RetentionForm current={tenant.data} />;
}

type Tenant = inferRouterOutputs<AppRouter>["tenant"]["get"];

function RetentionForm({ current }: { current: Tenant }) {
  const { role } = useSession();
  const editable = can(role, "manageRetention");
  const [enabled, setEnabled] = useState(current.conversationRetentionDays !== null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation(
    trpc.tenant.setConversationRetention.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.tenant.get.queryKey() }),
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const days = String(new FormData(event.currentTarget).get("days") ?? "").trim();
    // An empty field is "missing", not "off": the schema answers it in its own words.
    const result = validate(conversationRetentionInput, {
      days: enabled ? (days === "" ? undefined : Number(days)) : null,
    });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) save.mutate(result.data);
  }

  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="retention-title">
      <h2 id="retention-title">Data retention</h2>
      <p className="muted">
        {current.conversationRetentionDays === null
          ? "Conversations are kept until a chatbot is deleted."
          : `Conversations are deleted ${current.conversationRetentionDays} days after their last message.`}{" "}
        Deleting a conversation deletes its messages, feedback and kept voice recordings; analytics keep their
        counts. Open conversations a person has taken over or was asked for are kept until closed or handed
        back.
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={enabled}
          disabled={!editable}
          onChange={(e) => setEnabled(e.target.checked)}
        />
        Delete conversations automatically
      </label>
      {enabled && (
        <Field
          label="Days after the last message"
          error={errors.days}
          hint={`${CONVERSATION_RETENTION_DAYS.min} to ${CONVERSATION_RETENTION_DAYS.max} days. Checked every hour.`}
        >
          <input
            name="days"
            type="number"
            inputMode="numeric"
            min={CONVERSATION_RETENTION_DAYS.min}
            max={CONVERSATION_RETENTION_DAYS.max}
            defaultValue={current.conversationRetentionDays ?? 90}
            disabled={!editable}
          />
        </Field>
      )}
      {!editable && <p className="muted">Only owners and admins can change this.</p>}
      {save.error && <Notice kind="error">{readableError(save.error)}</Notice>}
      {save.isSuccess && <Notice kind="success">Saved.</Notice>}
      {editable && (
        <div className="row">
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            Save
          </button>
        </div>
      )}
    </form>
  );
}
