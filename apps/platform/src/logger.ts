import type { Logger } from "@avatar-chat/api";

const levels = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/** One JSON line per event on stderr, so logs stay machine-readable in production. */
export function createLogger(service: string, level: keyof typeof levels = "info"): Logger {
  const write = (at: keyof typeof levels) => (message: string, detail?: Record<string, unknown>) => {
    if (levels[at] < levels[level]) return;
    process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), level: at, service, message, ...detail })}\n`);
  };
  return { info: write("info"), warn: write("warn"), error: write("error") };
}
