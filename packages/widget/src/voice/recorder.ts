// Speech in with the server's transcription (a lazy chunk, loaded on the first press of the microphone):
// MediaRecorder records the microphone, the recording goes to `POST /voice-input/<conversationId>`, and
// the text comes back. Nothing is kept in the browser once the recording is sent.

/** Containers the api takes, in the order asked for: Opus in WebM (Chromium, Firefox), Ogg, then MP4 (Safari). */
const PREFERRED_TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];

/** The api's cap (docs/widget.md, "Speech in"): the recording stops by itself here. */
export const MAX_RECORDING_MS = 60_000;

export interface Recorder {
  /** Ends the recording: resolves with its audio (the microphone is released). */
  finish(): Promise<Blob>;
  /** Drops it: nothing is kept or sent. */
  cancel(): void;
}

export async function startRecording(onLimit: () => void): Promise<Recorder> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true },
  });
  const mimeType = PREFERRED_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
  const chunks: Blob[] = [];
  recorder.addEventListener("dataavailable", (event) => {
    if (event.data.size > 0) chunks.push(event.data);
  });
  const stopped = new Promise<void>((resolve) => recorder.addEventListener("stop", () => resolve()));
  const release = () => {
    clearTimeout(limit);
    for (const track of stream.getTracks()) track.stop();
  };
  const limit = setTimeout(onLimit, MAX_RECORDING_MS);
  recorder.start();
  return {
    async finish() {
      if (recorder.state !== "inactive") recorder.stop();
      await stopped;
      release();
      return new Blob(chunks, { type: recorder.mimeType || chunks[0]?.type || "audio/webm" });
    },
    cancel() {
      if (recorder.state !== "inactive") recorder.stop();
      release();
      chunks.length = 0;
    },
  };
}

export class TranscriptionError extends Error {}

/** Sends a recording for transcription; the text, and the id of the kept recording when the chatbot keeps them. */
export async function transcribe(options: {
  api: string;
  conversationId: string;
  token: string | null;
  audio: Blob;
}): Promise<{ text: string; voiceInputId?: string }> {
  const response = await fetch(`${options.api.replace(/\/+$/, "")}/voice-input/${options.conversationId}`, {
    method: "POST",
    headers: {
      "content-type": options.audio.type,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.audio,
  });
  const body = (await response.json().catch(() => ({}))) as {
    text?: string;
    voiceInputId?: string;
    error?: { message?: string };
  };
  if (!response.ok || typeof body.text !== "string")
    throw new TranscriptionError(body.error?.message ?? `HTTP ${response.status}`);
  return { text: body.text, ...(body.voiceInputId ? { voiceInputId: body.voiceInputId } : {}) };
}
