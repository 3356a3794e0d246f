import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { ContactRow } from "../identity/contacts.js";
import type { StoredEvent } from "../ingest/types.js";
import { addJob, Jobs } from "../worker/jobs.js";
import { destinationsFor } from "./destinations.js";

export const DELIVERY_MAX_ATTEMPTS = 10;

/**
 * Outbound delivery goes through the deliveries outbox: one row per (destination, event), written in the
 * ingest transaction with its job, so an outage never loses an event and a retry never duplicates one.
 */
export async function enqueueDeliveries(engine: Engine, tx: Tx, event: StoredEvent, contact: ContactRow | undefined): Promise<void> {
  const destinations = destinationsFor(engine, event.name, event.source);
  if (!destinations.length) return;
  const distinctId = contact ? await distinctIdOf(tx, contact) : null;
  const now = engine.clock.now();
  for (const destination of destinations) {
    if (destination === "posthog" && !distinctId) continue;
    const payload = { event: event.name, distinctId, properties: event.properties, timestamp: event.occurredAt.toISOString(), contactId: contact?.id ?? null };
    const [row] = await tx<{ id: string }[]>`
      insert into deliveries (destination, event_id, payload, status, created_at, updated_at)
      values (${destination}, ${event.id}, ${tx.json(payload as never)}, 'pending', ${now}, ${now})
      on conflict (destination, event_id) do nothing returning id`;
    if (row) await addJob(tx, Jobs.delivery, { deliveryId: row.id }, { runAt: now, jobKey: `delivery:${row.id}`, maxAttempts: DELIVERY_MAX_ATTEMPTS });
  }
}

/** The id PostHog knows the person by: their PostHog distinct_id, else userId, else email. */
async function distinctIdOf(tx: Tx, contact: ContactRow): Promise<string> {
  const [alias] = await tx<{ value: string }[]>`
    select value from contact_aliases where contact_id = ${contact.id} and kind = 'distinct_id' order by created_at limit 1`;
  return alias?.value ?? contact.user_id ?? contact.email ?? contact.id;
}
