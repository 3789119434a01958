import { createFallbackAvatar } from "./fallback-2d";
import type { AvatarView, AvatarViewOptions } from "./view";

export type { Pose } from "./animator";
export { type Animator, createAnimator } from "./animator";
export type { AvatarView, AvatarViewOptions } from "./view";

export function hasWebGL(): boolean {
  try {
    const canvas = document.createElement("canvas");
    return canvas.getContext("webgl2") !== null || canvas.getContext("webgl") !== null;
  } catch {
    return false;
  }
}

/** The 3D avatar when WebGL works (three.js loads now, in its own chunk), else the 2D one. */
export async function mountAvatar(
  options: AvatarViewOptions & { forceFallback?: boolean },
): Promise<AvatarView> {
  if (!options.forceFallback && hasWebGL()) {
    try {
      const { createAvatarScene } = await import("./scene");
      return await createAvatarScene(options);
    } catch (error) {
      console.warn("avatar-chat: 3D avatar unavailable, using the 2D avatar", error);
    }
  }
  return createFallbackAvatar(options);
}
