import type { Page } from "playwright-core";

// What the GPU is told about an avatar's morph targets: three.js uploads a mesh's morphTargetInfluences
// as one uniform array per draw. Recording those uploads shows which of a model's own morphs move,
// without any hook in the widget.

/** Init script: records each change of a `count`-long morphTargetInfluences upload as [time, values]. */
export function recordMorphUploads(count: number) {
  const uploads: Array<[number, number[]]> = [];
  Object.assign(window, { __morphs: uploads });
  const names = new WeakMap<WebGLUniformLocation, string>();
  const proto = WebGL2RenderingContext.prototype;
  const getUniformLocation = proto.getUniformLocation;
  proto.getUniformLocation = function (this: WebGL2RenderingContext, program, name) {
    const location = getUniformLocation.call(this, program, name);
    if (location) names.set(location, name);
    return location;
  };
  const uniform1fv = proto.uniform1fv as (this: WebGL2RenderingContext, ...args: unknown[]) => void;
  proto.uniform1fv = function (this: WebGL2RenderingContext, ...args: unknown[]) {
    const [location, data] = args as [WebGLUniformLocation | null, ArrayLike<number>];
    if (location && data.length === count && names.get(location)?.startsWith("morphTargetInfluences")) {
      const values = Array.from(data);
      const last = uploads.at(-1)?.[1];
      if (!last || values.some((v, i) => v !== last[i])) uploads.push([performance.now(), values]);
    }
    return uniform1fv.apply(this, args);
  } as typeof proto.uniform1fv;
}

export const morphUploads = (page: Page) =>
  page.evaluate(() => (window as unknown as { __morphs: Array<[number, number[]]> }).__morphs.splice(0));
