import type { Rating } from "../api-types";
import { composerLimit, MAX_MESSAGE_CHARS } from "../composer-limit";
import { format, type Strings } from "../i18n";
import { icon, setIcon } from "../icons";
import { renderMarkdown } from "./render-markdown";
import { type ChatState, isAnswering, type ViewMessage } from "./state";

// The transcript, status line and composer. Renders ChatState into DOM nodes keyed by message id,
// re-rendering a message only when its content or status changed.

export interface ChatViewHandlers {
  onSend(text: string): void;
  onStop(): void;
  onRetry(clientMessageId: string): void;
  onFeedback(messageId: string, rating: Rating): void;
  onVoice?(): void;
  /** The visitor scrolled to the top of the transcript. */
  onScrollTop?(): void;
  onRequestHuman?(): void;
}

interface RenderedMessage {
  element: HTMLElement;
  key: string;
}

function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

export function createChatView(doc: Document, strings: Strings, handlers: ChatViewHandlers) {
  const messages = el(doc, "div", "messages");
  // Streaming text would flood a screen reader, so the transcript is not live; finished answers
  // are announced once through the separate live region below.
  messages.setAttribute("role", "log");
  messages.setAttribute("aria-live", "off");
  messages.tabIndex = 0;
  messages.setAttribute("aria-label", strings.title);
  const announcer = el(doc, "div", "sr-only");
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  const status = el(doc, "div", "status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  messages.addEventListener(
    "scroll",
    () => {
      if (messages.scrollTop < 40) handlers.onScrollTop?.();
    },
    { passive: true },
  );
  const human = el(doc, "button", "human", strings.talkToPerson);
  human.type = "button";
  human.hidden = true;
  human.addEventListener("click", () => handlers.onRequestHuman?.());

  const form = el(doc, "form");
  const inputId = `avatar-chat-input-${Math.random().toString(36).slice(2, 9)}`;
  const label = el(doc, "label", "sr-only", strings.inputLabel);
  label.htmlFor = inputId;
  const input = el(doc, "textarea");
  input.id = inputId;
  input.rows = 1;
  input.placeholder = strings.placeholder;
  // No maxLength: the browser would cut a long paste without a word. The counter says what is too much.
  const counter = el(doc, "div", "counter");
  counter.id = `${inputId}-counter`;
  counter.hidden = true;
  input.setAttribute("aria-describedby", counter.id);
  const voice = el(doc, "button", "icon-button voice");
  voice.type = "button";
  voice.setAttribute("aria-label", strings.voiceInput);
  voice.appendChild(icon(doc, "mic"));
  voice.hidden = !handlers.onVoice;
  const submit = el(doc, "button", "icon-button send");
  submit.type = "submit";
  form.append(label, input, voice, submit);

  /** Shows the counter near the limit; past it, says by how much and refuses to send. Returns "too long". */
  const checkLength = (): boolean => {
    const limit = composerLimit(input.value.trim().length);
    counter.hidden = limit.kind === "quiet";
    counter.classList.toggle("over", limit.kind === "over");
    if (limit.kind === "over") {
      counter.textContent = format(strings.tooLong, {
        count: limit.over.toLocaleString(),
        max: MAX_MESSAGE_CHARS.toLocaleString(),
      });
      input.setAttribute("aria-invalid", "true");
    } else {
      if (limit.kind === "near")
        counter.textContent = format(strings.charactersLeft, { count: limit.left.toLocaleString() });
      input.removeAttribute("aria-invalid");
    }
    return limit.kind === "over";
  };
  input.addEventListener("input", checkLength);

  let answering = false;
  const setAnswering = (value: boolean) => {
    answering = value;
    setIcon(submit, value ? "stop" : "send");
    submit.setAttribute("aria-label", value ? strings.stop : strings.send);
  };
  setAnswering(false);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (answering) return handlers.onStop();
    const text = input.value.trim();
    if (!text) return;
    // Nothing is sent; the status line says why, so a screen reader hears it too.
    if (checkLength()) return setStatus(counter.textContent ?? "", { error: true });
    input.value = "";
    checkLength();
    handlers.onSend(text);
  });
  input.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter makes a new line; IME composition must not send.
    // While an answer streams, Enter keeps the draft; only the stop button stops the answer.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (!answering) form.requestSubmit();
    }
  });
  voice.addEventListener("click", () => handlers.onVoice?.());

  const rendered = new Map<string, RenderedMessage>();
  const announced = new Set<string>();
  let noticeText = "";

  /** Status line: typing, handoff, connection and errors (with an optional retry action). */
  function setStatus(text: string, options: { error?: boolean; retry?: () => void } = {}) {
    if (text === noticeText && !options.retry) return;
    noticeText = text;
    status.replaceChildren(doc.createTextNode(text));
    status.classList.toggle("error", options.error === true);
    if (options.retry) {
      const retry = el(doc, "button", "retry", strings.retry);
      retry.type = "button";
      retry.addEventListener("click", options.retry);
      status.appendChild(retry);
    }
  }

  const renderMessage = (message: ViewMessage): HTMLElement => {
    const element = el(doc, "div", `message ${message.role} ${message.status}`);
    element.dataset.messageId = message.id;
    const who = message.role === "user" ? strings.you : null;
    if (who) element.appendChild(el(doc, "span", "sr-only", `${who}: `));
    const body = el(doc, "div", "body");
    if (message.role === "user") body.textContent = message.content;
    else body.appendChild(renderMarkdown(doc, message.content));
    element.appendChild(body);
    if (message.citations.length > 0 && message.status !== "streaming") {
      const list = el(doc, "ul", "citations");
      list.setAttribute("aria-label", strings.sources);
      for (const citation of message.citations) {
        const item = el(doc, "li");
        const safe = citation.url && /^https?:\/\//i.test(citation.url) ? citation.url : null;
        if (safe) {
          const link = el(doc, "a", undefined, citation.title);
          link.href = safe;
          link.target = "_blank";
          link.rel = "noopener noreferrer nofollow";
          item.appendChild(link);
        } else item.appendChild(el(doc, "strong", undefined, citation.title));
        if (citation.snippet) item.appendChild(el(doc, "span", "snippet", citation.snippet));
        list.appendChild(item);
      }
      element.appendChild(list);
    }
    if (message.status === "failed") {
      element.appendChild(el(doc, "span", "error", message.error ?? strings.errorUnknown));
      if (message.role === "user" && message.clientMessageId) {
        const retry = el(doc, "button", "retry", strings.retry);
        retry.type = "button";
        const id = message.clientMessageId;
        retry.addEventListener("click", () => handlers.onRetry(id));
        element.appendChild(retry);
      }
    }
    if (message.status === "sending" && message.retrying)
      element.appendChild(el(doc, "span", "notice", strings.retrying));
    if (message.status === "stopped") element.appendChild(el(doc, "span", "notice", strings.stopped));
    if (
      message.role === "assistant" &&
      !message.local &&
      (message.status === "complete" || message.status === "stopped")
    ) {
      const actions = el(doc, "div", "actions");
      for (const [rating, text, glyph] of [
        ["up", strings.thumbsUp, "thumbUp"],
        ["down", strings.thumbsDown, "thumbDown"],
      ] as const) {
        const button = el(doc, "button");
        button.appendChild(icon(doc, glyph));
        button.type = "button";
        button.setAttribute("aria-label", text);
        button.dataset.rating = rating;
        button.setAttribute("aria-pressed", String(message.feedback === rating));
        button.addEventListener("click", () => handlers.onFeedback(message.id, rating));
        actions.appendChild(button);
      }
      element.appendChild(actions);
    }
    return element;
  };

  return {
    messages,
    announcer,
    status,
    human,
    form,
    counter,
    input,
    voice,
    render(state: ChatState) {
      const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
      // Older messages go in above: keep the message the visitor is looking at in place.
      const anchor = atBottom ? null : (messages.firstElementChild as HTMLElement | null);
      const anchorTop = anchor?.offsetTop ?? 0;
      const seen = new Set<string>();
      let previous: Element | null = null;
      for (const message of state.messages) {
        // Feedback is not in the key: a rating updates its buttons in place, so keyboard focus stays on them.
        const key = `${message.status}|${message.retrying ? "r" : ""}|${message.content.length}|${message.citations.length}|${message.error ?? ""}`;
        let entry = rendered.get(message.id);
        if (!entry || entry.key !== key) {
          const element = renderMessage(message);
          if (entry) entry.element.replaceWith(element);
          entry = { element, key };
          rendered.set(message.id, entry);
        }
        for (const button of entry.element.querySelectorAll<HTMLElement>(".actions button"))
          button.setAttribute("aria-pressed", String(message.feedback === button.dataset.rating));
        // Keep DOM order equal to state order (an id can change from client id to server id).
        const expected: Element | null = previous ? previous.nextElementSibling : messages.firstElementChild;
        if (expected !== entry.element) messages.insertBefore(entry.element, expected);
        previous = entry.element;
        seen.add(message.id);
        if (message.role !== "user" && message.status === "complete" && !announced.has(message.id)) {
          announced.add(message.id);
          announcer.textContent = message.content;
        }
      }
      for (const [id, entry] of rendered) {
        if (!seen.has(id)) {
          entry.element.remove();
          rendered.delete(id);
        }
      }
      setAnswering(isAnswering(state));
      if (atBottom) messages.scrollTop = messages.scrollHeight;
      else if (anchor?.isConnected) messages.scrollTop += anchor.offsetTop - anchorTop;
    },
    setStatus,
    handoffText(state: ChatState): string {
      if (state.handoff === "requested") return strings.handoffRequested;
      if (state.handoff === "agent")
        return state.agentName
          ? format(strings.handoffAgent, { name: state.agentName })
          : strings.handoffAgentUnnamed;
      return "";
    },
  };
}

export type ChatView = ReturnType<typeof createChatView>;
