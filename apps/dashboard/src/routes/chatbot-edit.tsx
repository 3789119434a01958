import type { AppRouter } from "@avatar-chat/api";
import { updateChatbotInput } from "@avatar-chat/api/schemas";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { type FormEvent, useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { EmbedSnippet } from "../components/embed-snippet";
import { Field } from "../components/field";
import { ErrorState, Loading, Notice } from "../components/states";
import { VoiceSample } from "../components/voice-sample";
import { WidgetPreview } from "../components/widget-preview";
import { readableError, serverFieldErrors } from "../lib/errors";
import { formatOriginList, parseOriginList } from "../lib/origins";
import { can } from "../lib/permissions";
import { type FieldErrors, validate } from "../lib/validate";
import { rememberChatbot } from "../lib/working-chatbot";
import { useSession } from "../session/session";
import { queryClient, trpc } from "../trpc";

type Chatbot = inferRouterOutputs<AppRouter>["chatbot"]["get"];

interface Draft {
  name: string;
  persona: string;
  greeting: string;
  locale: string;
  model: string;
  temperature: number;
  maxTokens: number;
  allowedOrigins: string;
  primaryColor: string;
  position: "bottom-right" | "bottom-left";
  dark: boolean;
  voiceProvider: Chatbot["voice"]["provider"];
  voiceName: string;
  voiceSpeed: number;
  storeVoiceInput: boolean;
}

function draftOf(chatbot: Chatbot): Draft {
  return {
    name: chatbot.name,
    persona: chatbot.persona,
    greeting: chatbot.greeting,
    locale: chatbot.locale,
    model: chatbot.model ?? "",
    temperature: chatbot.temperature,
    maxTokens: chatbot.maxTokens,
    allowedOrigins: formatOriginList(chatbot.allowedOrigins),
    primaryColor: chatbot.theme.primaryColor ?? "#3b5bdb",
    position: chatbot.theme.position ?? "bottom-right",
    dark: chatbot.theme.dark ?? false,
    voiceProvider: chatbot.voice.provider,
    voiceName: chatbot.voice.voice,
    voiceSpeed: chatbot.voice.speed,
    storeVoiceInput: chatbot.storeVoiceInput,
  };
}

export default function ChatbotEdit() {
  const { chatbotId = "" } = useParams();
  const chatbot = useQuery(trpc.chatbot.get.queryOptions({ chatbotId }));
  if (chatbot.isPending) return <Loading what="the chatbot" />;
  if (chatbot.error) return <ErrorState error={chatbot.error} retry={() => void chatbot.refetch()} />;
  // Keyed by id and update time: a saved change resets the draft to what the server stored.
  return <Editor key={chatbot.data.id} chatbot={chatbot.data} />;
}

function Editor({ chatbot }: { chatbot: Chatbot }) {
  const { role, tenantId } = useSession();
  // Knowledge and Avatar open on the chatbot being edited.
  useEffect(() => rememberChatbot(tenantId, chatbot.id), [tenantId, chatbot.id]);
  const editable = can(role, "editChatbots");
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>(() => draftOf(chatbot));
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.chatbot.get.queryKey({ chatbotId: chatbot.id }) });
    await queryClient.invalidateQueries({ queryKey: trpc.chatbot.list.queryKey() });
  };
  const update = useMutation(
    trpc.chatbot.update.mutationOptions({
      onSuccess: refresh,
      onError: (e) => setErrors(serverFieldErrors(e)),
    }),
  );
  const publish = useMutation(trpc.chatbot.publish.mutationOptions({ onSuccess: refresh }));
  const unpublish = useMutation(trpc.chatbot.unpublish.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(
    trpc.chatbot.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.chatbot.list.queryKey() });
        navigate("/chatbots");
      },
    }),
  );

  function save(event: FormEvent) {
    event.preventDefault();
    const result = validate(updateChatbotInput, {
      chatbotId: chatbot.id,
      name: draft.name,
      persona: draft.persona,
      greeting: draft.greeting,
      locale: draft.locale,
      model: draft.model.trim() || null,
      temperature: draft.temperature,
      maxTokens: draft.maxTokens,
      allowedOrigins: parseOriginList(draft.allowedOrigins),
      theme: { primaryColor: draft.primaryColor, position: draft.position, dark: draft.dark },
      voice: { provider: draft.voiceProvider, voice: draft.voiceName.trim(), speed: draft.voiceSpeed },
      storeVoiceInput: draft.storeVoiceInput,
    });
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) update.mutate(result.data);
  }

  const statusError = publish.error ?? unpublish.error ?? remove.error;
  return (
    <section aria-labelledby="chatbot-title">
      <div className="page-header">
        <h1 id="chatbot-title">{chatbot.name}</h1>
        <span className={chatbot.published ? "badge badge-published" : "badge"}>
          {chatbot.published ? "published" : "draft"}
        </span>
        {editable &&
          (chatbot.published ? (
            <button
              type="button"
              className="button"
              disabled={unpublish.isPending}
              onClick={() => unpublish.mutate({ chatbotId: chatbot.id })}
            >
              Unpublish
            </button>
          ) : (
            <button
              type="button"
              className="button button-primary"
              disabled={publish.isPending}
              onClick={() => publish.mutate({ chatbotId: chatbot.id })}
            >
              Publish
            </button>
          ))}
      </div>
      {statusError && <Notice kind="error">{readableError(statusError)}</Notice>}
      <div className="grid-2">
        <div>
          <form className="card stack" onSubmit={save} noValidate aria-labelledby="settings-title">
            <h2 id="settings-title">Settings</h2>
            <fieldset disabled={!editable} className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
              <Field label="Name" error={errors.name}>
                <input value={draft.name} onChange={(e) => set("name", e.target.value)} maxLength={80} />
              </Field>
              <Field
                label="Persona"
                error={errors.persona}
                hint="How the chatbot behaves; the system prompt. Visitors can get it repeated, so it is public: nothing secret."
              >
                <textarea value={draft.persona} onChange={(e) => set("persona", e.target.value)} rows={5} />
              </Field>
              <Field label="Greeting" error={errors.greeting}>
                <textarea value={draft.greeting} onChange={(e) => set("greeting", e.target.value)} rows={2} />
              </Field>
              <div className="row">
                <Field label="Language" error={errors.locale} hint="e.g. en, de, pt-BR">
                  <input value={draft.locale} onChange={(e) => set("locale", e.target.value)} size={8} />
                </Field>
                <Field label="Model" error={errors.model} hint="Empty: the workspace default.">
                  <input value={draft.model} onChange={(e) => set("model", e.target.value)} />
                </Field>
              </div>
              <div className="row">
                <Field label={`Temperature: ${draft.temperature.toFixed(1)}`} error={errors.temperature}>
                  <input
                    type="range"
                    min={0}
                    max={2}
                    step={0.1}
                    value={draft.temperature}
                    onChange={(e) => set("temperature", Number(e.target.value))}
                  />
                </Field>
                <Field label="Max tokens per reply" error={errors.maxTokens}>
                  <input
                    type="number"
                    min={16}
                    max={8192}
                    value={draft.maxTokens}
                    onChange={(e) => set("maxTokens", Number(e.target.value))}
                  />
                </Field>
              </div>
              <Field
                label="Allowed origins"
                error={errors.allowedOrigins}
                hint="Sites that may show this chatbot, one per line, like https://www.example.com"
              >
                <textarea
                  value={draft.allowedOrigins}
                  onChange={(e) => set("allowedOrigins", e.target.value)}
                  rows={3}
                />
              </Field>
              <div className="row">
                <Field label="Color" error={errors.theme}>
                  <input
                    type="color"
                    value={draft.primaryColor}
                    onChange={(e) => set("primaryColor", e.target.value)}
                  />
                </Field>
                <Field label="Position">
                  <select
                    value={draft.position}
                    onChange={(e) => set("position", e.target.value as Draft["position"])}
                  >
                    <option value="bottom-right">Bottom right</option>
                    <option value="bottom-left">Bottom left</option>
                  </select>
                </Field>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={draft.dark}
                    onChange={(e) => set("dark", e.target.checked)}
                  />
                  Dark theme
                </label>
              </div>
              <div className="row">
                <Field
                  label="Voice"
                  error={errors.voice}
                  hint="Heard by visitors who turn the widget's sound on."
                >
                  <select
                    value={draft.voiceProvider}
                    onChange={(e) => set("voiceProvider", e.target.value as Draft["voiceProvider"])}
                  >
                    <option value="offline">Built-in voice (espeak-ng, free)</option>
                    <option value="ai">Your AI provider's voice (billed by it)</option>
                    <option value="off">Browser voice only</option>
                  </select>
                </Field>
                <Field
                  label="Voice name"
                  hint={
                    draft.voiceProvider === "ai"
                      ? "e.g. alloy, nova; empty: alloy"
                      : "e.g. en-us, de, en+f3; empty: the language's"
                  }
                >
                  <input
                    value={draft.voiceName}
                    onChange={(e) => set("voiceName", e.target.value)}
                    disabled={draft.voiceProvider === "off"}
                  />
                </Field>
                <Field label={`Speed: ${draft.voiceSpeed.toFixed(2)}×`}>
                  <input
                    type="range"
                    min={0.5}
                    max={2}
                    step={0.05}
                    value={draft.voiceSpeed}
                    onChange={(e) => set("voiceSpeed", Number(e.target.value))}
                    disabled={draft.voiceProvider === "off"}
                  />
                </Field>
              </div>
              <label className="check">
                <input
                  type="checkbox"
                  checked={draft.storeVoiceInput}
                  onChange={(e) => set("storeVoiceInput", e.target.checked)}
                />
                Keep visitors' voice recordings (off: each is transcribed by your AI provider and not stored)
              </label>
              {editable && draft.voiceProvider !== "off" && (
                <VoiceSample
                  chatbotId={chatbot.id}
                  voice={{
                    provider: draft.voiceProvider,
                    voice: draft.voiceName.trim(),
                    speed: draft.voiceSpeed,
                  }}
                />
              )}
            </fieldset>
            {update.error && <Notice kind="error">{readableError(update.error)}</Notice>}
            {update.isSuccess && !update.isPending && <Notice kind="success">Saved.</Notice>}
            {editable && (
              <div className="row">
                <button type="submit" className="button button-primary" disabled={update.isPending}>
                  {update.isPending ? "Saving…" : "Save changes"}
                </button>
                <button type="button" className="button" onClick={() => setDraft(draftOf(chatbot))}>
                  Discard
                </button>
              </div>
            )}
          </form>
          <div className="card">
            <h2>Embed on your site</h2>
            <EmbedSnippet chatbotId={chatbot.id} published={chatbot.published} />
          </div>
          <div className="card row">
            <Link className="button" to={`/knowledge?bot=${chatbot.id}`}>
              Knowledge
            </Link>
            <Link className="button" to={`/avatar?bot=${chatbot.id}`}>
              Avatar and voice
            </Link>
            <Link className="button" to={`/inbox?bot=${chatbot.id}`}>
              Conversations
            </Link>
            {can(role, "editChatbots") && (
              <button
                type="button"
                className="button button-danger"
                disabled={remove.isPending}
                onClick={() => {
                  if (confirm(`Delete ${chatbot.name} with its knowledge and conversations?`))
                    remove.mutate({ chatbotId: chatbot.id });
                }}
              >
                Delete chatbot
              </button>
            )}
          </div>
        </div>
        <div>
          <div className="card">
            <h2>Live preview and test chat</h2>
            <p className="muted">
              The real widget: chat with it to test answers. Look changes show before you save.
            </p>
            <WidgetPreview
              publicKey={chatbot.publicKey}
              savedAt={chatbot.updatedAt}
              look={{
                name: draft.name,
                primaryColor: draft.primaryColor,
                position: draft.position,
                dark: draft.dark,
              }}
            />
          </div>
        </div>
      </div>
    </section>
  );
}
