import type { Viseme } from "../lipsync/visemes";
import { mouthOpenness } from "./expressions";
import { type AvatarView, type AvatarViewOptions, createRenderGate } from "./view";

// Without WebGL the avatar is an SVG face driven by the same poses: blinking, brows, mouth.
// Only SVG attributes change (no style attributes), so it works under a strict CSP.

const ns = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  parent?: SVGElement,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(ns, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  parent?.appendChild(element);
  return element;
}

const rounded: Partial<Record<Viseme, number>> = { ou: 1, oh: 0.7, CH: 0.5, RR: 0.4 };

export function createFallbackAvatar(options: AvatarViewOptions): AvatarView {
  const root = svg("svg", {
    viewBox: "0 0 200 200",
    class: "avatar-2d",
    "aria-hidden": "true",
    focusable: "false",
  });
  svg("ellipse", { cx: 100, cy: 215, rx: 85, ry: 45, class: "shirt" }, root);
  const head = svg("g", {}, root);
  svg("ellipse", { cx: 100, cy: 95, rx: 58, ry: 68, class: "skin" }, head);
  svg(
    "path",
    { d: "M42 90 Q45 25 100 25 Q155 25 158 90 Q140 55 100 52 Q60 55 42 90 Z", class: "hair" },
    head,
  );
  const eyes = [72, 128].map((cx) => {
    svg("ellipse", { cx, cy: 95, rx: 11, ry: 9, class: "eye-white" }, head);
    const pupil = svg("circle", { cx, cy: 96, r: 5, class: "pupil" }, head);
    const lid = svg("rect", { x: cx - 12, y: 85, width: 24, height: 0, class: "skin" }, head);
    const brow = svg("path", { d: `M${cx - 12} 78 Q${cx} 72 ${cx + 12} 78`, class: "brow" }, head);
    return { cx, pupil, lid, brow };
  });
  const mouth = svg("ellipse", { cx: 100, cy: 133, rx: 16, ry: 2, class: "mouth" }, head);
  options.container.appendChild(root);

  let frame = 0;
  let first = true;
  const draw = () => {
    const pose = options.poseAt(performance.now());
    const open = mouthOpenness(pose.visemes);
    let round = 0;
    for (const [v, w] of Object.entries(pose.visemes) as [Viseme, number][]) round += (rounded[v] ?? 0) * w;
    const smile = (pose.morphs.mouthSmile ?? 0) - (pose.morphs.mouthFrown ?? 0);
    mouth.setAttribute("rx", (16 * (1 - 0.45 * round) + 4 * smile).toFixed(2));
    mouth.setAttribute("ry", (2 + 14 * open).toFixed(2));
    const degrees = (r: number) => ((r * 180) / Math.PI).toFixed(2);
    head.setAttribute(
      "transform",
      `translate(${(pose.head.yaw * 40).toFixed(2)} ${(pose.head.pitch * 40).toFixed(2)}) rotate(${degrees(pose.head.roll)} 100 160)`,
    );
    const raise =
      6 * ((pose.morphs.browInnerUp ?? 0) + (pose.morphs.browOuterUp ?? 0)) - 5 * (pose.morphs.browDown ?? 0);
    for (const eye of eyes) {
      eye.lid.setAttribute("height", (20 * pose.blink).toFixed(2));
      eye.pupil.setAttribute("cx", (eye.cx + pose.gaze.yaw * 12).toFixed(2));
      eye.pupil.setAttribute("cy", (96 - pose.gaze.pitch * 12).toFixed(2));
      eye.brow.setAttribute("transform", `translate(0 ${(-raise).toFixed(2)})`);
    }
    if (first) {
      first = false;
      options.onFirstFrame();
    }
    frame = requestAnimationFrame(draw);
  };
  const gate = createRenderGate(options.container, (on) => {
    if (on) frame = requestAnimationFrame(draw);
    else cancelAnimationFrame(frame);
  });

  return {
    kind: "2d",
    model: "2d",
    setActive: gate.setActive,
    dispose() {
      gate.dispose();
      root.remove();
    },
  };
}
