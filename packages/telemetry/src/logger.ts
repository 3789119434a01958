import { type DestinationStream, pino } from "pino";
import { currentScope } from "./request-scope";

export const logLevels = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof logLevels)[number];

/** Fields first, message second (pino's order): `logger.warn({ err, jobId }, "job failed")`. */
export interface LogFn {
  (fields: object, message: string): void;
  (message: string): void;
}

/** What every role logs through; a pino logger fits, so does `silentLogger` in tests. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger whose every line carries `bindings` (a role's name, a request id, a job id). */
  child(bindings: Record<string, unknown>): Logger;
}

const noop = () => {};
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

/**
 * Field names whose values are credentials wherever they appear in a log line (one level deep too):
 * they are replaced, so a careless `logger.info({ headers })` cannot leak a session or an API key.
 */
const secretFields = [
  "authorization",
  "cookie",
  "token",
  "visitorToken",
  "sessionToken",
  "apiKey",
  "password",
  "secret",
  "secretAccessKey",
  "providerKey",
];

export interface LoggerOptions {
  level: LogLevel;
  /** The process's roles or part (`platform`, `api`, …), on every line. */
  service: string;
  /** Where lines go; stderr by default (stdout carries the start banner). */
  destination?: DestinationStream;
}

/**
 * The one logger factory: JSON lines (ISO time, level by name), errors under `err` or `error`
 * serialised with message, stack and cause chain, credentials redacted by field name.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Lines written while serving a request, or running the job it enqueued, name that request.
      mixin: () => {
        const scope = currentScope();
        return scope ? { requestId: scope.requestId } : {};
      },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.errWithCause, error: pino.stdSerializers.errWithCause },
      redact: {
        paths: secretFields.flatMap((field) => [field, `*.${field}`]),
        censor: "[redacted]",
      },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}
