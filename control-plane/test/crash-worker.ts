// A worker process for the crash test: the real worker on the test's database, killed with SIGKILL at random.
import { loadConfig } from "../src/config.js";
import { createEngine } from "../src/engine.js";
import { createWorker } from "../src/worker/create-worker.js";
import { crashJourney } from "./crash-journey.js";

const url = process.env.CRASH_DATABASE_URL!;
const config = { ...loadConfig(), LOG_LEVEL: "silent" as const, WORKER_DEAD_AFTER_MS: 1500, WORKER_CONCURRENCY: 8 };
const engine = await createEngine({ databaseUrl: url, app: {}, config, poolSize: 20 });
// The seeds' form: the worker brings its journeys to the container.
await createWorker({ container: engine, journeys: [crashJourney], pollInterval: 100 });
process.send?.("ready");
