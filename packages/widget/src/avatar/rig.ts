import type { VRM } from "@pixiv/three-vrm";
import { Euler, type Mesh, type Object3D, Quaternion } from "three";
import type { Viseme } from "../lipsync/visemes";
import type { Pose } from "./animator";
import { mouthOpenness, visemeToArkit, visemeToVrm } from "./expressions";

/** Applies a pose to one loaded avatar (the default head, a GLB or a VRM). */
export interface AvatarRig {
  /** Which mouth shapes drive speech: Oculus visemes, ARKit blend shapes, one mouthOpen shape, or VRM vowels. */
  readonly lipsync: "oculus" | "arkit" | "open" | "vrm";
  apply(pose: Pose, dt: number): void;
}

type MorphSlot = { mesh: Mesh; index: number };

/** A morph name as looked up: lower case without underscores, so `eyeBlinkLeft`, `EyeBlink_L` and `eyeblinkleft` meet. */
const morphKey = (name: string) => name.toLowerCase().replace(/_/g, "");

/** Morph targets by morphKey. */
function collectMorphs(root: Object3D): Map<string, MorphSlot[]> {
  const slots = new Map<string, MorphSlot[]>();
  root.traverse((object) => {
    const mesh = object as Mesh;
    if (!mesh.isMesh || !mesh.morphTargetDictionary || !mesh.morphTargetInfluences) return;
    for (const [name, index] of Object.entries(mesh.morphTargetDictionary)) {
      const key = morphKey(name);
      slots.set(key, [...(slots.get(key) ?? []), { mesh, index }]);
    }
  });
  return slots;
}

function resolve(slots: Map<string, MorphSlot[]>, name: string): MorphSlot[] {
  // `viseme_aa` is stored as `visemeaa`: looked up without the underscore it was stored without.
  const key = morphKey(name);
  return [
    ...(slots.get(key) ?? []),
    ...(slots.get(`${key}left`) ?? []),
    ...(slots.get(`${key}right`) ?? []),
    ...(slots.get(`${key}l`) ?? []),
    ...(slots.get(`${key}r`) ?? []),
  ];
}

/** Rotates a node by pose angles on top of its rest orientation. */
function rotator(node: Object3D | null) {
  if (!node) return () => {};
  const rest = node.quaternion.clone();
  const euler = new Euler();
  const offset = new Quaternion();
  return (pitch: number, yaw: number, roll: number) => {
    offset.setFromEuler(euler.set(pitch, yaw, roll, "YXZ"));
    node.quaternion.copy(rest).multiply(offset);
  };
}

function findNode(root: Object3D, pattern: RegExp): Object3D | null {
  let found: Object3D | null = null;
  root.traverse((object) => {
    if (!found && pattern.test(object.name)) found = object;
  });
  return found;
}

/** For the default head and GLB avatars: Oculus visemes if present, else ARKit shapes, else mouthOpen. */
export function createMorphRig(
  root: Object3D,
  parts: { head?: Object3D | null; eyes?: Object3D[]; body?: Object3D | null } = {},
): AvatarRig {
  const slots = collectMorphs(root);
  const visemeMode = slots.has("visemeaa") ? "oculus" : slots.has("jawopen") ? "arkit" : "open";
  const rotateHead = rotator(parts.head ?? findNode(root, /^(head|j_bip_c_head|mixamorig:?head)$/i));
  const eyes =
    parts.eyes ?? [findNode(root, /^lefteye$/i), findNode(root, /^righteye$/i)].filter((e) => e !== null);
  const rotateEyes = eyes.map(rotator);
  const body = parts.body ?? null;
  const bodyScale = body?.scale.clone();
  const touched = new Set<MorphSlot>();

  return {
    lipsync: visemeMode,
    apply(pose) {
      const values = new Map<MorphSlot, number>();
      const add = (name: string, weight: number) => {
        for (const slot of resolve(slots, name))
          values.set(slot, Math.min(1, (values.get(slot) ?? 0) + weight));
      };
      for (const [name, weight] of Object.entries(pose.morphs)) add(name, weight);
      const visemeWeights = Object.entries(pose.visemes) as [Viseme, number][];
      if (visemeMode === "oculus") for (const [v, w] of visemeWeights) add(`viseme_${v}`, w);
      else if (visemeMode === "arkit") {
        for (const [v, w] of visemeWeights)
          for (const [name, x] of Object.entries(visemeToArkit[v])) add(name, x * w);
      } else add("mouthOpen", mouthOpenness(pose.visemes));
      for (const slot of resolve(slots, "eyeBlink"))
        values.set(slot, Math.max(values.get(slot) ?? 0, pose.blink));

      // Reset what was set last frame but not now, then write this frame's values.
      for (const slot of touched) if (!values.has(slot)) slot.mesh.morphTargetInfluences![slot.index] = 0;
      touched.clear();
      for (const [slot, value] of values) {
        slot.mesh.morphTargetInfluences![slot.index] = value;
        touched.add(slot);
      }

      rotateHead(pose.head.pitch, pose.head.yaw, pose.head.roll);
      for (const rotate of rotateEyes) rotate(-pose.gaze.pitch, pose.gaze.yaw, 0);
      if (body && bodyScale)
        body.scale.set(bodyScale.x, bodyScale.y * (1 + 0.012 * pose.breath), bodyScale.z);
    },
  };
}

const vrmEmotions: Record<string, string> = {
  mouthSmile: "happy",
  mouthFrown: "sad",
  eyeWide: "surprised",
};

export function createVrmRig(vrm: VRM): AvatarRig {
  const expressions = vrm.expressionManager;
  const rotateHead = rotator(vrm.humanoid.getNormalizedBoneNode("head"));
  const rotateChest = rotator(vrm.humanoid.getNormalizedBoneNode("chest"));
  if (vrm.lookAt) vrm.lookAt.autoUpdate = false;
  return {
    lipsync: "vrm",
    apply(pose, dt) {
      if (expressions) {
        const vowels: Record<string, number> = { aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 };
        for (const [v, w] of Object.entries(pose.visemes) as [Viseme, number][]) {
          for (const [vowel, x] of Object.entries(visemeToVrm[v]))
            vowels[vowel] = (vowels[vowel] ?? 0) + x * w;
        }
        for (const [vowel, value] of Object.entries(vowels)) expressions.setValue(vowel, Math.min(1, value));
        for (const [morph, emotion] of Object.entries(vrmEmotions)) {
          expressions.setValue(emotion, Math.min(1, pose.morphs[morph] ?? 0));
        }
        expressions.setValue("blink", pose.blink);
      }
      rotateHead(pose.head.pitch, pose.head.yaw, pose.head.roll);
      rotateChest(0.015 * pose.breath, 0, 0);
      if (vrm.lookAt) {
        // VRM look-at angles are in degrees.
        vrm.lookAt.yaw = (pose.gaze.yaw * 180) / Math.PI;
        vrm.lookAt.pitch = (pose.gaze.pitch * 180) / Math.PI;
      }
      vrm.update(dt);
    },
  };
}
