import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase } from "../../test/db.js";
import { closeEngine, createEngine, type Engine } from "../engine.js";
import { loadConfig } from "../config.js";
import { silentLogger } from "../log.js";
import { ingest } from "../ingest/ingest.js";
import { defineTask } from "../index.js";
import { createWorker } from "./create-worker.js";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await createEngine({ databaseUrl: db.url, app: {}, config: { ...loadConfig({}), LOG_LEVEL: "silent" as const, WORKER_DEAD_AFTER_MS: 600 }, log: silentLogger });
  // Any fatal pool error will do: here graphile-worker cannot complete this task's job.
  await engine.sql.unsafe(`
    create function public.refuse_completion() returns trigger language plpgsql as $$
    begin if old.key like 'task:pool-killer:%' then raise exception 'completion refused'; end if; return old; end $$;
    create trigger refuse_completion before delete on graphile_worker._private_jobs for each row execute function public.refuse_completion();`);
});
afterAll(async () => {
  await closeEngine(engine);
  await db.drop();
});

it("a worker pool that dies is reported by done, stops heartbeating, and stop() still works", async () => {
  const killer = defineTask({ name: "pool-killer", onEvents: ["worker.kill_pool"], fn: async () => {} });
  const worker = await createWorker({ container: engine, extraWorkflows: [killer], pollInterval: 100 });
  const died = new Promise((resolve) => worker.runner.events.once("pool:fatalError", resolve));
  await ingest(engine, { name: "worker.kill_pool", userId: "u1", source: "api" });
  await died;
  const outcome = await Promise.race([
    worker.done.then(() => "resolved", () => "rejected"),
    sleep(5_000).then(() => "pending"),
  ]);
  await sleep(1_000);
  const [beats] = await engine.sql`select count(*)::int as n from worker_heartbeats where heartbeat_at > now() - interval '300 milliseconds'`;
  const stopped = await worker.stop().then(() => "ok", (e: Error) => e.message);
  expect({ outcome, freshHeartbeats: beats.n, stopped }).toEqual({ outcome: "rejected", freshHeartbeats: 0, stopped: "ok" });
}, 30_000);
