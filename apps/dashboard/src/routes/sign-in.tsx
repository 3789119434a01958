import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Field } from "../components/field";
import { Notice } from "../components/states";
import { readableError, serverFieldErrors } from "../lib/errors";
import { safeNext, signInMessages } from "../session/paths";
import { queryClient, trpc } from "../trpc";

export default function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        navigate(safeNext(params.get("next")), { replace: true });
      },
      onError: (error) => setErrors(serverFieldErrors(error)),
    }),
  );
  const reason = params.get("reason");
  const message = reason === "expired" || reason === "signed-out" ? signInMessages[reason] : null;

  // No form validation in the browser here: the first page most people load stays free of the schemas
  // and zod (about 27 KiB gzip); the api checks the two fields and answers with the same sentences.
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors({});
    signIn.mutate({ email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") });
  }

  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in</h1>
        {message && <Notice kind={reason === "expired" ? "error" : "success"}>{message}</Notice>}
        <Field label="Email" error={errors.email}>
          <input name="email" type="email" autoComplete="email" required />
        </Field>
        <Field label="Password" error={errors.password}>
          <input name="password" type="password" autoComplete="current-password" required />
        </Field>
        {signIn.error && Object.keys(errors).length === 0 && (
          <Notice kind="error">{readableError(signIn.error)}</Notice>
        )}
        <button type="submit" className="button button-primary" disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
        <p className="muted">
          New here? <Link to="/sign-up">Create an account</Link>
        </p>
      </form>
    </main>
  );
}
