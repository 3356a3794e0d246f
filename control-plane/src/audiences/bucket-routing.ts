import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { ContactRow } from "../identity/contacts.js";
import type { IngestInput, IngestResult, StoredEvent } from "../ingest/types.js";

/** Buckets re-evaluated on ingest: joins (and property-based leaves) emit bucket.entered / bucket.left. */
export async function evaluateBucketsOnIngest(
  engine: Engine,
  _tx: Tx,
  _event: StoredEvent,
  _contact: ContactRow,
  _emit: (input: IngestInput) => Promise<IngestResult>,
): Promise<void> {
  if (engine.registry.buckets.size === 0) return;
  // Computed buckets arrive with the audiences work (issue 6).
}
