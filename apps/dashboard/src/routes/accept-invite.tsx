import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Notice, Spinner } from "../components/states";
import { readableError } from "../lib/errors";
import { queryClient, trpc } from "../trpc";

/**
 * Where invitation emails link to. RequireSession has already sent a signed-out visitor through
 * sign-in (or sign-up) and back here; accepting joins the workspace and switches to it.
 */
export default function AcceptInvite() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const token = params.get("token") ?? "";
  const accept = useMutation(
    trpc.tenant.acceptInvitation.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        navigate("/chatbots", { replace: true });
      },
    }),
  );
  const { mutate, isIdle } = accept;
  useEffect(() => {
    if (token && isIdle) mutate({ token });
  }, [token, isIdle, mutate]);

  return (
    <section className="card narrow" aria-live="polite">
      <h1>Joining the workspace</h1>
      {!token && <Notice kind="error">This link has no invitation in it. Ask for a new invitation.</Notice>}
      {accept.isPending && <Spinner label="Accepting the invitation…" />}
      {accept.isError && (
        <>
          <Notice kind="error">{readableError(accept.error)}</Notice>
          <p>
            <Link to="/chatbots">Go to your own workspace</Link>
          </p>
        </>
      )}
    </section>
  );
}
