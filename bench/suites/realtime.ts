import { execSync } from "node:child_process";
import { measureSystem, type SystemResult } from "../../packages/realtime/bench/fanout-bench.ts";
import { figure, type Suite } from "../figures.ts";

// Fan-out of the realtime service against Socket.io (Redis adapter, fed by @socket.io/redis-emitter) and a
// ~20-line raw-ws fan-out, on the same load process. Servers and clients each run in their own child process;
// the clients of every system use the same raw `ws` code, so client cost is equal (see docs/realtime.md).

/** 10k clients need ~10k descriptors in the load process and in the server process. */
function descriptorLimit(): number {
  try {
    return Number(execSync("ulimit -n", { shell: "/bin/sh" }).toString().trim()) || 0;
  } catch {
    return 0;
  }
}

const kib = (r: SystemResult) => (r.idleConnBytes === null ? Number.NaN : r.idleConnBytes / 1024);
const round = (n: number | null) => (n === null ? "n/a" : Math.round(n));

function idleConnFigure(
  ours: SystemResult,
  minimal: SystemResult,
  socketio: SystemResult | null,
  skipped: string,
) {
  return figure(
    kib(ours),
    "KiB",
    `server RSS growth per idle subscribed connection after GC, 10,000 connections (JS heap+external alone: ${round(ours.idleConnHeapBytes)} B); baseline Socket.io; minimal ${kib(minimal).toFixed(1)} KiB; target < 10 KiB${skipped}`,
    socketio && socketio.idleConnBytes !== null ? kib(socketio) : null,
  );
}

const suite: Suite = {
  name: "realtime",
  measures: ["packages/realtime", "packages/protocol", "bench/suites/realtime.ts"],
  async run() {
    const with10k = descriptorLimit() >= 10_500;
    const skipped = with10k ? "" : " (10k skipped: ulimit -n below 10500)";
    // REALTIME_BENCH=idle: only the idle-memory phase of ours and minimal (for working on memory; about 1 min).
    if (process.env.REALTIME_BENCH === "idle") {
      const ours = await measureSystem("ours", { with10k, idleOnly: true });
      const minimal = await measureSystem("minimal", { with10k, idleOnly: true });
      return { "realtime.idle_conn.kib": idleConnFigure(ours, minimal, null, skipped) };
    }
    const ours = await measureSystem("ours", { with10k });
    const minimal = await measureSystem("minimal", { with10k });
    const socketio = await measureSystem("socketio", { with10k });
    // Idle memory in fresh server processes: after a saturation phase the heap and allocator are in a state
    // that shifts RSS growth by kilobytes per connection from run to run (8 to 11 KiB for the same code).
    const idle = async (kind: "ours" | "minimal" | "socketio") =>
      measureSystem(kind, { with10k, idleOnly: true });
    const [oursIdle, minimalIdle, socketioIdle] = [
      await idle("ours"),
      await idle("minimal"),
      await idle("socketio"),
    ];
    return {
      "realtime.fanout_1k.msgs_per_s": figure(
        ours.fanout1k,
        "msgs/s",
        `delivered at saturation, 1,000 clients, 10 per channel; baseline Socket.io + redis-adapter; minimal ws ${round(minimal.fanout1k)}; target >= 1.4x Socket.io`,
        socketio.fanout1k,
      ),
      "realtime.fanout_1k.vs_minimal": figure(
        ours.fanout1k / minimal.fanout1k,
        "ratio",
        `ours / minimal raw-ws fan-out (no auth, resume or backpressure) at 1,000 clients; target >= 0.85`,
      ),
      "realtime.fanout_10k.msgs_per_s": figure(
        ours.fanout10k ?? Number.NaN,
        "msgs/s",
        `delivered at saturation, 10,000 clients, 10 per channel; baseline Socket.io; minimal ws ${round(minimal.fanout10k)}${skipped}`,
        socketio.fanout10k,
      ),
      "realtime.fanout_1k.p99_ms": figure(
        ours.p99,
        "ms",
        `publish-to-receive p99 at 1,000 publishes/s, 1,000 clients (p50 ${ours.p50.toFixed(2)} ms); baseline Socket.io p99; minimal p99 ${minimal.p99.toFixed(2)} ms; target < 10 ms`,
        socketio.p99,
      ),
      "realtime.cpu_per_million.s": figure(
        ours.cpuPerMillion,
        "s",
        `server process CPU seconds per million delivered messages (1k-client saturation run); baseline Socket.io; minimal ${minimal.cpuPerMillion.toFixed(2)} s`,
        socketio.cpuPerMillion,
      ),
      "realtime.idle_conn.kib": idleConnFigure(oursIdle, minimalIdle, socketioIdle, skipped),
    };
  },
};

export default suite;
