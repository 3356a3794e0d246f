/**
 * bench/campaign: one list campaign to N recipients through the real worker (a child process: graphile-worker,
 * the campaign jobs, the email rules, the Resend transport) to a local fake Resend (this process), at two
 * audience sizes. Printed for each: sends/s from the campaign's creation to its completion, beside the fake's
 * raw ceiling measured in the same run (the same campaign body, pre-built, posted straight to the fake as
 * batches of 100 over the same concurrency, from a child process), and the worker's peak RSS (VmHWM).
 *
 *   npx tsx bench/campaign/index.ts              (BENCH_RECIPIENTS=100000: the large run; the small is a tenth)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { benchDatabase, fmt } from "../lib/database.js";
import { loadConfig } from "../../control-plane/src/config.js";
import { closeEngine, createEngine } from "../../control-plane/src/engine.js";
import { createCampaign, getCampaign } from "../../control-plane/src/audiences/campaigns.js";
import { CONCURRENT_BATCHES } from "../../control-plane/src/audiences/campaign-run.js";
import { startFakeResend } from "../../control-plane/test/fakes/resend.js";
import { LIST } from "./shared.js";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const CEILING_SECONDS = 5;
const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

function startChild(args: string[]): { proc: ChildProcess; lines: AsyncIterator<string> } {
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], {
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return { proc, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator]() };
}

async function fakeCeiling(resendUrl: string): Promise<number> {
  const { lines } = startChild(["ceiling", resendUrl, String(CONCURRENT_BATCHES), String(CEILING_SECONDS)]);
  const { value } = await lines.next();
  return JSON.parse(value).perSecond;
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
    const ceiling = await fakeCeiling(resend.url);
    resend.sent.length = 0;

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
    return { recipients, seconds, sendsPerSecond: campaign.sentCount / seconds, ceiling, peakRssMb: peak, received: resend.sent.length, events, campaign };
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
  console.log(`  fake Resend raw ceiling ${fmt(r.ceiling, 0)} emails/s (batches of 100, ${CONCURRENT_BATCHES} in flight) → ${fmt((100 * r.sendsPerSecond) / r.ceiling, 1)}%` +
    `   worker peak RSS ${fmt(r.peakRssMb, 0)} MB`);
}
const [small, large] = results;
console.log(`bench/campaign: targets ≥ 2,000 sends/s and ≥ 50% of the ceiling; memory flat: peak RSS ${fmt(small.peakRssMb, 0)} MB at ${small.recipients} vs ${fmt(large.peakRssMb, 0)} MB at ${large.recipients} recipients`);
