import { useEffect } from "react";
import { useNavigate } from "react-router";
import { closeRealtime } from "../lib/realtime";
import { queryClient, setUnauthorizedHandler, trpc } from "../trpc";
import { signInPath } from "./paths";

/** Sends any UNAUTHORIZED answer to the sign-in page, saying why when a session existed before. */
export function UnauthorizedRedirect() {
  const navigate = useNavigate();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      // Read the live location: queries refetching after the cache is cleared fail again, and must
      // not replace the first redirect (and its message) once the sign-in page is showing.
      const { pathname, search } = window.location;
      if (pathname === "/sign-in" || pathname === "/sign-up") return;
      const hadSession = queryClient.getQueryData(trpc.auth.me.queryKey()) !== undefined;
      closeRealtime();
      navigate(signInPath(pathname + search, hadSession ? "expired" : undefined), { replace: true });
      queryClient.clear();
    });
  }, [navigate]);
  return null;
}
