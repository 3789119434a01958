import type { AvatarKind } from "../api-types";
import type { Pose } from "./animator";

/** A rendered avatar (3D or 2D). It pulls a pose each frame and renders only while it should. */
export interface AvatarView {
  readonly kind: "3d" | "2d";
  /** What is shown, e.g. `default/oculus`, `glb/arkit`, `vrm/vrm`, `2d`. */
  readonly model: string;
  /** Open and on screen: render. Closed: stop the loop entirely. */
  setActive(active: boolean): void;
  dispose(): void;
}

export interface AvatarViewOptions {
  container: HTMLElement;
  poseAt(now: number): Pose;
  avatar: { kind: AvatarKind; url?: string };
  /** Shirt colour of the default avatar: the theme's primary colour. */
  accentColor: string;
  maxPixelRatio?: number;
  onFirstFrame(): void;
}

/**
 * Rendering runs only while active, intersecting the viewport and the tab is visible; this
 * helper owns those three conditions and calls `run(true|false)` when their conjunction changes.
 */
export function createRenderGate(container: HTMLElement, run: (on: boolean) => void) {
  let active = false;
  let intersecting = true;
  let on = false;
  const update = () => {
    const next = active && intersecting && document.visibilityState === "visible";
    if (next !== on) {
      on = next;
      run(on);
    }
  };
  const observer =
    typeof IntersectionObserver === "function"
      ? new IntersectionObserver((entries) => {
          intersecting = entries.some((e) => e.isIntersecting);
          update();
        })
      : null;
  observer?.observe(container);
  document.addEventListener("visibilitychange", update);
  return {
    setActive(next: boolean) {
      active = next;
      update();
    },
    dispose() {
      observer?.disconnect();
      document.removeEventListener("visibilitychange", update);
      active = false;
      update();
    },
  };
}
