// Voice input through the Web Speech API (Chrome, Edge, Safari): the fallback where the chatbot's workspace
// has no AI provider to transcribe recordings (a lazy chunk, loaded on the first press of the microphone).

interface RecognitionResultEvent {
  results: ArrayLike<ArrayLike<{ transcript: string }> & { isFinal: boolean }>;
}

interface Recognition {
  lang: string;
  interimResults: boolean;
  continuous: boolean;
  onresult: ((event: RecognitionResultEvent) => void) | null;
  onend: (() => void) | null;
  onerror: ((event: { error: string }) => void) | null;
  start(): void;
  stop(): void;
}

type RecognitionConstructor = new () => Recognition;

function recognitionConstructor(): RecognitionConstructor | null {
  const scope = globalThis as {
    SpeechRecognition?: RecognitionConstructor;
    webkitSpeechRecognition?: RecognitionConstructor;
  };
  return scope.SpeechRecognition ?? scope.webkitSpeechRecognition ?? null;
}

/** Listens once; `onText` gets the growing transcript, `onEnd` fires when listening stops. */
export function listenOnce(options: {
  lang: string;
  onText(text: string, final: boolean): void;
  onEnd(error?: string): void;
}): () => void {
  const Constructor = recognitionConstructor();
  if (!Constructor) {
    options.onEnd("unsupported");
    return () => {};
  }
  const recognition = new Constructor();
  recognition.lang = options.lang;
  recognition.interimResults = true;
  recognition.continuous = false;
  recognition.onresult = (event) => {
    let text = "";
    let final = true;
    for (let i = 0; i < event.results.length; i++) {
      const result = event.results[i]!;
      text += result[0]?.transcript ?? "";
      final &&= result.isFinal;
    }
    options.onText(text, final);
  };
  recognition.onerror = (event) => options.onEnd(event.error);
  recognition.onend = () => options.onEnd();
  recognition.start();
  return () => recognition.stop();
}
