import { Logger, run, type Runner, type TaskList } from "graphile-worker";
import type { Engine } from "../engine.js";
import { setProcessEngine } from "../tasks/container.js";
import { engineTasks, type EngineTask } from "./tasks.js";
import { startLiveness } from "./liveness.js";
import { audienceCrontab } from "../audiences/cron.js";

export interface HogsendWorker {
  runner: Runner;
  stop(): Promise<void>;
}

/**
 * Start graphile-worker on the engine's database with every engine task. Many workers may run side by
 * side on one Postgres; a crashed worker's jobs are unlocked by the survivors (worker/liveness.ts).
 */
export async function createWorker(
  engine: Engine,
  options: { databaseUrl: string; concurrency?: number; pollInterval?: number; extraTasks?: Record<string, EngineTask> },
): Promise<HogsendWorker> {
  setProcessEngine(engine);
  const tasks = engineTasks(engine, options.extraTasks);
  const taskList: TaskList = {};
  for (const [identifier, fn] of Object.entries(tasks)) {
    taskList[identifier] = async (payload, helpers) => {
      await fn(payload, { attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
    };
  }
  const liveness = startLiveness(engine);
  const concurrency = options.concurrency ?? engine.config.WORKER_CONCURRENCY;
  const runner = await run({
    connectionString: options.databaseUrl,
    concurrency,
    maxPoolSize: concurrency + 4,
    pollInterval: options.pollInterval ?? 500,
    noHandleSignals: true,
    taskList,
    crontab: audienceCrontab(),
    logger: workerLogger(engine),
    preset: {
      worker: {
        localQueue: { size: 200 },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
    events: liveness.events,
  });
  return {
    runner,
    async stop() {
      await runner.stop();
      await liveness.stop();
    },
  };
}

function workerLogger(engine: Engine) {
  return new Logger(() => (level: string, message: string) => {
    if (level === "error") engine.log.error(message);
    else if (level === "warning") engine.log.warn(message);
    else engine.log.debug(message);
  });
}
