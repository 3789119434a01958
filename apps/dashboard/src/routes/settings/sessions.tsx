import { changePasswordInput } from "@avatar-chat/api/schemas";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { DataTable } from "../../components/data-table";
import { Field } from "../../components/field";
import { Notice, QueryStates } from "../../components/states";
import { readableError } from "../../lib/errors";
import { describeUserAgent, formatDateTime, formatRelative } from "../../lib/format";
import { type FieldErrors, validate } from "../../lib/validate";
import { signInPath } from "../../session/paths";
import { queryClient, trpc } from "../../trpc";

export function Sessions() {
  return (
    <div className="stack">
      <SessionList />
      <ChangePassword />
    </div>
  );
}

function SessionList() {
  const navigate = useNavigate();
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const revoke = useMutation(
    trpc.auth.revokeSession.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() }),
    }),
  );
  const everywhere = useMutation(
    trpc.auth.signOutEverywhere.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        navigate(signInPath("/", "signed-out"), { replace: true });
      },
    }),
  );
  return (
    <div className="card">
      <div className="page-header">
        <h2>Sessions</h2>
        <button
          type="button"
          className="button button-danger"
          disabled={everywhere.isPending}
          onClick={() => everywhere.mutate()}
        >
          Sign out everywhere
        </button>
      </div>
      <QueryStates query={sessions} what="sessions" />
      {revoke.error && <Notice kind="error">{readableError(revoke.error)}</Notice>}
      {sessions.data && (
        <DataTable columns={["Device", "IP", "Last active", "Expires", "Actions"]}>
          {sessions.data.map((s) => (
            <tr key={s.id}>
              <td>
                {describeUserAgent(s.user_agent)}{" "}
                {s.current && <span className="badge badge-ready">this one</span>}
              </td>
              <td>{s.ip ?? "—"}</td>
              <td>{formatRelative(s.last_seen_at)}</td>
              <td>{formatDateTime(s.expires_at)}</td>
              <td>
                {!s.current && (
                  <button
                    type="button"
                    className="button button-small"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate({ sessionId: s.id })}
                  >
                    Sign out
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}

function ChangePassword() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() }),
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const result = validate(changePasswordInput, {
      currentPassword: form.get("currentPassword"),
      newPassword: form.get("newPassword"),
    });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) change.mutate(result.data, { onSuccess: () => formElement.reset() });
  }
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <Field label="Current password" error={errors.currentPassword}>
        <input name="currentPassword" type="password" autoComplete="current-password" />
      </Field>
      <Field
        label="New password"
        error={errors.newPassword}
        hint="At least 10 characters. Other sessions end."
      >
        <input name="newPassword" type="password" autoComplete="new-password" />
      </Field>
      {change.error && <Notice kind="error">{readableError(change.error)}</Notice>}
      {change.isSuccess && (
        <Notice kind="success">Password changed. Your other sessions were signed out.</Notice>
      )}
      <div>
        <button type="submit" className="button button-primary" disabled={change.isPending}>
          Change password
        </button>
      </div>
    </form>
  );
}
