import { randomUUID } from "node:crypto";
import type { Engine } from "../engine.js";
import { HogsendError, invalidField } from "../errors.js";
import { normalizeEmail } from "../identity/normalize.js";
import { findContact } from "../identity/contacts.js";
import { addJob, Jobs } from "../worker/jobs.js";
import { loadPreferenceFacts, preferenceVerdict } from "./preferences.js";
import { checkTemplateProps, render, templateInfo } from "./templates.js";
import { buildTrackedEmail } from "./compose.js";
import { deliverSend, type SendRow } from "./deliver.js";
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

  // Together: a send already made under this key, whether a journey's run is still live (an exit may
  // have landed while its code ran), and the facts the preference rules need.
  const runId = request.journey?.runId ?? null;
  const [{ existing, run_live }, facts] = await Promise.all([
    engine.sql<{ existing: boolean; run_live: boolean }[]>`
      select exists (select 1 from email_sends where idempotency_key = ${idempotencyKey}) as existing,
        ${runId}::uuid is null or exists (select 1 from journey_runs where id = ${runId} and status in ('running', 'waiting', 'sleeping')) as run_live`.then((r) => r[0]),
    loadPreferenceFacts(engine.sql, { email: to, contactId, category }),
  ]);
  if (!run_live) throw new RunStopped();
  if (existing) return resumeIfQueued(engine, (await findSend(engine, idempotencyKey))!);

  let skipReason: string | null = null;
  const verdict = preferenceVerdict(engine, facts, { contactId, category, skipPreferenceCheck: Boolean(request.skipPreferenceCheck) });
  if (!verdict.ok) skipReason = verdict.reason;
  if (!skipReason && request.journey && request.journey.suppressMs > 0) {
    const since = new Date(now.getTime() - request.journey.suppressMs);
    const [recent] = await engine.sql`
      select 1 from email_sends where journey_id = ${request.journey.journeyId} and to_address = ${to}
        and status in ('sent', 'delivered') and sent_at > ${since} limit 1`;
    if (recent) skipReason = "suppress_window";
  }

  const id = randomUUID();
  let body: Awaited<ReturnType<typeof buildTrackedEmail>> | null = null;
  if (!skipReason) {
    const rendered = await render(request.template, props);
    body = await buildTrackedEmail(engine, { sendId: id, to, contactId, category, rendered });
  }
  const status = skipReason ? "skipped" : "queued";
  const history = [{ status, at: now.toISOString(), ...(skipReason ? { reason: skipReason } : {}) }];
  const [row] = await engine.sql<SendRow[]>`
    insert into email_sends (id, idempotency_key, contact_id, to_address, template, category, subject, props, status, reason, status_history,
                             journey_id, run_id, campaign_id, html, text, headers, created_at, updated_at)
    values (${id}, ${idempotencyKey}, ${contactId}, ${to}, ${request.template}, ${category}, ${subject}, ${engine.sql.json(props as never)},
            ${status}, ${skipReason}, ${engine.sql.json(history as never)}, ${request.journey?.journeyId ?? null}, ${request.journey?.runId ?? null},
            ${request.campaignId ?? null}, ${body?.html ?? null}, ${body?.text ?? null}, ${body ? engine.sql.json(body.headers as never) : null}, ${now}, ${now})
    on conflict (idempotency_key) do nothing
    returning *`;
  if (!row) return resumeIfQueued(engine, (await findSend(engine, idempotencyKey))!);
  if (body) await body.saveLinks();
  if (skipReason) return { id: row.id, status: "skipped", reason: skipReason };
  return deliverSend(engine, row);
}

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
