import type { Logger } from "@avatar-chat/api";

const levels = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/** One JSON line per event on stderr, so logs stay machine-readable in production. */
export function createLogger(service: string, level: keyof typeof levels = "info"): Logger {
  const write = (at: keyof typeof levels) => (message: string, detail?: Record<string, unknown>) => {
    if (levels[at] < levels[level]) return;
    process.stderr.write(
      `${JSON.stringify({ at: new Date().toISOString(), level: at, service, message, ...detail })}\n`,
    );
  };
  return { info: write("info"), warn: write("warn"), error: write("error") };
}

/** The realtime package logs pino-style (detail first); same sink. */
export function realtimeLogger(logger: Logger) {
  return {
    info: (detail: Record<string, unknown>, message: string) => logger.info(message, detail),
    warn: (detail: Record<string, unknown>, message: string) => logger.warn(message, detail),
    error: (detail: Record<string, unknown>, message: string) => logger.error(message, detail),
  };
}
