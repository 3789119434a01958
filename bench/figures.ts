import os from "node:os";

/** One measured number, compared with a baseline measured in the same run when there is one. */
export interface Figure {
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  note: string;
}

export type Figures = Record<string, Figure>;

/** A bench suite measures one part of the platform and returns its figures. */
export interface Suite {
  name: string;
  run(): Promise<Figures>;
}

export function figure(value: number, unit: string, note: string, baseline: number | null = null): Figure {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    value: round(value),
    unit,
    baseline: baseline === null ? null : round(baseline),
    ratio: baseline === null || baseline === 0 ? null : round(value / baseline),
    note,
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function machine() {
  return {
    cores: os.cpus().length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? "unknown",
  };
}
