export { type JobOrigin, jobOrigin, runJob } from "./job-origin";
export {
  createLogger,
  type LogFn,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  logLevels,
  silentLogger,
} from "./logger";
export {
  counterFromScrape,
  createMetrics,
  gaugeFromScrape,
  type Metrics,
  type NamedRedisClient,
  type Sample,
  topEntries,
} from "./metrics";
export { serveMetrics } from "./metrics-server";
export { currentScope, type RequestScope, requestIdFrom, runInScope } from "./request-scope";
export { inSpan, SpanKind, type SpanOptions, startTracing, traceHeaders, tracingConfigured } from "./tracing";
