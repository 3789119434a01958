/** Where to return after signing in; only same-site paths, so a crafted link cannot send users away. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (next.startsWith("/sign-in") || next.startsWith("/sign-up")) return "/";
  return next;
}

export type SignInReason = "expired" | "signed-out";

export function signInPath(next: string, reason?: SignInReason): string {
  const params = new URLSearchParams();
  if (next && next !== "/") params.set("next", next);
  if (reason) params.set("reason", reason);
  const query = params.toString();
  return query ? `/sign-in?${query}` : "/sign-in";
}

export const signInMessages: Record<SignInReason, string> = {
  expired: "Your session ended. Please sign in again.",
  "signed-out": "You are signed out.",
};
