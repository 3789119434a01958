import { createApiClient } from "./api-client";
import type { AvatarCueName, ChatbotConfig } from "./api-types";
import type { RealtimeConnection, RealtimeConnectOptions } from "./chat/session";
import { type Locale, pickLocale, type Strings, stringsFor } from "./i18n";
import { type IconName, setIcon } from "./icons";
import { browserSessionStorage, createOpenMemory } from "./storage";
import { widgetStyleSheet } from "./styles";

// <avatar-chat>: the small part that every page loads. It owns attributes, theming and the
// launcher; the chat panel, session and avatar load (dynamic import) when the widget first opens.

export type RealtimeFactory = (options: RealtimeConnectOptions) => RealtimeConnection;

export interface WidgetEnvironment {
  /** API origin when the element has no `api` attribute (the loader passes the script's origin). */
  defaultApi: string | null;
  connectRealtime: RealtimeFactory;
}

/** What the lazily loaded panel gets from its element. */
export interface WidgetHost {
  element: HTMLElement;
  root: HTMLDivElement;
  strings: Strings;
  locale: Locale;
  environment: WidgetEnvironment;
  isOpen(): boolean;
  close(): void;
  setChatbot(chatbot: ChatbotConfig): void;
  emit(type: string, detail?: unknown): void;
}

export interface WidgetController {
  panel: HTMLElement;
  /** The panel became visible: render the avatar, start or resume the session. */
  activate(): Promise<void>;
  deactivate(): void;
  /** `bot` or `api` changed: forget the session. */
  reset(): void;
  say(text: string): Promise<void>;
  cue(cue: AvatarCueName): void;
  /** The shown bot name changed (attribute or server config). */
  refresh(name: string): void;
  dispose(): void;
}

const observed = [
  "bot",
  "api",
  "lang",
  "mode",
  "position",
  "theme",
  "primary-color",
  "size",
  "launcher-icon",
  "open",
  "name",
];

function isIcon(value: string | null): value is IconName {
  return value === "chat" || value === "help" || value === "avatar";
}

export function defineAvatarChat(environment: WidgetEnvironment, tagName = "avatar-chat"): void {
  if (customElements.get(tagName)) return;
  customElements.define(tagName, createElementClass(environment));
}

function createElementClass(environment: WidgetEnvironment) {
  return class AvatarChatElement extends HTMLElement {
    static observedAttributes = observed;

    #shadow = this.attachShadow({ mode: "open" });
    #root: HTMLDivElement | null = null;
    #launcher: HTMLButtonElement | null = null;
    #strings: Strings = stringsFor("en");
    #locale: Locale = "en";
    #chatbot: ChatbotConfig | null = null;
    #controller: Promise<WidgetController> | null = null;
    #open = false;
    #darkQuery: MediaQueryList | null = null;
    #onDarkChange = () => this.#applyAttributes();

    connectedCallback() {
      if (!this.#root) this.#build();
      this.#darkQuery?.addEventListener("change", this.#onDarkChange);
      this.#applyAttributes();
      this.#loadLauncherConfig();
      if (this.hasAttribute("open") || this.#mode === "inline" || this.#openMemory()?.wasOpen())
        void this.open();
    }

    disconnectedCallback() {
      this.#darkQuery?.removeEventListener("change", this.#onDarkChange);
      // Free the GPU context and the socket; connecting the element again rebuilds them.
      const controller = this.#controller;
      this.#controller = null;
      this.#open = false;
      void controller?.then((c) => {
        c.dispose();
        c.panel.remove();
      });
    }

    attributeChangedCallback(name: string, before: string | null, after: string | null) {
      if (!this.#root || before === after) return;
      if (name === "open") {
        // open()/close() set the attribute themselves; only react when the page changed it.
        if ((after !== null) === this.#open) return;
        if (after !== null) void this.open();
        else this.close();
        return;
      }
      if (name === "bot" || name === "api") {
        this.#chatbot = null;
        this.#loadLauncherConfig();
        void this.#controller?.then((c) => {
          c.reset();
          if (this.#open) void c.activate();
        });
      }
      this.#applyAttributes();
    }

    get isOpen(): boolean {
      return this.#open;
    }

    get #mode(): "inline" | "floating" {
      return this.getAttribute("mode") === "inline" ? "inline" : "floating";
    }

    /** Opens the chat: loads the panel, the avatar (three.js chunk) and starts the visitor session. */
    async open(): Promise<void> {
      if (!this.#root) return;
      const wasOpen = this.#open;
      this.#open = true;
      if (!this.hasAttribute("open")) this.setAttribute("open", "");
      this.#syncLauncher();
      this.#openMemory()?.remember(true);
      this.#controller ??= import("./widget").then(({ createWidget }) =>
        this.#createController(createWidget),
      );
      const controller = await this.#controller;
      if (!this.#open) return;
      controller.panel.hidden = false;
      if (!wasOpen) {
        this.#emit("avatar-chat:open");
        if (this.#mode === "floating") controller.panel.querySelector("textarea")?.focus();
      }
      await controller.activate();
    }

    close(): void {
      if (!this.#open || this.#mode === "inline") return;
      const hadFocus = this.matches(":focus-within");
      this.#open = false;
      if (this.hasAttribute("open")) this.removeAttribute("open");
      this.#syncLauncher();
      this.#openMemory()?.remember(false);
      void this.#controller?.then((c) => {
        if (this.#open) return;
        c.panel.hidden = true;
        c.deactivate();
      });
      if (hadFocus) this.#launcher?.focus();
      this.#emit("avatar-chat:close");
    }

    /** The floating chat's open state in this tab; none for previews and inline chats. */
    #openMemory() {
      const bot = this.getAttribute("bot");
      if (!bot || this.#mode === "inline" || this.hasAttribute("preview")) return null;
      return createOpenMemory(bot, browserSessionStorage);
    }

    /** Makes the avatar say a text as a local message (previews, onboarding hints). Opens the widget. */
    async say(text: string): Promise<void> {
      await this.open();
      await (await this.#controller)?.say(text);
    }

    /** Plays an avatar cue (happy, nod, …) as if it came from the server. */
    cue(cue: AvatarCueName): void {
      void this.#controller?.then((c) => c.cue(cue));
    }

    /**
     * The chatbot's public config (name, colour, side, dark) for the launcher, before anyone opens the chat:
     * one cacheable GET per page view. A failure keeps the defaults; opening starts the session anyway.
     */
    #loadLauncherConfig() {
      const bot = this.getAttribute("bot");
      const api = this.getAttribute("api") ?? environment.defaultApi;
      if (!bot || !api || this.hasAttribute("preview")) return;
      createApiClient({ baseUrl: api, token: () => null })
        .call("widget.config", { publicKey: bot })
        .then((config) => {
          // Ignored when the element moved to another bot meanwhile, or the session already told it more.
          if (this.#chatbot || this.getAttribute("bot") !== bot) return;
          this.#chatbot = config;
          this.#applyAttributes();
        })
        .catch(() => {});
    }

    #createController(createWidget: (host: WidgetHost) => WidgetController): WidgetController {
      const controller = createWidget({
        element: this,
        root: this.#root!,
        strings: this.#strings,
        locale: this.#locale,
        environment,
        isOpen: () => this.#open,
        close: () => this.close(),
        setChatbot: (chatbot) => {
          this.#chatbot = chatbot;
          this.#applyAttributes();
        },
        emit: (type, detail) => this.#emit(type, detail),
      });
      controller.panel.id = this.#launcher!.getAttribute("aria-controls")!;
      this.#root!.prepend(controller.panel);
      controller.refresh(this.#name);
      return controller;
    }

    #emit(type: string, detail?: unknown) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }

    #build() {
      const doc = this.ownerDocument;
      this.#shadow.adoptedStyleSheets = [widgetStyleSheet()];
      this.#locale = pickLocale([
        this.getAttribute("lang"),
        this.closest("[lang]")?.getAttribute("lang"),
        ...navigator.languages,
      ]);
      this.#strings = stringsFor(this.#locale);
      this.#darkQuery = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;

      const root = doc.createElement("div");
      root.className = "root";
      root.setAttribute("part", "root");
      const launcher = doc.createElement("button");
      launcher.type = "button";
      launcher.className = "launcher";
      launcher.setAttribute("part", "launcher");
      launcher.setAttribute("aria-controls", `avatar-chat-panel-${Math.random().toString(36).slice(2, 9)}`);
      launcher.addEventListener("click", () => (this.#open ? this.close() : void this.open()));
      root.append(launcher);
      this.#shadow.replaceChildren(root);
      this.#root = root;
      this.#launcher = launcher;
      this.#syncLauncher();
    }

    #syncLauncher() {
      const launcher = this.#launcher;
      if (!launcher) return;
      launcher.setAttribute("aria-expanded", String(this.#open));
      launcher.setAttribute("aria-label", this.#open ? this.#strings.close : this.#strings.open);
      const value = this.getAttribute("launcher-icon");
      setIcon(launcher, this.#open ? "close" : isIcon(value) ? value : "chat");
    }

    #applyAttributes() {
      const root = this.#root;
      if (!root) return;
      const theme = this.#chatbot?.theme;
      const position = this.getAttribute("position") ?? theme?.position ?? "right";
      const size = this.getAttribute("size");
      root.className = [
        "root",
        this.#mode,
        position === "left" ? "left" : "right",
        size === "small" || size === "large" ? size : "medium",
      ].join(" ");
      const color = this.getAttribute("primary-color") ?? theme?.primaryColor ?? null;
      // CSSOM, not a style attribute: allowed under a strict style-src CSP.
      if (color && CSS.supports("color", color)) root.style.setProperty("--ac-primary", color);
      else root.style.removeProperty("--ac-primary");
      const themeAttribute = this.getAttribute("theme");
      const dark =
        themeAttribute === "dark" ||
        (themeAttribute === "auto" && this.#darkQuery?.matches === true) ||
        (themeAttribute === null && theme?.dark === true);
      root.classList.toggle("dark", dark);
      this.#syncLauncher();
      void this.#controller?.then((c) => c.refresh(this.#name));
    }

    get #name(): string {
      return this.#chatbot?.name ?? this.getAttribute("name") ?? this.#strings.title;
    }
  };
}
