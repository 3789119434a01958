/** Geometry for the hand-written SVG charts; pure so the scale and paths are unit-tested. */

/** A round whole step (1, 2, 2.5 or 5 times a power of ten), at least `raw`, never below 1 (counts are whole). */
function niceStep(raw: number): number {
  if (!(raw > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 2.5, 5].map((m) => m * power)) {
    if (Number.isInteger(step) && step >= raw) return step;
  }
  return 10 * power;
}

/**
 * The value axis for data up to `max`: whole-number ticks from zero (a count of 1.3 conversations means
 * nothing), about `count` intervals, the top tick at or above `max`.
 */
export function valueAxis(max: number, count = 4): { max: number; ticks: number[] } {
  const step = niceStep(max / count);
  const top = Math.max(step, Math.ceil(max / step) * step);
  return { max: top, ticks: Array.from({ length: top / step + 1 }, (_, i) => i * step) };
}

export interface Frame {
  width: number;
  height: number;
  /** Space for axis labels. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

/** x of point i of n inside the plot area (one point sits in the middle). */
export function xAt(frame: Frame, i: number, n: number): number {
  const inner = frame.width - frame.left - frame.right;
  return n <= 1 ? frame.left + inner / 2 : frame.left + (inner * i) / (n - 1);
}

/** y of a value on an axis from 0 to `max`. */
export function yAt(frame: Frame, value: number, max: number): number {
  const inner = frame.height - frame.top - frame.bottom;
  return frame.top + inner - (inner * Math.max(0, value)) / max;
}

/** An SVG path through the values; `null` values break the line (days without data). */
export function linePath(frame: Frame, values: readonly (number | null)[], max: number): string {
  let path = "";
  let pen = false;
  values.forEach((value, i) => {
    if (value === null) {
      pen = false;
      return;
    }
    const x = xAt(frame, i, values.length).toFixed(1);
    const y = yAt(frame, value, max).toFixed(1);
    path += `${pen ? "L" : "M"}${x} ${y}`;
    pen = true;
  });
  return path;
}

/** Compact axis numbers: 950, 1.2k, 3.4M. */
export function shortNumber(value: number): string {
  if (Math.abs(value) >= 1_000_000) return `${trim(value / 1_000_000)}M`;
  if (Math.abs(value) >= 1000) return `${trim(value / 1000)}k`;
  return trim(value);
}

function trim(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, "");
}

/** Which of n x labels to print so about `wanted` show (always the first and last). */
export function labelEvery(n: number, wanted = 7): number {
  return Math.max(1, Math.ceil(n / wanted));
}
