import os from "node:os";

/** One measured number, compared with a baseline measured in the same run when there is one. */
export interface Figure {
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  note: string;
}

/** When and on what code a figure was measured: run.ts stamps each figure as its suite returns it. */
export interface Stamp {
  /** ISO time the suite finished. */
  at: string;
  /** The commit measured; `dirty` when the worktree had changes under the measured paths. */
  commit: string;
  dirty: boolean;
  /** Paths (from the repository root) whose changes make the figure stale. */
  measures: string[];
  /** The machine's 1-minute load average when the suite started: the machine is shared. */
  load: number;
}

export type Figures = Record<string, Figure>;
export type StampedFigure = Figure & Partial<Stamp>;

/** A bench suite measures one part of the platform and returns its figures. */
export interface Suite {
  name: string;
  /** Paths of the code the figures depend on (a change there makes them stale), from the repository root. */
  measures: string[];
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
