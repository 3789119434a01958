import type { VoiceSettings } from "@avatar-chat/protocol/voice";
import { useMutation } from "@tanstack/react-query";
import { useRef } from "react";
import { readableError } from "../lib/errors";
import { trpc } from "../trpc";
import { Notice } from "./states";

/** Bytes of a base64 string (the api sends the sample's audio in JSON). */
export function base64Bytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * "Listen": the api speaks the chatbot's greeting with the form's voice settings (saved or not) through
 * the code that speaks answers, and it plays here. The AudioContext is made in the click itself, so the
 * browser lets it play once the audio arrives, however long the provider took.
 */
export function VoiceSample({ chatbotId, voice }: { chatbotId: string; voice: VoiceSettings }) {
  const context = useRef<AudioContext | null>(null);
  const playing = useRef<AudioBufferSourceNode | null>(null);
  const sample = useMutation(
    trpc.chatbot.voiceSample.mutationOptions({
      onSuccess: async ({ audio }) => {
        const audioContext = context.current;
        if (!audioContext) return;
        const buffer = await audioContext.decodeAudioData(base64Bytes(audio).buffer);
        playing.current?.stop();
        const source = audioContext.createBufferSource();
        source.buffer = buffer;
        source.connect(audioContext.destination);
        source.start();
        playing.current = source;
      },
    }),
  );
  function listen() {
    context.current ??= new AudioContext();
    void context.current.resume();
    sample.mutate({ chatbotId, voice });
  }
  return (
    <div className="stack">
      <div>
        <button type="button" className="button" disabled={sample.isPending} onClick={listen}>
          {sample.isPending ? "Speaking…" : "Listen to the greeting"}
        </button>
      </div>
      {sample.error && <Notice kind="error">{readableError(sample.error)}</Notice>}
    </div>
  );
}
