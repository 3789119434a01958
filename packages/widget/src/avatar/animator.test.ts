import { describe, expect, it } from "vitest";
import type { VisemeSample } from "../lipsync/timeline";
import { createAnimator } from "./animator";
import { cueAction, gestureHead, mouthOpenness } from "./expressions";

const quiet: VisemeSample = { weights: {}, viseme: "sil", speaking: false };

describe("cue handling", () => {
  it("maps each cue to an expression, a gesture or speaking", () => {
    expect(cueAction("happy")).toEqual({ expression: "happy" });
    expect(cueAction("nod")).toEqual({ gesture: "nod" });
    expect(cueAction("speaking.start")).toEqual({ speaking: true });
    expect(cueAction("speaking.stop")).toEqual({ speaking: false });
  });

  it("blends into an expression over 300 ms", () => {
    const animator = createAnimator({ reducedMotion: false, random: () => 0.5 });
    animator.cue("happy", 1000);
    expect(animator.pose(1000, quiet).morphs.mouthSmile ?? 0).toBe(0);
    expect(animator.pose(1150, quiet).morphs.mouthSmile).toBeCloseTo(0.4);
    expect(animator.pose(1400, quiet).morphs.mouthSmile).toBeCloseTo(0.8);
    animator.cue("neutral", 2000);
    expect(animator.pose(2400, quiet).morphs).toEqual({});
  });

  it("plays gestures once and then returns to idle", () => {
    expect(gestureHead("shake", 0.3)?.yaw).not.toBe(0);
    expect(gestureHead("nod", 2)).toBeNull();
    const animator = createAnimator({ reducedMotion: false, random: () => 0.5 });
    animator.cue("shake", 0);
    const during = animator.pose(300, quiet).head.yaw;
    const idleOnly = createAnimator({ reducedMotion: false, random: () => 0.5 }).pose(300, quiet).head.yaw;
    expect(during).not.toBeCloseTo(idleOnly);
  });
});

describe("idle life", () => {
  it("blinks within a few seconds", () => {
    const animator = createAnimator({ reducedMotion: false, random: () => 0.5 });
    let maxBlink = 0;
    for (let t = 0; t < 6000; t += 16) maxBlink = Math.max(maxBlink, animator.pose(t, quiet).blink);
    expect(maxBlink).toBeGreaterThan(0.9);
  });

  it("holds the head still with reduced motion but still blinks and moves the mouth", () => {
    const animator = createAnimator({ reducedMotion: true, random: () => 0.5 });
    animator.cue("nod", 0);
    const talking: VisemeSample = { weights: { aa: 1 }, viseme: "aa", speaking: true };
    const pose = animator.pose(400, talking);
    expect(pose.head).toEqual({ pitch: 0, yaw: 0, roll: 0 });
    expect(pose.breath).toBe(0);
    expect(pose.visemes).toEqual({ aa: 1 });
  });

  it("turns the eyes toward the pointer", () => {
    const animator = createAnimator({ reducedMotion: false, random: () => 0.5 });
    animator.pointer({ x: 1, y: 0 });
    let pose = animator.pose(0, quiet);
    for (let t = 16; t < 2000; t += 16) pose = animator.pose(t, quiet);
    expect(pose.gaze.yaw).toBeGreaterThan(0.15);
  });

  it("derives mouth openness from visemes", () => {
    expect(mouthOpenness({})).toBe(0);
    expect(mouthOpenness({ aa: 1 })).toBe(1);
    expect(mouthOpenness({ PP: 1 })).toBe(0);
  });
});
