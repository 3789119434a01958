import { signInInput } from "@avatar-chat/api/schemas";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Field } from "../components/field";
import { Notice } from "../components/states";
import { readableError } from "../lib/errors";
import { type FieldErrors, validate } from "../lib/validate";
import { safeNext, signInMessages } from "../session/paths";
import { queryClient, trpc } from "../trpc";

export default function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [errors, setErrors] = useState<FieldErrors>({});
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        navigate(safeNext(params.get("next")), { replace: true });
      },
    }),
  );
  const reason = params.get("reason");
  const message = reason === "expired" || reason === "signed-out" ? signInMessages[reason] : null;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = validate(signInInput, { email: form.get("email"), password: form.get("password") });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) signIn.mutate(result.data);
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
        {signIn.error && <Notice kind="error">{readableError(signIn.error)}</Notice>}
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
