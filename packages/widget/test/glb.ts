import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { visemes } from "../src/lipsync/visemes";

// tinyGlb writes a tiny binary glTF: one triangle named "Head" with ARKit-style morph targets. Enough to
// check that a tenant GLB loads and that the rig finds its blend shapes; no model file in the repo.

export function tinyGlb(targetNames: readonly string[]): Buffer {
  const positions = new Float32Array([-0.1, 1.5, 0, 0.1, 1.5, 0, 0, 1.7, 0]);
  const targets = targetNames.map(() => new Float32Array([0, -0.05, 0, 0, -0.05, 0, 0, 0, 0]));
  const bin = Buffer.concat([Buffer.from(positions.buffer), ...targets.map((t) => Buffer.from(t.buffer))]);
  const view = (i: number) => ({ buffer: 0, byteOffset: i * 36, byteLength: 36 });
  const accessor = (i: number, min: number[], max: number[]) => ({
    bufferView: i,
    componentType: 5126,
    count: 3,
    type: "VEC3",
    min,
    max,
  });
  const json = {
    asset: { version: "2.0" },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [
      { name: "Avatar", children: [1] },
      { name: "Head", mesh: 0 },
    ],
    meshes: [
      {
        primitives: [
          { attributes: { POSITION: 0 }, targets: targetNames.map((_, i) => ({ POSITION: i + 1 })) },
        ],
        weights: targetNames.map(() => 0),
        extras: { targetNames },
      },
    ],
    buffers: [{ byteLength: bin.length }],
    bufferViews: [view(0), ...targetNames.map((_, i) => view(i + 1))],
    accessors: [
      accessor(0, [-0.1, 1.5, 0], [0.1, 1.7, 0]),
      ...targetNames.map((_, i) => accessor(i + 1, [0, -0.05, 0], [0, 0, 0])),
    ],
  };
  const pad = (buffer: Buffer, fill: number) =>
    Buffer.concat([buffer, Buffer.alloc((4 - (buffer.length % 4)) % 4, fill)]);
  const jsonChunk = pad(Buffer.from(JSON.stringify(json)), 0x20);
  const binChunk = pad(bin, 0);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(0x46546c67, 0); // "glTF"
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + 8 + jsonChunk.length + 8 + binChunk.length, 8);
  const chunkHeader = (length: number, type: number) => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(length, 0);
    h.writeUInt32LE(type, 4);
    return h;
  };
  return Buffer.concat([
    header,
    chunkHeader(jsonChunk.length, 0x4e4f534a), // "JSON"
    jsonChunk,
    chunkHeader(binChunk.length, 0x004e4942), // "BIN\0"
    binChunk,
  ]);
}

/** Morph targets of the talking head `visemeGlb` makes: the Oculus visemes (Ready Player Me's names) and blinks. */
export const TALKING_HEAD_MORPHS = [...visemes.map((v) => `viseme_${v}`), "eyeBlinkLeft", "eyeBlinkRight"];

const threeDir = path.resolve(import.meta.dirname, "../node_modules/three");

/**
 * A head (a sphere named "Head") whose lower half moves differently for each of TALKING_HEAD_MORPHS,
 * written by three's own GLTFExporter in a Chromium page (it needs FileReader, which Node lacks).
 */
export async function visemeGlb(browser: Browser): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    await page.route("http://gltf.test/**", async (route) => {
      const { pathname } = new URL(route.request().url());
      if (pathname === "/") return route.fulfill({ contentType: "text/html", body: exporterPage() });
      const file = path.join(threeDir, path.normalize(pathname.replace(/^\/three\//, "")));
      if (!file.startsWith(threeDir)) return route.fulfill({ status: 403 });
      return route.fulfill({ contentType: "text/javascript", body: await readFile(file) });
    });
    await page.goto("http://gltf.test/");
    const bytes = await page.waitForFunction(() => (window as unknown as { glb?: number[] }).glb);
    return Buffer.from((await bytes.jsonValue()) as number[]);
  } finally {
    await page.close();
  }
}

function exporterPage(): string {
  return `<!doctype html><html><head>
<script type="importmap">{"imports":{"three":"/three/build/three.module.js","three/addons/":"/three/examples/jsm/"}}</script>
<script type="module">
import { Float32BufferAttribute, Mesh, MeshStandardMaterial, Scene, SphereGeometry } from "three";
import { GLTFExporter } from "three/addons/exporters/GLTFExporter.js";
const names = ${JSON.stringify(TALKING_HEAD_MORPHS)};
const geometry = new SphereGeometry(0.12, 24, 16);
const rest = geometry.attributes.position;
geometry.morphAttributes.position = names.map((name, i) => {
  const delta = new Float32Array(rest.count * 3);
  for (let v = 0; v < rest.count; v++) {
    const y = rest.getY(v);
    if (name.startsWith("eyeBlink") ? y > 0.03 : y < -0.02) delta[v * 3 + 1] = (name.startsWith("eyeBlink") ? -0.01 : -0.02) - 0.002 * i;
  }
  const attribute = new Float32BufferAttribute(delta, 3);
  attribute.name = name;
  return attribute;
});
const head = new Mesh(geometry, new MeshStandardMaterial({ color: 0xd9a080 }));
head.name = "Head";
head.position.y = 1.6;
head.updateMorphTargets();
const scene = new Scene();
scene.add(head);
const glb = await new GLTFExporter().parseAsync(scene, { binary: true });
window.glb = Array.from(new Uint8Array(glb));
</script></head><body></body></html>`;
}
