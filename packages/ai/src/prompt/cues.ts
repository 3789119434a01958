import { modelCues } from "@avatar-chat/protocol";

/** Avatar cues the model may emit inline as `[[name]]`; the worker turns them into avatar.cue events. */
export const MODEL_CUES = modelCues;
export type ModelCue = (typeof MODEL_CUES)[number];

const CUE_SET: ReadonlySet<string> = new Set(MODEL_CUES);
// Any `[[word]]` is removed from visible text (an invented cue must not leak), only known names become cues.
const TAG = /\[\[\s*([a-z_-]{1,24})\s*\]\]/gi;
// A buffer tail that could still grow into a tag: "[", "[[", "[[hap", "[[happy", "[[happy]".
const PARTIAL_TAG = /\[(?:\[\s*[a-z_-]{0,24}\s*\]?)?$/i;

export interface CueStripResult {
  text: string;
  cues: ModelCue[];
}

export interface CueStripper {
  /** Feed one streamed delta; returns the text safe to show now and the cues completed in it. */
  push(delta: string): CueStripResult;
  /** End of stream: returns whatever was held back (an unfinished tag is shown as typed). */
  flush(): CueStripResult;
}

/** Removes `[[cue]]` tags from a token stream, even when a tag is split across deltas. */
export function createCueStripper(): CueStripper {
  let pending = "";

  function strip(text: string): CueStripResult {
    const cues: ModelCue[] = [];
    const visible = text.replace(TAG, (_, name: string) => {
      const cue = name.toLowerCase();
      if (CUE_SET.has(cue)) cues.push(cue as ModelCue);
      return "";
    });
    return { text: visible, cues };
  }

  return {
    push(delta) {
      const buffered = pending + delta;
      const result = strip(buffered);
      const partial = PARTIAL_TAG.exec(result.text);
      pending = partial ? partial[0] : "";
      return { text: partial ? result.text.slice(0, partial.index) : result.text, cues: result.cues };
    },
    flush() {
      const rest = pending;
      pending = "";
      return { text: rest, cues: [] };
    },
  };
}

/** Strips every cue tag from a finished text (e.g. the final stored message). */
export function stripCues(text: string): CueStripResult {
  const stripper = createCueStripper();
  const head = stripper.push(text);
  const tail = stripper.flush();
  return { text: head.text + tail.text, cues: [...head.cues, ...tail.cues] };
}
