/**
 * bench/campaign: one campaign to N recipients through the real worker and email service to a local fake
 * Resend, sends/s beside the fake's raw ceiling (pre-built bodies posted straight to it over the same
 * concurrency) measured in the same run, and the worker's peak RSS at two audience sizes.
 *
 *   NODE_ENV=production npx tsx bench/campaign/index.ts      (BENCH_RECIPIENTS=100000)
 */
import { Agent, request } from "undici";
import { benchDatabase, fmt } from "../lib/database.js";
import { loadConfig } from "../../control-plane/src/config.js";
import { closeEngine, createEngine } from "../../control-plane/src/engine.js";
import { createWorker } from "../../control-plane/src/worker/create-worker.js";
import { createCampaign, getCampaign } from "../../control-plane/src/audiences/campaigns.js";
import { defineList } from "../../control-plane/src/audiences/lists.js";
import { createResendTransport } from "../../control-plane/src/mail/transports/resend.js";
import { startFakeResend } from "../../control-plane/test/fakes/resend.js";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const CONCURRENCY = 16;

async function fakeCeiling(url: string, seconds = 5): Promise<number> {
  const agent = new Agent({ connections: CONCURRENCY });
  const body = JSON.stringify({ from: "Acme <hi@acme.test>", to: ["x@example.com"], subject: "Back", html: "<p>".padEnd(4000, "x") + "</p>", text: "x" });
  let n = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      const res = await request(`${url}/emails`, { method: "POST", dispatcher: agent, headers: { authorization: "Bearer re_bench", "content-type": "application/json" }, body });
      await res.body.dump();
      n++;
    }
  }));
  await agent.close();
  return n / seconds;
}

async function run(recipients: number) {
  const db = await benchDatabase();
  const resend = await startFakeResend({ apiKey: "re_bench" });
  resend.quiet();
  const list = defineList({ id: "everyone", name: "Everyone", defaultOptIn: true });
  const engine = await createEngine({
    databaseUrl: db.url, app: { lists: [list] }, poolSize: 40,
    config: { ...loadConfig({}), LOG_LEVEL: "error", WORKER_CONCURRENCY: 8, EMAIL_FROM: "Acme <hi@acme.test>" },
    transport: createResendTransport({ apiKey: "re_bench", baseUrl: resend.url }),
  });
  try {
    await engine.sql`insert into contacts (email, user_id, created_at, updated_at)
                     select 'r' || g || '@example.com', 'r' || g, now(), now() from generate_series(1, ${recipients}::int) g`;
    await engine.sql`analyze`;
    const ceiling = await fakeCeiling(resend.url);
    resend.sent.length = 0;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
    const worker = await createWorker(engine, { databaseUrl: db.url, pollInterval: 200 });
    const started = performance.now();
    const { campaignId } = await createCampaign(engine, { list: "everyone", template: "ecommerce/back-in-stock", props: { sku: "chair-01", productName: "Studio chair" }, idempotencyKey: "bench" });
    for (;;) {
      const c = await getCampaign(engine, campaignId);
      if (c.status === "completed") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await worker.stop();
    const campaign = await getCampaign(engine, campaignId);
    return { recipients, seconds, sendsPerSecond: campaign.sentCount / seconds, ceiling, peakRssMb: peakRss / 1024 / 1024, delivered: resend.sent.length, campaign };
  } finally {
    await closeEngine(engine);
    await resend.close();
    await db.stop();
  }
}

const small = await run(Math.max(1000, Math.floor(RECIPIENTS / 10)));
const large = await run(RECIPIENTS);
console.log(`bench/campaign — one list campaign (ecommerce/back-in-stock) to a local fake Resend, worker in process, 32 concurrent sends per chunk of 200`);
for (const r of [small, large]) {
  console.log(`  ${r.recipients} recipients: ${fmt(r.sendsPerSecond, 0)} sends/s (${fmt(r.seconds, 1)} s, ${r.delivered} received by the fake, ${r.campaign.skippedCount} skipped, ${r.campaign.failedCount} failed)`);
  console.log(`    fake Resend raw ceiling: ${fmt(r.ceiling, 0)} posts/s → ${fmt((100 * r.sendsPerSecond) / r.ceiling, 1)}% of it (target ≥ 50%, ≥ 2,000 sends/s)   peak RSS ${fmt(r.peakRssMb, 0)} MB`);
}
