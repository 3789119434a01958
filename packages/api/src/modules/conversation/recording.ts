// What a visitor's recording for `POST /voice-input/<conversationId>` may be (docs/widget.md, "Speech in").

/** 60 s of Opus at MediaRecorder's default ~32–128 kbit/s is well under this; 16 kHz WAV is 1.9 MB a minute. */
export const MAX_RECORDING_BYTES = 2 * 1024 * 1024;
export const MAX_RECORDING_SECONDS = 60;

/** MediaRecorder's containers (Chromium and Firefox: WebM/Ogg Opus; Safari: MP4/AAC) and plain WAV. */
export const recordingTypes = ["audio/webm", "audio/ogg", "audio/mp4", "audio/wav"] as const;
export type RecordingType = (typeof recordingTypes)[number];

const aliases: Record<string, RecordingType> = {
  "audio/x-wav": "audio/wav",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "video/webm": "audio/webm",
  "video/mp4": "audio/mp4",
  "audio/x-m4a": "audio/mp4",
};

/** The declared media type without parameters (`audio/webm;codecs=opus` → `audio/webm`), or null. */
export function declaredRecordingType(header: string | undefined): RecordingType | null {
  const essence = (header ?? "").split(";")[0]!.trim().toLowerCase();
  if ((recordingTypes as readonly string[]).includes(essence)) return essence as RecordingType;
  return aliases[essence] ?? null;
}

const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

/** The container the bytes really are, by their magic bytes; null for anything else. */
export function sniffRecording(bytes: Uint8Array): RecordingType | null {
  if (bytes.length < 12) return null;
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return "audio/webm";
  if (ascii(bytes, 0, 4) === "OggS") return "audio/ogg";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WAVE") return "audio/wav";
  if (ascii(bytes, 4, 8) === "ftyp") return "audio/mp4";
  return null;
}

/** Seconds of a PCM WAV (its header's byte rate); null when the header does not say. */
export function wavSeconds(bytes: Uint8Array): number | null {
  if (bytes.length < 44) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const byteRate = view.getUint32(28, true);
  return byteRate > 0 ? (bytes.length - 44) / byteRate : null;
}

export type RecordingCheck =
  | { ok: true; type: RecordingType }
  | {
      ok: false;
      status: 400 | 413 | 415;
      code: "BAD_REQUEST" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE";
      message: string;
    };

/** A recording is taken when its declared type is one we know and its bytes are that container. */
export function checkRecording(bytes: Uint8Array, contentType: string | undefined): RecordingCheck {
  const declared = declaredRecordingType(contentType);
  if (!declared)
    return {
      ok: false,
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: `Send the recording as ${recordingTypes.join(", ")}.`,
    };
  if (bytes.length === 0)
    return { ok: false, status: 400, code: "BAD_REQUEST", message: "The recording is empty." };
  if (bytes.length > MAX_RECORDING_BYTES)
    return {
      ok: false,
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      message: `A recording may be at most ${MAX_RECORDING_BYTES / 1024 / 1024} MB.`,
    };
  const actual = sniffRecording(bytes);
  if (actual !== declared)
    return {
      ok: false,
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: `This is not ${declared} audio${actual ? ` (it is ${actual})` : ""}.`,
    };
  const seconds = actual === "audio/wav" ? wavSeconds(bytes) : null;
  if (seconds !== null && seconds > MAX_RECORDING_SECONDS)
    return {
      ok: false,
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      message: `A recording may be at most ${MAX_RECORDING_SECONDS} seconds long.`,
    };
  return { ok: true, type: actual };
}

/** Where a kept recording lives: under its tenant and conversation, named by a random id. */
export const voiceInputKey = (tenantId: string, conversationId: string, voiceInputId: string) =>
  `tenants/${tenantId}/voice-input/${conversationId}/${voiceInputId}`;
