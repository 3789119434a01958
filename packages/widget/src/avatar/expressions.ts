import type { AvatarCueName } from "../api-types";
import type { Viseme } from "../lipsync/visemes";

// Facial states in ARKit-style blend-shape names without the Left/Right suffix; the rig applies a
// base name to `<name>`, `<name>Left` and `<name>Right`, whichever the model has.

export type Expression = "neutral" | "happy" | "sad" | "surprised" | "thinking";
export type Gesture = "nod" | "shake" | "wave";

export interface ExpressionShape {
  morphs: Record<string, number>;
  /** Where the eyes drift (radians), e.g. up and aside while thinking. */
  gaze?: { yaw: number; pitch: number };
  headRoll?: number;
}

export const expressions: Record<Expression, ExpressionShape> = {
  neutral: { morphs: {} },
  happy: { morphs: { mouthSmile: 0.8, eyeSquint: 0.35, browOuterUp: 0.2, cheekSquint: 0.4 } },
  sad: { morphs: { mouthFrown: 0.7, browInnerUp: 0.8, eyeSquint: 0.15 }, headRoll: 0.05 },
  surprised: { morphs: { browInnerUp: 0.8, browOuterUp: 0.8, eyeWide: 0.9, jawOpen: 0.25 } },
  thinking: {
    morphs: { browDown: 0.35, browInnerUp: 0.3, mouthFrown: 0.15, eyeSquint: 0.2 },
    gaze: { yaw: 0.25, pitch: 0.2 },
    headRoll: 0.08,
  },
};

export interface CueAction {
  expression?: Expression;
  gesture?: Gesture;
  speaking?: boolean;
}

export function cueAction(cue: AvatarCueName): CueAction {
  switch (cue) {
    case "happy":
    case "sad":
    case "thinking":
    case "surprised":
    case "neutral":
      return { expression: cue };
    case "nod":
    case "shake":
    case "wave":
      return { gesture: cue };
    case "speaking.start":
      return { speaking: true };
    case "speaking.stop":
      return { speaking: false };
  }
}

/** Head rotation of a gesture `t` seconds after it started, or null once it is over. */
export function gestureHead(
  gesture: Gesture,
  t: number,
): { pitch: number; yaw: number; roll: number } | null {
  const duration = gesture === "wave" ? 1.2 : 0.9;
  if (t < 0 || t > duration) return null;
  const envelope = Math.sin((Math.PI * t) / duration);
  const swing = Math.sin(t * Math.PI * 2 * 2.2) * envelope;
  if (gesture === "nod") return { pitch: 0.16 * swing, yaw: 0, roll: 0 };
  if (gesture === "shake") return { pitch: 0, yaw: 0.22 * swing, roll: 0 };
  // Without arms on the default head, a wave is a friendly tilt.
  return { pitch: -0.03 * envelope, yaw: 0, roll: 0.12 * swing };
}

/** Oculus visemes expressed with ARKit shapes, for models that only have ARKit blend shapes. */
export const visemeToArkit: Record<Viseme, Record<string, number>> = {
  sil: {},
  PP: { mouthClose: 0.4, mouthPress: 0.6 },
  FF: { jawOpen: 0.1, mouthRollLower: 0.6, mouthUpperUp: 0.2 },
  TH: { jawOpen: 0.18, tongueOut: 0.4 },
  DD: { jawOpen: 0.22, mouthStretch: 0.2 },
  kk: { jawOpen: 0.28, mouthStretch: 0.15 },
  CH: { jawOpen: 0.15, mouthFunnel: 0.6, mouthPucker: 0.2 },
  SS: { jawOpen: 0.06, mouthStretch: 0.45, mouthSmile: 0.1 },
  nn: { jawOpen: 0.15, mouthStretch: 0.1 },
  RR: { jawOpen: 0.18, mouthFunnel: 0.35, mouthPucker: 0.2 },
  aa: { jawOpen: 0.65 },
  E: { jawOpen: 0.35, mouthStretch: 0.35 },
  ih: { jawOpen: 0.18, mouthStretch: 0.3, mouthSmile: 0.15 },
  oh: { jawOpen: 0.45, mouthFunnel: 0.7 },
  ou: { jawOpen: 0.15, mouthPucker: 0.9, mouthFunnel: 0.3 },
};

/** VRM has five vowel expressions; every viseme maps onto them. */
export const visemeToVrm: Record<Viseme, Partial<Record<"aa" | "ih" | "ou" | "ee" | "oh", number>>> = {
  sil: {},
  PP: {},
  FF: { ih: 0.2 },
  TH: { aa: 0.2 },
  DD: { aa: 0.25, ih: 0.1 },
  kk: { aa: 0.3 },
  CH: { ou: 0.4, ih: 0.2 },
  SS: { ih: 0.4 },
  nn: { aa: 0.15 },
  RR: { ou: 0.3, aa: 0.15 },
  aa: { aa: 0.9 },
  E: { ee: 0.7 },
  ih: { ih: 0.7 },
  oh: { oh: 0.8 },
  ou: { ou: 0.9 },
};

/** How open the mouth is for a set of viseme weights: drives `mouthOpen`-only models and the 2D avatar. */
export function mouthOpenness(weights: Partial<Record<Viseme, number>>): number {
  let open = 0;
  for (const [viseme, weight] of Object.entries(weights) as [Viseme, number][]) {
    open += (visemeToArkit[viseme].jawOpen ?? 0) * weight;
  }
  return Math.min(1, open / 0.65);
}
