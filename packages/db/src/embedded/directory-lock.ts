import { linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Refused: another live process holds the directory's lock. */
export class DirectoryInUseError extends Error {
  override name = "DirectoryInUseError";
}

/** Who holds a lock: a process id and, where the system says it, when that process started. */
export interface LockHolder {
  pid: number;
  /** Linux: the process's start time in clock ticks since boot (tells a reused pid apart); else null. */
  started: string | null;
}

/** Whether the recorded holder still runs: its pid is alive and, where both are known, started then. */
export function holderRuns(recorded: LockHolder, now: { alive: boolean; started: string | null }): boolean {
  if (!now.alive) return false;
  return recorded.started === null || now.started === null || recorded.started === now.started;
}

function startTimeOf(pid: number): string | null {
  try {
    // Field 22 of /proc/<pid>/stat; the command name before it is in parentheses and may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): LockHolder | null {
  // Checked by hand: zod in this package's dependencies tipped the client's type bundle (rollup-plugin-dts)
  // over its memory limit.
  try {
    const { pid, started } = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    if (!Number.isInteger(pid) || (pid as number) <= 0) return null;
    return { pid: pid as number, started: typeof started === "string" ? started : null };
  } catch {
    return null;
  }
}

/**
 * Takes `<dataDir>.lock` for this process (`what` names the directory's contents in the refusal). PGlite
 * keeps no postmaster.pid, and two processes writing one directory corrupt it; a lock left by a process
 * that died (kill -9, power loss) is taken over.
 */
export function lockDirectory(dataDir: string, what: string): { release(): void } {
  const file = `${path.resolve(dataDir)}.lock`;
  const self: LockHolder = { pid: process.pid, started: startTimeOf(process.pid) };
  // Written aside, then linked into place: the lock never exists without its holder in it.
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, JSON.stringify(self));
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(draft, file);
        return {
          release() {
            if (readHolder(file)?.pid === self.pid) rmSync(file, { force: true });
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = readHolder(file);
      if (holder && holderRuns(holder, { alive: isAlive(holder.pid), started: startTimeOf(holder.pid) }))
        throw new DirectoryInUseError(
          `${what} in ${dataDir} is in use by another process (pid ${holder.pid}). ` +
            "Stop that one first, or give this one its own DATA_DIR.",
        );
      rmSync(file, { force: true });
    }
    throw new DirectoryInUseError(`Another process took ${what} in ${dataDir} while this one started.`);
  } finally {
    rmSync(draft, { force: true });
  }
}
