import { EventEmitter } from "node:events";
import type { Engine } from "../engine.js";


/**
 * graphile-worker leaves a crashed worker's jobs locked for hours. Each live process heartbeats the ids
 * of its worker pools; any process unlocks jobs held by ids that stopped heartbeating.
 */
export function startLiveness(engine: Engine) {
  /** A job locked this long by an id with no fresh heartbeat belongs to a dead worker. */
  const DEAD_AFTER_MS = engine.config.WORKER_DEAD_AFTER_MS;
  const HEARTBEAT_MS = Math.max(100, Math.floor(DEAD_AFTER_MS / 6));
  const events = new EventEmitter();
  const ids = new Set<string>();
  events.on("pool:create", ({ workerPool }: { workerPool: { id: string } }) => ids.add(workerPool.id));
  events.on("worker:create", ({ worker }: { worker: { workerId: string } }) => ids.add(worker.workerId));

  const beat = async () => {
    const now = engine.clock.now();
    for (const id of ids) {
      await engine.sql`insert into worker_heartbeats (worker_id, heartbeat_at) values (${id}, ${now})
                       on conflict (worker_id) do update set heartbeat_at = excluded.heartbeat_at`;
    }
    const cutoff = new Date(now.getTime() - DEAD_AFTER_MS);
    const dead = await engine.sql<{ locked_by: string }[]>`
      select distinct j.locked_by from graphile_worker._private_jobs j
      where j.locked_by is not null and j.locked_at < ${cutoff}
        and not exists (select 1 from worker_heartbeats h where h.worker_id = j.locked_by and h.heartbeat_at >= ${cutoff})`;
    if (dead.length) {
      await engine.sql`select graphile_worker.force_unlock_workers(${dead.map((d) => d.locked_by)}::text[])`;
      engine.log.warn("unlocked jobs of dead workers", { workers: dead.length });
    }
    await engine.sql`delete from worker_heartbeats where heartbeat_at < ${new Date(now.getTime() - 10 * DEAD_AFTER_MS)}`;
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await beat().catch((error) => engine.log.warn("heartbeat failed", { error: String(error) }));
      await new Promise((r) => setTimeout(r, HEARTBEAT_MS).unref());
    }
  })();
  return {
    events,
    async stop() {
      stopped = true;
      await engine.sql`delete from worker_heartbeats where worker_id = any(${[...ids]}::text[])`.catch(() => {});
      void loop;
    },
  };
}
