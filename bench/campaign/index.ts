/**
 * bench/campaign: one list campaign to N recipients through the real worker (a child process: graphile-worker,
 * the campaign jobs, the email rules, the Resend transport) to a local fake Resend (this process), at two
 * audience sizes. Printed for each: sends/s from the campaign's creation to its completion, beside the fake's
 * raw ceiling measured in the same run (the same campaign body, pre-built, posted straight to the fake as
 * batches of 100 over the same concurrency, from a child process), and the worker's peak RSS (VmHWM). Also the
 * storage floor (the rows a send leaves, written straight to Postgres in batches of 100) and the machine's CPU per
 * recipient in both floors: together they bound the sends/s this machine can reach, whatever the engine does.
 *
 *   npx tsx bench/campaign/index.ts              (BENCH_RECIPIENTS=100000: the large run; the small is a tenth)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { benchDatabase, fmt } from "../lib/database.js";
import { machineBusySeconds } from "../lib/cpu.js";
import { loadConfig } from "../../control-plane/src/config.js";
import { closeEngine, createEngine } from "../../control-plane/src/engine.js";
import { createCampaign, getCampaign } from "../../control-plane/src/audiences/campaigns.js";
import { CONCURRENT_BATCHES } from "../../control-plane/src/audiences/campaign-run.js";
import { startFakeResend } from "../../control-plane/test/fakes/resend.js";
import { LIST } from "./shared.js";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const CORES = os.availableParallelism();
const CEILING_SECONDS = 5;
const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

function startChild(args: string[]): { proc: ChildProcess; lines: AsyncIterator<string> } {
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], {
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return { proc, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator]() };
}

/** A child phase's rate, and the machine's CPU it took per item (µs) while it ran. */
async function measured(args: string[]): Promise<{ perSecond: number; cpuMicros: number }> {
  const busy = machineBusySeconds();
  const { lines } = startChild(args);
  const { value } = await lines.next();
  const { perSecond } = JSON.parse(value) as { perSecond: number };
  return { perSecond, cpuMicros: ((machineBusySeconds() - busy) * 1e6) / (perSecond * CEILING_SECONDS) };
}

/** Peak resident set of a process, from the kernel (Linux). */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN) / 1024;
}

async function run(recipients: number) {
  const db = await benchDatabase();
  const resend = await startFakeResend({ apiKey: "re_bench" });
  resend.quiet();
  const engine = await createEngine({ databaseUrl: db.url, app: { lists: [LIST] }, poolSize: 4, config: { ...loadConfig({}), LOG_LEVEL: "error" } });
  let worker: ChildProcess | undefined;
  try {
    await engine.sql`insert into contacts (email, user_id, created_at, updated_at)
                     select 'r' || g || '@example.com', 'r' || g, now(), now() from generate_series(1, ${recipients}::int) g`;
    await engine.sql`vacuum analyze`;
    const ceiling = await measured(["ceiling", resend.url, String(CONCURRENT_BATCHES), String(CEILING_SECONDS)]);
    resend.sent.length = 0;
    const storage = await measured(["storage", db.url, String(CONCURRENT_BATCHES), String(CEILING_SECONDS)]);
    await engine.sql`truncate email_sends, tracked_links, events`;
    await engine.sql`vacuum analyze`;

    const child = startChild(["worker", db.url, resend.url]);
    worker = child.proc;
    if ((await child.lines.next()).value !== "ready") throw new Error("the worker did not start");
    const started = performance.now();
    const { campaignId } = await createCampaign(engine, { list: LIST.id, template: "ecommerce/back-in-stock", props: { sku: "chair-01", productName: "Studio chair" }, idempotencyKey: `bench-${recipients}` });
    let campaign = await getCampaign(engine, campaignId);
    while (campaign.status !== "completed" && campaign.status !== "failed") {
      await new Promise((r) => setTimeout(r, 100));
      campaign = await getCampaign(engine, campaignId);
    }
    const seconds = (performance.now() - started) / 1000;
    const peak = peakRssMb(worker.pid!);
    const [{ events }] = await engine.sql`select count(*)::int as events from events where name = 'email.sent'`;
    return { recipients, seconds, sendsPerSecond: campaign.sentCount / seconds, ceiling, storage, peakRssMb: peak, received: resend.sent.length, events, campaign };
  } finally {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once("exit", r));
      worker.kill("SIGTERM");
      await exited;
    }
    await closeEngine(engine);
    await resend.close();
    await db.stop();
  }
}

const results = [];
for (const size of [Math.max(1000, Math.floor(RECIPIENTS / 10)), RECIPIENTS]) {
  const r = await run(size);
  results.push(r);
  console.log(`${r.recipients} recipients: ${fmt(r.sendsPerSecond, 0)} sends/s (${fmt(r.seconds, 1)} s; the fake received ${r.received}; ` +
    `${r.campaign.sentCount} sent, ${r.campaign.skippedCount} skipped, ${r.campaign.failedCount} failed; ${r.events} email.sent events)`);
  console.log(`  fake Resend raw ceiling ${fmt(r.ceiling.perSecond, 0)} emails/s (batches of 100, ${CONCURRENT_BATCHES} in flight) → ${fmt((100 * r.sendsPerSecond) / r.ceiling.perSecond, 1)}%` +
    `   worker peak RSS ${fmt(r.peakRssMb, 0)} MB`);
  // Both floors on one machine: the provider requests and the rows cost CPU together, whatever does the rest.
  const bound = (CORES * 1e6) / (r.ceiling.cpuMicros + r.storage.cpuMicros);
  console.log(`  storage floor ${fmt(r.storage.perSecond, 0)} recipients/s; machine CPU per recipient: provider request ${fmt(r.ceiling.cpuMicros, 0)} µs + rows ${fmt(r.storage.cpuMicros, 0)} µs` +
    ` → at most ${fmt(bound, 0)} sends/s on ${CORES} cores = ${fmt((100 * bound) / r.ceiling.perSecond, 1)}% of the ceiling, before any engine work`);
}
const [small, large] = results;
console.log(`bench/campaign: targets ≥ 2,000 sends/s and ≥ 50% of the ceiling; memory flat: peak RSS ${fmt(small.peakRssMb, 0)} MB at ${small.recipients} vs ${fmt(large.peakRssMb, 0)} MB at ${large.recipients} recipients`);
