import {
  CONNECTIONS,
  describeLoad,
  KEYS,
  LIST_RATE,
  measureApi,
  SECONDS,
} from "../../packages/api/bench/api-bench.ts";
import { figure, type Suite } from "../figures.ts";

// The api's hot read (widget.config) and an authenticated list against bare Hono and Fastify routes;
// servers and the autocannon load each run in their own child process (packages/api/bench, docs/api.md).

const suite: Suite = {
  name: "api",
  measures: ["packages/api", "packages/db", "packages/config", "bench/suites/api.ts"],
  async run() {
    const { hono, fastify, hot, list, listAtRate } = await measureApi();
    return {
      "api.hot_read.rps": figure(
        hot.rps,
        "req/s",
        `widget.config by public key over tRPC (cached), ${CONNECTIONS} connections, ${SECONDS} s (${describeLoad(hot)}); baseline bare Hono JSON route (${describeLoad(hono)}); target ratio >= 0.5`,
        hono.rps,
      ),
      "api.hot_read.vs_fastify": figure(
        hot.rps / fastify.rps,
        "ratio",
        `widget.config rps / bare Fastify JSON route rps (${Math.round(fastify.rps)} req/s, ${describeLoad(fastify)})`,
      ),
      "api.hot_read.p99_ms": figure(
        hot.p99,
        "ms",
        `widget.config latency p99 at ${CONNECTIONS} connections (p50 ${hot.p50} ms); baseline bare Hono p99`,
        hono.p99,
      ),
      "api.auth_list.rps": figure(
        list.rps,
        "req/s",
        `chatbot.list with API keys (${KEYS} keys round robin; key check cached 5 s, Redis rate limit, pipelined tenant read), ${CONNECTIONS} connections, closed loop (${describeLoad(list)}); target >= 3000`,
      ),
      "api.auth_list.p99_ms": figure(
        list.p99,
        "ms",
        `chatbot.list latency p99 at ${CONNECTIONS} connections, closed loop at saturation (p50 ${list.p50} ms); target < 25 ms`,
      ),
      "api.auth_list.open_loop_p99_ms": figure(
        listAtRate.p99,
        "ms",
        `chatbot.list latency p99 at a steady ${LIST_RATE} req/s offered (open loop, from each request's scheduled time, up to ${CONNECTIONS} connections; ${Math.round(listAtRate.rps)} req/s served, ${describeLoad(listAtRate)}; p50 ${listAtRate.p50} ms); informational: shows the system's stalls that a closed loop hides`,
      ),
    };
  },
};

export default suite;
