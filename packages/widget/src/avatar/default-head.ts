import {
  BoxGeometry,
  BufferGeometry,
  Color,
  CylinderGeometry,
  Float32BufferAttribute,
  Group,
  Mesh,
  MeshStandardMaterial,
  SphereGeometry,
} from "three";
import { type Viseme, visemes } from "../lipsync/visemes";

// The avatar that ships with the widget: built from primitives at run time, so it costs no
// download. Its morph targets use the Oculus (`viseme_aa`) and ARKit (`eyeBlinkLeft`) names that
// GLB avatars use, so one rig drives both.

type Vec3 = [number, number, number];

/** Adds one absolute-position morph target per entry, computed from the base vertex positions. */
function addMorphs(geometry: BufferGeometry, targets: Record<string, (p: Vec3) => Vec3>): void {
  const base = geometry.getAttribute("position");
  geometry.morphAttributes.position = Object.entries(targets).map(([name, move]) => {
    const out = new Float32Array(base.count * 3);
    for (let i = 0; i < base.count; i++) out.set(move([base.getX(i), base.getY(i), base.getZ(i)]), i * 3);
    const attribute = new Float32BufferAttribute(out, 3);
    attribute.name = name;
    return attribute;
  });
}

interface MouthShape {
  open: number;
  width: number;
  round: number;
  smile: number;
  press: number;
}

const restingMouth: MouthShape = { open: 0, width: 1, round: 0, smile: 0.15, press: 0 };

const visemeMouths: Record<Viseme, Partial<MouthShape>> = {
  sil: {},
  PP: { press: 1, width: 0.95 },
  FF: { open: 0.12, press: 0.5 },
  TH: { open: 0.25 },
  DD: { open: 0.3 },
  kk: { open: 0.38, width: 0.95 },
  CH: { open: 0.3, width: 0.8, round: 0.5 },
  SS: { open: 0.12, width: 1.1, smile: 0.35 },
  nn: { open: 0.2 },
  RR: { open: 0.25, width: 0.85, round: 0.4 },
  aa: { open: 1 },
  E: { open: 0.55, width: 1.1, smile: 0.3 },
  ih: { open: 0.32, width: 1.15, smile: 0.45 },
  oh: { open: 0.7, width: 0.72, round: 0.75 },
  ou: { open: 0.32, width: 0.55, round: 1 },
};

const ring = 40;
const tube = 8;
const halfWidth = 0.125;

/** Centre line of the lips at angle u: upper half for sin(u) > 0, corners at cos(u) = ±1. */
function lipCentre(s: MouthShape, u: number): Vec3 {
  const corner = Math.cos(u) ** 2;
  const upper = Math.sin(u) >= 0;
  const gap = upper ? 0.01 + 0.02 * s.open : 0.01 + 0.085 * s.open;
  return [
    halfWidth * s.width * (1 - 0.3 * s.round) * Math.cos(u),
    gap * Math.sin(u) + 0.035 * (s.smile - 0.15) * corner,
    0.03 * s.round * (1 - corner) - 0.02 * corner,
  ];
}

function lipPositions(s: MouthShape): Float32Array {
  const out = new Float32Array(ring * tube * 3);
  for (let i = 0; i < ring; i++) {
    const u = (2 * Math.PI * i) / ring;
    const [cx, cy, cz] = lipCentre(s, u);
    const thickness = (0.011 + 0.012 * Math.abs(Math.sin(u))) * (1 + 0.3 * s.round + 0.25 * s.press);
    for (let j = 0; j < tube; j++) {
      const v = (2 * Math.PI * j) / tube;
      const radial = Math.cos(v) * thickness;
      out.set(
        [cx + radial * Math.cos(u), cy + radial * Math.sin(u), cz + Math.sin(v) * thickness],
        (i * tube + j) * 3,
      );
    }
  }
  return out;
}

/** Upper rim pale (a hint of teeth), the rest dark: cheaper than teeth geometry and needs no clipping. */
function cavityColors(): Float32Array {
  const out = new Float32Array((ring + 1) * 3);
  for (let i = 0; i < ring; i++) {
    const upper = Math.sin((2 * Math.PI * i) / ring) > 0.35;
    out.set(upper ? [0.93, 0.92, 0.88] : [0.3, 0.07, 0.07], i * 3);
  }
  out.set([0.18, 0.03, 0.03], ring * 3);
  return out;
}

function cavityPositions(s: MouthShape): Float32Array {
  const out = new Float32Array((ring + 1) * 3);
  for (let i = 0; i < ring; i++) {
    const [x, y, z] = lipCentre(s, (2 * Math.PI * i) / ring);
    out.set([x * 0.97, y * 0.97, z - 0.012], i * 3);
  }
  const top = lipCentre(s, Math.PI / 2);
  const bottom = lipCentre(s, -Math.PI / 2);
  out.set([0, (top[1] + bottom[1]) / 2, Math.min(top[2], bottom[2]) - 0.03], ring * 3);
  return out;
}

/** A geometry whose vertices come from a shape function, with one morph target per named shape. */
function shapedGeometry(
  positions: (s: MouthShape) => Float32Array,
  index: number[],
  shapes: Record<string, MouthShape>,
): BufferGeometry {
  const geometry = new BufferGeometry();
  geometry.setIndex(index);
  geometry.setAttribute("position", new Float32BufferAttribute(positions(restingMouth), 3));
  geometry.morphAttributes.position = Object.entries(shapes).map(([name, shape]) => {
    const attribute = new Float32BufferAttribute(positions(shape), 3);
    attribute.name = name;
    return attribute;
  });
  geometry.computeVertexNormals();
  return geometry;
}

function mouthShapes(): Record<string, MouthShape> {
  const shapes: Record<string, MouthShape> = {};
  for (const viseme of visemes) shapes[`viseme_${viseme}`] = { ...restingMouth, ...visemeMouths[viseme] };
  shapes.mouthSmile = { ...restingMouth, smile: 1, width: 1.08 };
  shapes.mouthFrown = { ...restingMouth, smile: -0.7, width: 0.95 };
  shapes.jawOpen = { ...restingMouth, open: 1 };
  return shapes;
}

function lipIndex(): number[] {
  const index: number[] = [];
  for (let i = 0; i < ring; i++) {
    for (let j = 0; j < tube; j++) {
      const a = i * tube + j;
      const b = ((i + 1) % ring) * tube + j;
      const c = ((i + 1) % ring) * tube + ((j + 1) % tube);
      const d = i * tube + ((j + 1) % tube);
      index.push(a, b, d, b, c, d);
    }
  }
  return index;
}

function cavityIndex(): number[] {
  const index: number[] = [];
  for (let i = 0; i < ring; i++) index.push(ring, i, (i + 1) % ring);
  return index;
}

function eyelid(side: "Left" | "Right", material: MeshStandardMaterial): Mesh {
  const lid = (thetaLength: number) => new SphereGeometry(0.082, 24, 10, 0, Math.PI, 0, thetaLength);
  const geometry = lid(0.36 * Math.PI);
  const closed = lid(0.97 * Math.PI).getAttribute("position");
  const wide = lid(0.26 * Math.PI).getAttribute("position");
  const squint = lid(0.5 * Math.PI).getAttribute("position");
  geometry.morphAttributes.position = [
    Object.assign(closed.clone(), { name: `eyeBlink${side}` }),
    Object.assign(wide.clone(), { name: `eyeWide${side}` }),
    Object.assign(squint.clone(), { name: `eyeSquint${side}` }),
  ];
  return new Mesh(geometry, material);
}

function brow(side: "Left" | "Right", material: MeshStandardMaterial): Mesh {
  const geometry = new BoxGeometry(0.14, 0.024, 0.02, 8, 1, 1);
  // The avatar's left brow sits at +x; its inner end points toward the nose.
  const sign = side === "Left" ? 1 : -1;
  const inner = (x: number) => Math.min(1, Math.max(0, (-sign * x) / 0.14 + 0.5));
  const arch = (x: number) => 0.012 * (1 - (x / 0.07) ** 2);
  const base = geometry.getAttribute("position");
  for (let i = 0; i < base.count; i++) base.setY(i, base.getY(i) + arch(base.getX(i)));
  addMorphs(geometry, {
    [`browInnerUp${side}`]: ([x, y, z]) => [x, y + 0.04 * inner(x), z],
    [`browDown${side}`]: ([x, y, z]) => [x, y - 0.02 - 0.015 * inner(x), z],
    [`browOuterUp${side}`]: ([x, y, z]) => [x, y + 0.035 * (1 - inner(x)), z],
  });
  geometry.computeVertexNormals();
  return new Mesh(geometry, material);
}

export interface DefaultHead {
  root: Group;
  /** Pivot at the neck: gestures and idle motion rotate this. */
  head: Group;
  eyes: Group[];
  body: Mesh;
}

export function createDefaultHead(options: { shirtColor: string }): DefaultHead {
  const skin = new MeshStandardMaterial({ color: new Color("#f1c6a5"), roughness: 0.7 });
  const hairMaterial = new MeshStandardMaterial({ color: new Color("#3b2a20"), roughness: 0.85 });
  const white = new MeshStandardMaterial({ color: new Color("#fbfbf8"), roughness: 0.3 });
  const iris = new MeshStandardMaterial({ color: new Color("#4a6d8c"), roughness: 0.3 });
  const pupil = new MeshStandardMaterial({ color: new Color("#101010"), roughness: 0.2 });
  const lips = new MeshStandardMaterial({ color: new Color("#c4706a"), roughness: 0.55 });
  // The mouth opening sits partly inside the curved skull, so it is drawn over it (no depth test)
  // and the lips after it.
  const cavity = new MeshStandardMaterial({
    vertexColors: true,
    roughness: 1,
    depthTest: false,
    depthWrite: false,
  });
  const shirt = new MeshStandardMaterial({ color: new Color(options.shirtColor), roughness: 0.8 });

  const root = new Group();
  root.name = "avatar-chat-default";

  const body = new Mesh(new SphereGeometry(0.55, 32, 16), shirt);
  body.scale.set(1.25, 0.5, 0.62);
  body.position.set(0, -1.02, -0.05);
  const neck = new Mesh(new CylinderGeometry(0.15, 0.18, 0.4, 20), skin);
  neck.position.set(0, -0.72, -0.04);
  root.add(body, neck);

  const head = new Group();
  head.position.set(0, -0.45, 0);
  root.add(head);
  const face = new Group();
  face.position.set(0, 0.45, 0);
  head.add(face);

  const skull = new Mesh(new SphereGeometry(0.5, 48, 32), skin);
  skull.scale.set(0.92, 1.08, 0.95);
  const hair = new Mesh(new SphereGeometry(0.53, 48, 24, 0, Math.PI * 2, 0, Math.PI * 0.42), hairMaterial);
  hair.scale.set(0.94, 1.06, 0.97);
  hair.position.set(0, 0.03, -0.02);
  hair.rotation.x = -0.18;
  // Wraps past the ears toward the front so the face is framed by hair, not a cap.
  const backHair = new Mesh(
    new SphereGeometry(0.52, 32, 16, Math.PI - 0.45, Math.PI + 0.9, 0, Math.PI * 0.62),
    hairMaterial,
  );
  backHair.scale.set(0.95, 1.06, 0.98);
  backHair.position.set(0, 0.02, -0.03);
  const nose = new Mesh(new SphereGeometry(0.05, 16, 12), skin);
  nose.scale.set(0.9, 1.3, 1.1);
  nose.position.set(0, -0.07, 0.47);
  face.add(skull, hair, backHair, nose);
  for (const x of [-0.455, 0.455]) {
    const ear = new Mesh(new SphereGeometry(0.05, 16, 12), skin);
    ear.scale.set(0.6, 1.6, 1);
    ear.position.set(x, -0.02, 0);
    face.add(ear);
  }

  const eyes: Group[] = [];
  for (const side of ["Left", "Right"] as const) {
    const x = side === "Left" ? 0.17 : -0.17;
    const socket = new Group();
    socket.position.set(x, 0.05, 0.4);
    const eyeball = new Mesh(new SphereGeometry(0.075, 24, 16), white);
    const look = new Group();
    const irisMesh = new Mesh(new SphereGeometry(0.038, 20, 12), iris);
    irisMesh.scale.set(1, 1, 0.45);
    irisMesh.position.z = 0.062;
    const pupilMesh = new Mesh(new SphereGeometry(0.018, 12, 8), pupil);
    pupilMesh.scale.set(1, 1, 0.4);
    pupilMesh.position.z = 0.074;
    look.add(irisMesh, pupilMesh);
    const lid = eyelid(side, skin);
    lid.updateMorphTargets();
    socket.add(eyeball, look, lid);
    const browMesh = brow(side, hairMaterial);
    browMesh.updateMorphTargets();
    browMesh.position.set(x, 0.19, 0.44);
    browMesh.rotation.set(-0.2, side === "Left" ? 0.25 : -0.25, side === "Left" ? -0.08 : 0.08);
    face.add(socket, browMesh);
    eyes.push(look);
  }

  const mouth = new Group();
  mouth.position.set(0, -0.22, 0.445);
  const shapes = mouthShapes();
  const lipMesh = new Mesh(shapedGeometry(lipPositions, lipIndex(), shapes), lips);
  const cavityGeometry = shapedGeometry(cavityPositions, cavityIndex(), shapes);
  cavityGeometry.setAttribute("color", new Float32BufferAttribute(cavityColors(), 3));
  const cavityMesh = new Mesh(cavityGeometry, cavity);
  cavityMesh.renderOrder = 1;
  lipMesh.renderOrder = 2;
  lipMesh.updateMorphTargets();
  cavityMesh.updateMorphTargets();
  mouth.add(cavityMesh, lipMesh);
  face.add(mouth);

  return { root, head, eyes, body };
}
