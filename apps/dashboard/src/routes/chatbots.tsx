import { createChatbotInput } from "@avatar-chat/api/schemas";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { Field } from "../components/field";
import { EmptyState, Notice, QueryStates } from "../components/states";
import { readableError } from "../lib/errors";
import { formatRelative } from "../lib/format";
import { can } from "../lib/permissions";
import { chatbotTemplates, templateById } from "../lib/templates";
import { type FieldErrors, validate } from "../lib/validate";
import { useSession } from "../session/session";
import { queryClient, trpc } from "../trpc";

export default function Chatbots() {
  const { role } = useSession();
  const chatbots = useQuery(trpc.chatbot.list.queryOptions());
  return (
    <section aria-labelledby="chatbots-title">
      <div className="page-header">
        <h1 id="chatbots-title">Chatbots</h1>
      </div>
      {can(role, "editChatbots") && <CreateChatbot />}
      <QueryStates query={chatbots} what="chatbots" />
      {chatbots.data?.length === 0 && (
        <EmptyState title="No chatbots yet.">
          {can(role, "editChatbots") ? (
            <p>
              <Link to="/onboarding">Start with a template</Link> — it takes under a minute.
            </p>
          ) : (
            <p>An admin of this workspace can create one.</p>
          )}
        </EmptyState>
      )}
      {chatbots.data && chatbots.data.length > 0 && (
        <div className="card table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Avatar</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {chatbots.data.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/chatbots/${c.id}`}>{c.name}</Link>
                  </td>
                  <td>
                    <span className={c.published ? "badge badge-published" : "badge"}>
                      {c.published ? "published" : "draft"}
                    </span>
                  </td>
                  <td>{c.avatar.kind}</td>
                  <td>{formatRelative(c.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CreateChatbot() {
  const navigate = useNavigate();
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation(
    trpc.chatbot.create.mutationOptions({
      onSuccess: async (chatbot) => {
        await queryClient.invalidateQueries({ queryKey: trpc.chatbot.list.queryKey() });
        navigate(`/chatbots/${chatbot.id}`);
      },
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const template = templateById(String(form.get("template")));
    const result = validate(createChatbotInput, {
      name: form.get("name"),
      persona: template.persona,
      greeting: template.greeting,
      temperature: template.temperature,
    });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) create.mutate(result.data);
  }
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="new-chatbot-title">
      <h2 id="new-chatbot-title">New chatbot</h2>
      <div className="row">
        <Field label="Name" error={errors.name}>
          <input name="name" required maxLength={80} />
        </Field>
        <Field label="Template">
          <select name="template" defaultValue="support">
            {chatbotTemplates.map((t) => (
              <option key={t.id} value={t.id}>
                {t.title}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {create.error && <Notice kind="error">{readableError(create.error)}</Notice>}
      <div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create chatbot"}
        </button>
      </div>
    </form>
  );
}
