import type { Engine } from "../engine.js";
import { HogsendError, invalidField } from "../errors.js";
import { addJob, Jobs } from "../worker/jobs.js";
import { checkTemplateProps, templateInfo } from "../mail/templates.js";

export const CHUNK_SIZE = 200;
const SEND_CONCURRENCY = 32;

export interface CampaignInput {
  list?: string;
  bucket?: string;
  template: string;
  props?: Record<string, unknown>;
  subject?: string;
  idempotencyKey: string;
  sendAt?: Date;
}

interface CampaignRow {
  id: string;
  list_id: string | null;
  bucket_id: string | null;
  template: string;
  subject: string | null;
  props: Record<string, unknown>;
  status: string;
  send_at: Date;
  total_recipients: number;
  sent_count: number;
  skipped_count: number;
  failed_count: number;
  created_at: Date;
  finished_at: Date | null;
}

/**
 * Queue a campaign (202): validated up front, nothing queued on bad input; the same idempotencyKey returns
 * the first campaign. The audience is resolved when it starts, at sendAt.
 */
export async function createCampaign(engine: Engine, input: CampaignInput): Promise<{ campaignId: string; created: boolean }> {
  if (Boolean(input.list) === Boolean(input.bucket)) throw invalidField("list", "give exactly one of list or bucket");
  if (input.list && !engine.registry.lists.has(input.list)) throw invalidField("list", `"${input.list}" is not a defined list`);
  if (input.bucket && !engine.registry.buckets.has(input.bucket)) throw invalidField("bucket", `"${input.bucket}" is not a defined bucket`);
  if (!templateInfo(input.template)) throw invalidField("template", `"${input.template}" is not a registered template`);
  const props = checkTemplateProps(input.template, input.props ?? {});
  const now = engine.clock.now();
  if (input.sendAt && input.sendAt.getTime() < now.getTime() - 1000) throw invalidField("sendAt", "is in the past");
  return engine.sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into campaigns (idempotency_key, list_id, bucket_id, template, subject, props, status, send_at, created_at, updated_at)
      values (${input.idempotencyKey}, ${input.list ?? null}, ${input.bucket ?? null}, ${input.template}, ${input.subject ?? null},
              ${tx.json(props as never)}, 'scheduled', ${input.sendAt ?? now}, ${now}, ${now})
      on conflict (idempotency_key) do nothing returning id`;
    if (!row) {
      const [existing] = await tx<{ id: string }[]>`select id from campaigns where idempotency_key = ${input.idempotencyKey}`;
      return { campaignId: existing.id, created: false };
    }
    await addJob(tx, Jobs.campaign, { campaignId: row.id }, { runAt: input.sendAt ?? now, jobKey: `campaign:${row.id}`, maxAttempts: 25 });
    return { campaignId: row.id, created: true };
  });
}

/** Resolve the audience into campaign_recipients in one set-based statement (memory flat in audience size). */
async function resolveAudience(engine: Engine, campaign: CampaignRow): Promise<void> {
  const sql = engine.sql;
  const now = engine.clock.now();
  await sql.begin(async (tx) => {
    const [claimed] = await tx`update campaigns set status = 'resolving', updated_at = ${now} where id = ${campaign.id} and status = 'scheduled' returning id`;
    if (!claimed) return;
    const eligible = tx`c.deleted_at is null and c.merged_into is null and c.email is not null and c.unsubscribed_at is null
      and not exists (select 1 from suppressions s where s.email = c.email and s.suppressed)`;
    if (campaign.list_id) {
      const list = engine.registry.lists.get(campaign.list_id)!;
      // Polarity: opt-in lists reach explicit subscribers; opt-out lists everyone not explicitly out.
      const membership = list.defaultOptIn
        ? tx`not exists (select 1 from list_memberships m where m.contact_id = c.id and m.list_id = ${list.id} and not m.subscribed)`
        : tx`exists (select 1 from list_memberships m where m.contact_id = c.id and m.list_id = ${list.id} and m.subscribed)`;
      await tx`insert into campaign_recipients (campaign_id, contact_id, status)
               select ${campaign.id}, c.id, 'pending' from contacts c where ${eligible} and ${membership} on conflict do nothing`;
    } else {
      await tx`insert into campaign_recipients (campaign_id, contact_id, status)
               select ${campaign.id}, c.id, 'pending' from bucket_memberships b join contacts c on c.id = b.contact_id
               where b.bucket_id = ${campaign.bucket_id} and ${eligible} on conflict do nothing`;
    }
    await tx`update campaigns set status = 'sending', total_recipients = (select count(*) from campaign_recipients where campaign_id = ${campaign.id}), updated_at = ${now}
             where id = ${campaign.id}`;
  });
}

/**
 * One durable chunk: send to the next pending recipients with per-recipient idempotency keys, record each
 * outcome, and queue the next chunk. A crash or retry re-sends nothing (the key), a cancel stops here.
 */
export async function runCampaignChunk(engine: Engine, campaignId: string): Promise<void> {
  let [campaign] = await engine.sql<CampaignRow[]>`select * from campaigns where id = ${campaignId}`;
  if (!campaign || campaign.status === "cancelled" || campaign.status === "completed") return;
  if (campaign.status === "scheduled" || campaign.status === "resolving") {
    await resolveAudience(engine, campaign);
    [campaign] = await engine.sql<CampaignRow[]>`select * from campaigns where id = ${campaignId}`;
    if (campaign.status !== "sending") return;
  }
  const batch = await engine.sql<{ contact_id: string; email: string }[]>`
    select r.contact_id, c.email from campaign_recipients r join contacts c on c.id = r.contact_id
    where r.campaign_id = ${campaignId} and r.status = 'pending' order by r.contact_id limit ${CHUNK_SIZE}`;
  const counts = { sent: 0, skipped: 0, failed: 0 };
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, batch.length) }, async () => {
    while (next < batch.length) {
      const recipient = batch[next++];
      const result = await engine.email
        .send({
          to: recipient.email,
          template: campaign.template,
          props: campaign.props,
          subject: campaign.subject ?? undefined,
          category: campaign.list_id ?? "marketing",
          idempotencyKey: `campaign:${campaignId}:${recipient.contact_id}`,
          campaignId,
          contactId: recipient.contact_id,
        })
        .catch((error) => ({ id: null, status: "failed" as const, reason: String((error as Error)?.message ?? error) }));
      const status = result.status === "sent" || result.status === "queued" ? "sent" : result.status;
      counts[status as keyof typeof counts]++;
      await engine.sql`update campaign_recipients set status = ${status}, send_id = ${result.id} where campaign_id = ${campaignId} and contact_id = ${recipient.contact_id}`;
    }
  }));
  const now = engine.clock.now();
  await engine.sql.begin(async (tx) => {
    await tx`update campaigns set sent_count = sent_count + ${counts.sent}, skipped_count = skipped_count + ${counts.skipped},
               failed_count = failed_count + ${counts.failed}, updated_at = ${now} where id = ${campaignId}`;
    const [more] = await tx`select 1 from campaign_recipients where campaign_id = ${campaignId} and status = 'pending' limit 1`;
    if (more) {
      await addJob(tx, Jobs.campaign, { campaignId }, { runAt: now, jobKey: `campaign:${campaignId}`, maxAttempts: 25 });
    } else {
      await tx`update campaigns set status = 'completed', finished_at = ${now} where id = ${campaignId} and status = 'sending'`;
    }
  });
}

export function campaignView(c: CampaignRow) {
  return {
    id: c.id,
    status: c.status,
    list: c.list_id,
    bucket: c.bucket_id,
    template: c.template,
    totalRecipients: c.total_recipients,
    sentCount: c.sent_count,
    skippedCount: c.skipped_count,
    failedCount: c.failed_count,
    sendAt: c.send_at.toISOString(),
    createdAt: c.created_at.toISOString(),
    finishedAt: c.finished_at?.toISOString() ?? null,
  };
}

export async function getCampaign(engine: Engine, id: string) {
  const [row] = await engine.sql<CampaignRow[]>`select * from campaigns where id = ${id}`;
  if (!row) throw new HogsendError("not_found", "no such campaign");
  return campaignView(row);
}

/** Cancel: the running chunk finishes, no further chunk starts. */
export async function cancelCampaign(engine: Engine, id: string) {
  const [row] = await engine.sql<CampaignRow[]>`
    update campaigns set status = 'cancelled', finished_at = ${engine.clock.now()}, updated_at = ${engine.clock.now()}
    where id = ${id} and status in ('scheduled', 'resolving', 'sending') returning *`;
  if (!row) {
    const current = await getCampaign(engine, id);
    throw new HogsendError("conflict", `campaign is already ${current.status}`);
  }
  return campaignView(row);
}
