import type { Engine } from "../engine.js";
import { ingest } from "../ingest/ingest.js";
import { pipelinedTransaction } from "../db/pipelined.js";
import { addJob, Jobs } from "../worker/jobs.js";
import type { SendEmailResult } from "./types.js";
import type { OutgoingEmail } from "./transports/types.js";

export interface SendRow {
  id: string;
  idempotency_key: string;
  contact_id: string | null;
  to_address: string;
  template: string;
  category: string;
  subject: string;
  props: Record<string, unknown>;
  status: string;
  reason: string | null;
  transport: string | null;
  provider_id: string | null;
  journey_id: string | null;
  run_id: string | null;
  campaign_id: string | null;
  html: string | null;
  text: string | null;
  headers: Record<string, string> | null;
  attempts: number;
  created_at: Date;
  sent_at: Date | null;
}

export const MAX_SEND_ATTEMPTS = 8;

/** The send was no longer queued when its provider answer was recorded (another attempt recorded it). */
class NotQueued extends Error {}

/** Backoff between provider attempts: 10 s, 20 s, 40 s … capped at 30 minutes. */
export function retryDelayMs(attempt: number): number {
  return Math.min(10_000 * 2 ** (attempt - 1), 30 * 60_000);
}

/**
 * Hand a queued send to the transport. The provider's idempotency key is the send id, so handing it over
 * again after a crash never sends twice. A retryable failure stays queued with a retry job; the last
 * attempt fails visibly with the provider's error.
 */
export async function deliverSend(engine: Engine, row: SendRow): Promise<SendEmailResult> {
  const transport = engine.transport;
  const attempt = row.attempts + 1;
  const result = await transport.send(outgoingEmail(engine, row));
  const now = engine.clock.now();
  if (result.ok) {
    // BEGIN, the status change and the email.sent event's first statements go out together; a send that
    // was no longer queued rolls the event back.
    const updated = await pipelinedTransaction(engine.sql, async (tx) => {
      const marked = tx`
        update email_sends set status = 'sent', transport = ${transport.name}, provider_id = ${result.providerId}, attempts = ${attempt},
          sent_at = ${now}, updated_at = ${now},
          status_history = status_history || ${tx.json([{ status: "sent", at: now.toISOString() }] as never)}::jsonb
        where id = ${row.id} and status = 'queued' returning id`.execute();
      const event = row.contact_id
        ? ingest(engine, { name: "email.sent", contactId: row.contact_id, eventProperties: sendEventProperties(row), source: "engine", idempotencyKey: `email.sent:${row.id}` }, tx)
        : Promise.resolve();
      const [done, recorded] = await Promise.allSettled([marked, event]);
      if (done.status === "rejected") throw done.reason;
      if (recorded.status === "rejected") throw recorded.reason;
      if (!done.value.length) throw new NotQueued();
      return true;
    }).catch((error) => {
      if (error instanceof NotQueued) return false;
      throw error;
    });
    return { id: row.id, status: updated || row.status !== "failed" ? "sent" : "failed" };
  }
  const final = !result.retryable || attempt >= MAX_SEND_ATTEMPTS;
  const status = final ? "failed" : "queued";
  const reason = `${result.code}: ${result.message}`;
  await engine.sql.begin(async (tx) => {
    await tx`
      update email_sends set status = ${status}, reason = ${reason}, transport = ${transport.name}, attempts = ${attempt}, updated_at = ${now},
        status_history = status_history || ${tx.json([{ status, at: now.toISOString(), reason }] as never)}::jsonb
      where id = ${row.id} and status = 'queued'`;
    if (!final) {
      await addJob(tx, Jobs.sendEmail, { sendId: row.id }, { runAt: new Date(now.getTime() + retryDelayMs(attempt)), jobKey: `email:${row.id}`, maxAttempts: 10 });
    }
  });
  engine.log.warn("email send attempt failed", { sendId: row.id, attempt, final, code: result.code });
  return { id: row.id, status, reason };
}

/** What the transport gets for a stored send: its rendered body, keyed by the send id. */
export function outgoingEmail(engine: Engine, row: SendRow): OutgoingEmail {
  return {
    from: engine.emailFrom,
    to: row.to_address,
    subject: row.subject,
    html: row.html ?? "",
    text: row.text ?? "",
    headers: row.headers ?? undefined,
    idempotencyKey: row.id,
    tags: [{ name: "send_id", value: row.id }],
  };
}

/** Properties of every email.* engine event: named for PostHog insights. */
export function sendEventProperties(row: Pick<SendRow, "id" | "template" | "category" | "subject" | "journey_id" | "run_id" | "campaign_id">) {
  return {
    send_id: row.id,
    template: row.template,
    category: row.category,
    subject: row.subject,
    ...(row.journey_id ? { journey_id: row.journey_id, run_id: row.run_id } : {}),
    ...(row.campaign_id ? { campaign_id: row.campaign_id } : {}),
  };
}

/** The retry job: load the send and hand it over again if it is still queued. */
export async function retrySend(engine: Engine, sendId: string): Promise<void> {
  const [row] = await engine.sql<SendRow[]>`select * from email_sends where id = ${sendId}`;
  if (row?.status === "queued") await deliverSend(engine, row);
}
