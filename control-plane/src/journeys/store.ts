import type { Db, Tx } from "../db/client.js";
import { Jobs } from "../worker/jobs.js";
import type { RunStatus } from "./statuses.js";
import type { Condition } from "./conditions.js";
import { RunStopped } from "./errors.js";

/**
 * The journey store: the one module that writes journey_runs, journey_steps, journey_waits,
 * journey_entries and journey_enrollments. Every status change is a compare-and-set from a live status.
 */

/** Attempts of a journey's code that throws, before the run is marked failed. */
export const RUN_MAX_ATTEMPTS = 4;
/** The run job's own attempts: generous, since a worker crash spends one without the journey failing. */
export const RUN_JOB_MAX_ATTEMPTS = 50;

export interface RunRow {
  id: string;
  journey_id: string;
  contact_id: string;
  status: RunStatus;
  trigger_event_id: string | null;
  trigger_properties: Record<string, unknown>;
  exit_on: { event: string; condition: Condition | null }[];
  wake_at: Date | null;
  parked_at: string | null;
  exit_reason: string | null;
  error: string | null;
  attempts: number;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface StepRow {
  run_id: string;
  step_key: string;
  seq: number;
  kind: string;
  label: string | null;
  result: any;
  at: Date;
}

export interface WaitRow {
  id: string;
  run_id: string;
  step_key: string;
  seq: number | null;
  contact_id: string;
  event_name: string;
  condition: Condition | null;
  deadline: Date;
  status: "waiting" | "matched" | "timed_out" | "cancelled";
  matched_event_id: string | null;
  matched_properties: Record<string, unknown> | null;
  created_at: Date;
  resolved_at: Date | null;
}

/** What the enrollment guards read, in one query: the operator's enabled switch, the last entry, a live run. */
export type EnrollmentFacts = { enabled: boolean | null; lastEnteredAt: Date | null; live: boolean };

export async function enrollmentFacts(db: Db, journeyId: string, contactId: string): Promise<EnrollmentFacts> {
  const [row] = await db<{ enabled: boolean | null; last_entered_at: Date | null; live: boolean }[]>`
    select (select enabled from journey_settings where journey_id = ${journeyId}) as enabled,
      (select last_entered_at from journey_entries where journey_id = ${journeyId} and contact_id = ${contactId}) as last_entered_at,
      exists (select 1 from journey_runs where journey_id = ${journeyId} and contact_id = ${contactId} and status in ('running', 'waiting', 'sleeping')) as live`;
  return { enabled: row.enabled, lastEnteredAt: row.last_entered_at, live: row.live };
}

/**
 * Enter a run, in one statement: the run row, its first job, the entry count and the enrollment record.
 * Returns null (and writes nothing) when a live run of this journey already exists for the contact.
 */
export async function enterRun(
  tx: Tx,
  input: { journeyId: string; contactId: string; triggerEventId: string | null; triggerProperties: Record<string, unknown>; exitOn: unknown[]; now: Date },
): Promise<string | null> {
  const [row] = await tx<{ id: string }[]>`
    with run as (
      insert into journey_runs (journey_id, contact_id, status, trigger_event_id, trigger_properties, exit_on, started_at, updated_at)
      values (${input.journeyId}, ${input.contactId}, 'running', ${input.triggerEventId}, ${tx.json(input.triggerProperties as never)},
              ${tx.json(input.exitOn as never)}, ${input.now}, ${input.now})
      on conflict (journey_id, contact_id) where status in ('running', 'waiting', 'sleeping') do nothing
      returning id),
    job as (
      select graphile_worker.add_job(identifier => ${Jobs.run}::text, payload => json_build_object('runId', id), run_at => ${input.now}::timestamptz,
        max_attempts => ${RUN_JOB_MAX_ATTEMPTS}::int, job_key => 'run:' || id) from run),
    entry as (
      insert into journey_entries (journey_id, contact_id, last_entered_at, entry_count) select ${input.journeyId}, ${input.contactId}, ${input.now}, 1 from run
      on conflict (journey_id, contact_id) do update set last_entered_at = excluded.last_entered_at, entry_count = journey_entries.entry_count + 1),
    enrollment as (
      insert into journey_enrollments (journey_id, contact_id, event_id, decision, reason, run_id, at)
      select ${input.journeyId}, ${input.contactId}, ${input.triggerEventId}, 'entered', null, id, ${input.now} from run)
    select run.id from run where (select count(*) from job) > 0`;
  return row?.id ?? null;
}

export async function getRun(db: Db, runId: string): Promise<RunRow | undefined> {
  const [row] = await db<RunRow[]>`select * from journey_runs where id = ${runId}`;
  return row;
}

/**
 * Stop the live runs `which` selects (a query of run ids), in one statement: their status with the exit
 * reason or the error, their waits cancelled, their pending jobs removed. Returns the runs stopped.
 */
async function stopRuns(db: Db, which: ReturnType<Db>, status: RunStatus, now: Date, why: { reason?: string; error?: string }): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    with stopped as (
      update journey_runs set status = ${status}, exit_reason = ${why.reason ?? null}, error = coalesce(${why.error === undefined ? null : storableError(why.error)}, error),
        finished_at = ${now}, updated_at = ${now}, wake_at = null
      where id in (${which}) and status in ('running', 'waiting', 'sleeping') returning id),
    waits as (update journey_waits set status = 'cancelled', resolved_at = ${now} where run_id in (select id from stopped) and status = 'waiting'),
    removed as (select id, graphile_worker.remove_job('run:' || id) from stopped)
    select id from removed`;
  return rows.map((r) => r.id);
}

const stopRun = async (db: Db, runId: string, status: RunStatus, now: Date, why: { reason?: string; error?: string }) =>
  (await stopRuns(db, db`select ${runId}::uuid`, status, now, why)).length > 0;

export const exitRun = (db: Db, runId: string, reason: string, now: Date) => stopRun(db, runId, "exited", now, { reason });
export const cancelRun = (db: Db, runId: string, reason: string, now: Date) => stopRun(db, runId, "cancelled", now, { reason });
/** Cancel every live run `which` selects (a contact's merge or deletion). */
export const cancelRuns = (db: Db, which: ReturnType<Db>, reason: string, now: Date) => stopRuns(db, which, "cancelled", now, { reason });
/** Fail a live run outright, when its job has spent every attempt on errors outside the journey's code. */
export const failRun = (db: Db, runId: string, error: string, now: Date) => stopRun(db, runId, "failed", now, { error });

/**
 * An event's side of the race, in one statement: the wait leaves 'waiting' once (compare-and-set); if this
 * event won it, the run is marked running and its job queued to run now. An event after the deadline matches
 * nothing: the wait timed out then, even if its job has not run yet.
 */
export async function matchWait(tx: Tx, waitId: string, event: { id: string; properties: Record<string, unknown> }, now: Date): Promise<void> {
  // The job CTE is a SELECT: it runs only because the final select reads it.
  await tx`
    with won as (
      update journey_waits set status = 'matched', matched_event_id = ${event.id}, matched_properties = ${tx.json(event.properties as never)}, resolved_at = ${now}
      where id = ${waitId} and status = 'waiting' and deadline >= ${now} returning run_id),
    woken as (
      update journey_runs set status = 'running', wake_at = null, updated_at = ${now}
      where id = (select run_id from won) and status in ('running', 'waiting', 'sleeping') returning id),
    job as (
      select graphile_worker.add_job(identifier => ${Jobs.run}::text, payload => json_build_object('runId', id), run_at => ${now}::timestamptz,
        max_attempts => ${RUN_JOB_MAX_ATTEMPTS}::int, job_key => 'run:' || id) from woken)
    select (select count(*) from job) as jobs`;
}

/**
 * Park a run until `wakeAt` (a sleep's end or a wait's deadline); an event may wake it earlier. Parking on a
 * wait (`waitKey`) happens only while it is still waiting: an event that resolved it first has queued the
 * run to go on now, which a park would push back to the deadline. The caller holds the contact's row lock,
 * as ingest does while it matches waits, so the check and the park see the same wait.
 */
export async function parkRun(tx: Db, runId: string, status: "waiting" | "sleeping", wakeAt: Date, label: string, now: Date, waitKey?: string): Promise<boolean> {
  // One statement: the job exists exactly when the run parked.
  const [row] = await tx`
    with ${waitKey ? tx`pending as (select 1 from journey_waits where run_id = ${runId} and step_key = ${waitKey} and status = 'waiting'),` : tx``}
    parked as (
      update journey_runs set status = ${status}, wake_at = ${wakeAt}, parked_at = ${label}, updated_at = ${now}
      where id = ${runId} and status in ('running', 'waiting', 'sleeping') ${waitKey ? tx`and exists (select 1 from pending)` : tx``} returning id)
    select graphile_worker.add_job(identifier => ${Jobs.run}::text, payload => json_build_object('runId', id), run_at => ${wakeAt}::timestamptz,
      max_attempts => ${RUN_JOB_MAX_ATTEMPTS}::int, job_key => 'run:' || id) as job
    from parked`;
  return Boolean(row);
}

/** Error text as Postgres can store it (a NUL byte is refused, and would leave the error unrecordable). */
export const storableError = (text: string) => text.replace(/\u0000/g, "\\0").slice(0, 10_000);

/** Count one failed attempt of the journey's code (a live run shows as running until its retry); returns the attempts so far. */
export async function recordRunError(db: Db, runId: string, error: string, now: Date): Promise<number> {
  const [row] = await db<{ attempts: number }[]>`
    update journey_runs set error = ${storableError(error)}, attempts = attempts + 1, updated_at = ${now},
      status = case when status in ('running', 'waiting', 'sleeping') then 'running' else status end
    where id = ${runId} returning attempts`;
  return row?.attempts ?? RUN_MAX_ATTEMPTS;
}

/**
 * Record a step's result once, only while the run is live; a concurrent or earlier record wins and is
 * returned instead. Throws RunStopped when the run was exited or cancelled under the replay.
 */
export async function saveStep(
  db: Db,
  step: { runId: string; contactId: string; stepKey: string; seq: number; kind: string; label: string | null; result: unknown; at: Date },
): Promise<StepRow> {
  const [row] = await db<StepRow[]>`
    insert into journey_steps (run_id, step_key, seq, kind, label, result, contact_id, at)
    select ${step.runId}, ${step.stepKey}, ${step.seq}, ${step.kind}, ${step.label}, ${db.json((step.result ?? null) as never)},
            ${step.contactId}, ${step.at}
    where exists (select 1 from journey_runs where id = ${step.runId} and status in ('running', 'waiting', 'sleeping'))
    on conflict (run_id, step_key) do nothing
    returning *`;
  if (row) return row;
  const [existing] = await db<StepRow[]>`select * from journey_steps where run_id = ${step.runId} and step_key = ${step.stepKey}`;
  if (!existing) throw new RunStopped();
  return existing;
}

export interface StepRecord {
  stepKey: string;
  seq: number;
  kind: string;
  label: string | null;
  result: unknown;
  at: Date;
}

/**
 * Record a run's steps (each once: an earlier record of a key wins) and, when `finish` is given, finish the
 * run, in one statement: one commit for a replay's step records and its final status. Nothing is written
 * unless the run is live; `live` says whether it was.
 */
export async function saveSteps(
  db: Db,
  run: { runId: string; contactId: string },
  steps: StepRecord[],
  /** The run's final status; its waits still waiting are cancelled with it (a race's loser, a diverged run's). */
  finish?: { status: "completed" | "failed" | "diverged"; now: Date; error?: string },
): Promise<{ live: boolean }> {
  const records = steps.map((s) => ({ step_key: s.stepKey, seq: s.seq, kind: s.kind, label: s.label, result: s.result ?? null, at: s.at.toISOString() }));
  const [row] = await db<{ live: boolean }[]>`
    with live as (select 1 from journey_runs where id = ${run.runId} and status in ('running', 'waiting', 'sleeping')),
    saved as (
      insert into journey_steps (run_id, step_key, seq, kind, label, result, contact_id, at)
      select ${run.runId}, s.step_key, s.seq, s.kind, s.label, s.result, ${run.contactId}, s.at
      from jsonb_to_recordset(${db.json(records as never)}) as s(step_key text, seq int, kind text, label text, result jsonb, at timestamptz)
      where exists (select 1 from live)
      on conflict (run_id, step_key) do nothing)
    ${finish ? db`, finished as (
      update journey_runs set status = ${finish.status}, error = ${finish.error ?? null}, finished_at = ${finish.now}, updated_at = ${finish.now}, wake_at = null
      where id = ${run.runId} and status in ('running', 'waiting', 'sleeping') returning id)` : db``}
    ${finish ? db`, abandoned as (
      update journey_waits set status = 'cancelled', resolved_at = ${finish.now}
      where run_id = ${run.runId} and status = 'waiting' and exists (select 1 from finished))` : db``}
    select exists (select 1 from live) as live`;
  return { live: row.live };
}

export async function getWait(db: Db, runId: string, stepKey: string): Promise<WaitRow | undefined> {
  const [row] = await db<WaitRow[]>`select * from journey_waits where run_id = ${runId} and step_key = ${stepKey}`;
  return row;
}

/**
 * Register a wait and, while it is pending, park the run until its deadline, in one statement: the wait
 * row, the run's status and its wake-up job are written together. A wait matched by the lookback does not
 * park. `parked` is false when the run was no longer live.
 */
export async function insertWaitAndPark(
  tx: Tx,
  wait: { runId: string; stepKey: string; seq: number; eventName: string; condition: Condition | null; deadline: Date; now: Date;
          /** When the run wakes if nothing comes first: the deadline, or an earlier wake-up of the same execution. */
          wakeAt?: Date;
          matched?: { eventId: string; properties: Record<string, unknown> } },
): Promise<{ wait: WaitRow; parked: boolean }> {
  const [row] = await tx<(WaitRow & { parked: boolean })[]>`
    with w as (
      insert into journey_waits (run_id, step_key, seq, contact_id, event_name, condition, deadline, status, matched_event_id, matched_properties, created_at, resolved_at)
      values (${wait.runId}, ${wait.stepKey}, ${wait.seq}, (select contact_id from journey_runs where id = ${wait.runId}), ${wait.eventName}, ${tx.json((wait.condition ?? null) as never)}, ${wait.deadline},
              ${wait.matched ? "matched" : "waiting"}, ${wait.matched?.eventId ?? null}, ${wait.matched ? tx.json(wait.matched.properties as never) : null},
              ${wait.now}, ${wait.matched ? wait.now : null})
      on conflict (run_id, step_key) do nothing
      returning *),
    parked as (
      update journey_runs set status = 'waiting', wake_at = ${wait.wakeAt ?? wait.deadline}, parked_at = ${wait.stepKey}, updated_at = ${wait.now}
      where id = ${wait.runId} and status in ('running', 'waiting', 'sleeping') and exists (select 1 from w where w.status = 'waiting')
      returning id),
    job as (
      select graphile_worker.add_job(identifier => ${Jobs.run}::text, payload => json_build_object('runId', id), run_at => ${wait.wakeAt ?? wait.deadline}::timestamptz,
        max_attempts => ${RUN_JOB_MAX_ATTEMPTS}::int, job_key => 'run:' || id) from parked)
    select w.*, (select count(*) from job) > 0 as parked from w`;
  if (row) {
    const { parked, ...inserted } = row;
    return { wait: inserted, parked };
  }
  // Registered before (an earlier replay committed it): the run parks on it as it stands.
  const existing = (await getWait(tx, wait.runId, wait.stepKey))!;
  const wakeAt = wait.wakeAt && wait.wakeAt < existing.deadline ? wait.wakeAt : existing.deadline;
  const parked = existing.status === "waiting" && (await parkRun(tx, wait.runId, "waiting", wakeAt, wait.stepKey, wait.now, wait.stepKey));
  return { wait: existing, parked };
}

/** The timeout's side of the race: wins only if no event matched first. */
export async function timeOutWait(db: Db, waitId: string, now: Date): Promise<WaitRow> {
  const [row] = await db<WaitRow[]>`
    update journey_waits set status = 'timed_out', resolved_at = ${now} where id = ${waitId} and status = 'waiting' returning *`;
  if (row) return row;
  const [current] = await db<WaitRow[]>`select * from journey_waits where id = ${waitId}`;
  return current;
}

export async function recordEnrollment(
  db: Db,
  e: { journeyId: string; contactId: string; eventId: string | null; decision: "entered" | "skipped"; reason: string | null; runId: string | null; now: Date },
) {
  await db`insert into journey_enrollments (journey_id, contact_id, event_id, decision, reason, run_id, at)
           values (${e.journeyId}, ${e.contactId}, ${e.eventId}, ${e.decision}, ${e.reason}, ${e.runId}, ${e.now})`;
}

export async function isJourneyEnabled(db: Db, journeyId: string, fallback: boolean): Promise<boolean> {
  const [row] = await db<{ enabled: boolean }[]>`select enabled from journey_settings where journey_id = ${journeyId}`;
  return row ? row.enabled : fallback;
}

export async function setJourneyEnabled(db: Db, journeyId: string, enabled: boolean, now: Date) {
  await db`insert into journey_settings (journey_id, enabled, updated_at) values (${journeyId}, ${enabled}, ${now})
           on conflict (journey_id) do update set enabled = excluded.enabled, updated_at = excluded.updated_at`;
}
