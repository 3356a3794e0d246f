import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { ContactRow } from "../identity/contacts.js";
import type { IngestInput, IngestResult, StoredEvent } from "../ingest/types.js";
import { historyEvents, isCohortBucket, type BucketDefinition } from "./buckets.js";
import { qualifies, setMembership } from "./membership.js";

/**
 * On every contact event, the computed buckets this event can affect re-evaluate for that contact, in the
 * ingest transaction (which holds the contact's row lock): joins, and leaves a property change or a
 * `didNot` event causes. Leaves that only the passing of time causes happen in the reconcile job.
 *
 * A bucket is affected when the event is one of its did / didNot events, or when the contact was created or
 * changed by this ingest (its updated_at is this event's time). So a campaign's
 * thousands of email.sent events cost nothing here unless a bucket is about email.sent.
 */
export async function evaluateBucketsOnIngest(
  engine: Engine,
  tx: Tx,
  event: StoredEvent,
  contact: ContactRow,
  emit: (input: IngestInput) => Promise<IngestResult>,
): Promise<void> {
  if (engine.registry.buckets.size === 0 || event.name.startsWith("bucket.")) return;
  const contactChanged = contact.updated_at.getTime() >= event.receivedAt.getTime();
  for (const bucket of engine.registry.buckets.values()) {
    if (!affects(bucket, event.name, contactChanged)) continue;
    const member = await qualifies(engine, tx, bucket, contact.id);
    await setMembership(engine, tx, bucket.id, contact.id, member, emit);
  }
}

function affects(bucket: BucketDefinition, eventName: string, contactChanged: boolean): boolean {
  if (isCohortBucket(bucket)) return false;
  // A new or changed contact is evaluated against every bucket ("no session.started for 14 days" holds
  // from the start); otherwise only an event the criteria name can change anything.
  return contactChanged || historyEvents(bucket).includes(eventName);
}
