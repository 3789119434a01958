import type { AvatarCueName } from "../api-types";
import type { VisemeSample, VisemeWeights } from "../lipsync/timeline";
import { cueAction, type Expression, expressions, type Gesture, gestureHead } from "./expressions";

// Everything that makes the avatar look alive, as a function of time: the renderers (3D rig or
// 2D SVG) only apply the pose this returns, so the behaviour is the same for both and testable.

export interface Pose {
  visemes: VisemeWeights;
  viseme: string;
  morphs: Record<string, number>;
  blink: number;
  head: { pitch: number; yaw: number; roll: number };
  gaze: { yaw: number; pitch: number };
  breath: number;
  speaking: boolean;
}

export interface Animator {
  cue(cue: AvatarCueName, now: number): void;
  /** Pointer position relative to the avatar, -1..1 on both axes (y up), or null when unknown. */
  pointer(target: { x: number; y: number } | null): void;
  pose(now: number, lips: VisemeSample): Pose;
}

export function createAnimator(options: { reducedMotion: boolean; random?: () => number }): Animator {
  const random = options.random ?? Math.random;
  const motion = options.reducedMotion ? 0 : 1;
  let expression: Expression = "neutral";
  let expressionSince = 0;
  let previous: Record<string, number> = {};
  let gesture: { kind: Gesture; at: number } | null = null;
  let nextBlink = 1500 + random() * 2500;
  let pointer: { x: number; y: number } | null = null;
  let lookYaw = 0;
  let lookPitch = 0;
  let lastNow: number | null = null;
  let cueSpeaking = false;

  const morphsAt = (now: number) => {
    // Cross-fade over 300 ms from the previous expression.
    const k = Math.min(1, (now - expressionSince) / 300);
    const target = expressions[expression].morphs;
    const out: Record<string, number> = {};
    for (const key of new Set([...Object.keys(previous), ...Object.keys(target)])) {
      const value = (previous[key] ?? 0) * (1 - k) + (target[key] ?? 0) * k;
      if (value > 0.001) out[key] = value;
    }
    return out;
  };

  return {
    cue(cue, now) {
      const action = cueAction(cue);
      if (action.expression && action.expression !== expression) {
        previous = morphsAt(now);
        expression = action.expression;
        expressionSince = now;
      }
      if (action.gesture && motion > 0) gesture = { kind: action.gesture, at: now };
      if (action.speaking !== undefined) cueSpeaking = action.speaking;
    },
    pointer(target) {
      pointer = target;
    },
    pose(now, lips) {
      const dt = lastNow === null ? 0 : Math.min(0.1, (now - lastNow) / 1000);
      lastNow = now;
      const t = now / 1000;

      // Natural blinking: 150 ms closing-and-opening every 2–6 s, sometimes a double blink.
      let blink = 0;
      if (now >= nextBlink) {
        const phase = (now - nextBlink) / 150;
        blink = phase < 1 ? Math.sin(Math.PI * phase) : 0;
        if (phase >= 1) nextBlink = now + (random() < 0.15 ? 200 : 2000 + random() * 4000);
      }

      const shape = expressions[expression];
      const targetYaw = (pointer ? pointer.x * 0.35 : 0) + (shape.gaze?.yaw ?? 0);
      const targetPitch = (pointer ? pointer.y * 0.2 : 0) + (shape.gaze?.pitch ?? 0);
      const follow = 1 - Math.exp(-dt * 4);
      lookYaw += (targetYaw - lookYaw) * follow;
      lookPitch += (targetPitch - lookPitch) * follow;

      const g = gesture ? gestureHead(gesture.kind, (now - gesture.at) / 1000) : null;
      if (gesture && !g) gesture = null;
      const idle = {
        pitch: 0.02 * Math.sin(t * 0.7) + 0.01 * Math.sin(t * 1.9),
        yaw: 0.03 * Math.sin(t * 0.45) + 0.01 * Math.sin(t * 1.3),
        roll: 0.015 * Math.sin(t * 0.6),
      };
      const talking = lips.speaking ? 0.015 * Math.sin(t * 5.3) : 0;
      const head = {
        pitch: motion * (idle.pitch + talking + (g?.pitch ?? 0) + lookPitch * 0.4),
        yaw: motion * (idle.yaw + (g?.yaw ?? 0) + lookYaw * 0.4),
        roll: motion * (idle.roll + (g?.roll ?? 0) + (shape.headRoll ?? 0)),
      };

      return {
        visemes: lips.weights,
        viseme: lips.viseme,
        morphs: morphsAt(now),
        blink,
        head,
        gaze: { yaw: lookYaw * 0.6, pitch: lookPitch * 0.6 },
        breath: motion * Math.sin((t * Math.PI * 2) / 4.5),
        speaking: lips.speaking || cueSpeaking,
      };
    },
  };
}
