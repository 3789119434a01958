import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

let enabled = false;
const tracer = () => trace.getTracer("avatar-chat");

/**
 * Tracing is on when an OTLP endpoint is configured by the standard variables (and not disabled by
 * `OTEL_SDK_DISABLED` or `OTEL_TRACES_EXPORTER=none`). Off, no SDK is loaded and `inSpan` is a plain call.
 */
export function tracingConfigured(env: {
  OTEL_SDK_DISABLED?: string | undefined;
  OTEL_TRACES_EXPORTER?: string | undefined;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
}): boolean {
  if (env.OTEL_SDK_DISABLED === "true" || env.OTEL_TRACES_EXPORTER === "none") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts the OpenTelemetry SDK for this process: W3C trace context, AsyncLocalStorage context, spans
 * batched to the OTLP/HTTP exporter, which reads `OTEL_EXPORTER_OTLP_*` itself; the service name from
 * `OTEL_SERVICE_NAME` (else `service`). Returns the shutdown that flushes what is still buffered.
 */
export async function startTracing(service: string): Promise<() => Promise<void>> {
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, resources, core, hooks] =
    await Promise.all([
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/core"),
      import("@opentelemetry/context-async-hooks"),
    ]);
  const contextManager = new hooks.AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  const resource = resources
    .resourceFromAttributes({ "service.name": service })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new TracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
  });
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return async () => {
    enabled = false;
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  };
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** W3C `traceparent`/`tracestate` of a remote parent (an HTTP request's headers, a job's origin). */
  parent?: Record<string, string | undefined>;
}

/** Runs `fn` in a span (ended when it settles, errors recorded); with tracing off, just runs it. */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span?: Span) => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  const parent = options.parent
    ? propagation.extract(context.active(), options.parent, {
        get: (carrier, key) => carrier[key] ?? undefined,
        keys: (carrier) => Object.keys(carrier),
      })
    : context.active();
  return tracer().startActiveSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The active span's W3C context as `traceparent`/`tracestate`, for a job or an outgoing request. */
export function traceHeaders(): { traceparent?: string; tracestate?: string } {
  if (!enabled) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

export { SpanKind };
