import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { Outlet } from "react-router";
import { Shell } from "../components/shell";
import { ErrorState, PageLoading } from "../components/states";
import { errorCode } from "../lib/errors";
import { isRole } from "../lib/permissions";
import { queryClient, trpc } from "../trpc";
import { type Session, SessionContext } from "./session";

/** Screens behind sign-in: loads `auth.me`, provides the session, draws the app shell. */
export function RequireSession() {
  const me = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: 60_000 });
  const session = useMemo<Session | null>(() => {
    if (!me.data) return null;
    const active = me.data.tenants.find((t) => t.id === me.data.activeTenantId) ?? me.data.tenants[0];
    if (!active || !isRole(active.role)) return null;
    return { me: me.data, tenantId: active.id, tenantName: active.name, role: active.role };
  }, [me.data]);
  // A session can lose its workspace (removed, left); the api then wants one chosen: take the first.
  const choose = useMutation(
    trpc.auth.switchTenant.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }),
  );
  const needsTenant = me.data?.activeTenantId === null && session !== null;
  const { mutate: chooseTenant, isIdle } = choose;
  useEffect(() => {
    if (needsTenant && session && isIdle) chooseTenant({ tenantId: session.tenantId });
  }, [needsTenant, session, isIdle, chooseTenant]);

  if (me.isPending || needsTenant) return <PageLoading />;
  if (me.error) {
    // UnauthorizedRedirect sends it to sign-in, saying why; a second redirect from here would race it
    // and could leave the sign-in page without its message.
    if (errorCode(me.error) === "UNAUTHORIZED") return <PageLoading />;
    return (
      <main className="centered">
        <ErrorState error={me.error} retry={() => void me.refetch()} />
      </main>
    );
  }
  if (!session)
    return (
      <main className="centered">
        <p>Your account is not a member of any workspace. Ask an owner for an invitation.</p>
      </main>
    );
  return (
    <SessionContext.Provider value={session}>
      <Shell>
        <Outlet />
      </Shell>
    </SessionContext.Provider>
  );
}
