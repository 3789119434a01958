// Reading answers aloud with the browser's speechSynthesis. Word-boundary events drive the mouth;
// engines that send none (some network voices) fall back to the text timeline.

export interface Speaker {
  readonly supported: boolean;
  /** Queues one chunk (a sentence or the rest of a message). */
  speak(text: string): void;
  cancel(): void;
}

export interface SpeakerEvents {
  onWord(word: string, durationMs: number | undefined): void;
  /** An utterance started without word boundaries: animate the mouth from the text instead. */
  onUnsyncedText(text: string): void;
  onIdle(): void;
}

export function createSpeaker(options: { lang: string; voice?: string } & SpeakerEvents): Speaker {
  const synth = typeof speechSynthesis === "undefined" ? null : speechSynthesis;
  let pending = 0;
  const pickVoice = () => {
    const voices = synth?.getVoices() ?? [];
    return (
      voices.find((v) => v.name === options.voice) ??
      voices.find((v) => v.lang.toLowerCase().startsWith(options.lang.toLowerCase())) ??
      null
    );
  };
  return {
    supported: synth !== null,
    speak(text) {
      if (!synth || text.trim() === "") return;
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = options.lang;
      const voice = pickVoice();
      if (voice) utterance.voice = voice;
      let sawBoundary = false;
      let fallbackTimer: ReturnType<typeof setTimeout> | undefined;
      utterance.onstart = () => {
        fallbackTimer = setTimeout(() => {
          if (!sawBoundary) options.onUnsyncedText(text);
        }, 350);
      };
      utterance.onboundary = (event) => {
        if (event.name !== "word") return;
        sawBoundary = true;
        const length = event.charLength || (/^\S+/.exec(text.slice(event.charIndex))?.[0].length ?? 0);
        options.onWord(text.slice(event.charIndex, event.charIndex + length), undefined);
      };
      const done = () => {
        clearTimeout(fallbackTimer);
        pending = Math.max(0, pending - 1);
        if (pending === 0) options.onIdle();
      };
      utterance.onend = done;
      utterance.onerror = done;
      pending++;
      synth.speak(utterance);
    },
    cancel() {
      pending = 0;
      synth?.cancel();
    },
  };
}

/** Index just after the last sentence end in `text` at or after `from`, or -1: speech goes sentence by sentence. */
export function lastSentenceEnd(text: string, from: number): number {
  let end = -1;
  const pattern = /[.!?…:;](?=\s)|\n/g;
  pattern.lastIndex = from;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) end = match.index + match[0].length;
  return end;
}
