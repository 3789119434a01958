import { describe, expect, it } from "vitest";
import { espeakAvailable, speakWithEspeak } from "./espeak";
import { createSentenceStream } from "./sentence-stream";
import { speakableText } from "./speakable";

describe("sentence stream", () => {
  it("gives each sentence once it has ended, whatever the delta boundaries", () => {
    const text = "The store opens at 9am. It closes at 6pm on weekdays! Returns e.g. shoes are fine? Yes";
    for (const size of [1, 3, 7, 100]) {
      const stream = createSentenceStream();
      const out: string[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...stream.push(text.slice(i, i + size)));
      out.push(...stream.flush());
      expect(out).toEqual([
        "The store opens at 9am.",
        "It closes at 6pm on weekdays!",
        "Returns e.g. shoes are fine?",
        "Yes",
      ]);
    }
  });

  it("ends a sentence at a line break and keeps short pieces with the next one", () => {
    const stream = createSentenceStream();
    expect(stream.push("Yes. The shop is open\n- Monday to Friday")).toEqual(["Yes. The shop is open"]);
    expect(stream.flush()).toEqual(["- Monday to Friday"]);
  });
});

describe("speakable text", () => {
  it("drops Markdown, citation marks and link targets", () => {
    expect(speakableText("## Hours\n**Open** at [our shop](https://x.test/a) 9am [1]. See `code`.")).toBe(
      "Hours Open at our shop 9am. See code.",
    );
  });
});

describe.runIf(await espeakAvailable())("espeak-ng", () => {
  it("speaks a sentence as a WAV whose header states its real sizes", async () => {
    const { audio, contentType } = await speakWithEspeak("Hello, how are you?", { voice: "en", speed: 1 });
    const wav = Buffer.from(audio);
    expect(contentType).toBe("audio/wav");
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.readUInt32LE(4)).toBe(wav.byteLength - 8);
    expect(wav.readUInt32LE(40)).toBe(wav.byteLength - 44);
    expect(wav.readUInt32LE(24)).toBe(22050);
    // About a second of speech: 22050 samples of 2 bytes each.
    expect(wav.byteLength).toBeGreaterThan(22050);
  });

  it("speaks faster when asked", async () => {
    const slow = await speakWithEspeak("One two three four five six.", { voice: "en", speed: 0.5 });
    const fast = await speakWithEspeak("One two three four five six.", { voice: "en", speed: 2 });
    expect(fast.audio.byteLength).toBeLessThan(slow.audio.byteLength / 2);
  });

  it("fails on a voice espeak-ng does not have", async () => {
    await expect(speakWithEspeak("Hi.", { voice: "xx-none", speed: 1 })).rejects.toThrow(/espeak-ng failed/);
  });
});
