import { randomUUID } from "node:crypto";
import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import { ingestMany } from "../ingest/ingest.js";
import { preferenceVerdict } from "../mail/preferences.js";
import { render, templateInfo } from "../mail/templates.js";
import { buildTrackedEmail, insertLinksCte, type TrackedLinkRow } from "../mail/compose.js";
import { outgoingEmail, sendEventProperties, type SendRow } from "../mail/deliver.js";
import type { TransportResult } from "../mail/transports/types.js";

/** The provider's batch limit (Resend's /emails/batch takes at most 100). */
export const PROVIDER_BATCH = 100;

export interface BatchSend {
  campaignId: string;
  template: string;
  props: Record<string, unknown>;
  subject: string | null;
  /** The preference category: the campaign's list, or "marketing". */
  category: string;
  /** Contact ids, at most PROVIDER_BATCH, in the order the provider batch is formed. */
  contactIds: string[];
  /** The email idempotency key of a recipient: `campaign:<id>:<contactId>`. */
  key(contactId: string): string;
  /** Retryable provider failures become final failures instead of staying queued. */
  finalAttempt: boolean;
  /** Runs in the transaction that records the outcomes (a campaign marks its recipients there). */
  record(tx: Tx, outcomes: BatchOutcome[]): Promise<void>;
}

export interface BatchOutcome {
  contactId: string;
  sendId: string | null;
  /** "queued": a retryable provider failure, to be handed over again with the same bodies and keys. */
  status: "sent" | "skipped" | "failed" | "queued";
  reason: string | null;
}

/**
 * The email service's rules for many recipients of one template at once — what a campaign needs at
 * thousands of sends a second, where one `sendEmail` call per recipient manages a few hundred.
 * Same rules, same rows, same events as mail/service.ts and mail/deliver.ts:
 *
 * - idempotency by key: a recipient whose send row exists is never rendered or recorded again; a row still
 *   `queued` (a crash or a retryable failure) is handed over again with its stored body and id;
 * - preferences by `preferenceVerdict` (suppression, deleted, global unsubscribe, list polarity); every
 *   skip is an email_sends row with its reason;
 * - one render per template and props (the render cache), tracking applied per send;
 * - the provider gets the queued rows as one batch (`transport.sendBatch`, keyed by the sends' ids, so a
 *   re-handed batch of the same sends is the same request) or one by one when the transport has no batch;
 * - a send marked sent and its `email.sent` event (through ingest) commit together, with `record`.
 *
 * Reads and writes are a handful of set-based statements per batch, plus one ingest per email.sent.
 */
export async function sendBatch(engine: Engine, batch: BatchSend): Promise<BatchOutcome[]> {
  const sql = engine.sql;
  const keys = batch.contactIds.map((id) => batch.key(id));
  const [facts, existing] = await Promise.all([
    sql<{ id: string; email: string | null; gone: boolean; unsubscribed: boolean; suppressed: boolean | null; membership: boolean | null }[]>`
      select c.id, c.email, (c.deleted_at is not null or c.merged_into is not null) as gone, c.unsubscribed_at is not null as unsubscribed,
        (select s.suppressed from suppressions s where s.email = c.email) as suppressed,
        (select m.subscribed from list_memberships m where m.contact_id = c.id and m.list_id = ${batch.category}) as membership
      from contacts c where c.id = any(${batch.contactIds}::uuid[])`,
    sql<SendRow[]>`select * from email_sends where idempotency_key = any(${keys})`,
  ]);
  const factsById = new Map(facts.map((f) => [f.id, f]));
  const sendByKey = new Map(existing.map((r) => [r.idempotency_key, r]));
  const noEmail = new Set<string>();

  const fresh = await prepareNew(engine, batch, factsById, sendByKey, noEmail);
  if (fresh.length) {
    const inserted = await insertSends(engine, fresh);
    for (const row of inserted) sendByKey.set(row.idempotency_key, row);
    const lost = fresh.filter((f) => !sendByKey.has(f.row.idempotency_key)).map((f) => f.row.idempotency_key);
    // A concurrent run wrote some of these keys first: theirs win, as in sendEmail.
    if (lost.length) for (const r of await sql<SendRow[]>`select * from email_sends where idempotency_key = any(${lost})`) sendByKey.set(r.idempotency_key, r);
  }

  const queued = keys.map((k) => sendByKey.get(k)).filter((r): r is SendRow => r?.status === "queued");
  const results = await hand(engine, queued);

  return sql.begin(async (tx) => {
    const now = engine.clock.now();
    const sentRows = await markSent(engine, tx, queued, results, now);
    await ingestMany(engine, tx, sentRows.filter((r) => r.contact_id).map((row) =>
      ({ name: "email.sent", contactId: row.contact_id!, eventProperties: sendEventProperties(row), source: "engine", idempotencyKey: `email.sent:${row.id}` })));
    const failedIds = await markFailed(engine, tx, queued, results, batch.finalAttempt, now);

    const sent = new Set(sentRows.map((r) => r.id));
    const outcomes = batch.contactIds.map((contactId, i): BatchOutcome => {
      const row = sendByKey.get(keys[i]);
      if (!row) return { contactId, sendId: null, status: "skipped", reason: noEmail.has(contactId) ? "no_email" : "contact_deleted" };
      if (sent.has(row.id)) return { contactId, sendId: row.id, status: "sent", reason: null };
      if (failedIds.has(row.id)) return { contactId, sendId: row.id, status: "failed", reason: failedIds.get(row.id)! };
      if (row.status === "queued") return { contactId, sendId: row.id, status: "queued", reason: null };
      const status = row.status === "skipped" || row.status === "failed" ? row.status : "sent";
      return { contactId, sendId: row.id, status, reason: row.reason };
    });
    await batch.record(tx, outcomes);
    return outcomes;
  });
}

interface FreshSend {
  row: SendRow & { status_history: { status: string; at: string; reason?: string }[] };
  links: TrackedLinkRow[];
}

/** New send rows (queued with their tracked bodies, or skipped with a reason) for recipients without one. */
async function prepareNew(
  engine: Engine,
  batch: BatchSend,
  factsById: Map<string, { email: string | null; gone: boolean; unsubscribed: boolean; suppressed: boolean | null; membership: boolean | null }>,
  sendByKey: Map<string, SendRow>,
  noEmail: Set<string>,
): Promise<FreshSend[]> {
  const now = engine.clock.now();
  const subject = batch.subject ?? templateInfo(batch.template)?.defaultSubject ?? "";
  let rendered: { html: string; text: string } | undefined;
  const fresh: FreshSend[] = [];
  for (const contactId of batch.contactIds) {
    const key = batch.key(contactId);
    if (sendByKey.has(key)) continue;
    const f = factsById.get(contactId);
    if (!f?.email) {
      if (f) noEmail.add(contactId);
      continue;
    }
    const verdict = preferenceVerdict(engine, { suppressed: Boolean(f.suppressed), contactFound: true, deleted: f.gone, unsubscribed: f.unsubscribed, membership: f.membership },
      { contactId, category: batch.category, skipPreferenceCheck: false });
    const id = randomUUID();
    const status = verdict.ok ? "queued" : "skipped";
    const reason = verdict.ok ? null : verdict.reason;
    let body: Awaited<ReturnType<typeof buildTrackedEmail>> | undefined;
    if (verdict.ok) {
      rendered ??= await render(batch.template, batch.props);
      body = await buildTrackedEmail(engine, { sendId: id, to: f.email, contactId, category: batch.category, rendered });
    }
    const row: FreshSend["row"] = {
      id, idempotency_key: key, contact_id: contactId, to_address: f.email, template: batch.template, category: batch.category, subject,
      props: batch.props, status, reason, transport: null, provider_id: null, journey_id: null, run_id: null, campaign_id: batch.campaignId,
      html: body?.html ?? null, text: body?.text ?? null, headers: body?.headers ?? null, attempts: 0, created_at: now, sent_at: null,
      status_history: [{ status, at: now.toISOString(), ...(reason ? { reason } : {}) }],
    };
    fresh.push({ row, links: body?.linkRows ?? [] });
  }
  return fresh;
}

async function insertSends(engine: Engine, fresh: FreshSend[]): Promise<SendRow[]> {
  const sql = engine.sql;
  const rows = fresh.map(({ row }) => ({
    id: row.id, idempotency_key: row.idempotency_key, contact_id: row.contact_id, to_address: row.to_address, template: row.template,
    category: row.category, subject: row.subject, props: sql.json(row.props as never), status: row.status, reason: row.reason,
    status_history: sql.json(row.status_history as never), campaign_id: row.campaign_id,
    html: row.html, text: row.text, headers: row.headers ? sql.json(row.headers as never) : null, created_at: row.created_at, updated_at: row.created_at,
  }));
  const links = fresh.flatMap((f) => f.links);
  // Only the ids come back: the bodies are already here, and reading 100 of them back costs more than the insert.
  const insertedIds = new Set((await sql<{ id: string }[]>`
    with inserted as (insert into email_sends ${sql(rows as never)} on conflict (idempotency_key) do nothing returning id),
    ${insertLinksCte(sql, links)}
    select id from inserted`).map((r) => r.id));
  const inserted = fresh.filter((f) => insertedIds.has(f.row.id));
  return inserted.map((f) => f.row);
}

/** Hand the queued sends to the provider: one batch when the transport has one, else one request each. */
async function hand(engine: Engine, queued: SendRow[]): Promise<TransportResult[]> {
  if (!queued.length) return [];
  const emails = queued.map((row) => outgoingEmail(engine, row));
  const transport = engine.transport;
  try {
    return await (transport.sendBatch ? transport.sendBatch(emails) : Promise.all(emails.map((e) => transport.send(e))));
  } catch (error) {
    return emails.map(() => ({ ok: false as const, retryable: true, status: 0, code: "transport_error", message: String((error as Error)?.message ?? error) }));
  }
}

type SentRow = Pick<SendRow, "id" | "contact_id" | "template" | "category" | "subject" | "journey_id" | "run_id" | "campaign_id">;

async function markSent(engine: Engine, tx: Tx, queued: SendRow[], results: TransportResult[], now: Date): Promise<SentRow[]> {
  const ok = queued.flatMap((row, i) => { const r = results[i]; return r?.ok ? [{ id: row.id, providerId: r.providerId }] : []; });
  if (!ok.length) return [];
  return tx<SentRow[]>`
    update email_sends s set status = 'sent', transport = ${engine.transport.name}, provider_id = v.provider_id, attempts = s.attempts + 1,
      sent_at = ${now}, updated_at = ${now}, status_history = s.status_history || ${tx.json([{ status: "sent", at: now.toISOString() }] as never)}::jsonb
    from (select unnest(${ok.map((o) => o.id)}::uuid[]) as id, unnest(${ok.map((o) => o.providerId)}::text[]) as provider_id) v
    where s.id = v.id and s.status = 'queued'
    returning s.id, s.contact_id, s.template, s.category, s.subject, s.journey_id, s.run_id, s.campaign_id`;
}

/** Failed attempts: final ones (not retryable, or the last attempt) fail the send; others stay queued. */
async function markFailed(engine: Engine, tx: Tx, queued: SendRow[], results: TransportResult[], finalAttempt: boolean, now: Date): Promise<Map<string, string>> {
  const finals = new Map<string, string>();
  for (const [i, row] of queued.entries()) {
    const r = results[i];
    if (!r || r.ok) continue;
    const final = !r.retryable || finalAttempt;
    const reason = `${r.code}: ${r.message}`;
    const status = final ? "failed" : "queued";
    await tx`
      update email_sends set status = ${status}, reason = ${reason}, transport = ${engine.transport.name}, attempts = attempts + 1, updated_at = ${now},
        status_history = status_history || ${tx.json([{ status, at: now.toISOString(), reason }] as never)}::jsonb
      where id = ${row.id} and status = 'queued'`;
    if (final) finals.set(row.id, reason);
  }
  const failures = results.filter((r) => !r.ok).length;
  if (failures) engine.log.warn("batch send: provider failures", { failed: finals.size, retrying: failures - finals.size });
  return finals;
}
