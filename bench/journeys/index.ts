/**
 * bench/journeys: the same workload in Hogsend and in DBOS Transact, same Postgres server, same machine, one run.
 * N contacts each enter a journey that sends an email (outbox), waits up to a day for an event, receives it,
 * sends a second email and completes. Prints completed runs/s for both and the ratio, and Hogsend's resume
 * latency (event ingested → next step started) p50/p99. Also M runs parked in sleeps due within one minute
 * (run first, on a Postgres of its own): wake lateness p50/p99 and worker RSS.
 *
 *   NODE_ENV=production npx tsx bench/journeys/index.ts      (BENCH_RUNS=10000 BENCH_PARKED=100000)
 * (NODE_ENV=production as `hogsend start` sets it: React's production build renders several times faster.)
 */
import { benchDatabase, fmt, percentile } from "../lib/database.js";
import { runHogsend, runParked } from "./hogsend.js";
import { runDbos } from "./dbos.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const PARKED = Number(process.env.BENCH_PARKED ?? 100_000);

// The parked phase runs first, in a process that has run nothing else, so its RSS figures are the worker's own.
let parked: Awaited<ReturnType<typeof runParked>> | undefined;
if (PARKED > 0) {
  const parkedDb = await benchDatabase();
  try {
    parked = await runParked(parkedDb.url, PARKED);
  } finally {
    // Each phase gets a Postgres of its own and the machine to itself.
    await parkedDb.stop();
  }
}
const hogDb = await benchDatabase();
let hog: Awaited<ReturnType<typeof runHogsend>>;
let dbos: Awaited<ReturnType<typeof runDbos>>;
try {
  hog = await runHogsend(hogDb.url, RUNS);
  dbos = await runDbos(hogDb.serverUrl, RUNS);
} finally {
  await hogDb.stop();
}
console.log(`bench/journeys — ${RUNS} runs each, 2 emails + 1 wait per run, same Postgres, ${process.env.DATABASE_URL ? "DATABASE_URL" : "embedded Postgres"}`);
console.log(`  Hogsend : ${fmt(hog.runsPerSecond, 0)} completed runs/s (${fmt(hog.seconds, 1)} s; machine CPU ${fmt(hog.cpuMsPerRun, 1)} ms per run)`);
console.log(`  DBOS    : ${fmt(dbos.runsPerSecond, 0)} completed runs/s (${fmt(dbos.seconds, 1)} s; machine CPU ${fmt(dbos.cpuMsPerRun, 1)} ms per run)`);
console.log(`  ratio   : ${fmt(hog.runsPerSecond / dbos.runsPerSecond, 2)}×   (target ≥ 2×)`);
console.log(`  rows written per run (inserted + updated + deleted): Hogsend ${fmt(hog.rowsPerRun, 1)}, DBOS ${fmt(dbos.rowsPerRun, 1)}`);
console.log(`  resume latency (event ingested → next step started), one reply at a time: p50 ${fmt(percentile(hog.resumeMs, 50), 1)} ms   p99 ${fmt(percentile(hog.resumeMs, 99), 1)} ms   (target p99 < 50 ms)`);
console.log(`  resume latency with all ${RUNS} replies queued at once: p50 ${fmt(percentile(hog.resumeUnderLoadMs, 50), 0)} ms   p99 ${fmt(percentile(hog.resumeUnderLoadMs, 99), 0)} ms`);
if (parked) {
  console.log(`  ${PARKED} parked sleeps due within 60 s: wake lateness p50 ${fmt(percentile(parked.latenessMs, 50), 0)} ms   p99 ${fmt(percentile(parked.latenessMs, 99), 0)} ms   (target p99 < 1 s)`);
  console.log(`  worker RSS: ${fmt(parked.rssBeforeMb, 0)} MB warm with 0 parked → ${fmt(parked.rssParkedMb, 0)} MB with ${PARKED} parked → peak ${fmt(parked.rssPeakMb, 0)} MB while waking`);
}
