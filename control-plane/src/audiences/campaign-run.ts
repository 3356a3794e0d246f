import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { JobAttempt } from "../worker/tasks.js";
import { addJob, Jobs } from "../worker/jobs.js";
import { CAMPAIGN_JOB_ATTEMPTS, campaignJobKey, FINAL_STATUSES, loadCampaign } from "./campaigns.js";
import { resolveAudience, startProblem } from "./campaign-resolve.js";
import { PROVIDER_BATCH, sendBatch, type BatchOutcome } from "./send-batch.js";

/** Provider batches per job: a job is a couple of seconds of work, then hands over to the next. */
export const BATCHES_PER_JOB = 20;
/** Provider batches in flight at once within a job. */
export const CONCURRENT_BATCHES = 4;

/**
 * The campaign job (`hogsend:campaign`, one at a time per campaign by its job key). At sendAt the first
 * run resolves the audience; every run then sends the next BATCHES_PER_JOB × 100 pending recipients in
 * contact order, as provider batches of 100, CONCURRENT_BATCHES at a time, and queues the next run — or
 * marks the campaign completed when nobody is pending.
 *
 * - Cancel: checked before each batch, so a cancel stops the campaign at the next batch.
 * - Crash: recipients are marked in the transaction that marks their sends sent, so a re-run picks up exactly
 *   the unfinished batches; each recipient's email key `campaign:<id>:<contactId>` means nobody is rendered,
 *   recorded or sent twice, and a batch handed over again is the same request with the same provider key.
 *   (Batches are cut every 100 recipients of the pending list in contact order, and marked whole, so an
 *   unfinished batch is cut the same way again.)
 * - Provider failures: retryable ones (429, 5xx, network) throw, and graphile-worker retries the job with
 *   backoff; on the job's last attempt they, like non-retryable ones, fail those sends.
 */
export async function runCampaignJob(engine: Engine, campaignId: string, attempt: JobAttempt = { attempt: 1, maxAttempts: CAMPAIGN_JOB_ATTEMPTS }): Promise<void> {
  const sql = engine.sql;
  let campaign = await loadCampaign(sql, campaignId);
  if (!campaign || FINAL_STATUSES.includes(campaign.status)) return;
  if (campaign.status === "scheduled" || campaign.status === "resolving") {
    const problem = startProblem(engine, campaign);
    if (problem) return failCampaign(engine, campaignId, problem);
    await resolveAudience(engine, campaignId);
    campaign = (await loadCampaign(sql, campaignId))!;
    if (campaign.status !== "sending") return;
  }

  const pending = await sql<{ contact_id: string }[]>`
    select contact_id from campaign_recipients where campaign_id = ${campaignId} and status = 'pending'
    order by contact_id limit ${BATCHES_PER_JOB * PROVIDER_BATCH}`;
  const batches: string[][] = [];
  for (let i = 0; i < pending.length; i += PROVIDER_BATCH) batches.push(pending.slice(i, i + PROVIDER_BATCH).map((r) => r.contact_id));

  const c = campaign;
  let next = 0;
  let halt: "cancelled" | "retry" | "error" | null = null;
  let error: unknown;
  // A pool of CONCURRENT_BATCHES; it drains before the job returns or throws, so no batch outlives its job.
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_BATCHES, batches.length) }, async () => {
    while (!halt && next < batches.length) {
      const contactIds = batches[next++];
      if (await isCancelled(engine, campaignId)) {
        halt = "cancelled";
        return;
      }
      const outcomes = await sendBatch(engine, {
        campaignId,
        template: c.template,
        props: c.props,
        subject: c.subject,
        category: c.list_id ?? "marketing",
        contactIds,
        key: (contactId) => `campaign:${campaignId}:${contactId}`,
        finalAttempt: attempt.attempt >= attempt.maxAttempts,
        record: (tx, o) => recordOutcomes(engine, tx, campaignId, o),
      }).catch((e) => {
        halt = "error";
        error = e;
        return [];
      });
      if (outcomes.some((o) => o.status === "queued")) halt ??= "retry";
    }
  }));
  if (halt === "error") throw error;
  if (halt === "cancelled") return;
  if (halt === "retry") throw new Error(`campaign ${campaignId}: the provider failed a batch; it is retried with the same sends`);

  await sql.begin(async (tx) => {
    const [more] = await tx`select 1 from campaign_recipients where campaign_id = ${campaignId} and status = 'pending' limit 1`;
    const now = engine.clock.now();
    if (more) {
      await addJob(tx, Jobs.campaign, { campaignId }, { runAt: now, jobKey: campaignJobKey(campaignId), maxAttempts: CAMPAIGN_JOB_ATTEMPTS });
    } else {
      await tx`update campaigns set status = 'completed', finished_at = ${now}, updated_at = ${now} where id = ${campaignId} and status = 'sending'`;
    }
  });
}

async function isCancelled(engine: Engine, campaignId: string): Promise<boolean> {
  const [row] = await engine.sql<{ status: string }[]>`select status from campaigns where id = ${campaignId}`;
  return row?.status !== "sending";
}

/**
 * A batch's recipients leave 'pending' together, once, and only then count: a re-run batch never counts
 * twice, and a batch with sends still queued (to be retried) stays whole, so it is cut the same way again.
 */
async function recordOutcomes(engine: Engine, tx: Tx, campaignId: string, outcomes: BatchOutcome[]): Promise<void> {
  if (!outcomes.length || outcomes.some((o) => o.status === "queued")) return;
  await tx`
    with v as (
      select * from unnest(${outcomes.map((o) => o.contactId)}::uuid[], ${outcomes.map((o) => o.status)}::text[],
                           ${outcomes.map((o) => o.sendId)}::uuid[], ${outcomes.map((o) => o.reason)}::text[]) as v(contact_id, status, send_id, reason)),
    marked as (
      update campaign_recipients r set status = v.status, send_id = v.send_id, reason = v.reason from v
      where r.campaign_id = ${campaignId} and r.contact_id = v.contact_id and r.status = 'pending' returning r.status)
    update campaigns set
      sent_count = sent_count + (select count(*) from marked where status = 'sent'),
      skipped_count = skipped_count + (select count(*) from marked where status = 'skipped'),
      failed_count = failed_count + (select count(*) from marked where status = 'failed'),
      updated_at = ${engine.clock.now()}
    where id = ${campaignId}`;
}

async function failCampaign(engine: Engine, campaignId: string, error: string): Promise<void> {
  const now = engine.clock.now();
  await engine.sql`update campaigns set status = 'failed', error = ${error}, finished_at = ${now}, updated_at = ${now}
                   where id = ${campaignId} and status in ('scheduled', 'resolving')`;
  engine.log.error("campaign failed", { campaignId, error });
}
