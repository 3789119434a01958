import { type Figures, figure, percentile, type Suite } from "../../../bench/figures.ts";
import { embedPage } from "../test/harness.ts";
import { createAnsweringChatbot, signUpOwner, startEmbeddedSite, VOICE_KNOWLEDGE } from "../test/platform.ts";
import { askAndListen, lipsyncLags, openVoiced, recorded } from "../test/voice-probe.ts";

const QUESTIONS = [
  "When does the store open on Saturdays?",
  "When does the store open on weekdays?",
  "Is the store open on Sundays?",
  "When does the store close on Saturdays?",
  "What are the opening hours?",
  "Can I shop on a Sunday?",
];
/**
 * Each question is asked this many times: an onset counts only after a pause, and back-to-back sentences
 * leave few (about one per answer), so one round's p95 would be its largest lag.
 */
const ROUNDS = 4;

/**
 * voice.lipsync_offset_ms: in Chromium, the real platform speaks whole answers with its offline voice
 * (espeak-ng) and the widget plays them; for every energy onset of the audio heard after a pause, the
 * time from that onset (on the AudioContext's output clock) to the first mouth-open frame, as
 * voice.browser.test.ts measures it, over QUESTIONS answered one after another, ROUNDS times. The 2D avatar, so the
 * figure is the mouth's, not SwiftShader's frame rate.
 */
const suite: Suite = {
  name: "voice",
  measures: [
    "packages/widget/src/voice",
    "packages/widget/src/widget.ts",
    "packages/widget/src/chat/frame-batch.ts",
    "packages/widget/test/voice-probe.ts",
  ],
  async run(): Promise<Figures> {
    const { platform, site, browser, pages, close } = await startEmbeddedSite({
      chromiumArgs: ["--autoplay-policy=no-user-gesture-required"],
    });
    try {
      const cookie = await signUpOwner(platform, "Lipsync Bench");
      const chatbot = await createAnsweringChatbot(platform, cookie, {
        allowedOrigin: site.url,
        knowledge: VOICE_KNOWLEDGE,
      });
      pages["/"] = embedPage(`<avatar-chat bot="${chatbot.publicKey}" avatar="2d" open></avatar-chat>`, {
        scriptSrc: `${platform.url}/widget/avatar-chat.js`,
        hostileCss: false,
      });
      const page = await (await browser.newContext()).newPage();
      await openVoiced(page, `${site.url}/`);
      for (let round = 0; round < ROUNDS; round++) {
        for (const question of QUESTIONS) await askAndListen(page, question);
      }
      const data = await recorded(page);
      const lags = lipsyncLags(data);
      const offsets = lags.map(Math.abs).sort((a, b) => a - b);
      const signed = [...lags].sort((a, b) => a - b);
      const how = `${QUESTIONS.length * ROUNDS} answers, ${data.played.length} sentences, ${lags.length} onsets after a pause; signed median ${Math.round(percentile(signed, 50))} ms (negative: the mouth leads)`;
      return {
        "voice.lipsync_offset_ms": figure(
          percentile(offsets, 50),
          "ms",
          `p50 of |mouth-open frame − audio energy onset as heard| in Chromium over whole spoken answers (offline voice, 2D avatar), ${how}`,
        ),
        "voice.lipsync_offset_p95_ms": figure(
          percentile(offsets, 95),
          "ms",
          `p95 of the same (target < 60 ms), ${how}`,
        ),
      };
    } finally {
      await close();
    }
  },
};

export default suite;
