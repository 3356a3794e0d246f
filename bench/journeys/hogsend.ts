import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../control-plane/src/config.js";
import { closeEngine, createEngine } from "../../control-plane/src/engine.js";
import { ingest } from "../../control-plane/src/ingest/ingest.js";
import { createWorker } from "../../control-plane/src/worker/create-worker.js";
import { minutes, seconds } from "../../control-plane/src/duration.js";
import { benchJourney, sleeper, warmup } from "./workload.js";
import { mapLimit } from "./dbos.js";
import { machineBusySeconds } from "../lib/cpu.js";
import { rowWrites } from "../lib/database.js";
import { openSql } from "../../control-plane/src/db/client.js";

const config = () => ({ ...loadConfig({}), LOG_LEVEL: "error" as const, WORKER_CONCURRENCY: Number(process.env.BENCH_CONCURRENCY ?? 32) });

async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250) {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error("bench: timed out waiting");
    // Not too often: each look is a count over the runs, CPU taken from the engine being measured.
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs added after the burst, one reply at a time, to measure resume latency on its own. */
const PROBES = 200;

/** Hogsend: ingest N triggers, reply to each once its run waits, until all complete. Worker in process, like DBOS. */
export async function runHogsend(url: string, runs: number) {
  // Steady state: the contacts are known before they enter (as identified users are), and the planner has
  // statistics for their table (on a table it last saw empty, Postgres's cached plans scan whole indexes
  // until autoanalyze catches up). Written on a connection of its own, so the row count below leaves it out.
  const setup = openSql(url, { max: 1, onnotice: () => {} });
  await setup`insert into contacts (user_id, email, created_at, updated_at)
    select p || g, p || g || '@bench.test', now(), now() from generate_series(0, ${runs - 1}::int) g, (values ('c'), ('l')) v(p)`;
  await setup`analyze`;
  await setup.end();
  const rowsBefore = await rowWrites(url);
  const engine = await createEngine({ databaseUrl: url, app: { journeys: [benchJourney] }, config: config(), poolSize: 40 });
  const worker = await createWorker(engine, { databaseUrl: url, pollInterval: 200 });
  let result;
  try {
    const sql = engine.sql;
    const count = async (status: string) => (await sql`select count(*)::int as n from journey_runs where status = ${status}`)[0].n as number;
    const started = performance.now();
    const busy = machineBusySeconds();
    await mapLimit(Array.from({ length: runs }, (_, i) => i), 32, (i) =>
      ingest(engine, { name: "bench.start", userId: `c${i}`, email: `c${i}@bench.test`, source: "api" }));
    await until(async () => (await count("waiting")) + (await count("completed")) >= runs, 600_000);
    await mapLimit(Array.from({ length: runs }, (_, i) => i), 32, (i) => ingest(engine, { name: "bench.reply", userId: `c${i}`, source: "api" }));
    await until(async () => (await count("completed")) >= runs, 600_000);
    const secondsTaken = (performance.now() - started) / 1000;
    const cpuMsPerRun = ((machineBusySeconds() - busy) * 1000) / runs;
    const resumeQuery = (prefix: string) => sql<{ ms: number }[]>`
      select extract(epoch from (s.created_at - e.received_at)) * 1000 as ms
      from events e join contacts c on c.id = e.contact_id
      join email_sends s on s.contact_id = e.contact_id and s.template = 'onboarding/concierge-intro'
      where e.name = 'bench.reply' and c.user_id like ${prefix + "%"} order by ms`;
    const underLoad = await resumeQuery("c");
    // Resume latency on its own: replies arrive one at a time to runs that are parked and waiting. First the
    // checkpoint and vacuum the burst above left due, so they do not land inside the 200 PROBES.
    await sql`vacuum analyze`;
    // CHECKPOINT needs superuser (or pg_checkpoint), which a managed DATABASE_URL may not grant.
    await sql`checkpoint`.catch(() => {});
    await mapLimit(Array.from({ length: PROBES }, (_, i) => i), 16, (i) => ingest(engine, { name: "bench.start", userId: `l${i}`, email: `l${i}@bench.test`, source: "api" }));
    await until(async () => (await count("waiting")) >= PROBES, 120_000);
    for (let i = 0; i < PROBES; i++) {
      await ingest(engine, { name: "bench.reply", userId: `l${i}`, source: "api" });
      await new Promise((r) => setTimeout(r, 25));
    }
    await until(async () => (await count("completed")) >= runs + PROBES, 120_000);
    const idle = await resumeQuery("l");
    result = { runsPerSecond: runs / secondsTaken, seconds: secondsTaken, cpuMsPerRun, resumeMs: idle.map((r) => Number(r.ms)), resumeUnderLoadMs: underLoad.map((r) => Number(r.ms)) };
  } finally {
    await worker.stop();
    await closeEngine(engine);
  }
  // Every run, the PROBES' included, is the same workload.
  return { ...result, rowsPerRun: ((await rowWrites(url)) - rowsBefore) / (runs + PROBES) };
}

/** Time between parking the runs and the first measured wake: parking takes about 10 s of it. */
const SETUP_MARGIN = seconds(40);
const WARMUP_RUNS = 2000;
const WORKER = fileURLToPath(new URL("./parked-worker.ts", import.meta.url));

/** Resident set of a process now, from the kernel (Linux). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN) / 1024;
}

/**
 * M runs parked in a sleep, as the executor leaves them (run row, stored sleep step, job at the wake time),
 * written in bulk so setup takes seconds; the wakes fall due evenly over a minute (run i at i/M of it) and run
 * through the real worker, in a process of its own (parked-worker.ts) whose RSS is read from the kernel.
 * First the worker wakes WARMUP_RUNS others, as a worker that has been running would have: its connections
 * opened, its statements prepared, its code compiled. RSS is read warm with none parked, with M parked, and
 * at its peak while they wake.
 */
export async function runParked(url: string, parked: number) {
  const engine = await createEngine({ databaseUrl: url, app: { journeys: [sleeper, warmup] }, config: config(), poolSize: 4 });
  const sql = engine.sql;
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, url], { env: process.env, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as string[];
    if (line !== "ready") throw new Error(`bench: the parked worker said ${line}`);
    const pid = child.pid!;
    const settle = () => new Promise((r) => setTimeout(r, 2000));
    /** Park `count` runs of a journey: run i wakes at base + i * spread / count (ms since the epoch). */
    const park = async (journeyId: string, prefix: string, count: number, base: number, spread: number) => {
      for (let offset = 0; offset < count; offset += 5000) {
        const n = Math.min(5000, count - offset);
        await sql`
          with c as (
            insert into contacts (user_id, email, created_at, updated_at)
            select ${prefix} || g, ${prefix} || g || '@bench.test', now(), now() from generate_series(${offset}::int, ${offset + n - 1}::int) g returning id, user_id),
          r as (
            insert into journey_runs (journey_id, contact_id, status, trigger_properties, exit_on, wake_at, parked_at, started_at, updated_at)
            select ${journeyId}, c.id, 'sleeping', '{}', '[]',
              to_timestamp((${base}::bigint + (substr(c.user_id, ${prefix.length + 1})::bigint * ${spread}::bigint / ${count}::int)) / 1000.0), 'nap', now(), now()
            from c returning id, contact_id, wake_at),
          s as (
            insert into journey_steps (run_id, step_key, seq, kind, label, result, contact_id, at)
            select r.id, 'nap', 0, 'sleep', 'nap', jsonb_build_object('wakeAt', to_char(r.wake_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), r.contact_id, now() from r returning run_id)
          select graphile_worker.add_jobs(array_agg(row('hogsend:run', json_build_object('runId', r.id), null, r.wake_at, 4, 'run:' || r.id, null, null)::graphile_worker.job_spec)) from r`;
      }
    };
    const completed = async (journeyId: string) => (await sql`select count(*)::int as n from journey_runs where journey_id = ${journeyId} and status = 'completed'`)[0].n as number;
    await park("warmup", "w", WARMUP_RUNS, Date.now(), 0);
    await until(async () => (await completed("warmup")) >= WARMUP_RUNS, minutes(2));
    await settle();
    const rssBeforeMb = rssMb(pid);
    const wakeBase = Date.now() + SETUP_MARGIN;
    await park("parked", "p", parked, wakeBase, minutes(1));
    // Steady state: the planner has statistics for the parked runs and their jobs, as autovacuum would have
    // gathered long before they fall due.
    await sql`analyze`;
    await settle();
    const rssParkedMb = rssMb(pid);
    // The figure would otherwise count setup time as lateness.
    if (Date.now() > wakeBase - seconds(2)) throw new Error(`bench: setup ran past the first wake (margin ${SETUP_MARGIN / 1000} s)`);
    let rssPeakMb = rssParkedMb;
    const sampler = setInterval(() => (rssPeakMb = Math.max(rssPeakMb, rssMb(pid))), 250);
    try {
      // Lateness comes from the runs' own step times, so looking once a second changes nothing but the load.
      await until(async () => (await completed("parked")) >= parked, minutes(10), 1000);
    } finally {
      clearInterval(sampler);
    }
    const rows = await sql<{ ms: number }[]>`
      select extract(epoch from (woke.at - (nap.result->>'wakeAt')::timestamptz)) * 1000 as ms from journey_runs r
      join journey_steps nap on nap.run_id = r.id and nap.step_key = 'nap'
      join journey_steps woke on woke.run_id = r.id and woke.step_key = 'woke' where r.journey_id = 'parked' order by ms`;
    return { latenessMs: rows.map((r) => Number(r.ms)), rssBeforeMb, rssParkedMb, rssPeakMb };
  } finally {
    child.kill("SIGTERM");
    await exited;
    await closeEngine(engine);
  }
}
