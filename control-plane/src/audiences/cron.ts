import { Jobs } from "../worker/jobs.js";

/** Recurring jobs (graphile-worker crontab): bucket reconcile and cohort sync every five minutes. */
export function audienceCrontab(): string {
  return [`*/5 * * * * ${Jobs.bucketsReconcile}`, `*/5 * * * * ${Jobs.cohortSync}`].join("\n");
}
