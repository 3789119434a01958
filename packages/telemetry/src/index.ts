export {
  createLogger,
  type LogFn,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  logLevels,
  silentLogger,
} from "./logger";
