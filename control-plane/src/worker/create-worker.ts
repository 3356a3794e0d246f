import { Logger, run, type Runner, type TaskList } from "graphile-worker";
import { registerApp, type Engine } from "../engine.js";
import { setProcessEngine } from "../tasks/container.js";
import type { JourneyDefinition } from "../journeys/types.js";
import type { TaskDefinition } from "../tasks/define.js";
import { engineTasks } from "./tasks.js";
import { storableError } from "../journeys/store.js";
import { startLiveness } from "./liveness.js";
import { audienceCrontab } from "../audiences/cron.js";

export interface HogsendWorker {
  runner: Runner;
  /** Rejects if the worker pool stops without stop() being called (a fatal error): nothing runs the jobs then. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Defaults to the engine's own. */
  databaseUrl?: string;
  concurrency?: number;
  pollInterval?: number;
}

/** The seeds' form: `createWorker({ container, journeys, extraWorkflows })`. */
export interface WorkerAppOptions extends WorkerOptions {
  /** The engine, or an object holding it as `engine`. */
  container: Engine | { engine: Engine };
  /** Journeys this worker runs, registered with the engine if it does not have them yet. */
  journeys?: JourneyDefinition<any, any>[];
  /** Tasks (defineTask), likewise: the seeds' Hatchet tasks. */
  extraWorkflows?: TaskDefinition<any>[];
}

/**
 * Start graphile-worker on the engine's database with every engine task. Many workers may run side by
 * side on one Postgres; a crashed worker's jobs are unlocked by the survivors (worker/liveness.ts).
 */
export async function createWorker(options: WorkerAppOptions): Promise<HogsendWorker>;
export async function createWorker(engine: Engine, options?: WorkerOptions): Promise<HogsendWorker>;
export async function createWorker(first: Engine | WorkerAppOptions, second: WorkerOptions = {}): Promise<HogsendWorker> {
  let engine: Engine;
  let options: WorkerOptions;
  if ("container" in first) {
    engine = "engine" in first.container ? first.container.engine : first.container;
    await registerApp(engine, { journeys: first.journeys, tasks: first.extraWorkflows });
    options = first;
  } else {
    engine = first;
    options = second;
  }
  setProcessEngine(engine);
  const tasks = engineTasks(engine);
  const taskList: TaskList = {};
  for (const [identifier, fn] of Object.entries(tasks)) {
    taskList[identifier] = async (payload, helpers) => {
      try {
        await fn(payload, { attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
      } catch (error) {
        // graphile-worker stores the message as the job's last_error: a NUL byte fails that write (and with it
        // the worker pool), and a thrown non-Error (an SDK's { error } object) is read for its message too.
        if (!(error instanceof Error)) throw new Error(storableError(describeThrown(error)), { cause: error });
        if (error.message.includes("\u0000")) error.message = storableError(error.message);
        throw error;
      }
    };
  }
  const liveness = startLiveness(engine);
  const concurrency = options.concurrency ?? engine.config.WORKER_CONCURRENCY;
  const runner = await run({
    connectionString: options.databaseUrl ?? engine.databaseUrl,
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
  // graphile-worker's runner.promise resolves when its pool dies too. A pool that stops on its own must not
  // keep heartbeating: the other workers then take back the jobs it held.
  let stopping = false;
  const done = runner.promise.then(
    () => {
      if (!stopping) throw new Error("the worker pool stopped on a fatal error");
    },
    (error) => {
      if (!stopping) throw error;
    },
  );
  done.catch((error) => {
    engine.log.error("worker pool stopped", { error: String(error) });
    void liveness.stop();
  });
  return {
    runner,
    done,
    async stop() {
      stopping = true;
      try {
        await runner.stop();
      } catch (error) {
        // A pool that already died has nothing left to stop.
        if ((error as Error).message !== "Runner is already stopped") throw error;
      } finally {
        await liveness.stop();
      }
    },
  };
}

function describeThrown(value: unknown): string {
  const message = (value as { message?: unknown } | null)?.message;
  if (typeof message === "string") return message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function workerLogger(engine: Engine) {
  return new Logger(() => (level: string, message: string) => {
    if (level === "error") engine.log.error(message);
    else if (level === "warning") engine.log.warn(message);
    else engine.log.debug(message);
  });
}
