import type { Db } from "../db/client.js";

/** Task identifiers of the engine's graphile-worker jobs (no dots: graphile's crontab refuses them). */
export const Jobs = {
  run: "hogsend:run",
  task: "hogsend:task",
  sendEmail: "hogsend:email",
  confirmAnswer: "hogsend:answer",
  delivery: "hogsend:delivery",
  campaign: "hogsend:campaign",
  bucketsReconcile: "hogsend:buckets",
  cohortSync: "hogsend:cohorts",
} as const;

export interface AddJobOptions {
  runAt: Date;
  jobKey?: string;
  maxAttempts?: number;
  /** 'replace' (default) moves an existing unlocked job; 'preserve_run_at' keeps its time. */
  jobKeyMode?: "replace" | "preserve_run_at" | "unsafe_dedupe";
}

/** Enqueue inside the caller's transaction: the job exists exactly when the transaction commits. */
export async function addJob(db: Db, identifier: string, payload: Record<string, unknown>, options: AddJobOptions): Promise<void> {
  await db`select graphile_worker.add_job(
    identifier => ${identifier}::text,
    payload => ${db.json(payload as never)}::json,
    run_at => ${options.runAt}::timestamptz,
    max_attempts => ${options.maxAttempts ?? 25}::int,
    job_key => ${options.jobKey ?? null}::text,
    job_key_mode => ${options.jobKeyMode ?? "replace"}::text
  )`;
}

export async function removeJob(db: Db, jobKey: string): Promise<void> {
  await db`select graphile_worker.remove_job(${jobKey})`;
}

export const runJobKey = (runId: string) => `run:${runId}`;
