import { BufferAttribute, BufferGeometry, Group, Mesh } from "three";
import { describe, expect, it } from "vitest";
import type { Pose } from "./animator";
import { createMorphRig } from "./rig";

/** A mesh whose morph targets carry `names`, as GLTFLoader builds one from a GLB's `targetNames`. */
function meshWith(names: string[]): Mesh {
  const geometry = new BufferGeometry();
  geometry.setAttribute("position", new BufferAttribute(new Float32Array(9), 3));
  geometry.morphAttributes.position = names.map(() => new BufferAttribute(new Float32Array(9), 3));
  const mesh = new Mesh(geometry);
  mesh.updateMorphTargets();
  mesh.morphTargetDictionary = Object.fromEntries(names.map((name, i) => [name, i]));
  return mesh;
}

const pose = (visemes: Pose["visemes"], blink = 0): Pose => ({
  visemes,
  viseme: "aa",
  morphs: {},
  blink,
  head: { pitch: 0, yaw: 0, roll: 0 },
  gaze: { yaw: 0, pitch: 0 },
  breath: 0,
  speaking: true,
});

const influence = (mesh: Mesh, name: string) =>
  mesh.morphTargetInfluences![mesh.morphTargetDictionary![name]!];

describe("a GLB's own morph targets", () => {
  it("drives Oculus viseme morphs (viseme_aa, Ready Player Me's names) from the pose's visemes", () => {
    const mesh = meshWith(["viseme_sil", "viseme_aa", "viseme_ou", "eyeBlinkLeft"]);
    const root = new Group().add(mesh);
    const rig = createMorphRig(root);
    expect(rig.lipsync).toBe("oculus");
    rig.apply(pose({ aa: 0.7, ou: 0.2 }, 0.5), 0.016);
    expect(influence(mesh, "viseme_aa")).toBeCloseTo(0.7);
    expect(influence(mesh, "viseme_ou")).toBeCloseTo(0.2);
    expect(influence(mesh, "eyeBlinkLeft")).toBeCloseTo(0.5);
    // The next frame's silence resets what was set.
    rig.apply(pose({}), 0.016);
    expect(influence(mesh, "viseme_aa")).toBe(0);
  });

  it("drives ARKit shapes when the model has no visemes, and mouthOpen as the last resort", () => {
    const arkit = meshWith(["jawOpen", "mouthFunnel"]);
    const arkitRig = createMorphRig(new Group().add(arkit));
    expect(arkitRig.lipsync).toBe("arkit");
    arkitRig.apply(pose({ aa: 1 }), 0.016);
    expect(influence(arkit, "jawOpen")).toBeGreaterThan(0);
    const open = meshWith(["mouthOpen"]);
    const openRig = createMorphRig(new Group().add(open));
    expect(openRig.lipsync).toBe("open");
    openRig.apply(pose({ aa: 1 }), 0.016);
    expect(influence(open, "mouthOpen")).toBeGreaterThan(0);
  });
});
