import type { AppRouter } from "@avatar-chat/api";
import { avatarSettingsSchema, avatarUploadProblem, MAX_AVATAR_BYTES } from "@avatar-chat/api/schemas";
import type { AvatarCueName } from "@avatar-chat/widget";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { type ChangeEvent, useEffect, useRef, useState } from "react";
import { useChosenChatbot } from "../components/chatbot-picker";
import { Field } from "../components/field";
import { Notice, QueryStates } from "../components/states";
import { type AvatarChatElement, WidgetPreview } from "../components/widget-preview";
import { readableError } from "../lib/errors";
import { formatBytes } from "../lib/format";
import { can } from "../lib/permissions";
import { contentTypeOf, uploadFile } from "../lib/upload";
import { useSession } from "../session/session";
import { handleError, queryClient, trpc, trpcClient } from "../trpc";

type Chatbot = inferRouterOutputs<AppRouter>["chatbot"]["list"][number];

const expressions: AvatarCueName[] = [
  "happy",
  "sad",
  "surprised",
  "thinking",
  "nod",
  "shake",
  "wave",
  "neutral",
];

export default function Avatar() {
  const { chosen, picker, placeholder } = useChosenChatbot();
  return (
    <section aria-labelledby="avatar-title">
      <div className="page-header">
        <h1 id="avatar-title">Avatar and voice</h1>
        {chosen && picker}
      </div>
      {placeholder ?? (chosen && <AvatarOf chatbot={chosen} key={chosen.id} />)}
    </section>
  );
}

/** Voices the browser can speak with; the widget uses the same speech synthesis. */
function useVoices(): string[] {
  const [voices, setVoices] = useState<string[]>([]);
  useEffect(() => {
    if (typeof speechSynthesis === "undefined") return;
    const load = () => setVoices([...new Set(speechSynthesis.getVoices().map((v) => v.name))]);
    load();
    speechSynthesis.addEventListener("voiceschanged", load);
    return () => speechSynthesis.removeEventListener("voiceschanged", load);
  }, []);
  return voices;
}

function AvatarOf({ chatbot }: { chatbot: Chatbot }) {
  const { role } = useSession();
  const editable = can(role, "editChatbots");
  const assets = useQuery(trpc.chatbot.avatar.list.queryOptions());
  const voices = useVoices();
  const [kind, setKind] = useState(chatbot.avatar.kind);
  const [assetId, setAssetId] = useState(chatbot.avatar.assetId);
  const [voice, setVoice] = useState(chatbot.avatar.voice ?? "");
  const [error, setError] = useState<string | null>(null);
  const widget = useRef<AvatarChatElement | null>(null);
  const save = useMutation(
    trpc.chatbot.update.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.chatbot.list.queryKey() }),
    }),
  );

  function choose(nextKind: typeof kind, nextAssetId: string | undefined) {
    setKind(nextKind);
    setAssetId(nextAssetId);
  }

  function submit() {
    const result = avatarSettingsSchema.safeParse({
      kind,
      ...(kind !== "default" && assetId ? { assetId } : {}),
      ...(voice ? { voice } : {}),
    });
    if (!result.success) {
      setError(result.error.issues[0]?.message ?? "Check the avatar settings.");
      return;
    }
    setError(null);
    save.mutate({ chatbotId: chatbot.id, avatar: result.data });
  }

  const ready = assets.data?.filter((a) => a.status === "ready") ?? [];
  return (
    <div className="grid-2">
      <div>
        <div className="card stack">
          <h2>Avatar</h2>
          <QueryStates query={assets} what="avatars" />
          <fieldset className="stack" disabled={!editable}>
            <legend>Choose the avatar</legend>
            <label className="check">
              <input
                type="radio"
                name="avatar"
                checked={kind === "default"}
                onChange={() => choose("default", undefined)}
              />
              Default avatar
            </label>
            {ready.map((a) => (
              <label key={a.id} className="check">
                <input
                  type="radio"
                  name="avatar"
                  checked={kind === a.format && assetId === a.id}
                  onChange={() => choose(a.format, a.id)}
                />
                {a.name}{" "}
                <span className="muted">
                  ({a.format.toUpperCase()}, {formatBytes(a.sizeBytes)})
                </span>
              </label>
            ))}
          </fieldset>
          <Field
            label="Voice"
            hint="The browser's speech voices; visitors hear the closest voice their browser has."
          >
            <select value={voice} onChange={(e) => setVoice(e.target.value)} disabled={!editable}>
              <option value="">Default for the language</option>
              {voices.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
              {voice && !voices.includes(voice) && <option value={voice}>{voice}</option>}
            </select>
          </Field>
          {error && <Notice kind="error">{error}</Notice>}
          {save.error && <Notice kind="error">{readableError(save.error)}</Notice>}
          {save.isSuccess && <Notice kind="success">Saved. The preview shows the new avatar.</Notice>}
          {editable && (
            <div>
              <button
                type="button"
                className="button button-primary"
                disabled={save.isPending}
                onClick={submit}
              >
                Save avatar and voice
              </button>
            </div>
          )}
        </div>
        {editable && <UploadAvatar onUploaded={(a) => choose(a.format, a.id)} />}
      </div>
      <div className="card stack">
        <h2>Preview</h2>
        <fieldset className="row">
          <legend className="visually-hidden">Expressions</legend>
          {expressions.map((cue) => (
            <button
              key={cue}
              type="button"
              className="button button-small"
              onClick={() => widget.current?.cue(cue)}
            >
              {cue}
            </button>
          ))}
          <button
            type="button"
            className="button button-small"
            onClick={() => void widget.current?.say(chatbot.greeting || "Hello! Nice to meet you.")}
          >
            Say the greeting (lip-sync)
          </button>
        </fieldset>
        <WidgetPreview
          key={`${chatbot.avatar.kind}-${chatbot.avatar.assetId ?? ""}`}
          publicKey={chatbot.publicKey}
          look={{ name: chatbot.name }}
          onElement={(element) => {
            widget.current = element;
          }}
        />
      </div>
    </div>
  );
}

function UploadAvatar({
  onUploaded,
}: {
  onUploaded: (asset: { id: string; format: "glb" | "vrm" }) => void;
}) {
  const [percent, setPercent] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);

  async function pick(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    const format = file.name.toLowerCase().endsWith(".vrm") ? "vrm" : "glb";
    const upload = { format, contentType: contentTypeOf(file), sizeBytes: file.size } as const;
    const problem = avatarUploadProblem(upload, MAX_AVATAR_BYTES);
    setName(file.name);
    setError(problem);
    if (problem) return;
    try {
      setPercent(0);
      const created = await trpcClient.chatbot.avatar.createUpload.mutate({
        name: file.name.replace(/\.(glb|vrm)$/i, "").slice(0, 120) || "Avatar",
        ...upload,
      });
      await uploadFile(created.uploadUrl, file, created.headers, setPercent);
      const asset = await trpcClient.chatbot.avatar.confirm.mutate({ assetId: created.assetId });
      await queryClient.invalidateQueries({ queryKey: trpc.chatbot.avatar.list.queryKey() });
      onUploaded(asset);
    } catch (failure) {
      handleError(failure);
      setError(readableError(failure));
    }
  }

  return (
    <div className="card stack">
      <h2>Upload your own</h2>
      <Field
        label="GLB or VRM file"
        hint={`Up to ${formatBytes(MAX_AVATAR_BYTES)}. VRM avatars get expressions and lip-sync.`}
      >
        <input type="file" accept=".glb,.vrm" onChange={(e) => void pick(e)} />
      </Field>
      {percent !== null && name && (
        <div>
          <div className="row">
            <span>{name}</span>
            <span className="muted">{percent === 100 ? "uploaded" : `${percent}%`}</span>
          </div>
          <progress className="progress" max={100} value={percent} aria-label={`Upload of ${name}`} />
        </div>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}
