import type { Engine } from "../engine.js";
import type { Db } from "../db/client.js";
import { HogsendError, invalidField } from "../errors.js";
import { addJob, Jobs } from "../worker/jobs.js";
import { checkTemplateProps, templateInfo } from "../mail/templates.js";

export interface CampaignInput {
  /** A defined list: opt-in lists reach explicit subscribers, opt-out lists everyone not unsubscribed. */
  list?: string;
  /** A defined bucket: its members when the campaign starts. */
  bucket?: string;
  template: string;
  props?: Record<string, unknown>;
  /** Defaults to the template's subject. */
  subject?: string;
  /** The same key returns the first campaign, whatever else the request says. */
  idempotencyKey: string;
  /** When to resolve the audience and start sending; default now. */
  sendAt?: Date;
}

export type CampaignStatus = "scheduled" | "resolving" | "sending" | "completed" | "cancelled" | "failed";

export interface CampaignRow {
  id: string;
  idempotency_key: string;
  list_id: string | null;
  bucket_id: string | null;
  template: string;
  subject: string | null;
  props: Record<string, unknown>;
  status: CampaignStatus;
  send_at: Date;
  total_recipients: number;
  sent_count: number;
  skipped_count: number;
  failed_count: number;
  cursor: string | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

/** Statuses a campaign never leaves. */
export const FINAL_STATUSES: CampaignStatus[] = ["completed", "cancelled", "failed"];

export const CAMPAIGN_JOB_ATTEMPTS = 10;
export const campaignJobKey = (campaignId: string) => `campaign:${campaignId}`;

/**
 * Queue a campaign; what `POST /v1/campaigns` (202) and `hs.campaigns.send` call. The same idempotencyKey
 * returns the first campaign (`created: false`). Otherwise the input is validated before anything is
 * written — exactly one of list and bucket, each defined, a registered template with valid props, a sendAt
 * not in the past — and a bad one throws a 400 naming the field. The audience is resolved when the
 * campaign starts, at sendAt, not now.
 *
 * @example
 * const { campaignId } = await createCampaign(engine, {
 *   list: "restock-chair-01", template: "ecommerce/back-in-stock", props: { sku: "chair-01", productName: "Studio chair" },
 *   subject: "Studio chair is back in stock", idempotencyKey: "restock-chair-01-2026-01-05",
 * });
 */
export async function createCampaign(engine: Engine, input: CampaignInput): Promise<{ campaignId: string; created: boolean }> {
  const first = await findByKey(engine.sql, input.idempotencyKey);
  if (first) return { campaignId: first, created: false };

  if (Boolean(input.list) === Boolean(input.bucket)) throw invalidField("list", "give exactly one of list or bucket");
  if (input.list && !engine.registry.lists.has(input.list)) throw invalidField("list", `"${input.list}" is not a defined list`);
  if (input.bucket && !engine.registry.buckets.has(input.bucket)) throw invalidField("bucket", `"${input.bucket}" is not a defined bucket`);
  if (!templateInfo(input.template)) throw invalidField("template", `"${input.template}" is not a registered template`);
  const props = checkTemplateProps(input.template, input.props ?? {});
  const now = engine.clock.now();
  // A second of grace: "now" computed by the caller a moment ago is not the past.
  if (input.sendAt && input.sendAt.getTime() < now.getTime() - 1000) throw invalidField("sendAt", "is in the past");
  const sendAt = input.sendAt && input.sendAt > now ? input.sendAt : now;

  return engine.sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into campaigns (idempotency_key, list_id, bucket_id, template, subject, props, status, send_at, created_at, updated_at)
      values (${input.idempotencyKey}, ${input.list ?? null}, ${input.bucket ?? null}, ${input.template}, ${input.subject ?? null},
              ${tx.json(props as never)}, 'scheduled', ${sendAt}, ${now}, ${now})
      on conflict (idempotency_key) do nothing returning id`;
    if (!row) return { campaignId: (await findByKey(tx, input.idempotencyKey))!, created: false };
    await addJob(tx, Jobs.campaign, { campaignId: row.id }, { runAt: sendAt, jobKey: campaignJobKey(row.id), maxAttempts: CAMPAIGN_JOB_ATTEMPTS });
    return { campaignId: row.id, created: true };
  });
}

async function findByKey(db: Db, key: string): Promise<string | undefined> {
  const [row] = await db<{ id: string }[]>`select id from campaigns where idempotency_key = ${key}`;
  return row?.id;
}

export async function loadCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  const [row] = await db<CampaignRow[]>`select * from campaigns where id = ${id}`;
  return row;
}

/** A campaign's public shape: `hs.campaigns.get`, the admin API and Studio. */
export function campaignView(c: CampaignRow) {
  return {
    id: c.id,
    status: c.status,
    list: c.list_id,
    bucket: c.bucket_id,
    template: c.template,
    subject: c.subject,
    idempotencyKey: c.idempotency_key,
    totalRecipients: c.total_recipients,
    sentCount: c.sent_count,
    skippedCount: c.skipped_count,
    failedCount: c.failed_count,
    error: c.error,
    sendAt: c.send_at.toISOString(),
    createdAt: c.created_at.toISOString(),
    finishedAt: c.finished_at?.toISOString() ?? null,
  };
}

export type CampaignView = ReturnType<typeof campaignView>;

/** `hs.campaigns.get`: `{ status, totalRecipients, sentCount, skippedCount, failedCount, … }`; 404 if unknown. */
export async function getCampaign(engine: Engine, id: string): Promise<CampaignView> {
  const row = await loadCampaign(engine.sql, id);
  if (!row) throw new HogsendError("not_found", "no such campaign");
  return campaignView(row);
}

/**
 * Cancel a scheduled or running campaign: no batch starts after this commits (batches already handed to
 * the provider finish and are counted). A finished campaign answers 409.
 */
export async function cancelCampaign(engine: Engine, id: string): Promise<CampaignView> {
  const now = engine.clock.now();
  const [row] = await engine.sql<CampaignRow[]>`
    update campaigns set status = 'cancelled', finished_at = ${now}, updated_at = ${now}
    where id = ${id} and status in ('scheduled', 'resolving', 'sending') returning *`;
  if (!row) {
    const current = await getCampaign(engine, id);
    throw new HogsendError("conflict", `campaign is already ${current.status}`);
  }
  return campaignView(row);
}
