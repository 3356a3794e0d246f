import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { ContactRow } from "../identity/contacts.js";
import type { StoredEvent } from "../ingest/types.js";
import { evaluateCondition } from "./conditions.js";
import type { CompiledJourney } from "./types.js";
import { enrollmentFacts, enterRun, recordEnrollment, type EnrollmentFacts } from "./store.js";

export type SkipReason = "disabled" | "where_not_matched" | "entry_limit" | "unsubscribed" | "already_running";

/**
 * Enrollment guards, in order: enabled → where → entryLimit → globally unsubscribed → live run exists.
 * The caller holds the contact's row lock, and the partial unique index on live runs backs it up,
 * so concurrent identical triggers enroll once.
 */
export async function enrollContact(
  engine: Engine,
  tx: Tx,
  journey: CompiledJourney,
  contact: ContactRow,
  event: StoredEvent | null,
  options: { manual?: boolean; facts?: EnrollmentFacts } = {},
): Promise<{ runId: string | null; skipped?: SkipReason }> {
  const now = engine.clock.now();
  const meta = journey.meta;
  const skip = async (reason: SkipReason) => {
    await recordEnrollment(tx, { journeyId: meta.id, contactId: contact.id, eventId: event?.id ?? null, decision: "skipped", reason, runId: null, now });
    return { runId: null, skipped: reason };
  };

  const facts = options.facts ?? (await enrollmentFacts(tx, meta.id, contact.id));
  // An operator's manual enrollment skips enabled, where and entryLimit; unsubscribe and one-live-run still hold.
  if (!options.manual) {
    if (!(facts.enabled ?? meta.enabled)) return skip("disabled");
    if (!evaluateCondition(journey.triggerCondition, event?.properties ?? {})) return skip("where_not_matched");
    const last = facts.lastEnteredAt;
    if (meta.entryLimit !== "unlimited" && last && (meta.entryLimit === "once" || now.getTime() - last.getTime() < meta.entryPeriod!)) return skip("entry_limit");
  }
  if (contact.unsubscribed_at) return skip("unsubscribed");
  if (facts.live) return skip("already_running");

  const runId = await enterRun(tx, {
    journeyId: meta.id,
    contactId: contact.id,
    triggerEventId: event?.id ?? null,
    triggerProperties: event?.properties ?? {},
    exitOn: journey.exitOn,
    now,
  });
  if (!runId) return skip("already_running");
  return { runId };
}
