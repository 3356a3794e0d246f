/**
 * The worker of bench/journeys' parked phase, in a process of its own so its RSS is the worker's alone:
 * `tsx bench/journeys/parked-worker.ts <database url>`. Prints "ready" once it runs; stops on SIGTERM.
 */
import { loadConfig } from "../../control-plane/src/config.js";
import { closeEngine, createEngine } from "../../control-plane/src/engine.js";
import { createWorker } from "../../control-plane/src/worker/create-worker.js";
import { sleeper, warmup } from "./workload.js";

const databaseUrl = process.argv[2];
const engine = await createEngine({
  databaseUrl,
  app: { journeys: [sleeper, warmup] },
  config: { ...loadConfig({}), LOG_LEVEL: "error", WORKER_CONCURRENCY: Number(process.env.BENCH_CONCURRENCY ?? 32) },
  poolSize: 40,
});
const worker = await createWorker(engine, { databaseUrl, pollInterval: 200 });
console.log("ready");
process.once("SIGTERM", async () => {
  await worker.stop();
  await closeEngine(engine);
  process.exit(0);
});
