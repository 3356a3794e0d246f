import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { ContactRow } from "../identity/contacts.js";
import type { StoredEvent } from "../ingest/types.js";
import { evaluateCondition } from "./conditions.js";
import { LIVE_STATUSES } from "./statuses.js";
import type { CompiledJourney } from "./types.js";
import { createRun, isJourneyEnabled, markEntered, recordEnrollment } from "./store.js";

export type SkipReason = "disabled" | "where_not_matched" | "entry_limit" | "unsubscribed" | "already_running";

/**
 * Enrollment guards, in order: enabled → where → entryLimit → globally unsubscribed → live run exists.
 * The caller holds the contact's advisory lock, and the partial unique index on live runs backs it up,
 * so concurrent identical triggers enroll once.
 */
export async function enrollContact(
  engine: Engine,
  tx: Tx,
  journey: CompiledJourney,
  contact: ContactRow,
  event: StoredEvent | null,
  options: { manual?: boolean } = {},
): Promise<{ runId: string | null; skipped?: SkipReason }> {
  const now = engine.clock.now();
  const meta = journey.meta;
  const skip = async (reason: SkipReason) => {
    await recordEnrollment(tx, { journeyId: meta.id, contactId: contact.id, eventId: event?.id ?? null, decision: "skipped", reason, runId: null, now });
    return { runId: null, skipped: reason };
  };

  // An operator's manual enrollment skips enabled, where and entryLimit; unsubscribe and one-live-run still hold.
  if (!options.manual) {
    if (!(await isJourneyEnabled(tx, meta.id, meta.enabled))) return skip("disabled");
    if (!evaluateCondition(journey.triggerCondition, event?.properties ?? {})) return skip("where_not_matched");
    if (meta.entryLimit !== "unlimited") {
      const [entry] = await tx<{ last_entered_at: Date }[]>`
        select last_entered_at from journey_entries where journey_id = ${meta.id} and contact_id = ${contact.id}`;
      if (entry && (meta.entryLimit === "once" || now.getTime() - entry.last_entered_at.getTime() < meta.entryPeriod!)) return skip("entry_limit");
    }
  }
  if (contact.unsubscribed_at) return skip("unsubscribed");
  const [live] = await tx`select 1 from journey_runs where journey_id = ${meta.id} and contact_id = ${contact.id} and status in ${tx(LIVE_STATUSES)}`;
  if (live) return skip("already_running");

  const runId = await createRun(tx, {
    journeyId: meta.id,
    contactId: contact.id,
    triggerEventId: event?.id ?? null!,
    triggerProperties: event?.properties ?? {},
    exitOn: journey.exitOn,
    now,
  });
  if (!runId) return skip("already_running");
  await markEntered(tx, meta.id, contact.id, now);
  await recordEnrollment(tx, { journeyId: meta.id, contactId: contact.id, eventId: event?.id ?? null, decision: "entered", reason: null, runId, now });
  return { runId };
}
