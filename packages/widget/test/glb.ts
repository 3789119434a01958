// Writes a tiny binary glTF: one triangle named "Head" with ARKit-style morph targets. Enough to
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
