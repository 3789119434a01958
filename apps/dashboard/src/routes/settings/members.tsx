import { inviteInput } from "@avatar-chat/api/schemas";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { DataTable } from "../../components/data-table";
import { Field } from "../../components/field";
import { EmptyState, Notice, QueryStates } from "../../components/states";
import { readableError } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { can, type Role } from "../../lib/permissions";
import { type FieldErrors, validate } from "../../lib/validate";
import { useSession } from "../../session/session";
import { queryClient, trpc } from "../../trpc";

export function Members() {
  const { role } = useSession();
  return (
    <div className="stack">
      <MemberList />
      {can(role, "manageMembers") && <InviteForm />}
      {can(role, "manageMembers") && <Invitations />}
      <LeaveWorkspace />
    </div>
  );
}

function MemberList() {
  const { me, role } = useSession();
  const members = useQuery(trpc.tenant.members.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tenant.members.queryKey() });
  const changeRole = useMutation(trpc.tenant.changeRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.tenant.removeMember.mutationOptions({ onSuccess: refresh }));
  const actionError = changeRole.error ?? remove.error;
  return (
    <div className="card">
      <h2>Members</h2>
      <QueryStates query={members} what="members" />
      {actionError && <Notice kind="error">{readableError(actionError)}</Notice>}
      {members.data && (
        <DataTable columns={["Name", "Email", "Role", ...(can(role, "manageMembers") ? ["Actions"] : [])]}>
          {members.data.map((m) => (
            <tr key={m.userId}>
              <td>{m.name || "—"}</td>
              <td>{m.email}</td>
              <td>
                {can(role, "changeRoles") ? (
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    disabled={changeRole.isPending}
                    onChange={(e) => changeRole.mutate({ userId: m.userId, role: e.target.value as Role })}
                  >
                    <option value="owner">owner</option>
                    <option value="admin">admin</option>
                    <option value="member">member</option>
                  </select>
                ) : (
                  m.role
                )}
              </td>
              {can(role, "manageMembers") && (
                <td>
                  {m.userId !== me.user.id && (
                    <button
                      type="button"
                      className="button button-small button-danger"
                      disabled={remove.isPending}
                      onClick={() => {
                        if (confirm(`Remove ${m.email} from this workspace?`))
                          remove.mutate({ userId: m.userId });
                      }}
                    >
                      Remove
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}

function InviteForm() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const invite = useMutation(
    trpc.tenant.invite.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.tenant.invitations.queryKey() }),
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const result = validate(inviteInput, { email: form.get("email"), role: form.get("role") });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) invite.mutate(result.data, { onSuccess: () => formElement.reset() });
  }
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <div className="row">
        <Field label="Email" error={errors.email}>
          <input name="email" type="email" required />
        </Field>
        <Field label="Role" error={errors.role}>
          <select name="role" defaultValue="member">
            <option value="member">member</option>
            <option value="admin">admin</option>
          </select>
        </Field>
      </div>
      {invite.error && <Notice kind="error">{readableError(invite.error)}</Notice>}
      {invite.isSuccess && <Notice kind="success">Invitation sent to {invite.data.email}.</Notice>}
      <div>
        <button type="submit" className="button button-primary" disabled={invite.isPending}>
          Send invitation
        </button>
      </div>
    </form>
  );
}

function Invitations() {
  const invitations = useQuery(trpc.tenant.invitations.queryOptions());
  const revoke = useMutation(
    trpc.tenant.revokeInvitation.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.tenant.invitations.queryKey() }),
    }),
  );
  return (
    <div className="card">
      <h2>Invitations</h2>
      <QueryStates query={invitations} what="invitations" />
      {revoke.error && <Notice kind="error">{readableError(revoke.error)}</Notice>}
      {invitations.data?.length === 0 && <EmptyState title="No invitations yet." />}
      {invitations.data && invitations.data.length > 0 && (
        <DataTable columns={["Email", "Role", "State", "Expires", "Actions"]}>
          {invitations.data.map((i) => (
            <tr key={i.id}>
              <td>{i.email}</td>
              <td>{i.role}</td>
              <td>
                <span className={`badge badge-${i.state}`}>{i.state}</span>
              </td>
              <td>{formatDateTime(i.expires_at)}</td>
              <td>
                {i.state === "pending" && (
                  <button
                    type="button"
                    className="button button-small"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate({ invitationId: i.id })}
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
  );
}

function LeaveWorkspace() {
  const { tenantName } = useSession();
  const navigate = useNavigate();
  const leave = useMutation(
    trpc.tenant.leave.mutationOptions({
      onSuccess: () => {
        queryClient.removeQueries();
        navigate("/");
      },
    }),
  );
  return (
    <div className="card">
      <h2>Leave workspace</h2>
      <p className="muted">You lose access to {tenantName} until someone invites you again.</p>
      {leave.error && <Notice kind="error">{readableError(leave.error)}</Notice>}
      <button
        type="button"
        className="button button-danger"
        disabled={leave.isPending}
        onClick={() => {
          if (confirm(`Leave ${tenantName}?`)) leave.mutate();
        }}
      >
        Leave {tenantName}
      </button>
    </div>
  );
}
