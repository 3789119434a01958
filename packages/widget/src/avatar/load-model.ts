import { type VRM, VRMLoaderPlugin, VRMUtils } from "@pixiv/three-vrm";
import { Box3, type Object3D, Vector3 } from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { type AvatarRig, createMorphRig, createVrmRig } from "./rig";

// Tenant avatars (GLB/glTF or VRM) load in their own chunk: only sites that use one download it.

export interface LoadedModel {
  root: Object3D;
  rig: AvatarRig;
  /** World-space point the camera frames (about the chin) and the height to show around it. */
  focus: Vector3;
  frameHeight: number;
}

function headPosition(root: Object3D, head: Object3D | null): Vector3 {
  root.updateMatrixWorld(true);
  if (head) return head.getWorldPosition(new Vector3());
  // No head bone: assume the head is the top eighth of the model.
  const box = new Box3().setFromObject(root);
  return new Vector3((box.min.x + box.max.x) / 2, box.max.y - (box.max.y - box.min.y) / 16, box.max.z);
}

export async function loadModel(url: string, kind: "glb" | "vrm"): Promise<LoadedModel> {
  const loader = new GLTFLoader();
  loader.setCrossOrigin("anonymous");
  if (kind === "vrm") loader.register((parser) => new VRMLoaderPlugin(parser));
  const gltf = await loader.loadAsync(url);
  const vrm = gltf.userData.vrm as VRM | undefined;
  if (vrm) {
    VRMUtils.removeUnnecessaryVertices(gltf.scene);
    VRMUtils.rotateVRM0(vrm);
    const head = vrm.humanoid.getNormalizedBoneNode("head");
    return {
      root: vrm.scene,
      rig: createVrmRig(vrm),
      focus: headPosition(vrm.scene, head),
      frameHeight: 0.6,
    };
  }
  let head: Object3D | null = null;
  gltf.scene.traverse((object) => {
    if (!head && /^(head|j_bip_c_head|mixamorig:?head)$/i.test(object.name)) head = object;
  });
  return {
    root: gltf.scene,
    rig: createMorphRig(gltf.scene, { head }),
    focus: headPosition(gltf.scene, head),
    frameHeight: 0.6,
  };
}
