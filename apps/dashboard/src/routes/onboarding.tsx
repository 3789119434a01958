import type { AppRouter } from "@avatar-chat/api";
import { createChatbotInput, originSchema } from "@avatar-chat/api/schemas";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { EmbedSnippet } from "../components/embed-snippet";
import { Field } from "../components/field";
import { ErrorState, Loading, Notice } from "../components/states";
import { readableError } from "../lib/errors";
import { chatbotTemplates, templateById } from "../lib/templates";
import { type FieldErrors, validate } from "../lib/validate";
import { useSession } from "../session/session";
import { queryClient, trpc } from "../trpc";

type Chatbot = inferRouterOutputs<AppRouter>["chatbot"]["list"][number];

const steps = ["Choose a template", "Where it runs", "Embed it"];

/**
 * Sign-up lands here: a first chatbot from a template, published, and its snippet, in three short steps.
 * The step comes from the server, not from page state: coming back (or reloading) resumes with the chatbot
 * made here (`?bot=`, else the workspace's newest) instead of starting over and leaving a draft behind.
 */
export default function Onboarding() {
  const [params, setParams] = useSearchParams();
  const chatbots = useQuery(trpc.chatbot.list.queryOptions());
  if (chatbots.isPending) return <Loading what="your chatbots" />;
  if (chatbots.error) return <ErrorState error={chatbots.error} retry={() => void chatbots.refetch()} />;
  const chatbot = chatbots.data.find((c) => c.id === params.get("bot")) ?? chatbots.data[0] ?? null;
  const step = !chatbot ? 0 : !chatbot.published ? 1 : 2;
  return (
    <section aria-labelledby="onboarding-title">
      <h1 id="onboarding-title">Set up your first chatbot</h1>
      <ol className="steps">
        {steps.map((label, i) => (
          <li key={label} aria-current={i === step ? "step" : undefined}>
            {i + 1}. {label}
          </li>
        ))}
      </ol>
      {step === 0 && (
        <TemplateStep onCreated={(created) => setParams({ bot: created.id }, { replace: true })} />
      )}
      {step === 1 && chatbot && <PublishStep chatbot={chatbot} />}
      {step === 2 && chatbot && (
        <div className="card stack">
          <h2>Embed {chatbot.name} on your site</h2>
          <EmbedSnippet chatbotId={chatbot.id} published />
          <p>
            Next: <Link to={`/knowledge?bot=${chatbot.id}`}>add knowledge</Link>,{" "}
            <Link to={`/chatbots/${chatbot.id}`}>fine-tune and test it</Link>, or{" "}
            <Link to={`/avatar?bot=${chatbot.id}`}>choose its avatar</Link>.
          </p>
        </div>
      )}
    </section>
  );
}

function TemplateStep({ onCreated }: { onCreated: (chatbot: { id: string }) => void }) {
  const { tenantName } = useSession();
  const [templateId, setTemplateId] = useState(chatbotTemplates[0]!.id);
  const [name, setName] = useState(chatbotTemplates[0]!.name);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation(
    trpc.chatbot.create.mutationOptions({
      onSuccess: async (chatbot) => {
        await queryClient.invalidateQueries({ queryKey: trpc.chatbot.list.queryKey() });
        onCreated(chatbot);
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    const template = templateById(templateId);
    const result = validate(createChatbotInput, {
      name,
      persona: template.persona,
      greeting: template.greeting,
      temperature: template.temperature,
    });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) create.mutate(result.data);
  }
  return (
    <form className="card stack" onSubmit={submit} noValidate>
      <p className="muted">Workspace: {tenantName}</p>
      <fieldset className="template-grid" style={{ border: 0, padding: 0 }}>
        <legend className="visually-hidden">Template</legend>
        {chatbotTemplates.map((t) => (
          <button
            key={t.id}
            type="button"
            className="button template card"
            aria-pressed={t.id === templateId}
            onClick={() => {
              setTemplateId(t.id);
              setName(t.name);
            }}
          >
            <strong>{t.title}</strong>
            <br />
            <span className="muted">{t.description}</span>
          </button>
        ))}
      </fieldset>
      <Field label="Chatbot name" error={errors.name}>
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
      </Field>
      {create.error && <Notice kind="error">{readableError(create.error)}</Notice>}
      <div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create chatbot"}
        </button>
      </div>
    </form>
  );
}

function PublishStep({ chatbot }: { chatbot: Chatbot }) {
  const [origin, setOrigin] = useState("");
  const [error, setError] = useState<string | undefined>();
  const update = useMutation(trpc.chatbot.update.mutationOptions());
  const publish = useMutation(trpc.chatbot.publish.mutationOptions());
  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = origin.trim();
    const parsed = trimmed ? originSchema.safeParse(trimmed) : null;
    if (parsed && !parsed.success) {
      setError(parsed.error.issues[0]?.message);
      return;
    }
    setError(undefined);
    if (parsed?.success) await update.mutateAsync({ chatbotId: chatbot.id, allowedOrigins: [parsed.data] });
    await publish.mutateAsync({ chatbotId: chatbot.id });
    // The list now says published: the page moves on to the snippet.
    await queryClient.invalidateQueries({ queryKey: trpc.chatbot.list.queryKey() });
  }
  const failure = update.error ?? publish.error;
  return (
    <form className="card stack" onSubmit={(e) => void submit(e).catch(() => {})} noValidate>
      <h2>Where will {chatbot.name} run?</h2>
      <Field
        label="Your site's address"
        error={error}
        hint="Like https://www.example.com. Only these sites may show the chatbot; add more later."
      >
        <input
          value={origin}
          onChange={(e) => setOrigin(e.target.value)}
          placeholder="https://www.example.com"
        />
      </Field>
      {failure && <Notice kind="error">{readableError(failure)}</Notice>}
      <div className="row">
        <button
          type="submit"
          className="button button-primary"
          disabled={update.isPending || publish.isPending}
        >
          Publish and get the snippet
        </button>
      </div>
    </form>
  );
}
