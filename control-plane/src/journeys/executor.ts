import type { Engine } from "../engine.js";
import type { ContactRow } from "../identity/contacts.js";
import { ingest } from "../ingest/ingest.js";
import { isReservedName } from "../ingest/types.js";
import { MAX_RUN, MAX_WAIT, type Duration } from "../duration.js";
import { addJob, Jobs, runJobKey } from "../worker/jobs.js";
import { transactionOn } from "../db/pipelined.js";
import type { Sql, Tx } from "../db/client.js";
import { buildCondition, evaluateCondition, type Condition, type EventProperties } from "./conditions.js";
import { changedStep, Diverged, JourneyUsageError, Parked, RunStopped } from "./errors.js";
import { currentRun, type EmailStepRunner, type SendEmailArgs } from "./send-email.js";
import { isLive } from "./statuses.js";
import {
  getWait, insertWaitAndPark, parkRun, recordRunError, RUN_JOB_MAX_ATTEMPTS, RUN_MAX_ATTEMPTS, saveStep, saveSteps, storableError, timeOutWait,
  type RunRow, type StepRecord, type StepRow, type WaitRow,
} from "./store.js";
import { contactTimezone, createWhen } from "./when.js";
import type { CompiledJourney, JourneyContext, JourneyUser, TriggerOptions, WaitOptions, WaitResult } from "./types.js";
import type { SendEmailResult } from "../mail/types.js";
import { isSubscribedToCategory } from "../mail/preferences.js";
import { sendEmail as sendEmailService } from "../mail/service.js";

export type RunOutcome = "parked" | "completed" | "failed" | "diverged" | "stopped" | "busy" | "retry";

/**
 * Run (or resume) one journey run: replay `run()` from the top, returning stored results for completed
 * steps, executing the first new ones, and parking at the first blocking step that is not yet satisfied.
 * One execution per run at a time: a session advisory lock, released by Postgres if the process dies.
 */
export async function executeRun(engine: Engine, runId: string): Promise<RunOutcome> {
  const lock = await engine.lockSql.reserve();
  const lockKey = "run:" + runId;
  try {
    // One round trip, and no write: take the run's lock, check it is live, load what a replay needs. Every
    // write the replay makes re-checks the run is live, so a run finished just before the lock is harmless.
    const now = engine.clock.now();
    const [loaded] = await lock<{ locked: boolean; run: any; contact: any; steps: any[]; waits: any[] }[]>`
      with l as (select pg_try_advisory_lock(hashtextextended(${lockKey}, 0)) as locked),
      u as (
        select * from journey_runs
        where id = ${runId} and status in ('running', 'waiting', 'sleeping') and (select locked from l))
      select (select locked from l) as locked,
        (select row_to_json(u) from u) as run,
        (select row_to_json(c) from contacts c where c.id = (select contact_id from u)) as contact,
        (select coalesce(json_agg(s order by s.seq), '[]') from journey_steps s where s.run_id = ${runId} and exists (select 1 from u)) as steps,
        (select coalesce(json_agg(w), '[]') from journey_waits w where w.run_id = ${runId} and exists (select 1 from u)) as waits`;
    if (!loaded.locked) {
      // Another worker is replaying this run; look again shortly rather than run it twice at once.
      await addJob(engine.sql, Jobs.run, { runId }, { runAt: new Date(now.getTime() + 250), jobKey: runJobKey(runId), maxAttempts: RUN_JOB_MAX_ATTEMPTS });
      return "busy";
    }
    const pending = loaded.run ? new PendingSteps(lock, runId, loaded.run.contact_id) : null;
    const [replayed] = await Promise.allSettled([
      pending
        ? replay(engine, pending, fromJson.run(loaded.run), fromJson.contact(loaded.contact), loaded.steps.map(fromJson.step), loaded.waits.map(fromJson.wait))
        : ("stopped" as const),
    ]);
    // The queued step records and final status, then the unlock queued behind them on this connection: one round trip.
    // The final batch is written before the unlock (both pipelined): the lock covers the run's last write.
    const landed = await pending?.settle();
    const [failure] = await Promise.all([landed?.(), lock`select pg_advisory_unlock(hashtextextended(${lockKey}, 0))`]);
    if (replayed.status === "rejected") throw replayed.reason;
    if (failure instanceof RunStopped) return "stopped";
    if (failure) throw failure;
    return replayed.value;
  } finally {
    lock.release();
  }
}

/**
 * Step records the replay does not wait for. They go out on the run's own connection when the next step
 * with an effect starts (an email, a trigger, a guard, a park, a wait) or, at the end, in one statement with
 * the run's final status, so everything the execution writes later is applied after them. A crash before
 * they land only means the next replay redoes those steps, which their idempotency keys make harmless.
 */
class PendingSteps {
  private queued: StepRecord[] = [];
  private readonly sent: Promise<void>[] = [];
  /** The run's final status, written with the last step records. */
  finish: { status: "completed" | "failed" | "diverged"; now: Date; error?: string } | undefined;

  constructor(
    private readonly conn: Sql,
    private readonly runId: string,
    private readonly contactId: string,
  ) {}

  add(step: StepRecord): void {
    this.queued.push(step);
  }

  /** Send the queued records now (not waiting for them): before a side effect, so they are not held back by it. */
  flush(): void {
    if (this.queued.length) this.send();
  }

  /** The run's connection, with the queued records sent ahead of what is issued on it next. */
  connection(): Sql {
    this.flush();
    return this.conn;
  }

  /**
   * Send what is still queued, with the final status. The final status goes only once every earlier batch
   * has landed (a run is never finished with records lost). Resolves once the last batch is written, to a
   * function giving the first failure when everything has landed (never throws).
   */
  async settle(): Promise<() => Promise<unknown>> {
    const firstFailure = async () => (await Promise.allSettled(this.sent)).find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason;
    if (this.finish && this.sent.length) {
      const failure = await firstFailure();
      if (failure) return async () => failure;
    }
    if (this.queued.length || this.finish) this.send(this.finish);
    return firstFailure;
  }

  private send(finish?: PendingSteps["finish"]): void {
    const write = saveSteps(this.conn, { runId: this.runId, contactId: this.contactId }, this.queued.splice(0), finish).then(({ live }) => {
      if (!live) throw new RunStopped();
    });
    write.catch(() => {});
    this.sent.push(write);
  }
}

/** Rows loaded as JSON get their timestamps back as Dates. */
const date = (v: string | null) => (v ? new Date(v) : null);
const fromJson = {
  run: (r: any): RunRow => ({ ...r, started_at: date(r.started_at), updated_at: date(r.updated_at), finished_at: date(r.finished_at), wake_at: date(r.wake_at) }),
  contact: (c: any): ContactRow => ({ ...c, created_at: date(c.created_at), updated_at: date(c.updated_at), unsubscribed_at: date(c.unsubscribed_at), deleted_at: date(c.deleted_at) }),
  step: (s: any): StepRow => ({ ...s, at: date(s.at)! }),
  wait: (w: any): WaitRow => ({ ...w, deadline: date(w.deadline)!, created_at: date(w.created_at)!, resolved_at: date(w.resolved_at) }),
};

async function replay(engine: Engine, pending: PendingSteps, run: RunRow, contact: ContactRow, stepRows: StepRow[], waitRows: WaitRow[]): Promise<RunOutcome> {
  const journey = engine.registry.journeys.get(run.journey_id);
  // A worker of an older (or a narrower) deployment: the job is retried, for a worker that has the journey;
  // the run fails only when the job's attempts run out.
  if (!journey) throw new Error(`journey "${run.journey_id}" is not defined in this deployment`);
  const steps = new Map(stepRows.map((r) => [r.step_key, r]));
  const execution = new RunExecution(engine, pending, run, journey, contact, steps, new Map(waitRows.map((w) => [w.step_key, w])));
  try {
    return await outcomeOf(engine, pending, run, journey, execution);
  } finally {
    // A step run concurrently may still hold the run's connection: it finishes before the connection is released.
    await execution.connIdle();
  }
}

/** Run the journey's code to its outcome; the final status goes with the pending step records. */
async function outcomeOf(engine: Engine, pending: PendingSteps, run: RunRow, journey: CompiledJourney, execution: RunExecution): Promise<RunOutcome> {
  const runId = run.id;
  try {
    await currentRun.run(execution, () => journey.run(execution.user(), execution.context()));
    await execution.drain();
    if (execution.misuse) throw execution.misuse;
    if (execution.parked && execution.cutOff) return "parked";
    if (execution.divergence) throw execution.divergence;
    execution.assertAllStepsMet();
    // run() returned: the journey is done, even if a step it left behind (a Promise.race loser) parked the
    // run; that step's pending wait is cancelled with the completion.
    pending.finish = { status: "completed", now: engine.clock.now() };
    return "completed";
  } catch (caught) {
    await execution.drain();
    if (caught instanceof RunStopped) return "stopped";
    const error = execution.misuse ?? caught;
    if (!(error instanceof JourneyUsageError) && (error instanceof Parked || execution.parked)) return "parked";
    const diverged = execution.divergence ?? (error instanceof Diverged ? error : undefined);
    if (diverged) {
      pending.finish = { status: "diverged", now: engine.clock.now(), error: diverged.message };
      engine.log.warn("journey run diverged", { runId, journeyId: run.journey_id, error: diverged.message });
      return "diverged";
    }
    const message = storableError(error instanceof Error ? error.message : String(error));
    const attempts = error instanceof JourneyUsageError ? RUN_MAX_ATTEMPTS : await recordRunError(engine.sql, runId, message, engine.clock.now());
    if (attempts >= RUN_MAX_ATTEMPTS) {
      pending.finish = { status: "failed", now: engine.clock.now(), error: message };
      engine.log.warn("journey run failed", { runId, journeyId: run.journey_id, error: message });
      return "failed";
    }
    // graphile-worker retries the job with its exponential backoff.
    throw error;
  }
}

/** Step labels become keys in an index: kept short. */
const MAX_LABEL = 200;

/** The run's contact was merged into another while its lock was awaited. */
class ContactMoved extends Error {}

/** Events a lookback reads per statement. */
const LOOKBACK_PAGE = 100;

/** Queueing delay allowed past a run's 30 days: a first 30-day wait stays legal when its job starts within the hour. */
const RUN_CAP_GRACE = 3_600_000;

const warned = new WeakMap<Engine, Set<string>>();
/** A wait on an exit event is found at start-up for most journeys; code paths exploration missed warn here, once. */
function warnOnce(engine: Engine, journeyId: string, event: string) {
  const seen = warned.get(engine) ?? new Set<string>();
  warned.set(engine, seen);
  const key = `${journeyId}:${event}`;
  if (seen.has(key) || engine.registry.shapes.get(journeyId)?.waits.has(event)) return;
  seen.add(key);
  engine.log.warn("journey waits for an event it also exits on", { journeyId, event });
}

/** One replay of one run: the ctx the journey sees, and the memoization behind it. */
class RunExecution implements EmailStepRunner {
  parked = false;
  /** The code tried a step after the run parked (it caught the park): it is not done, whatever run() returns. */
  cutOff = false;
  /** The first divergence met: it stays, even if the journey's code catches the error. */
  divergence: Diverged | undefined;
  /** The first misuse of the API (a wait over 30 days…): it fails the run, even if the journey's code catches it. */
  misuse: JourneyUsageError | undefined;
  private seq = 0;
  private readonly counters = new Map<string, number>();
  private readonly usedKeys = new Set<string>();
  /** The stored steps' keys by position: no new step may take one's place. */
  private readonly expected = new Map<number, string>();
  /** Stored steps the replay has met so far. */
  private readonly met = new Set<string>();
  /** ctx.now(): the time of the run's latest step (its entry before any), stored with it, so a replay sees the same. */
  private stepTime: Date;
  readonly runId: string;

  constructor(
    private readonly engine: Engine,
    /** Step records, and the run's locked connection: the execution's own statements go there, in order. */
    private readonly pending: PendingSteps,
    private readonly run: RunRow,
    private readonly journey: CompiledJourney,
    private readonly contact: ContactRow,
    private readonly steps: Map<string, StepRow>,
    /** Registered waits by step key, as loaded: a wait still pending has no step row yet, but its key is taken. */
    private readonly waits: Map<string, WaitRow>,
  ) {
    this.runId = run.id;
    // Before its first step a run's time is its entry, on every execution, so code branching on it replays alike.
    this.stepTime = run.started_at;
    for (const step of steps.values()) this.expected.set(step.seq, step.step_key);
    // A registered wait without its step row yet (still waiting, or resolved but not replayed) holds its place too.
    for (const wait of waits.values()) if (wait.seq !== null && !steps.has(wait.step_key)) this.expected.set(wait.seq, wait.step_key);
  }

  user(): JourneyUser {
    return {
      id: this.contact.user_id ?? this.contact.id,
      email: this.contact.email ?? "",
      properties: this.run.trigger_properties,
      contact: this.contact.properties,
      stateId: this.run.id,
      journeyName: this.journey.meta.name,
      contactId: this.contact.id,
    };
  }

  context(): JourneyContext {
    const zone = contactTimezone(this.contact.person_properties, this.contact.properties, this.engine.config.DEFAULT_TIMEZONE);
    return {
      // The declared property type is the journey author's word about the event; the engine stores what arrived.
      waitForEvent: <P extends EventProperties>(o: WaitOptions<P>) => this.track(() => this.waitForEvent(o as unknown as WaitOptions)) as Promise<WaitResult<P>>,
      sleep: (d, o) => this.track(() => this.sleep("sleep", o?.label, () => this.plus(d, "sleep"))),
      sleepUntil: (date, o) => this.track(() => this.sleep("sleepUntil", o?.label, () => this.until(date))),
      trigger: (o) => this.track(() => this.trigger(o)),
      checkpoint: (label) => this.track(() => this.checkpoint(label)),
      guard: { isSubscribed: (category) => this.track(() => this.isSubscribed(category)) },
      when: createWhen(() => this.now(), zone),
      now: () => this.now(),
    };
  }

  private now(): Date {
    return this.stepTime;
  }

  /** ctx calls still in flight, and whether the execution has ended (a later call is refused). */
  private readonly inFlight = new Set<Promise<unknown>>();
  private ended = false;

  private track<T>(call: () => Promise<T>): Promise<T> {
    if (this.ended) {
      const refused = Promise.reject(new JourneyUsageError("a ctx call or sendEmail was made after the run's execution ended (await every step)"));
      refused.catch(() => {});
      return refused;
    }
    const promise = call();
    promise.catch((error) => {
      if (error instanceof JourneyUsageError) this.misuse ??= error;
    });
    this.inFlight.add(promise);
    const done = () => this.inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /**
   * Wait for every ctx call still in flight (a Promise.race loser, a call not awaited): each finishes and
   * records its step before the run's outcome is settled and its connection released; then the execution ends.
   */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    this.ended = true;
  }

  /** The first divergence is kept: later ctx calls throw it, even if the journey's code caught it. */
  private diverge(error: Diverged): Diverged {
    this.divergence ??= error;
    return error;
  }

  /** Step keys come from labels, else kind + call index; a repeated label gets a #n suffix. */
  private nextKey(kind: string, label?: string): { key: string; seq: number } {
    if (this.parked) {
      this.cutOff = true;
      throw new Parked();
    }
    if (this.divergence) throw this.divergence;
    if (this.misuse) throw this.misuse;
    if (label !== undefined && (typeof label !== "string" || !label || label.length > MAX_LABEL || label.includes("\u0000")))
      throw new JourneyUsageError(`${kind}: a label is a non-empty string of up to ${MAX_LABEL} characters`);
    let key = label ?? `${kind}:${this.counters.get(kind) ?? 0}`;
    if (!label) this.counters.set(kind, (this.counters.get(kind) ?? 0) + 1);
    for (let n = 2; this.usedKeys.has(key); n++) key = `${label ?? kind}#${n}`;
    this.usedKeys.add(key);
    return { key, seq: this.seq++ };
  }

  private stored(key: string, kind: string, seq: number): StepRow | undefined {
    const step = this.steps.get(key);
    if (step && step.kind !== kind) throw this.diverge(changedStep(key, step.kind, kind));
    if (!step && kind !== "wait" && this.waits.has(key)) throw this.diverge(changedStep(key, "wait", kind));
    this.inStoredOrder(key, seq);
    return step;
  }

  /**
   * No new step takes a stored step's position: code that makes one where a stored step was would run it out
   * of order. A stored step may be met at another position: concurrent branches (Promise.all) interleave by
   * timing, which a replay (stored results resolve at once) does not reproduce, and a stored step re-runs
   * nothing. A position with no record is allowed: a step still in flight when the run parked leaves none.
   */
  private inStoredOrder(key: string, seq: number): void {
    if (this.steps.has(key) || this.waits.has(key)) {
      this.met.add(key);
      return;
    }
    // A stored step already met elsewhere (branches interleave differently on replay) no longer holds its place.
    const expected = this.expected.get(seq);
    if (expected !== undefined && !this.met.has(expected)) throw this.diverge(new Diverged(expected, `the code now makes a new step "${key}" in its place`));
  }

  /** A run completes only after meeting every stored step. */
  assertAllStepsMet(): void {
    const unmet = [...this.expected].sort(([a], [b]) => a - b).find(([, key]) => !this.met.has(key));
    if (unmet) throw this.diverge(new Diverged(unmet[1], "the code now ends before reaching it"));
  }

  /** ctx.now() only moves forward: concurrent steps finish in one order live and another on replay. */
  private advanceTime(at: Date) {
    if (at > this.stepTime) this.stepTime = at;
  }

  private afterStored(step: StepRow) {
    this.advanceTime(step.at);
  }

  private async ensureLive(): Promise<void> {
    const [row] = await this.engine.sql`select status from journey_runs where id = ${this.run.id}`;
    if (!row || !isLive(row.status)) throw new RunStopped();
  }

  /** Record a step without waiting for it (see PendingSteps); the execution ends "stopped" if the run is no longer live. */
  private save(step: { stepKey: string; seq: number; kind: string; label: string | null; result: unknown; at?: Date }): Date {
    const at = step.at ?? this.engine.clock.now();
    this.pending.add({ ...step, at });
    this.advanceTime(at);
    return at;
  }

  /** The run's locked connection, for a statement that must follow the steps recorded so far. */
  private get conn(): Sql {
    return this.pending.connection();
  }

  private connTurn: Promise<unknown> = Promise.resolve();
  /** The run's connection, one use at a time: steps run concurrently (Promise.all) must not share a transaction on it. */
  private onConn<T>(fn: (conn: Sql) => Promise<T>): Promise<T> {
    const turn = this.connTurn.then(() => fn(this.conn));
    this.connTurn = turn.catch(() => {});
    return turn;
  }

  /** Send the queued step records in the connection's turn (taking a turn sends them), without waiting for them. */
  private flushInTurn(): void {
    void this.onConn(async () => undefined);
  }

  /** Resolves once no step uses the run's connection: a concurrent step may still be in flight when the run parks. */
  async connIdle(): Promise<void> {
    let turn: Promise<unknown>;
    do {
      turn = this.connTurn;
      await turn;
    } while (turn !== this.connTurn);
  }

  /** The earliest wake-up this execution has parked the run for: a later park (a Promise.race loser) keeps it. */
  private parkedUntil: Date | undefined;
  private earliestWake(at: Date): Date {
    return this.parkedUntil && this.parkedUntil < at ? this.parkedUntil : at;
  }

  private park(): never {
    this.parked = true;
    throw new Parked();
  }

  private plus(duration: Duration, what: string): Date {
    if (typeof duration !== "number" || !Number.isFinite(duration) || duration < 0)
      throw new JourneyUsageError(`${what}: duration must be a non-negative number of milliseconds (use minutes(), hours(), days())`);
    if (duration > MAX_WAIT) throw new JourneyUsageError(`${what}: ${duration} ms is over the 30-day cap`);
    return new Date(this.engine.clock.now().getTime() + duration);
  }

  private until(date: Date): Date {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new JourneyUsageError("sleepUntil: needs a valid Date");
    if (date.getTime() - this.engine.clock.now().getTime() > MAX_WAIT) throw new JourneyUsageError("sleepUntil: date is over the 30-day cap");
    return date;
  }

  /** A new wait or sleep must end within the run's 30 days (plus RUN_CAP_GRACE: its first job starts a moment after entry). */
  private withinRunCap(what: string, end: Date): void {
    const cap = new Date(this.run.started_at.getTime() + MAX_RUN + RUN_CAP_GRACE);
    if (end > cap) throw new JourneyUsageError(`${what}: would end at ${end.toISOString()}, past the run's 30-day cap (${cap.toISOString()})`);
  }

  private async sleep(kind: "sleep" | "sleepUntil", label: string | undefined, wakeAt: () => Date): Promise<void> {
    const { key, seq } = this.nextKey(kind, label);
    const step = this.stored(key, kind, seq);
    let wakeAtIso: string = step?.result.wakeAt;
    let recordedAt = step?.at;
    if (!step) {
      const wake = wakeAt();
      this.withinRunCap(`${kind} "${label ?? key}"`, wake);
      wakeAtIso = wake.toISOString();
      recordedAt = this.save({ stepKey: key, seq, kind, label: label ?? null, result: { wakeAt: wakeAtIso } });
    }
    const wake = new Date(wakeAtIso);
    if (this.engine.clock.now() >= wake) {
      // The sleep ended at its wake time, or when it was recorded if that was later (a past sleepUntil).
      this.advanceTime(new Date(Math.max(wake.getTime(), recordedAt!.getTime())));
      return;
    }
    // In the connection's turn: a park queued before this one (a Promise.race) has set its wake-up by then.
    const parked = await this.onConn(async (conn) => {
      const parkUntil = this.earliestWake(wake);
      const ok = await parkRun(conn, this.run.id, "sleeping", parkUntil, key, this.engine.clock.now());
      if (ok) this.parkedUntil = parkUntil;
      return ok;
    });
    if (!parked) throw new RunStopped();
    this.park();
  }

  private async waitForEvent(options: WaitOptions): Promise<WaitResult> {
    if (!options || typeof options.event !== "string" || !options.event) throw new JourneyUsageError("waitForEvent: event is required");
    const label = options.label;
    if (typeof options.timeout !== "number" || !Number.isFinite(options.timeout) || options.timeout <= 0)
      throw new JourneyUsageError(`waitForEvent "${label ?? options.event}": timeout is required (e.g. days(1))`);
    if (options.timeout > MAX_WAIT) throw new JourneyUsageError(`waitForEvent "${label ?? options.event}": timeout is over the 30-day cap`);
    if (options.lookback !== undefined && (typeof options.lookback !== "number" || !Number.isFinite(options.lookback) || options.lookback < 0 || options.lookback > MAX_WAIT))
      throw new JourneyUsageError(`waitForEvent "${label ?? options.event}": lookback must be a duration up to 30 days`);

    const { key, seq } = this.nextKey("wait", label);
    const step = this.stored(key, "wait", seq);
    const registered = this.waits.get(key);
    if (registered && registered.event_name !== options.event)
      throw this.diverge(new Diverged(key, `the stored wait is for "${registered.event_name}", the code now waits for "${options.event}"`));
    if (step) {
      this.afterStored(step);
      return step.result as WaitResult;
    }
    // The wait as loaded with the run: an event that matched it woke this execution, so it is current
    // unless it still looks pending, which the two branches below settle against the database.
    const loaded = registered;
    if (!loaded) this.withinRunCap(`waitForEvent "${label ?? options.event}"`, new Date(this.engine.clock.now().getTime() + options.timeout));
    let wait = loaded ?? (await this.registerWait(key, seq, options));
    // Registered just now and pending: the registration parked the run with it.
    if (!loaded && wait.status === "waiting") this.park();
    if (wait.status === "waiting") {
      const now = this.engine.clock.now();
      if (now < wait.deadline) wait = (await this.onConn((conn) => getWait(conn, this.run.id, key)))!;
      if (wait.status === "waiting" && now < wait.deadline) {
        // Woken early (a retry, or a lost race): keep waiting until the deadline, unless an event resolved
        // the wait meanwhile (then go on with it) or the run stopped.
        // Under the contact's lock, which ingest holds while it matches or exits: the wait is still waiting
        // when the run parks on it, or the event's outcome is read below.
        const parkOnce = () => this.onConn((conn) => transactionOn(conn, async (tx) => {
          const parkUntil = this.earliestWake(wait.deadline);
          const [, ok] = await Promise.all([this.lockRunContact(tx), parkRun(tx, this.run.id, "waiting", parkUntil, key, now, key)]);
          if (ok) this.parkedUntil = parkUntil;
          return ok;
        }));
        const parked = await this.retryOnContactMoved(parkOnce);
        if (parked) this.park();
        wait = (await this.onConn((conn) => getWait(conn, this.run.id, key)))!;
        if (wait.status === "waiting") throw new RunStopped();
      }
      if (wait.status === "waiting") {
        const id = wait.id;
        wait = await this.onConn((conn) => timeOutWait(conn, id, now));
      }
    }
    if (wait.status === "cancelled") throw new RunStopped();
    const result: WaitResult = wait.status === "matched" ? { timedOut: false, properties: wait.matched_properties ?? {} } : { timedOut: true, properties: null };
    this.save({ stepKey: key, seq, kind: "wait", label: label ?? null, result, at: wait.resolved_at ?? undefined });
    return result;
  }

  /**
   * Register a wait under the contact's row lock, the same lock ingest holds while it matches
   * waits: an event is either seen by the lookback here or finds this wait there, never neither.
   */
  private async registerWait(key: string, seq: number, options: WaitOptions): Promise<WaitRow> {
    const condition = buildCondition(options.where);
    if (this.journey.exitOn.some((e) => e.event === options.event)) warnOnce(this.engine, this.journey.meta.id, options.event);
    // The run's contact as it is now (a merge may have moved the run since it was loaded), locked; the wait
    // and the lookback read it the same way. A merge landing while the lock was awaited: try again.
    return this.retryOnContactMoved(() => this.registerWaitOnce(key, seq, options, condition));
  }

  /** A merge landing while the contact's lock was awaited: the transaction rolled back; run it again. */
  private async retryOnContactMoved<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof ContactMoved) || attempt === 3) throw error;
      }
    }
  }

  /** Row-lock the run's contact as it is now (a merge may have moved the run since it was loaded). */
  private lockRunContact(tx: Tx): Promise<void> {
    return tx`select c.id from journey_runs r join contacts c on c.id = r.contact_id where r.id = ${this.run.id} and c.merged_into is null for update of c`.then((rows) => {
      if (!rows.length) throw new ContactMoved();
    });
  }

  private registerWaitOnce(key: string, seq: number, options: WaitOptions, condition: Condition | null): Promise<WaitRow> {
    const runId = this.run.id;
    // BEGIN, the lock and the lookback (or, without one, the insert) travel together: what follows the lock
    // on this connection runs once the lock is granted.
    return this.onConn((conn) => transactionOn(conn, async (tx) => {
      const now = this.engine.clock.now();
      const deadline = new Date(now.getTime() + options.timeout);
      const register = (matched?: { eventId: string; properties: Record<string, unknown> }) =>
        insertWaitAndPark(tx, { runId, stepKey: key, seq, eventName: options.event, condition, deadline, now, matched, wakeAt: this.earliestWake(deadline) });
      let registered: Awaited<ReturnType<typeof register>>;
      if (!options.lookback) {
        [, registered] = await Promise.all([this.lockRunContact(tx), register()]);
      } else {
        const since = new Date(now.getTime() - options.lookback);
        // Events already received that happened within the lookback: an event's time is when it happened, or
        // when it arrived if it claims a later time (a sender's clock ahead). A late-arriving old event does not
        // count. Oldest first, a page at a time until one matches `where` (evaluated here, not in SQL).
        const page = (after?: { at: Date; id: string }) => tx<{ id: string; properties: Record<string, unknown>; at: Date }[]>`
          select id, properties, least(occurred_at, received_at) as at from events
          where contact_id = (select contact_id from journey_runs where id = ${runId}) and name = ${options.event}
            and least(occurred_at, received_at) >= ${since} and received_at <= ${now}
            and id not in (select matched_event_id from journey_waits where run_id = ${this.run.id} and matched_event_id is not null)
            ${after ? tx`and (least(occurred_at, received_at), id) > (${after.at}, ${after.id}::uuid)` : tx``}
          order by least(occurred_at, received_at), id limit ${LOOKBACK_PAGE}`;
        let [, candidates] = await Promise.all([this.lockRunContact(tx), page()]);
        let hit = candidates.find((c) => evaluateCondition(condition, c.properties));
        while (!hit && candidates.length === LOOKBACK_PAGE) {
          candidates = await page(candidates[candidates.length - 1]);
          hit = candidates.find((c) => evaluateCondition(condition, c.properties));
        }
        registered = await register(hit ? { eventId: hit.id, properties: hit.properties } : undefined);
      }
      if (registered.wait.status === "waiting" && !registered.parked) throw new RunStopped();
      if (registered.parked) this.parkedUntil = this.earliestWake(registered.wait.deadline);
      return registered.wait;
    }));
  }

  private async trigger(options: TriggerOptions): Promise<void> {
    if (!options?.event) throw new JourneyUsageError("trigger: event is required");
    if (isReservedName(options.event)) throw new JourneyUsageError(`trigger: "${options.event}" is in a reserved namespace (email., journey., bucket., contact.)`);
    const { key, seq } = this.nextKey("trigger");
    const step = this.stored(key, "trigger", seq);
    if (step && step.result.event !== options.event)
      throw this.diverge(new Diverged(key, `the stored trigger sent "${step.result.event}", the code now sends "${options.event}"`));
    if (step) return this.afterStored(step);
    await this.ensureLive();
    let exitedItself = false;
    // On the run's connection, after the step records before it: stored steps stay a prefix of the run.
    await this.onConn((conn) => transactionOn(conn, async (tx) => {
      // user.id is the contact's own id when it has no userId: that names the run's contact, not a new one.
      const own = !this.contact.user_id && options.userId === this.contact.id && (!options.email || options.email === this.contact.email);
      const userId = own ? undefined : options.userId ?? (options.email ? undefined : this.contact.user_id ?? undefined);
      const email = own ? undefined : options.email ?? (options.userId ? undefined : this.contact.email ?? undefined);
      const result = await ingest(
        this.engine,
        { name: options.event, ...(own ? { contactId: this.contact.id } : { userId, email }), eventProperties: options.properties ?? {}, source: "journey", idempotencyKey: `run:${this.run.id}:${key}` },
        tx,
      );
      // An event in the run's own exitOn exits it: the exit and the event commit, and no later step runs.
      exitedItself = result.exits.some((e) => e.runId === this.run.id && e.exited);
      if (!exitedItself) {
        const at = this.engine.clock.now();
        await saveStep(tx, { runId: this.run.id, contactId: this.contact.id, stepKey: key, seq, kind: "trigger", label: null, result: { event: options.event, eventId: result.eventId }, at });
        this.advanceTime(at);
      }
    }));
    if (exitedItself) throw new RunStopped();
  }

  private async checkpoint(label: string): Promise<void> {
    if (typeof label !== "string" || !label) throw new JourneyUsageError("checkpoint: a label is required");
    const { key, seq } = this.nextKey("checkpoint", label);
    const step = this.stored(key, "checkpoint", seq);
    if (step) return this.afterStored(step);
    this.save({ stepKey: key, seq, kind: "checkpoint", label, result: null });
  }

  private async isSubscribed(category?: string): Promise<boolean> {
    const asked = category ?? this.journey.meta.category ?? "journey";
    // As sendEmail refuses it: an unknown category (a typo of a list id) must not read as subscribed.
    if (asked !== "transactional" && !this.engine.registry.lists.has(asked))
      throw new JourneyUsageError(`guard.isSubscribed: "${asked}" is not a list or category`);
    const { key, seq } = this.nextKey("guard");
    const step = this.stored(key, "guard", seq);
    if (step) {
      this.afterStored(step);
      return step.result.subscribed as boolean;
    }
    this.flushInTurn();
    const subscribed = await isSubscribedToCategory(this.engine, this.contact.id, asked);
    this.save({ stepKey: key, seq, kind: "guard", label: category ?? null, result: { subscribed } });
    return subscribed;
  }

  sendEmail(args: SendEmailArgs): Promise<SendEmailResult> {
    return this.track(() => this.emailStep(args));
  }

  private async emailStep(args: SendEmailArgs): Promise<SendEmailResult> {
    const { key, seq } = this.nextKey("email");
    const step = this.stored(key, "email", seq);
    if (step) {
      if (step.result.template !== args.template) throw this.diverge(changedStep(key, `email of "${step.result.template}"`, `email of "${args.template}"`));
      this.afterStored(step);
      return { id: step.result.id, status: step.result.status, reason: step.result.reason };
    }
    this.flushInTurn();
    // Preferences, the unsubscribe link and the send's events are the recipient's: the run's contact only
    // when the mail goes to its address (a CSM's copy is checked against the CSM, found by address).
    const toRunContact = String(args.to ?? "").trim().toLowerCase() === this.contact.email;
    // The email service checks the run is still live in its first query (RunStopped if not).
    const result = await sendEmailService(this.engine, {
      to: args.to,
      template: args.template,
      props: args.props as Record<string, unknown> | undefined,
      subject: args.subject,
      userId: toRunContact ? args.userId : undefined,
      category: args.category ?? this.journey.meta.category ?? "journey",
      idempotencyKey: `run:${this.run.id}:${key}`,
      journey: { journeyId: this.journey.meta.id, runId: this.run.id, stepKey: key, suppressMs: this.journey.meta.suppress },
      contactId: toRunContact ? this.contact.id : undefined,
    });
    this.save({ stepKey: key, seq, kind: "email", label: args.template, result: { ...result, template: args.template } });
    return result;
  }
}
