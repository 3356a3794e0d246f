import type { Engine } from "../engine.js";
import { executeRun } from "../journeys/executor.js";
import { failRun } from "../journeys/store.js";
import { runTask } from "../tasks/run-task.js";
import { retrySend } from "../mail/deliver.js";
import { Jobs } from "./jobs.js";
import { emailJobs } from "../mail/jobs.js";
import { destinationJobs } from "../destinations/jobs.js";
import { audienceJobs } from "../audiences/jobs.js";

export interface JobAttempt {
  attempt: number;
  maxAttempts: number;
}

export type EngineTask = (payload: any, attempt: JobAttempt) => Promise<void>;

/**
 * Every job the engine runs, by graphile-worker task identifier. The production worker and the test
 * engine's virtual-time driver run these same functions.
 */
export function engineTasks(engine: Engine): Record<string, EngineTask> {
  return {
    [Jobs.run]: async ({ runId }, { attempt, maxAttempts }) => {
      try {
        await executeRun(engine, runId);
      } catch (error) {
        // The job's last attempt: the run fails rather than stay live with nothing left to run it.
        if (attempt >= maxAttempts) await failRun(engine.sql, runId, `the run's job failed ${attempt} times; last: ${error instanceof Error ? error.message : String(error)}`, engine.clock.now());
        throw error;
      }
    },
    [Jobs.task]: async (payload, { attempt }) => {
      await runTask(engine, payload, attempt);
    },
    [Jobs.sendEmail]: async ({ sendId }) => {
      await retrySend(engine, sendId);
    },
    ...emailJobs(engine),
    ...destinationJobs(engine),
    ...audienceJobs(engine),
  };
}
