import { randomUUID } from "node:crypto";
import type { Engine } from "../engine.js";
import { HogsendError, invalidField } from "../errors.js";
import { normalizeEmail } from "../identity/normalize.js";
import { findContact } from "../identity/contacts.js";
import { addJob, Jobs } from "../worker/jobs.js";
import { preferenceColumns, preferenceFrom, preferenceVerdict, toPreferenceFacts, type PreferenceColumns } from "./preferences.js";
import { checkTemplateProps, render, templateInfo } from "./templates.js";
import { buildTrackedEmail, insertLinksCte } from "./compose.js";
import { ingest } from "../ingest/ingest.js";
import { pipelinedTransaction } from "../db/pipelined.js";
import type { Db } from "../db/client.js";
import { deliverSend, sendEventProperties, type SendRow } from "./deliver.js";
import type { SendEmailRequest, SendEmailResult } from "./types.js";
import { RunStopped } from "../journeys/errors.js";

/**
 * The one email service behind sendEmail (journeys), emailService.send (tasks) and POST /v1/emails.
 * Order: validate → idempotency → suppression → global unsubscribe → category/list preference →
 * the journey's suppress gap → render and track → record → hand to the transport.
 * Every outcome, skips included, is an email_sends row with its status history.
 */
export async function sendEmail(engine: Engine, request: SendEmailRequest): Promise<SendEmailResult> {
  const to = normalizeEmail(String(request.to ?? ""), "to");
  const template = templateInfo(request.template);
  if (!template) throw invalidField("template", `"${request.template}" is not a registered template`);
  const props = checkTemplateProps(request.template, request.props ?? {});
  const category = request.category ?? template.category;
  if (category !== "transactional" && !engine.registry.lists.has(category)) throw invalidField("category", `"${category}" is not a list or category`);
  if (request.skipPreferenceCheck && category !== "transactional") throw invalidField("skipPreferenceCheck", "applies to the transactional category only");

  const idempotencyKey = request.idempotencyKey ?? `email:${randomUUID()}`;
  const now = engine.clock.now();
  const contactId =
    request.contactId ?? (await findContact(engine.sql, { userId: request.userId ?? undefined, email: request.userId ? undefined : to }))?.id ?? null;
  const subject = request.subject ?? template.defaultSubject;

  // One read: a send already made under this key, whether a journey's run is still live (an exit may
  // have landed while its code ran), and the facts the preference rules need.
  const runId = request.journey?.runId ?? null;
  const [read] = await engine.sql<(PreferenceColumns & { existing: boolean; run_live: boolean })[]>`
    select exists (select 1 from email_sends where idempotency_key = ${idempotencyKey}) as existing,
      ${runId}::uuid is null or exists (select 1 from journey_runs where id = ${runId} and status in ('running', 'waiting', 'sleeping')) as run_live,
      ${preferenceColumns(engine.sql, { email: to, category })}
    ${preferenceFrom(engine.sql, contactId)}`;
  if (!read.run_live) throw new RunStopped();
  if (read.existing) return resumeIfQueued(engine, (await findSend(engine, idempotencyKey))!);

  let skipReason: string | null = null;
  const verdict = preferenceVerdict(engine, toPreferenceFacts(read), { contactId, category, skipPreferenceCheck: Boolean(request.skipPreferenceCheck) });
  if (!verdict.ok) skipReason = verdict.reason;
  // The journey's suppress gap: a send of it to this address within the gap, one still queued with the
  // provider (retrying) included. Read here, and again where the send is recorded.
  const journey = request.journey;
  const gapTaken = (db: Db) => db`exists (select 1 from email_sends where journey_id = ${journey!.journeyId} and to_address = ${to}
    and status in ('queued', 'sent', 'delivered') and coalesce(sent_at, created_at) > ${new Date(now.getTime() - journey!.suppressMs)})`;
  if (!skipReason && journey && journey.suppressMs > 0) {
    const [{ taken }] = await engine.sql<{ taken: boolean }[]>`select ${gapTaken(engine.sql)} as taken`;
    if (taken) skipReason = "suppress_window";
  }

  const id = randomUUID();
  let body: Awaited<ReturnType<typeof buildTrackedEmail>> | null = null;
  if (!skipReason) {
    const rendered = await render(request.template, props);
    body = await buildTrackedEmail(engine, { sendId: id, to, contactId, category, rendered });
  }
  // The local outbox delivers by storing: the send is recorded as sent, with its email.sent event, in one transaction.
  const transport = engine.transport;
  const recordedAsSent = Boolean(body) && transport.deliveredOnRecord === true;
  const status = skipReason ? "skipped" : "queued";
  const history = [{ status, at: now.toISOString(), ...(skipReason ? { reason: skipReason } : {}) }, ...(recordedAsSent ? [{ status: "sent", at: now.toISOString() }] : [])];
  // A journey's send is checked again where it is recorded, in its transaction: the run still live (under the
  // run's contact lock, which an exit takes too) and, with a suppress gap, no send to this address since (under
  // a lock per journey and address, so concurrent runs mailing one recipient are taken in turn).
  const gapKey = journey && journey.suppressMs > 0 && !skipReason ? `suppress:${journey.journeyId}:${to}` : null;
  const locks = (db: Db) => db`
    select ${journey ? db`(select count(*) from (
        select id from contacts where id in ((select contact_id from journey_runs where id = ${journey.runId}), ${contactId}::uuid)
        order by id for update) locked)` : db`0`},
      ${gapKey ? db`pg_advisory_xact_lock(hashtextextended(${gapKey}, 0))` : db`null`}`;
  const insert = (db: Db) => db<(SendRow & { run_live: boolean; gap_kept: boolean })[]>`
    with checks as (
      select ${journey ? db`exists (select 1 from journey_runs where id = ${journey.runId} and status in ('running', 'waiting', 'sleeping'))` : db`true`} as run_live,
        ${gapKey ? db`not ${gapTaken(db)}` : db`true`} as gap_kept),
    inserted as (
      insert into email_sends (id, idempotency_key, contact_id, to_address, template, category, subject, props, status, reason, status_history,
                               journey_id, run_id, campaign_id, html, text, headers, transport, provider_id, attempts, sent_at, created_at, updated_at)
      select ${id}, ${idempotencyKey}, ${contactId}, ${to}, ${request.template}, ${category}, ${subject}, ${db.json(props as never)},
              ${recordedAsSent ? "sent" : status}, ${skipReason}, ${db.json(history as never)}, ${journey?.journeyId ?? null}, ${journey?.runId ?? null},
              ${request.campaignId ?? null}, ${body?.html ?? null}, ${body?.text ?? null}, ${body ? db.json(body.headers as never) : null},
              ${recordedAsSent ? transport.name : null}, ${recordedAsSent ? `${transport.name}:${id}` : null}, ${recordedAsSent ? 1 : 0},
              ${recordedAsSent ? now : null}, ${now}, ${now}
      from checks where run_live and gap_kept
      on conflict (idempotency_key) do nothing
      returning *),
    ${insertLinksCte(db, body?.linkRows ?? [])}
    select checks.run_live, checks.gap_kept, inserted.* from checks left join inserted on true`;

  // One statement alone needs no transaction: a send outside a journey, handed to a provider.
  const record = !journey && !recordedAsSent
    ? async () => {
        const [result] = await insert(engine.sql);
        if (!result.id) throw new KeyTaken();
        return result;
      }
    : () => pipelinedTransaction(engine.sql, async (tx) => {
      // Pipelined in order: the insert's snapshot is taken once the locks are held.
      const locked = journey ? locks(tx).execute() : Promise.resolve();
      const stored = insert(tx).execute();
      const event = recordedAsSent && contactId
        ? ingest(engine, { name: "email.sent", contactId, eventProperties: sendEventProperties({ id, template: request.template, category, subject,
            journey_id: journey?.journeyId ?? null, run_id: journey?.runId ?? null, campaign_id: request.campaignId ?? null }),
            source: "engine", idempotencyKey: `email.sent:${id}` }, tx)
        : Promise.resolve();
      const [lock, row, sent] = await Promise.allSettled([locked, stored, event]);
      if (lock.status === "rejected") throw lock.reason;
      if (row.status === "rejected") throw row.reason;
      const [result] = row.value;
      if (!result.run_live) throw new RunStopped();
      if (!result.gap_kept) throw new GapTaken();
      if (sent.status === "rejected") throw sent.reason;
      // Another call stored this key first: roll back this one's event and answer as that call did.
      if (!result.id) throw new KeyTaken();
      return result;
    });
  let recorded: SendRow;
  try {
    recorded = await record();
  } catch (error) {
    if (error instanceof KeyTaken) return resumeIfQueued(engine, (await findSend(engine, idempotencyKey))!);
    // A concurrent run sent to this address first: this send is made again, and skips.
    if (error instanceof GapTaken) return sendEmail(engine, request);
    throw error;
  }
  if (recordedAsSent) return { id: recorded.id, status: "sent" };
  if (skipReason) return { id: recorded.id, status: "skipped", reason: skipReason };
  return deliverSend(engine, recorded);
}

/** A concurrent send of the same journey to the same address was recorded first. */
class GapTaken extends Error {}

/** The idempotency key was stored by a concurrent call. */
class KeyTaken extends Error {}

async function findSend(engine: Engine, idempotencyKey: string): Promise<SendRow | undefined> {
  const [row] = await engine.sql<SendRow[]>`select * from email_sends where idempotency_key = ${idempotencyKey}`;
  return row;
}

/** A repeated call returns the first result; a send left queued by a crash is handed to the transport again. */
async function resumeIfQueued(engine: Engine, row: SendRow): Promise<SendEmailResult> {
  if (row.status === "queued" && row.attempts === 0) return deliverSend(engine, row);
  return { id: row.id, status: publicStatus(row.status), ...(row.reason ? { reason: row.reason } : {}) };
}

export function publicStatus(status: string): SendEmailResult["status"] {
  if (status === "queued" || status === "skipped" || status === "failed") return status;
  return "sent";
}

/** Retry a failed send by hand (admin): it goes back to the queue with its rendered body. */
export async function resendFailed(engine: Engine, sendId: string): Promise<SendEmailResult> {
  const now = engine.clock.now();
  const [row] = await engine.sql<SendRow[]>`
    update email_sends set status = 'queued', attempts = 0, reason = null, updated_at = ${now},
      status_history = status_history || ${engine.sql.json([{ status: "queued", at: now.toISOString(), reason: "resend" }] as never)}::jsonb
    where id = ${sendId} and status = 'failed' returning *`;
  if (!row) throw new HogsendError("conflict", "only a failed send can be resent");
  await addJob(engine.sql, Jobs.sendEmail, { sendId }, { runAt: now, jobKey: `email:${sendId}`, maxAttempts: 10 });
  return { id: row.id, status: "queued" };
}
