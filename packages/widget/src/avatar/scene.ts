import {
  DirectionalLight,
  HemisphereLight,
  type Material,
  type Mesh,
  type Object3D,
  PerspectiveCamera,
  Scene,
  type Texture,
  Vector3,
  WebGLRenderer,
} from "three";
import { createDefaultHead } from "./default-head";
import { type AvatarRig, createMorphRig } from "./rig";
import { type AvatarView, type AvatarViewOptions, createRenderGate } from "./view";

// The 3D avatar: renderer, camera, lights and the render loop. This module (with three.js) is
// loaded only when the widget opens.

function disposeTree(root: Object3D): void {
  root.traverse((object) => {
    const mesh = object as Mesh;
    if (!mesh.isMesh) return;
    mesh.geometry.dispose();
    const materials: Material[] = Array.isArray(mesh.material) ? mesh.material : [mesh.material];
    for (const material of materials) {
      for (const value of Object.values(material))
        if ((value as Texture | null)?.isTexture) (value as Texture).dispose();
      material.dispose();
    }
  });
}

/** Throws when WebGL is unavailable; the caller then shows the 2D avatar. */
export async function createAvatarScene(options: AvatarViewOptions): Promise<AvatarView> {
  const { kind, url } = options.avatar;
  const renderer = new WebGLRenderer({ antialias: true, alpha: true, powerPreference: "low-power" });
  const canvas = renderer.domElement;
  canvas.setAttribute("aria-hidden", "true");
  canvas.classList.add("avatar-canvas");
  options.container.appendChild(canvas);

  const scene = new Scene();
  scene.add(new HemisphereLight(0xffffff, 0x8d7c6d, 1.6));
  const key = new DirectionalLight(0xffffff, 1.8);
  key.position.set(1.2, 1.5, 2.5);
  scene.add(key);
  const camera = new PerspectiveCamera(26, 1, 0.05, 50);

  let model: { root: Object3D; rig: AvatarRig; focus: Vector3; frameHeight: number };
  let source: string = kind;
  const useDefault = () => {
    const head = createDefaultHead({ shirtColor: options.accentColor });
    return {
      root: head.root,
      rig: createMorphRig(head.root, { head: head.head, eyes: head.eyes, body: head.body }),
      focus: new Vector3(0, -0.12, 0),
      frameHeight: 1.55,
    };
  };
  if (kind !== "default" && url) {
    try {
      const { loadModel } = await import("./load-model");
      model = await loadModel(url, kind);
    } catch (error) {
      console.warn("avatar-chat: could not load the avatar model, showing the default avatar", error);
      model = useDefault();
      source = "default";
    }
  } else {
    model = useDefault();
    source = "default";
  }
  scene.add(model.root);

  const distance = model.frameHeight / 2 / Math.tan((camera.fov * Math.PI) / 360);
  camera.position.set(model.focus.x, model.focus.y + model.frameHeight * 0.05, model.focus.z + distance);
  camera.lookAt(model.focus);

  const resize = () => {
    const { clientWidth: width, clientHeight: height } = options.container;
    if (width === 0 || height === 0) return;
    renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, options.maxPixelRatio ?? 1.5));
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    // Keep the head in frame in tall or narrow containers.
    camera.zoom = Math.min(1, camera.aspect / 0.9);
    camera.updateProjectionMatrix();
  };
  const resizeObserver = typeof ResizeObserver === "function" ? new ResizeObserver(resize) : null;
  resizeObserver?.observe(options.container);
  resize();

  let frame = 0;
  let last = performance.now();
  let first = true;
  const draw = () => {
    const now = performance.now();
    const dt = Math.min(0.1, (now - last) / 1000);
    last = now;
    model.rig.apply(options.poseAt(now), dt);
    renderer.render(scene, camera);
    if (first) {
      first = false;
      options.onFirstFrame();
    }
    frame = requestAnimationFrame(draw);
  };
  const gate = createRenderGate(options.container, (on) => {
    if (on) {
      last = performance.now();
      frame = requestAnimationFrame(draw);
    } else cancelAnimationFrame(frame);
  });

  return {
    kind: "3d",
    model: `${source}/${model.rig.lipsync}`,
    setActive: gate.setActive,
    dispose() {
      gate.dispose();
      resizeObserver?.disconnect();
      disposeTree(scene);
      renderer.dispose();
      renderer.forceContextLoss();
      canvas.remove();
    },
  };
}
