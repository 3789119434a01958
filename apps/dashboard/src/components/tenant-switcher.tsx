import { useMutation } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { closeRealtime } from "../lib/realtime";
import { useSession } from "../session/session";
import { queryClient, trpc } from "../trpc";

/** Shows the workspace name; users in several workspaces get a select that switches the session's tenant. */
export function TenantSwitcher() {
  const { me, tenantId, tenantName } = useSession();
  const navigate = useNavigate();
  const switchTenant = useMutation(
    trpc.auth.switchTenant.mutationOptions({
      onSuccess: async () => {
        // Everything cached belongs to the previous workspace.
        queryClient.removeQueries();
        closeRealtime();
        navigate("/chatbots");
      },
    }),
  );
  if (me.tenants.length < 2) return <span className="workspace-name">{tenantName}</span>;
  return (
    <label className="tenant-switcher">
      <span className="visually-hidden">Workspace</span>
      <select
        value={tenantId}
        disabled={switchTenant.isPending}
        onChange={(e) => switchTenant.mutate({ tenantId: e.target.value })}
      >
        {me.tenants.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.role})
          </option>
        ))}
      </select>
    </label>
  );
}
