// One constructable stylesheet shared by every <avatar-chat> on the page (adoptedStyleSheets):
// no <style> elements and no style attributes, so a strict `style-src 'self'` CSP is enough.
// Sizes are in px, never rem: the page's root font size must not resize the widget.

const css = `
:host {
  --ac-primary: var(--avatar-chat-primary, #2456c8);
  --ac-on-primary: var(--avatar-chat-on-primary, #ffffff);
  --ac-bg: var(--avatar-chat-background, #ffffff);
  --ac-fg: var(--avatar-chat-text, #1d232b);
  --ac-muted: var(--avatar-chat-muted, #5b6573);
  --ac-surface: var(--avatar-chat-surface, #f1f3f6);
  --ac-border: var(--avatar-chat-border, #d5dae1);
  --ac-error: var(--avatar-chat-error, #b3261e);
  --ac-stage: var(--avatar-chat-stage, linear-gradient(180deg, #e9eef7, #f7f9fc));
  --ac-radius: var(--avatar-chat-radius, 14px);
  --ac-font: var(--avatar-chat-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  --ac-width: var(--avatar-chat-width, 380px);
  --ac-height: var(--avatar-chat-height, 620px);
  --ac-avatar-height: var(--avatar-chat-avatar-height, 190px);
  --ac-offset: var(--avatar-chat-offset, 20px);
  --ac-z: var(--avatar-chat-z-index, 2147483000);
  --ac-launcher: var(--avatar-chat-launcher-size, 60px);
  --ac-skin: #f1c6a5;
  --ac-hair: #3b2a20;
  display: contents;
}
:host([hidden]) { display: none; }
:host([mode="inline"]) { display: block; min-height: 320px; }

.root {
  all: initial;
  display: block;
  box-sizing: border-box;
  font-family: var(--ac-font);
  font-size: 15px;
  line-height: 1.45;
  color: var(--ac-fg);
  -webkit-font-smoothing: antialiased;
}
.root.dark {
  --ac-bg: var(--avatar-chat-background, #161a20);
  --ac-fg: var(--avatar-chat-text, #eef1f5);
  --ac-muted: var(--avatar-chat-muted, #a6b0bd);
  --ac-surface: var(--avatar-chat-surface, #232933);
  --ac-border: var(--avatar-chat-border, #3a4350);
  --ac-error: var(--avatar-chat-error, #ff8a80);
  --ac-stage: var(--avatar-chat-stage, linear-gradient(180deg, #232a35, #161a20));
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
button, textarea { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid var(--ac-primary); outline-offset: 2px; }

.launcher {
  position: fixed; bottom: var(--ac-offset); right: var(--ac-offset); z-index: var(--ac-z);
  width: var(--ac-launcher); height: var(--ac-launcher); border-radius: 50%; border: none; padding: 0;
  background: var(--ac-primary); color: var(--ac-on-primary);
  display: grid; place-items: center; box-shadow: 0 6px 20px rgb(0 0 0 / 0.25);
}
.left .launcher { right: auto; left: var(--ac-offset); }
.launcher svg { width: 55%; height: 55%; fill: currentColor; }
.small { --ac-width: var(--avatar-chat-width, 320px); --ac-height: var(--avatar-chat-height, 500px); --ac-avatar-height: var(--avatar-chat-avatar-height, 140px); }
.large { --ac-width: var(--avatar-chat-width, 460px); --ac-height: var(--avatar-chat-height, 720px); --ac-avatar-height: var(--avatar-chat-avatar-height, 260px); }

.panel {
  display: flex; flex-direction: column; overflow: hidden;
  background: var(--ac-bg); color: var(--ac-fg);
  border: 1px solid var(--ac-border); border-radius: var(--ac-radius);
}
.floating .panel {
  position: fixed; z-index: var(--ac-z);
  right: var(--ac-offset); bottom: calc(var(--ac-offset) + var(--ac-launcher) + 12px);
  width: min(var(--ac-width), calc(100vw - 16px));
  height: min(var(--ac-height), calc(100vh - var(--ac-launcher) - var(--ac-offset) - 24px));
  box-shadow: 0 12px 40px rgb(0 0 0 / 0.28);
}
.floating.left .panel { right: auto; left: var(--ac-offset); }
.inline .panel { position: relative; width: 100%; height: 100%; min-height: 320px; }
.inline .launcher { display: none; }
@media (max-width: 420px) {
  .floating .panel { right: 8px; left: 8px; width: auto; }
  .floating.left .panel { left: 8px; }
}

.header {
  display: flex; align-items: center; gap: 8px; padding: 8px 10px;
  background: var(--ac-primary); color: var(--ac-on-primary);
}
.header .title { flex: 1; min-width: 0; }
.header h2 { all: unset; display: block; font-weight: 650; font-size: 15px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.header .subtitle { display: block; font-size: 12px; opacity: 0.9; }
.icon-button {
  width: 36px; height: 36px; border-radius: 8px; border: none; padding: 0;
  display: inline-grid; place-items: center; background: transparent; color: inherit;
}
.icon-button:hover { background: rgb(255 255 255 / 0.16); }
.icon-button svg { width: 20px; height: 20px; fill: currentColor; }

/* The avatar gives way before the conversation does: it shrinks so the message list keeps its minimum height. */
.stage { position: relative; flex: 0 1 var(--ac-avatar-height); min-height: 0; background: var(--ac-stage); overflow: hidden; }
.stage canvas, .stage svg { display: block; width: 100%; height: 100%; }
.avatar-2d .skin { fill: var(--ac-skin); }
.avatar-2d .hair, .avatar-2d .brow { fill: var(--ac-hair); }
.avatar-2d .brow { fill: none; stroke: var(--ac-hair); stroke-width: 4; stroke-linecap: round; }
.avatar-2d .eye-white { fill: #fff; }
.avatar-2d .pupil { fill: #1b1b1b; }
.avatar-2d .mouth { fill: #6b1f1f; stroke: #c4706a; stroke-width: 3; }
.avatar-2d .shirt { fill: var(--ac-primary); }
@media (max-height: 640px) { .stage { flex-basis: 110px; } }
/* Short viewports (a laptop at 200 % zoom is 640×400): a sliver of avatar helps no one, the answers do. */
@media (max-height: 480px) { .floating .stage { display: none; } }

.messages { flex: 1 1 0; min-height: 120px; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; overscroll-behavior: contain; }
.message { max-width: 88%; padding: 8px 12px; border-radius: 12px; overflow-wrap: anywhere; }
.message.assistant, .message.agent { align-self: flex-start; background: var(--ac-surface); }
.message.system { align-self: center; font-size: 13px; color: var(--ac-muted); text-align: center; }
.human { align-self: flex-end; margin: 0 10px 4px; border: 1px solid var(--ac-border); border-radius: 999px; background: var(--ac-bg); color: var(--ac-fg); padding: 4px 12px; font-size: 13px; min-height: 28px; }
.message.user { align-self: flex-end; background: var(--ac-primary); color: var(--ac-on-primary); }
.message .who { display: block; font-size: 12px; font-weight: 600; color: var(--ac-muted); }
.message p { margin: 0 0 6px; }
.message p:last-child { margin-bottom: 0; }
.message ul, .message ol { margin: 4px 0; padding-left: 20px; }
.message code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; background: rgb(127 127 127 / 0.18); padding: 1px 4px; border-radius: 4px; }
.message pre { margin: 6px 0; padding: 8px; overflow-x: auto; background: rgb(127 127 127 / 0.15); border-radius: 6px; }
.message pre code { background: none; padding: 0; }
.message a { color: inherit; text-decoration: underline; }
.message.streaming .body::after { content: "▍"; animation: blink 1s steps(2) infinite; }
.message.failed { outline: 1px solid var(--ac-error); }
.message .error { display: block; color: var(--ac-error); font-size: 13px; margin-top: 4px; }
.message.user .error { color: var(--ac-on-primary); }
.citations { margin: 6px 0 0; padding: 6px 0 0; border-top: 1px solid var(--ac-border); font-size: 13px; list-style: none; }
.citations li { margin: 2px 0; }
.citations .snippet { display: block; color: var(--ac-muted); }
.actions { display: flex; gap: 4px; margin-top: 4px; }
.actions button, .retry {
  border: 1px solid var(--ac-border); background: var(--ac-bg); border-radius: 6px; padding: 2px 8px; font-size: 13px; min-height: 28px;
}
.actions svg { width: 16px; height: 16px; fill: currentColor; vertical-align: middle; }
.actions button[aria-pressed="true"] { background: var(--ac-primary); color: var(--ac-on-primary); border-color: var(--ac-primary); }
.notice { align-self: center; font-size: 13px; color: var(--ac-muted); text-align: center; }

.status { min-height: 20px; padding: 0 12px; font-size: 13px; color: var(--ac-muted); display: flex; gap: 8px; align-items: center; }
.status.error { color: var(--ac-error); }

form { display: flex; gap: 6px; align-items: flex-end; padding: 8px 10px 10px; border-top: 1px solid var(--ac-border); }
textarea {
  flex: 1; resize: none; min-height: 40px; max-height: 120px; padding: 9px 10px;
  border: 1px solid var(--ac-border); border-radius: 10px; background: var(--ac-bg); color: var(--ac-fg); font-size: 15px;
}
form .icon-button { background: var(--ac-surface); color: var(--ac-fg); width: 40px; height: 40px; }
form .send { background: var(--ac-primary); color: var(--ac-on-primary); }
form .icon-button:disabled { opacity: 0.5; cursor: default; }
.listening { color: var(--ac-error); }
.counter { padding: 0 12px 8px; font-size: 13px; color: var(--ac-muted); text-align: right; }
.counter.over { color: var(--ac-error); text-align: left; }

@keyframes blink { 50% { opacity: 0; } }
@media (prefers-reduced-motion: reduce) {
  .message.streaming .body::after { animation: none; }
}
`;

let shared: CSSStyleSheet | null = null;

export function widgetStyleSheet(): CSSStyleSheet {
  if (!shared) {
    shared = new CSSStyleSheet();
    shared.replaceSync(css);
  }
  return shared;
}
