import type { Engine } from "../engine.js";
import type { EngineTask } from "../worker/tasks.js";
import { Jobs } from "../worker/jobs.js";
import { reconcileBuckets } from "./reconcile.js";
import { syncCohorts } from "./cohorts.js";
import { runCampaignJob } from "./campaign-run.js";

/** Graphile jobs of the audiences module, by task identifier (see worker/jobs.ts). */
export function audienceJobs(engine: Engine): Record<string, EngineTask> {
  return {
    [Jobs.campaign]: async ({ campaignId }, attempt) => runCampaignJob(engine, campaignId, attempt),
    [Jobs.bucketsReconcile]: async () => void (await reconcileBuckets(engine)),
    [Jobs.cohortSync]: async () => syncCohorts(engine),
  };
}
