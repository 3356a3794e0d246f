import type { Engine } from "../engine.js";
import type { EngineTask } from "../worker/tasks.js";

/** Graphile jobs of this module, by task identifier (see worker/jobs.ts). */
export function audienceJobs(_engine: Engine): Record<string, EngineTask> {
  return {};
}
