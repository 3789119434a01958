import {
  CONNECTIONS,
  describeLoad,
  KEYS,
  LIST_RATE,
  measureApi,
  medianOf,
  ROUNDS,
  SECONDS,
  SESSIONS,
} from "../../packages/api/bench/api-bench.ts";
import { figure, type Suite } from "../figures.ts";

// The api's reads against bare Hono and Fastify routes and against the floor of an authenticated list,
// alternated in rounds, and the all-in-one process's list with tracing off and on; servers and the autocannon load each run in their own child process
// (packages/api/bench, docs/api.md).

const suite: Suite = {
  name: "api",
  measures: ["packages/api", "packages/db", "packages/config", "apps/platform", "bench/suites/api.ts"],
  async run() {
    const result = await measureApi();
    const how = `${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s alternating with the baseline, medians`;
    const spread = (values: number[]) => values.map((v) => Math.round(v)).join(", ");
    const pre = medianOf(result, "preserialised", "rps", "hono");
    const trpc = medianOf(result, "trpcPublic", "rps", "hono");
    const fastify = medianOf(result, "fastify", "rps");
    const auth = medianOf(result, "authList", "rps", "floor");
    const authP99 = medianOf(result, "authList", "p99", "floor");
    const session = medianOf(result, "sessionList", "rps", "floor");
    const sessionP99 = medianOf(result, "sessionList", "p99", "floor");
    const last = (name: Parameters<typeof medianOf>[1]) => describeLoad(result.rounds[name].at(-1)!);
    // The key path on the all-in-one process with tracing on (every request a server span, batched to an
    // OTLP/HTTP sink in the bench process) against the same process kind with tracing off, same rounds.
    const tracedFigures = () => {
      const rps = medianOf(result, "platformTracedAuthList", "rps", "platformAuthList");
      const p99 = medianOf(result, "platformTracedAuthList", "p99", "platformAuthList");
      const note = `chatbot.list with API keys on the all-in-one process with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT: a server span per request, batched over OTLP/HTTP to a local sink), measured right after the same process kind with tracing off in each round, ${how}`;
      return {
        "api.platform_auth_list.traced_rps": figure(
          rps.value,
          "req/s",
          `${note}; per round ${spread(rps.spread)} (last: ${last("platformTracedAuthList")}); baseline tracing off (api.platform_auth_list.rps); informational`,
          rps.baseline,
        ),
        "api.platform_auth_list.traced_p99_ms": figure(
          p99.value,
          "ms",
          `${note}; latency p99 (median of rounds); baseline tracing off; informational`,
          p99.baseline,
        ),
      };
    };
    return {
      "api.preserialised_read.rps": figure(
        pre.value,
        "req/s",
        `widget.config answered from its pre-serialised bytes before tRPC runs (the widget's first request, chatbot cached in-process), ${how}; per round ${spread(pre.spread)} (last: ${last("preserialised")}); baseline bare Hono JSON route; ratio = median of round ratios; target ratio >= 0.5`,
        pre.baseline,
      ),
      "api.preserialised_read.p99_ms": figure(
        medianOf(result, "preserialised", "p99").value,
        "ms",
        `same, latency p99 (median of rounds); baseline bare Hono p99`,
        medianOf(result, "hono", "p99").value,
      ),
      "api.trpc_public_query.rps": figure(
        trpc.value,
        "req/s",
        `widget.config as a one-call batch: the middleware and tRPC's fetch adapter run the public procedure (its chatbot from the in-process cache), ${how}; per round ${spread(trpc.spread)}; baseline bare Hono JSON route; informational`,
        trpc.baseline,
      ),
      "api.preserialised_read.vs_fastify": figure(
        pre.value / fastify.value,
        "ratio",
        `pre-serialised widget.config rps / bare Fastify JSON route rps (${Math.round(fastify.value)} req/s, medians)`,
      ),
      "api.auth_list.rps": figure(
        auth.value,
        "req/s",
        `chatbot.list with API keys (${KEYS} keys round robin; key check cached 5 s, Redis rate limit, pipelined tenant read), ${how}; per round ${spread(auth.spread)} (last: ${last("authList")}); baseline the floor: a bare Hono route with the same key check and SELECT over pg, no tRPC, middleware or RLS; target >= 3000 and ratio >= 0.5`,
        auth.baseline,
      ),
      "api.auth_list.p99_ms": figure(
        authP99.value,
        "ms",
        `chatbot.list with API keys, latency p99 at saturation (median of rounds; p50 ${medianOf(result, "authList", "p50").value} ms); baseline the floor's p99; target < 25 ms`,
        authP99.baseline,
      ),
      "api.session_list.rps": figure(
        session.value,
        "req/s",
        `chatbot.list with dashboard session cookies (${SESSIONS} sessions round robin: session and role lookup, Redis rate limit, pipelined tenant read), ${how}; per round ${spread(session.spread)} (last: ${last("sessionList")}); baseline the API-key floor; target as the key path: >= 3000 and ratio >= 0.5`,
        session.baseline,
      ),
      "api.session_list.p99_ms": figure(
        sessionP99.value,
        "ms",
        `chatbot.list with session cookies, latency p99 at saturation (median of rounds; p50 ${medianOf(result, "sessionList", "p50").value} ms); baseline the floor's p99; target < 25 ms`,
        sessionP99.baseline,
      ),
      ...Object.fromEntries(
        (
          [
            ["platformAuthList", "platform_auth_list", "API keys"],
            ["platformSessionList", "platform_session_list", "dashboard session cookies"],
          ] as const
        ).map(([name, key, credential]) => {
          const rps = medianOf(result, name, "rps", "floor");
          const p99 = medianOf(result, name, "p99").value;
          return [
            `api.${key}.rps`,
            figure(
              rps.value,
              "req/s",
              `chatbot.list with ${credential} on the all-in-one process \`pnpm start\` runs (api, worker and realtime in one process, request log on), ${how}; per round ${spread(rps.spread)} (last: ${last(name)}); p99 ${p99} ms (median of rounds); baseline the API-key floor; target as the key path: >= 3000, p99 < 25 ms, ratio >= 0.5`,
              rps.baseline,
            ),
          ];
        }),
      ),
      ...tracedFigures(),
      "api.auth_list.open_loop_p99_ms": figure(
        result.listAtRate.p99,
        "ms",
        `chatbot.list latency p99 at a steady ${LIST_RATE} req/s offered (open loop, from each request's scheduled time, up to ${CONNECTIONS} connections; ${Math.round(result.listAtRate.rps)} req/s served, ${describeLoad(result.listAtRate)}; p50 ${result.listAtRate.p50} ms); informational: shows the system's stalls that a closed loop hides`,
      ),
    };
  },
};

export default suite;
