import type { Engine } from "../engine.js";
import type { EngineTask } from "../worker/tasks.js";
import { Jobs } from "../worker/jobs.js";
import { confirmAnswers } from "../tracking/answers.js";

/** Graphile jobs of the mail module, by task identifier (see worker/jobs.ts). */
export function emailJobs(engine: Engine): Record<string, EngineTask> {
  return {
    [Jobs.confirmAnswer]: async ({ sendId }) => confirmAnswers(engine, sendId),
  };
}
