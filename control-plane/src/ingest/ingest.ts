import type { Engine } from "../engine.js";
import type { Db, Tx } from "../db/client.js";
import { HogsendError, invalidField } from "../errors.js";
import { lockContact, mergeProperties, resolveContact, findContact, type ContactRow } from "../identity/contacts.js";
import { applyListsBag } from "../audiences/lists.js";
import { exitRuns, resumeWaits, enrollJourneys } from "../journeys/routing.js";
import { enqueueTasks } from "../tasks/routing.js";
import { evaluateBucketsOnIngest } from "../audiences/bucket-routing.js";
import { enqueueDeliveries } from "../destinations/enqueue.js";
import type { IngestInput, IngestResult, StoredEvent } from "./types.js";

/** Engine events re-entering the pipeline may nest (email.sent → bucket.entered → …); this bounds it. */
const MAX_DEPTH = 4;

/**
 * THE event pipeline. Every event, from any source, goes through here once, in one transaction:
 * identity → contact properties and lists → store (deduped by idempotency key) → exits → waits →
 * enrollments → tasks → buckets → destinations. Jobs are enqueued in the same transaction.
 */
export async function ingest(engine: Engine, input: IngestInput, tx?: Tx, depth = 0): Promise<IngestResult> {
  if (depth > MAX_DEPTH) throw new HogsendError("internal", `event "${input.name}" nested too deeply`);
  if (tx) return ingestInTx(engine, tx, input, depth);
  return engine.sql.begin((t) => ingestInTx(engine, t, input, depth)) as Promise<IngestResult>;
}

async function ingestInTx(engine: Engine, tx: Tx, input: IngestInput, depth: number): Promise<IngestResult> {
  const now = engine.clock.now();
  const key = input.idempotencyKey ?? null;
  if (key) {
    // Lock order: idempotency key → identity → contact (see identity/contacts.ts).
    await tx`select pg_advisory_xact_lock(hashtextextended(${"idem:" + key}, 0))`;
    const [seen] = await tx`select 1 from events where idempotency_key = ${key}`;
    if (seen) return { stored: false, eventId: null, contactId: null, exits: [] };
  }

  let contact: ContactRow | undefined;
  const hasIdentity = Boolean(input.email || input.userId || input.distinctId);
  if (input.contactId) {
    await lockContact(tx, input.contactId);
    [contact] = await tx<ContactRow[]>`select * from contacts where id = ${input.contactId} and deleted_at is null`;
  }
  if (!contact && hasIdentity) {
    contact = (await resolveContact(tx, { email: input.email, userId: input.userId, distinctId: input.distinctId }, now)).contact;
    await lockContact(tx, contact.id);
  }
  if (contact) {
    if (input.contactProperties) await mergeProperties(tx, contact.id, input.contactProperties, now);
    if (input.personProperties) {
      await tx`update contacts set person_properties = person_properties || ${tx.json(input.personProperties as never)}::jsonb where id = ${contact.id}`;
    }
    await applyListsBag(tx, engine.registry.lists, contact.id, input.lists, now);
    if (input.contactProperties || input.personProperties) {
      [contact] = await tx<ContactRow[]>`select * from contacts where id = ${contact.id}`;
    }
  } else if (input.lists && Object.keys(input.lists).length) {
    throw invalidField("lists", "needs email or userId");
  }

  const [row] = await tx<{ id: string }[]>`
    insert into events (contact_id, name, properties, source, idempotency_key, occurred_at, received_at)
    values (${contact?.id ?? null}, ${input.name}, ${tx.json((input.eventProperties ?? {}) as never)}, ${input.source}, ${key},
            ${input.timestamp ?? now}, ${now})
    on conflict (idempotency_key) do nothing
    returning id`;
  if (!row) return { stored: false, eventId: null, contactId: contact?.id ?? null, exits: [] };

  const event: StoredEvent = {
    id: row.id,
    name: input.name,
    contactId: contact?.id ?? null,
    properties: input.eventProperties ?? {},
    occurredAt: input.timestamp ?? now,
    receivedAt: now,
    source: input.source,
  };

  const exits = contact ? await exitRuns(engine, tx, event, contact) : [];
  if (contact) await resumeWaits(engine, tx, event);
  if (contact) await enrollJourneys(engine, tx, event, contact);
  await enqueueTasks(engine, tx, event, contact);
  if (contact) await evaluateBucketsOnIngest(engine, tx, event, contact, (child) => ingest(engine, child, tx, depth + 1));
  await enqueueDeliveries(engine, tx, event, contact);
  return { stored: true, eventId: event.id, contactId: contact?.id ?? null, exits };
}

/** Resolve without creating: for reads that must not invent contacts. */
export async function lookupContact(db: Db, identity: { email?: string; userId?: string }) {
  return findContact(db, identity);
}
