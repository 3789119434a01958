import type { AppRouter } from "@avatar-chat/api";
import type { inferRouterOutputs } from "@trpc/server";
import { createContext, useContext } from "react";
import type { Role } from "../lib/permissions";

export type Me = inferRouterOutputs<AppRouter>["auth"]["me"];

export interface Session {
  me: Me;
  tenantId: string;
  tenantName: string;
  role: Role;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in user and their active workspace; only inside `RequireSession`. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside RequireSession");
  return session;
}
