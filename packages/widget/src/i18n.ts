// The widget's own UI strings. Model answers are never translated here.

const en = {
  open: "Open chat",
  close: "Close chat",
  title: "Chat",
  inputLabel: "Your message",
  placeholder: "Type a message…",
  send: "Send",
  stop: "Stop answer",
  retry: "Retry",
  retrying: "Not sent yet, trying again…",
  mute: "Mute voice",
  unmute: "Speak answers aloud",
  voiceInput: "Speak your question",
  voiceListening: "Listening…",
  voiceStop: "Stop recording and send",
  voiceRecording: "Recording… press the microphone again to send, Escape to cancel.",
  voiceTranscribing: "Transcribing…",
  voiceFailed: "Voice input failed: {reason}",
  thumbsUp: "Helpful",
  thumbsDown: "Not helpful",
  feedbackThanks: "Thanks for your feedback",
  sources: "Sources",
  typing: "Typing…",
  thinking: "Thinking…",
  connecting: "Connecting…",
  reconnecting: "Connection lost, reconnecting…",
  talkToPerson: "Talk to a person",
  handoffRequested: "A person will join soon; the assistant keeps helping until then.",
  handoffAgent: "{name} has joined the chat",
  handoffAgentUnnamed: "A person has joined the chat",
  handoffBot: "You are chatting with the assistant again",
  errorStart: "The chat could not start: {reason}",
  errorSend: "Your message could not be sent: {reason}",
  errorReply: "The answer failed: {reason}",
  errorUnknown: "unknown error",
  stopped: "Answer stopped",
  you: "You",
  avatarLabel: "Avatar of {name}",
  newConversation: "New conversation",
  charactersLeft: "{count} characters left",
  chatWith: "Chat with {name}",
  tooLong: "{count} characters too long: shorten your message to send it (at most {max})",
} as const;

export type Strings = { readonly [K in keyof typeof en]: string };

const de: Strings = {
  open: "Chat öffnen",
  close: "Chat schließen",
  title: "Chat",
  inputLabel: "Ihre Nachricht",
  placeholder: "Nachricht eingeben…",
  send: "Senden",
  stop: "Antwort stoppen",
  retry: "Erneut versuchen",
  retrying: "Noch nicht gesendet, neuer Versuch…",
  mute: "Stimme stummschalten",
  unmute: "Antworten vorlesen",
  voiceInput: "Frage sprechen",
  voiceListening: "Ich höre zu…",
  voiceStop: "Aufnahme beenden und senden",
  voiceRecording: "Aufnahme… Mikrofon erneut drücken zum Senden, Escape zum Abbrechen.",
  voiceTranscribing: "Wird in Text umgewandelt…",
  voiceFailed: "Spracheingabe fehlgeschlagen: {reason}",
  thumbsUp: "Hilfreich",
  thumbsDown: "Nicht hilfreich",
  feedbackThanks: "Danke für Ihr Feedback",
  sources: "Quellen",
  typing: "Schreibt…",
  thinking: "Denkt nach…",
  connecting: "Verbinde…",
  reconnecting: "Verbindung unterbrochen, verbinde erneut…",
  talkToPerson: "Mit einem Menschen sprechen",
  handoffRequested: "Gleich kommt ein Mitarbeiter dazu; bis dahin hilft der Assistent weiter.",
  handoffAgent: "{name} ist dem Chat beigetreten",
  handoffAgentUnnamed: "Ein Mitarbeiter ist dem Chat beigetreten",
  handoffBot: "Sie chatten wieder mit dem Assistenten",
  errorStart: "Der Chat konnte nicht starten: {reason}",
  errorSend: "Ihre Nachricht konnte nicht gesendet werden: {reason}",
  errorReply: "Die Antwort ist fehlgeschlagen: {reason}",
  errorUnknown: "unbekannter Fehler",
  stopped: "Antwort gestoppt",
  you: "Sie",
  avatarLabel: "Avatar von {name}",
  newConversation: "Neues Gespräch",
  charactersLeft: "Noch {count} Zeichen",
  chatWith: "Chat mit {name}",
  tooLong: "{count} Zeichen zu lang: kürzen Sie die Nachricht, um sie zu senden (höchstens {max})",
};

const catalogs: Record<string, Strings> = { en, de };

export type Locale = "en" | "de";

/** Picks the first supported language from the candidates (e.g. `lang` attribute, then navigator.languages). */
export function pickLocale(candidates: ReadonlyArray<string | null | undefined>): Locale {
  for (const candidate of candidates) {
    const base = candidate?.trim().toLowerCase().split(/[-_]/)[0];
    if (base === "en" || base === "de") return base;
  }
  return "en";
}

export function stringsFor(locale: Locale): Strings {
  return catalogs[locale] ?? en;
}

/** Replaces `{name}` placeholders; unknown placeholders stay visible so a missing value is noticed. */
export function format(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
