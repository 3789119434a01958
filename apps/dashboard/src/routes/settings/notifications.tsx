import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Notice, QueryStates } from "../../components/states";
import { readableError } from "../../lib/errors";
import { queryClient, trpc } from "../../trpc";

/** The signed-in member's own emails for this workspace (the api's `tenant.notifications`). */
export function Notifications() {
  const settings = useQuery(trpc.tenant.notifications.queryOptions());
  // The box follows the click at once; a refused save puts it back to what the server holds.
  const [wanted, setWanted] = useState<boolean | null>(null);
  const save = useMutation(
    trpc.tenant.setNotifications.mutationOptions({
      onSuccess: (saved) => queryClient.setQueryData(trpc.tenant.notifications.queryKey(), saved),
      onSettled: () => setWanted(null),
    }),
  );
  return (
    <div className="card stack">
      <h2>Email notifications</h2>
      <QueryStates query={settings} what="notification settings" />
      {settings.data && (
        <label className="check">
          <input
            type="checkbox"
            checked={wanted ?? settings.data.humanRequests}
            disabled={save.isPending}
            onChange={(e) => {
              setWanted(e.target.checked);
              save.mutate({ humanRequests: e.target.checked });
            }}
          />
          Email me when a visitor asks to talk to a person
        </label>
      )}
      <p className="muted">
        For this workspace only. Owners and admins get these emails unless they turn them off; members only if
        they turn them on.
      </p>
      {save.error && <Notice kind="error">{readableError(save.error)}</Notice>}
      {save.isSuccess && !save.isPending && <Notice kind="success">Saved.</Notice>}
    </div>
  );
}
