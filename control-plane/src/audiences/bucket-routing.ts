import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { ContactRow } from "../identity/contacts.js";
import type { IngestInput, IngestResult, StoredEvent } from "../ingest/types.js";
import { qualifies, setMembership } from "./membership.js";

/**
 * On every contact event, computed buckets re-evaluate for that contact: joins (and property-based leaves)
 * happen here, in the ingest transaction; leaves that only time causes happen in the reconcile job.
 */
export async function evaluateBucketsOnIngest(
  engine: Engine,
  tx: Tx,
  event: StoredEvent,
  contact: ContactRow,
  emit: (input: IngestInput) => Promise<IngestResult>,
): Promise<void> {
  if (engine.registry.buckets.size === 0 || event.name.startsWith("bucket.")) return;
  for (const bucket of engine.registry.buckets.values()) {
    if (bucket.posthogCohort !== undefined) continue;
    const member = await qualifies(engine, tx, bucket, contact.id);
    await setMembership(engine, tx, bucket.id, contact.id, member, emit);
  }
}
