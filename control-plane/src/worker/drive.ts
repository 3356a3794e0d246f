import { storableError } from "../journeys/store.js";
import type { Sql } from "../db/client.js";
import type { Clock } from "../clock.js";
import type { EngineTask } from "./tasks.js";

interface DueJob {
  id: string;
  identifier: string;
  payload: any;
  run_at: Date;
  attempts: number;
  max_attempts: number;
}

/**
 * Run graphile-worker's queued jobs in time order up to `until`, moving a virtual clock to each job's
 * run_at: the test engine's way to run weeks of journeys in milliseconds. It reads and completes the same
 * job rows graphile-worker would (add_job, job keys and retries included); only the waiting is skipped.
 */
export async function runJobsUntil(
  sql: Sql,
  clock: Clock & { set(to: Date): void },
  tasks: Record<string, EngineTask>,
  until: Date,
  onError: (identifier: string, error: unknown) => void = () => {},
): Promise<number> {
  let ran = 0;
  for (;;) {
    const [job] = await sql<DueJob[]>`
      update graphile_worker._private_jobs j set locked_at = now(), locked_by = 'hogsend-test-engine', attempts = j.attempts + 1
      where j.id = (
        select id from graphile_worker._private_jobs
        where locked_at is null and run_at <= ${until} and attempts < max_attempts
        order by run_at, id limit 1 for update skip locked)
      returning j.id, (select identifier from graphile_worker._private_tasks t where t.id = j.task_id) as identifier,
        j.payload, j.run_at, j.attempts, j.max_attempts`;
    if (!job) return ran;
    if (++ran > 100_000) throw new Error("runJobsUntil: more than 100,000 jobs, is a job re-adding itself?");
    clock.set(job.run_at);
    const task = tasks[job.identifier];
    try {
      if (!task) throw new Error(`no task "${job.identifier}"`);
      await task(job.payload, { attempt: job.attempts, maxAttempts: job.max_attempts });
      // As graphile-worker's own completion does: the row goes, even though it is locked by us.
      await sql`delete from graphile_worker._private_jobs where id = ${job.id} and locked_by = 'hogsend-test-engine'`;
    } catch (error) {
      onError(job.identifier, error);
      // graphile-worker's own backoff: exp(min(attempts, 10)) seconds, in virtual time.
      const retryAt = new Date(clock.now().getTime() + Math.exp(Math.min(job.attempts, 10)) * 1000);
      await sql`update graphile_worker._private_jobs set locked_at = null, locked_by = null, run_at = ${retryAt},
                  last_error = ${storableError(String((error as Error)?.message ?? error))} where id = ${job.id}`;
    }
  }
}
