import { spawn } from "node:child_process";

// The offline voice: Debian's espeak-ng, run as a separate program per sentence (no native binding,
// nothing to build; a crash or a hang costs one sentence, never the worker).

export interface SpokenAudio {
  audio: Uint8Array;
  contentType: "audio/wav" | "audio/mpeg";
}

export interface SpeakOptions {
  /** espeak-ng voice name (`en`, `de`, `en-us+f3`). */
  voice: string;
  /** 1 = espeak-ng's normal 175 words per minute. */
  speed: number;
  signal?: AbortSignal;
  /** The program; tests and unusual installs may name another path. */
  command?: string;
}

const WORDS_PER_MINUTE = 175;

export class EspeakMissingError extends Error {
  override readonly name = "EspeakMissingError";
}

/** Speaks `text` as a 22.05 kHz 16-bit mono WAV. The text goes in on stdin, never on the command line. */
export function speakWithEspeak(text: string, options: SpeakOptions): Promise<SpokenAudio> {
  const wpm = Math.round(WORDS_PER_MINUTE * Math.min(2, Math.max(0.5, options.speed)));
  const args = ["--stdout", "-b", "1", "-v", options.voice || "en", "-s", String(wpm)];
  return new Promise((resolve, reject) => {
    const child = spawn(options.command ?? "espeak-ng", args, {
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    let errors = "";
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdin.on("error", () => {}); // the program died first: reported by close
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new EspeakMissingError("espeak-ng is not installed") : error),
    );
    child.on("close", (code) => {
      const wav = Buffer.concat(out);
      if (code === 0 && wav.byteLength > 44) resolve({ audio: fixWavSizes(wav), contentType: "audio/wav" });
      else reject(new Error(`espeak-ng failed (exit ${code}): ${errors.trim() || "no audio"}`));
    });
    child.stdin.end(text);
  });
}

/** True when espeak-ng runs here. */
export async function espeakAvailable(command = "espeak-ng"): Promise<boolean> {
  return speakWithEspeak(".", { voice: "en", speed: 1, command }).then(
    () => true,
    () => false,
  );
}

/**
 * espeak-ng streams to stdout, so its RIFF and data sizes say "unknown" (0x7fffffff-ish); some decoders
 * refuse that. Writes the real sizes (a canonical 44-byte header, which is what espeak-ng writes).
 */
export function fixWavSizes(wav: Buffer): Buffer {
  if (wav.toString("ascii", 0, 4) !== "RIFF" || wav.toString("ascii", 36, 40) !== "data") return wav;
  wav.writeUInt32LE(wav.byteLength - 8, 4);
  wav.writeUInt32LE(wav.byteLength - 44, 40);
  return wav;
}

/** The espeak-ng voice for a chatbot's locale (`pt-BR` → `pt-br`, `de` → `de`). */
export function espeakVoiceFor(locale: string): string {
  return locale.toLowerCase();
}
