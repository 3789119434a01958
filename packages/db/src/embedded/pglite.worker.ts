// The embedded database's thread. PGlite (PostgreSQL compiled to WebAssembly) runs each statement, and
// its WAL writes and checkpoints, synchronously on the thread that calls it: on the process's main thread
// a batch of inserts or a checkpoint stalled every request for seconds. Here it stalls only this thread.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { vector } from "@electric-sql/pglite/vector";
import { typeParsers } from "../type-parsers";
import { type EmbeddedCall, type EmbeddedReply, plainError } from "./thread-protocol";

const port = parentPort!;
const reply = (message: EmbeddedReply) => port.postMessage(message);

async function answer(client: PGlite, call: EmbeddedCall): Promise<void> {
  try {
    if (call.type === "close") {
      await client.close();
      reply({ id: call.id, outcome: { rows: [] } });
      return;
    }
    const { rows, affectedRows } = await client.query(call.sql, [...call.params]);
    reply({ id: call.id, outcome: { rows, affectedRows } });
  } catch (error) {
    // A row that cannot be cloned fails in postMessage and lands here too.
    reply({ id: call.id, error: plainError(error) });
  }
}

try {
  const { dataDir } = workerData as { dataDir: string };
  const client = await PGlite.create(dataDir, { extensions: { vector, pg_trgm }, parsers: typeParsers });
  port.on("message", (call: EmbeddedCall) => void answer(client, call));
  reply({ ready: true });
} catch (error) {
  reply({ failed: plainError(error) });
}
