import { signUpInput } from "@avatar-chat/api/schemas";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { Field } from "../components/field";
import { Notice } from "../components/states";
import { readableError, serverFieldErrors } from "../lib/errors";
import { type FieldErrors, validate } from "../lib/validate";
import { queryClient, trpc } from "../trpc";

export default function SignUp() {
  const navigate = useNavigate();
  const [errors, setErrors] = useState<FieldErrors>({});
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        navigate("/onboarding", { replace: true });
      },
      onError: (error) => setErrors(serverFieldErrors(error)),
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = validate(signUpInput, {
      name: form.get("name"),
      email: form.get("email"),
      password: form.get("password"),
      workspaceName: form.get("workspaceName"),
    });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) signUp.mutate(result.data);
  }

  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="sign-up-title">
        <h1 id="sign-up-title">Create your account</h1>
        <Field label="Your name" error={errors.name}>
          <input name="name" autoComplete="name" required />
        </Field>
        <Field label="Email" error={errors.email}>
          <input name="email" type="email" autoComplete="email" required />
        </Field>
        <Field label="Password" error={errors.password} hint="At least 10 characters.">
          <input name="password" type="password" autoComplete="new-password" required />
        </Field>
        <Field label="Workspace name" error={errors.workspaceName} hint="Your company or project.">
          <input name="workspaceName" autoComplete="organization" required />
        </Field>
        {signUp.error && <Notice kind="error">{readableError(signUp.error)}</Notice>}
        <button type="submit" className="button button-primary" disabled={signUp.isPending}>
          {signUp.isPending ? "Creating…" : "Create account"}
        </button>
        <p className="muted">
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </p>
      </form>
    </main>
  );
}
