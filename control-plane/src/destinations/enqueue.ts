import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { ContactRow } from "../identity/contacts.js";
import type { StoredEvent } from "../ingest/types.js";

/** Outbound delivery of engine events to PostHog and signed webhooks (destinations work, issue 5). */
export async function enqueueDeliveries(_engine: Engine, _tx: Tx, _event: StoredEvent, _contact: ContactRow | undefined): Promise<void> {}
