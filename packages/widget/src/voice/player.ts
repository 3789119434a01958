import type { VoiceAudioEvent } from "../api-types";
import type { VisemeSample } from "../lipsync/timeline";
import { audioPathDelayMs, type DelayLine, heardDelayMs, heardFrame } from "./delay-line";
import { centroidOf, type MouthState, mouthFrame, rmsOf } from "./mouth";

// Plays a reply's sentences (voice.audio events) in index order through one AudioContext, and drives
// the mouth from what is playing. Loaded only when a visitor turns voice on. Each sentence plays once:
// a reconnect re-delivers only missed events, and an index already queued or played is ignored.

export interface VoicePlayer {
  /** A sentence arrived: fetch and decode now, play when its turn comes. */
  add(event: VoiceAudioEvent): void;
  /** Barge-in: silence at once and drop what is queued for this reply (late sentences are ignored). */
  stop(): void;
  /** The reply was discarded (a retry starts over): drop its audio. */
  discard(messageId: string): void;
  /** The mouth now; null when nothing plays (the text timeline or rest applies). */
  sample(now: number): VisemeSample | null;
  readonly playing: boolean;
  close(): void;
}

export interface VoicePlayerOptions {
  context: AudioContext;
  audioUrl(audioId: string): string;
  /** A sentence started (index) or the queue ran dry (null): for the page's events and tests. */
  onSentence?(messageId: string, index: number | null): void;
}

export function createVoicePlayer(options: VoicePlayerOptions): VoicePlayer {
  const { context } = options;
  const analyser = context.createAnalyser();
  // ~10 ms at 48 kHz: a short window keeps the mouth within a frame of the sound.
  analyser.fftSize = 512;
  analyser.smoothingTimeConstant = 0;
  analyser.connect(context.destination);
  const samples = new Float32Array(analyser.fftSize);
  const magnitudes = new Uint8Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const mouth: MouthState = { open: 0 };
  let lastFrame: number | null = null;
  // Analysis frames wait here until the speakers emit what they analysed (delay-line.ts).
  const line: DelayLine<{ rms: number; centroidHz: number }> = [];
  /** After the last sentence ends, its tail is still on its way to the speakers until then. */
  let tailUntil = 0;

  let reply: string | null = null;
  let next = 0;
  const queued = new Map<number, Promise<AudioBuffer | null>>();
  const silenced = new Set<string>();
  let source: AudioBufferSourceNode | null = null;
  let busy = false;

  const decode = (audioId: string) =>
    fetch(options.audioUrl(audioId))
      .then((response) => (response.ok ? response.arrayBuffer() : Promise.reject(new Error("gone"))))
      .then((bytes) => context.decodeAudioData(bytes))
      .catch(() => null); // expired or undecodable: that sentence is skipped, the next one plays

  const reset = (messageId: string | null) => {
    source?.stop();
    source = null;
    queued.clear();
    reply = messageId;
    next = 0;
  };

  /** Ms until what the context has rendered so far is heard: by its output clock, else its latency figures. */
  const heardDelay = (now: number) =>
    heardDelayMs(context.currentTime, context.getOutputTimestamp?.() ?? {}, now) ?? audioPathDelayMs(context);

  /** Starts the next sentence once the one playing has ended (its `onended` pumps again). */
  const pump = async () => {
    if (busy || source) return;
    const pending = queued.get(next);
    if (!pending || !reply) return;
    busy = true;
    const messageId = reply;
    const index = next;
    const buffer = await pending;
    busy = false;
    // Stopped, discarded or a newer reply while it decoded.
    if (reply !== messageId || queued.get(index) !== pending) return void pump();
    queued.delete(index);
    next = index + 1;
    if (!buffer) return void pump();
    if (context.state === "suspended") await context.resume().catch(() => {});
    const node = context.createBufferSource();
    node.buffer = buffer;
    node.connect(analyser);
    node.onended = () => {
      if (source !== node) return;
      source = null;
      const now = performance.now();
      tailUntil = now + heardDelay(now);
      if (!queued.has(next)) options.onSentence?.(messageId, null);
      void pump();
    };
    source = node;
    node.start();
    options.onSentence?.(messageId, index);
  };

  return {
    add(event) {
      if (silenced.has(event.messageId)) return;
      if (event.messageId !== reply) reset(event.messageId);
      if (event.index < next || queued.has(event.index)) return;
      queued.set(event.index, decode(event.audioId));
      void pump();
    },
    stop() {
      if (reply) silenced.add(reply);
      reset(null);
      tailUntil = 0;
      mouth.open = 0;
    },
    discard(messageId) {
      if (messageId === reply) reset(null);
    },
    sample(now) {
      if (!source && now >= tailUntil) {
        lastFrame = null;
        line.length = 0;
        mouth.open = 0;
        return null;
      }
      const dt = lastFrame === null ? 16 : now - lastFrame;
      lastFrame = now;
      analyser.getFloatTimeDomainData(samples);
      analyser.getByteFrequencyData(magnitudes);
      const analysed = { rms: rmsOf(samples), centroidHz: centroidOf(magnitudes, binHz) };
      // Read every frame: how far rendering runs ahead of the speakers changes while the context runs.
      const heard = heardFrame(line, now, analysed, heardDelay(now));
      return mouthFrame(mouth, heard?.rms ?? 0, heard?.centroidHz ?? 0, dt);
    },
    get playing() {
      return source !== null || queued.size > 0;
    },
    close() {
      reset(null);
      void context.close().catch(() => {});
    },
  };
}
