import { createApiClient } from "./api-client";
import type { AvatarKind, ChatbotConfig } from "./api-types";
import { type AvatarView, createAnimator, mountAvatar } from "./avatar/index";
import { createFrameBatch, nextFrame } from "./chat/frame-batch";
import { type ChatSession, createChatSession, errorReason } from "./chat/session";
import { addUserMessage, type ChatState, initialState, markSent, type ViewMessage } from "./chat/state";
import { createChatView } from "./chat/view";
import type { WidgetController, WidgetHost } from "./element";
import { format } from "./i18n";
import { icon, setIcon } from "./icons";
import { lipsyncFor } from "./lipsync/index";
import { stripMarkup } from "./lipsync/rules";
import { createVisemeQueue } from "./lipsync/timeline";
import { createSpeaker, lastSentenceEnd, type Speaker } from "./speech";
import { browserStorage, createVisitorStore } from "./storage";
import type { VoicePlayer } from "./voice/player";
import type { Recorder } from "./voice/recorder";

/** A press longer than this records until released (push-to-talk); a shorter one toggles. */
const HOLD_MS = 600;

// The chat panel of one <avatar-chat>, loaded when it first opens: the composition root that wires
// session (API + realtime), chat view, avatar and speech together.

export function createWidget(host: WidgetHost): WidgetController {
  const { element, strings, locale, environment } = host;
  const doc = element.ownerDocument;
  const attr = (name: string) => element.getAttribute(name);
  const isInline = () => attr("mode") === "inline";

  const panel = doc.createElement("section");
  panel.className = "panel";
  panel.setAttribute("part", "panel");
  panel.setAttribute("role", isInline() ? "region" : "dialog");
  panel.hidden = true;
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && recorder) {
      // Escape drops a recording in progress; the next one closes the panel.
      event.stopPropagation();
      cancelRecording();
      return;
    }
    if (event.key === "Escape" && !isInline()) {
      event.stopPropagation();
      host.close();
    }
  });

  // A div, not <header>: inside the host page a <header> can count as a second `banner` landmark.
  const header = doc.createElement("div");
  header.className = "header";
  const titleBox = doc.createElement("div");
  titleBox.className = "title";
  const title = doc.createElement("h2");
  const subtitle = doc.createElement("span");
  subtitle.className = "subtitle";
  titleBox.append(title, subtitle);
  const muteButton = doc.createElement("button");
  muteButton.type = "button";
  muteButton.className = "icon-button mute";
  muteButton.addEventListener("click", () => setMuted(!muted));
  const closeButton = doc.createElement("button");
  closeButton.type = "button";
  closeButton.className = "icon-button close";
  closeButton.setAttribute("aria-label", strings.close);
  closeButton.appendChild(icon(doc, "close"));
  closeButton.hidden = isInline();
  closeButton.addEventListener("click", () => host.close());
  header.append(titleBox, muteButton, closeButton);

  const stage = doc.createElement("div");
  stage.className = "stage";
  stage.setAttribute("part", "avatar");
  stage.setAttribute("role", "img");

  const view = createChatView(doc, strings, {
    onSend: (text) => void send(text),
    onStop: () => void stop(),
    onRetry: (id) => void session?.retry(id),
    onFeedback: (id, rating) => void session?.feedback(id, rating).catch(() => {}),
    onVoice: () => {
      if (skipVoiceClick) skipVoiceClick = false;
      else void pressVoice();
    },
    onScrollTop: () => void session?.loadOlder().catch(() => {}),
    onRequestHuman: () => void requestHuman(),
  });
  panel.append(
    header,
    stage,
    view.messages,
    view.status,
    view.human,
    view.form,
    view.counter,
    view.announcer,
  );

  // Shown once the chatbot's config says how the visitor can speak (chooseVoiceInput).
  view.voice.hidden = true;
  // Push-to-talk: press and hold records until release; a short press starts, the next one sends.
  view.voice.addEventListener("pointerdown", () => {
    if (voiceInputMode !== "server" || recorder || transcribing) return;
    pressedAt = performance.now();
    skipVoiceClick = true;
    void pressVoice();
  });
  view.voice.addEventListener("pointerup", () => {
    const held = pressedAt > 0 && performance.now() - pressedAt > HOLD_MS;
    pressedAt = 0;
    if (held && recorder) void finishRecording();
  });

  const queue = createVisemeQueue({ language: lipsyncFor(locale) });
  const reducedMotion =
    typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;
  const animator = createAnimator({ reducedMotion });
  let muted = true;
  let speaker: Speaker | null = null;
  /** The server's voice (voice/player.ts, loaded on first un-mute): its AudioContext is made in the click. */
  let audioContext: AudioContext | null = null;
  let voice: VoicePlayer | null = null;
  let voiceLoading: Promise<void> | null = null;
  let session: ChatSession | null = null;
  let started: Promise<void> | null = null;
  let chatbot: ChatbotConfig | null = null;
  let avatar: AvatarView | null = null;
  let avatarMounting: Promise<void> | null = null;
  let connection: "connecting" | "open" | "closed" = "connecting";
  let lastViseme = "";
  let disposed = false;
  /** How much of each assistant message the mouth (or voice) has already been given. */
  const spoken = new Map<string, number>();
  /** True while the stored conversation loads: old answers are shown, not spoken again. */
  let replaying = false;
  /** How the visitor speaks: the server transcribes a recording, the browser recognises speech, or not at all. */
  let voiceInputMode: "server" | "browser" | "none" = "none";
  let recorder: Recorder | null = null;
  let transcribing = false;
  let pressedAt = 0;
  let skipVoiceClick = false;
  let visitorToken: () => string | null = () => null;

  const onPointer = (event: PointerEvent) => {
    if (!host.isOpen()) return;
    const rect = stage.getBoundingClientRect();
    if (rect.width === 0) return;
    const clamp = (v: number) => Math.max(-1, Math.min(1, v));
    animator.pointer({
      x: clamp((event.clientX - (rect.left + rect.width / 2)) / rect.width),
      y: clamp(-(event.clientY - (rect.top + rect.height / 3)) / rect.height),
    });
  };
  window.addEventListener("pointermove", onPointer, { passive: true });

  function setMuted(next: boolean) {
    muted = next;
    if (muted) {
      speaker?.cancel();
      voice?.stop();
    }
    setIcon(muteButton, muted ? "soundOff" : "soundOn");
    muteButton.setAttribute("aria-label", muted ? strings.unmute : strings.mute);
    muteButton.setAttribute("aria-pressed", String(!muted));
    muteButton.hidden = typeof speechSynthesis === "undefined" && typeof AudioContext === "undefined";
    if (muted) return;
    // Made inside the click: browsers let audio start only from a page the visitor has interacted with.
    if (!audioContext && typeof AudioContext !== "undefined") audioContext = new AudioContext();
    void audioContext?.resume().catch(() => {});
    ensureSpeaker();
    ensureVoice();
  }
  setMuted(true);

  const serverVoice = () => !muted && audioContext !== null && chatbot?.serverVoice === true;

  function ensureVoice() {
    if (!serverVoice() || voiceLoading) return;
    const context = audioContext!;
    const base = (attr("api") ?? environment.defaultApi ?? "").replace(/\/$/, "");
    voiceLoading = import("./voice/player").then(({ createVoicePlayer }) => {
      if (disposed) return;
      voice = createVoicePlayer({
        context,
        audioUrl: (id) => `${base}/voice/${id}`,
        onSentence: (messageId, index) => {
          element.dataset.voice = index === null ? "idle" : `${messageId}:${index}`;
          host.emit("avatar-chat:voice", { messageId, index });
        },
      });
    });
  }

  /** Barge-in: the visitor types, speaks or sends, and the avatar stops talking at once. */
  function bargeIn() {
    if (voice?.playing) voice.stop();
    speaker?.cancel();
  }
  view.input.addEventListener("input", bargeIn);

  function ensureSpeaker() {
    if (speaker) return;
    const now = () => performance.now();
    speaker = createSpeaker({
      lang: chatbot?.locale ?? locale,
      ...(chatbot?.avatar.voice ? { voice: chatbot.avatar.voice } : {}),
      onWord: (word, duration) => queue.speakWord(word, now(), duration),
      onUnsyncedText: (text) => {
        queue.pushText(text, now());
        queue.endText(now());
      },
      onIdle: () => queue.stop(now()),
    });
  }

  async function mountAvatarOnce() {
    avatarMounting ??= (async () => {
      const attribute = attr("avatar");
      const configured = chatbot?.avatar;
      const kind: AvatarKind =
        attribute === "glb" || attribute === "vrm" ? attribute : (configured?.kind ?? "default");
      const url = attr("avatar-url") ?? configured?.url;
      const accent = getComputedStyle(host.root).getPropertyValue("--ac-primary").trim() || "#2456c8";
      let firstFrame = true;
      const mounted = await mountAvatar({
        container: stage,
        avatar: { kind, ...(url ? { url } : {}) },
        accentColor: accent,
        forceFallback: attribute === "2d",
        poseAt: (now) => {
          // Speaking with the server's voice, the mouth follows the audio itself.
          const pose = animator.pose(now, voice?.sample(now) ?? queue.sample(now));
          // Exposed for tests and for pages that want to mirror the avatar's state.
          if (pose.viseme !== lastViseme) {
            lastViseme = pose.viseme;
            element.dataset.viseme = pose.viseme;
          }
          return pose;
        },
        onFirstFrame: () => {
          if (!firstFrame) return;
          firstFrame = false;
          performance.mark("avatar-chat:first-frame");
          host.emit("avatar-chat:first-frame");
        },
      });
      if (disposed) return mounted.dispose();
      avatar = mounted;
      element.dataset.avatar = mounted.kind;
      element.dataset.avatarModel = mounted.model;
      mounted.setActive(host.isOpen());
    })();
    await avatarMounting;
  }

  function refreshStatus() {
    const state = session?.state;
    if (!state) return;
    if (connection === "closed") return view.setStatus(strings.reconnecting);
    if (state.error)
      return view.setStatus(format(strings.errorReply, { reason: state.error }), { error: true });
    // Waiting for a person stays in view; who joined is a line in the transcript, before their first words.
    if (state.handoff === "requested") return view.setStatus(view.handoffText(state));
    view.setStatus(state.typing ? strings.thinking : "");
  }

  function paint(state: ChatState) {
    view.render(state);
    // Offered while the bot answers; once asked (or a person is here) the status line says so.
    view.human.hidden = state.handoff !== "bot" || element.hasAttribute("preview");
    refreshStatus();
    subtitle.textContent = view.handoffText(state);
  }
  const painter = createFrameBatch(paint, nextFrame);

  /** The voice follows every change at once (a replayed answer is marked spoken now); the DOM once per frame. */
  function render(state: ChatState) {
    painter.push(state);
    follow(state.messages);
  }

  /** Feeds new assistant text to the mouth: speech when un-muted, the text timeline when muted. */
  function follow(messages: readonly ViewMessage[]) {
    const now = performance.now();
    for (const message of messages) {
      // The avatar voices the bot only: not the visitor, not a human agent who took over.
      if (message.role !== "assistant") continue;
      if (replaying) {
        spoken.set(message.id, message.content.length);
        continue;
      }
      const done = message.status !== "streaming";
      const from = spoken.get(message.id);
      if (from === undefined) animator.cue("neutral", now);
      if ((from ?? 0) >= message.content.length) {
        spoken.set(message.id, from ?? 0);
        continue;
      }
      if (serverVoice()) spoken.set(message.id, message.content.length);
      else if (muted || !speaker?.supported) {
        queue.pushText(message.content.slice(from ?? 0), now);
        if (done) queue.endText(now);
        spoken.set(message.id, message.content.length);
      } else {
        const end = done ? message.content.length : lastSentenceEnd(message.content, from ?? 0);
        if (end > (from ?? 0)) {
          speaker.speak(stripMarkup(message.content.slice(from ?? 0, end)));
          spoken.set(message.id, end);
        }
      }
      if (done) host.emit("avatar-chat:message", { message });
    }
  }

  function newSession(publicKey: string, api: string): ChatSession {
    const store = createVisitorStore(publicKey, browserStorage);
    visitorToken = () => store.load().visitorToken;
    return createChatSession({
      api: createApiClient({ baseUrl: api, token: () => store.load().visitorToken }),
      publicKey,
      store,
      connect: environment.connectRealtime,
      onState: render,
      voice: serverVoice,
      onEnvelope: (envelope) => {
        const event = envelope.event;
        if (event.type === "avatar.cue") animator.cue(event.cue, performance.now());
        else if (event.type === "voice.audio" && serverVoice()) voice?.add(event);
        else if (event.type === "message.discarded") voice?.discard(event.messageId);
      },
      onConnection: (status) => {
        connection = status;
        refreshStatus();
      },
    });
  }

  /** Preview mode (dashboard) has no server: a session without API renders local messages. */
  function localSession(): ChatSession {
    return createChatSession({
      api: createApiClient({ baseUrl: "about:blank", token: () => null }),
      publicKey: "preview",
      store: createVisitorStore("preview", () => null),
      connect: environment.connectRealtime,
      onState: render,
    });
  }

  async function startSession() {
    element.dataset.state = "starting";
    if (element.hasAttribute("preview")) {
      chatbot = {
        id: "preview",
        name: attr("name") ?? strings.title,
        greeting: attr("greeting") ?? "",
        locale,
        theme: {},
        avatar: { kind: "default" },
      };
      session = localSession();
      chooseVoiceInput(chatbot);
      element.dataset.state = "ready";
      view.setStatus("");
      if (chatbot.greeting) await say(chatbot.greeting);
      return;
    }
    const publicKey = attr("bot");
    const api = attr("api") ?? environment.defaultApi;
    if (!publicKey) throw new Error("no bot key (bot attribute)");
    if (!api) throw new Error("no API origin (api attribute)");
    view.setStatus(strings.connecting);
    const current = newSession(publicKey, api);
    session = current;
    replaying = true;
    const out = await current.start().finally(() => {
      replaying = false;
    });
    if (session !== current) return;
    chatbot = out.chatbot;
    host.setChatbot(out.chatbot);
    chooseVoiceInput(out.chatbot);
    ensureVoice();
    if (out.chatbot.avatar.kind !== "default" && !attr("avatar")) {
      // The configured avatar differs from the default one mounted while starting: swap it.
      await avatarMounting;
      avatar?.dispose();
      avatar = null;
      avatarMounting = null;
      void mountAvatarOnce();
    }
    element.dataset.state = "ready";
    refreshStatus();
    host.emit("avatar-chat:ready", { chatbot: out.chatbot });
    if (current.state.messages.length === 0 && out.chatbot.greeting) await say(out.chatbot.greeting);
  }

  function start(): Promise<void> {
    started ??= startSession().catch((error: unknown) => {
      started = null;
      const reason = errorReason(error);
      element.dataset.state = "error";
      view.setStatus(format(strings.errorStart, { reason }), { error: true, retry: () => void start() });
      host.emit("avatar-chat:error", { reason });
    });
    return started;
  }

  async function send(text: string, voiceInputId?: string) {
    if (element.hasAttribute("preview")) {
      // The avatar repeats the visitor's text: shows voice and lip-sync without a server.
      const id = `local-${Math.random().toString(36).slice(2, 10)}`;
      const state = addUserMessage(session?.state ?? initialState(), text, id, new Date().toISOString());
      session?.local({ ...markSent(state, id, id), typing: false });
      return say(text);
    }
    await start();
    if (!session) return;
    bargeIn();
    animator.cue("thinking", performance.now());
    await session.send(text, voiceInputId);
  }

  async function requestHuman() {
    await start();
    view.human.disabled = true;
    await session
      ?.requestHuman()
      .catch((error: unknown) => {
        view.setStatus(format(strings.errorSend, { reason: errorReason(error) }), { error: true });
      })
      .finally(() => {
        view.human.disabled = false;
      });
  }

  async function stop() {
    speaker?.cancel();
    voice?.stop();
    queue.stop(performance.now());
    animator.cue("neutral", performance.now());
    await session?.stop().catch((error: unknown) => {
      view.setStatus(format(strings.errorReply, { reason: errorReason(error) }), { error: true });
    });
  }

  /** Streams a local assistant message word by word, through the same path as server answers. */
  async function say(text: string) {
    session ??= localSession();
    const current = session;
    const id = `local-${Math.random().toString(36).slice(2, 10)}`;
    let content = "";
    const put = (status: "streaming" | "complete") => {
      const state = current.state;
      const message: ViewMessage = {
        id,
        role: "assistant",
        content,
        citations: [],
        createdAt: new Date().toISOString(),
        status,
        local: true,
      };
      const exists = state.messages.some((m) => m.id === id);
      current.local({
        ...state,
        messages: exists
          ? state.messages.map((m) => (m.id === id ? message : m))
          : [...state.messages, message],
      });
    };
    for (const word of text.split(/(?<=\s)/)) {
      if (disposed) return;
      content += word;
      put("streaming");
      await new Promise((resolve) => setTimeout(resolve, 45));
    }
    put("complete");
  }

  /**
   * Server transcription where the tenant's AI provider can and the browser records (MediaRecorder);
   * the Web Speech API only without a provider; otherwise no microphone button.
   */
  function chooseVoiceInput(config: ChatbotConfig) {
    const canRecord = typeof MediaRecorder !== "undefined" && !!navigator.mediaDevices?.getUserMedia;
    const canRecognise = "SpeechRecognition" in globalThis || "webkitSpeechRecognition" in globalThis;
    voiceInputMode = config.transcription
      ? canRecord
        ? "server"
        : "none"
      : canRecognise
        ? "browser"
        : "none";
    view.voice.hidden = voiceInputMode === "none";
    element.dataset.voiceInput = voiceInputMode;
  }

  function showRecording(state: "idle" | "recording" | "transcribing") {
    view.voice.classList.toggle("listening", state === "recording");
    view.voice.setAttribute("aria-pressed", String(state === "recording"));
    view.voice.setAttribute("aria-label", state === "recording" ? strings.voiceStop : strings.voiceInput);
    view.voice.disabled = state === "transcribing";
    element.dataset.recording = state;
    if (state === "idle") refreshStatus();
    else view.setStatus(state === "recording" ? strings.voiceRecording : strings.voiceTranscribing);
  }

  async function pressVoice() {
    if (voiceInputMode === "browser") return listenForVoice();
    if (voiceInputMode !== "server" || transcribing) return;
    if (recorder) return finishRecording();
    // Barge-in: the visitor starts speaking, the avatar stops.
    bargeIn();
    try {
      const { startRecording } = await import("./voice/recorder");
      recorder = await startRecording(() => void finishRecording());
      showRecording("recording");
    } catch (error) {
      view.setStatus(format(strings.voiceFailed, { reason: errorReason(error) }), { error: true });
    }
  }

  /** The recording to text through the api, then sent as the visitor's message. */
  async function finishRecording() {
    const current = recorder;
    if (!current) return;
    recorder = null;
    transcribing = true;
    showRecording("transcribing");
    try {
      const audio = await current.finish();
      await start();
      if (!session) return;
      const [{ transcribe }, conversationId] = await Promise.all([
        import("./voice/recorder"),
        session.conversationId(),
      ]);
      const api = attr("api") ?? environment.defaultApi ?? "";
      const heard = await transcribe({ api, conversationId, token: visitorToken(), audio });
      transcribing = false;
      showRecording("idle");
      await send(heard.text, heard.voiceInputId);
    } catch (error) {
      transcribing = false;
      showRecording("idle");
      view.setStatus(format(strings.voiceFailed, { reason: errorReason(error) }), { error: true });
    }
  }

  function cancelRecording() {
    recorder?.cancel();
    recorder = null;
    showRecording("idle");
  }

  async function listenForVoice() {
    bargeIn();
    const { listenOnce } = await import("./voice-input");
    view.voice.classList.add("listening");
    view.voice.setAttribute("aria-label", strings.voiceListening);
    listenOnce({
      lang: chatbot?.locale ?? locale,
      onText: (text, final) => {
        view.input.value = text;
        if (final && text.trim()) view.form.requestSubmit();
      },
      onEnd: () => {
        view.voice.classList.remove("listening");
        view.voice.setAttribute("aria-label", strings.voiceInput);
      },
    });
  }

  return {
    panel,
    async activate() {
      avatar?.setActive(true);
      await Promise.all([mountAvatarOnce(), start()]);
    },
    deactivate() {
      if (recorder) cancelRecording();
      avatar?.setActive(false);
      speaker?.cancel();
      voice?.stop();
      queue.stop(performance.now());
    },
    reset() {
      session?.dispose();
      session = null;
      started = null;
      chatbot = null;
      spoken.clear();
      painter.cancel();
      view.render(initialState());
    },
    say,
    cue(cue) {
      animator.cue(cue, performance.now());
    },
    refresh(name) {
      title.textContent = name;
      // "Chat with Ava", not just "Ava": beside a page heading with the bot's name (the dashboard's
      // editor) two landmarks would otherwise share one name.
      panel.setAttribute("aria-label", format(strings.chatWith, { name }));
      stage.setAttribute("aria-label", format(strings.avatarLabel, { name }));
    },
    dispose() {
      disposed = true;
      painter.cancel();
      recorder?.cancel();
      window.removeEventListener("pointermove", onPointer);
      speaker?.cancel();
      voice?.close();
      if (!voice) void audioContext?.close().catch(() => {});
      avatar?.dispose();
      avatar = null;
      session?.dispose();
      session = null;
    },
  };
}
