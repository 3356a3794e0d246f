/**
 * bench/costs: what the parts of a journey run cost on this machine, to reason about bench/journeys.
 * - a Postgres round trip (an insert with its commit, or a read), as 32 concurrent callers issue them, on
 *   32, 8 or 4 connections: machine CPU per round trip;
 * - graphile-worker's add_job replacing a keyed job (what parking and waking a run do), one call per commit,
 *   against a plain round trip on the same connection.
 *
 *   npx tsx bench/costs/index.ts
 */
import { benchDatabase, fmt } from "../lib/database.js";
import { createSql } from "../../control-plane/src/db/client.js";
import { machineBusySeconds } from "../lib/cpu.js";
import { mapLimit } from "../journeys/dbos.js";

const CALLERS = 32;
const ROUND_TRIPS = 30_000;
const ADD_JOBS = 3_000;

const db = await benchDatabase();
try {
  const setup = createSql(db.url, { max: 1 });
  await setup`create table bench_rows (id bigserial primary key, caller int, v jsonb)`;
  await setup`select graphile_worker.add_jobs(array_agg(row('hogsend:run', json_build_object('runId', g), null, now() + interval '1 day', 4, 'run:' || g, null, null)::graphile_worker.job_spec)) from generate_series(1, 10000) g`;
  await setup`analyze`;
  await setup.end();

  console.log(`bench/costs — ${CALLERS} concurrent callers, ${process.env.DATABASE_URL ? "DATABASE_URL" : "embedded Postgres"}`);
  for (const connections of [32, 8, 4]) {
    const sql = createSql(db.url, { max: connections });
    await Promise.all(Array.from({ length: connections }, () => sql`select 1`));
    const busy = machineBusySeconds();
    const started = performance.now();
    // Half inserts (each its own commit), half reads, as a run's statements roughly are.
    await mapLimit(Array.from({ length: ROUND_TRIPS }, (_, i) => i), CALLERS, (i) =>
      i % 2 ? sql`insert into bench_rows (caller, v) values (${i % CALLERS}, ${sql.json({ i })})` : sql`select count(*) from bench_rows where id = ${i}`);
    const seconds = (performance.now() - started) / 1000;
    console.log(`  round trip on ${String(connections).padStart(2)} connections: ${fmt(((machineBusySeconds() - busy) * 1e6) / ROUND_TRIPS, 0)} µs machine CPU each (${fmt(ROUND_TRIPS / seconds, 0)}/s)`);
    await sql.end();
  }

  const one = createSql(db.url, { max: 1 });
  const time = async (n: number, call: (i: number) => Promise<unknown>) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) await call(i);
    return ((performance.now() - started) * 1000) / n;
  };
  const addJob = (i: number) =>
    one`select graphile_worker.add_job(identifier => 'hogsend:run'::text, payload => ${one.json({ runId: i })}::json, run_at => now() + interval '1 day', max_attempts => 4, job_key => ${"run:" + ((i % 10000) + 1)}::text)`;
  await time(100, addJob);
  const addJobUs = await time(ADD_JOBS, addJob);
  const insertUs = await time(ADD_JOBS, (i) => one`insert into bench_rows (caller, v) values (${i}, ${one.json({ i })})`);
  console.log(`  add_job replacing a keyed job: ${fmt(addJobUs, 0)} µs per call with its commit, against ${fmt(insertUs, 0)} µs for a plain insert with its commit (one connection)`);
  await one.end();
} finally {
  await db.stop();
}
