import type { Engine } from "../engine.js";
import { retryDeadlock, type Tx } from "../db/client.js";
import { HogsendError, invalidField } from "../errors.js";
import { mergeProperties, resolveContact, type ContactRow } from "../identity/contacts.js";
import { normalizeEmail } from "../identity/normalize.js";
import { pipelinedTransaction } from "../db/pipelined.js";
import type { Condition } from "../journeys/conditions.js";
import { applyListsBag } from "../audiences/lists.js";
import { exitRuns, resumeWaits, enrollJourneys, type ExitCandidate, type StoredEnrollmentFacts } from "../journeys/routing.js";
import { enqueueTasks } from "../tasks/routing.js";
import { evaluateBucketsOnIngest } from "../audiences/bucket-routing.js";
import { enqueueDeliveries } from "../destinations/enqueue.js";
import type { IngestInput, IngestResult, StoredEvent } from "./types.js";

/** Engine events re-entering the pipeline may nest (email.sent → bucket.entered → …); this bounds it. */
const MAX_DEPTH = 4;

/**
 * THE event pipeline. Every event, from any source, goes through here once, in one transaction:
 * identity (row-locked) → store (deduped by idempotency key) → contact properties and lists → exits → waits →
 * enrollments → tasks → buckets → destinations. Jobs are enqueued in the same transaction.
 */
export async function ingest(engine: Engine, input: IngestInput, tx?: Tx, depth = 0): Promise<IngestResult> {
  if (depth > MAX_DEPTH) throw new HogsendError("internal", `event "${input.name}" nested too deeply`);
  if (tx) return ingestInTx(engine, tx, input, depth, Boolean(input.contactId));
  return retryDeadlock(async () => {
    try {
      return await pipelinedTransaction(engine.sql, (t) => ingestInTx(engine, t, input, depth, true));
    } catch (error) {
      if (!(error instanceof ContactAppeared)) throw error;
      return engine.sql.begin((t) => ingestInTx(engine, t, input, depth, false)) as Promise<IngestResult>;
    }
  });
}

type StoredRow = {
  id: string;
  waits: { id: string; run_id: string; condition: Condition | null }[];
  exit_runs: ExitCandidate[];
  /** The enrollment facts of each journey the event triggers, by journey id (single events only). */
  enrollment?: Record<string, StoredEnrollmentFacts> | null;
};

/**
 * Read in the statement that stores each event: the waiting waits of its contact for its name, and the live
 * runs of its contact whose exitOn (as stored when they entered) names it.
 */
const routingOfStored = (tx: Tx) => tx`coalesce((
  select json_agg(json_build_object('id', w.id, 'run_id', w.run_id, 'condition', w.condition))
  from journey_waits w where w.contact_id = stored.contact_id and w.event_name = stored.name and w.status = 'waiting'), '[]') as waits,
  coalesce((
  select json_agg(json_build_object('id', r.id, 'journey_id', r.journey_id, 'exit_on', r.exit_on))
  from journey_runs r where r.contact_id = stored.contact_id and r.status in ('running', 'waiting', 'sleeping')
    and r.exit_on @> jsonb_build_array(jsonb_build_object('event', stored.name))), '[]') as exit_runs`;

/**
 * Also read in the statement that stores a single event: the enrollment facts of the journeys its name
 * triggers, as enrollmentFacts reads them, saving that round trip per enrollment.
 */
function enrollmentOfStored(engine: Engine, tx: Tx, name: string) {
  const ids = (engine.registry.journeysByTrigger.get(name) ?? []).map((j) => j.meta.id);
  if (!ids.length) return tx`null as enrollment`;
  return tx`(
  select json_object_agg(j.id, json_build_object(
    'enabled', (select s.enabled from journey_settings s where s.journey_id = j.id),
    'last_entered_at', (select e.last_entered_at from journey_entries e where e.journey_id = j.id and e.contact_id = stored.contact_id),
    'live', exists (select 1 from journey_runs r where r.journey_id = j.id and r.contact_id = stored.contact_id and r.status in ('running', 'waiting', 'sleeping'))))
  from unnest(${ids}::text[]) as j(id) where stored.contact_id is not null) as enrollment`;
}

/** The contact this event names by one key (contactId, or email or userId alone), as a WHERE clause; else null. */
function oneKeyFilter(tx: Tx, input: IngestInput) {
  if (input.contactId) return tx`id = ${input.contactId} and deleted_at is null`;
  if (input.distinctId || Boolean(input.email) === Boolean(input.userId)) return null;
  const live = tx`merged_into is null and deleted_at is null`;
  return input.email ? tx`email = ${normalizeEmail(input.email)} and ${live}` : tx`user_id = ${input.userId!} and ${live}`;
}

/**
 * The answer to an idempotency key already stored, else null. Checked before the contact is resolved: a
 * replayed key changes nothing, not even the contact it names (resolving may create, link or merge).
 */
export async function replayOf(tx: Tx, key: string): Promise<IngestResult | null> {
  const [seen] = await tx<{ contact_id: string | null }[]>`select contact_id from events where idempotency_key = ${key}`;
  return seen ? { stored: false, eventId: null, contactId: seen.contact_id, exits: [] } : null;
}

/** A contact created between the two pipelined statements: the transaction is redone without pipelining. */
class ContactAppeared extends Error {}

async function ingestInTx(engine: Engine, tx: Tx, input: IngestInput, depth: number, pipeline: boolean): Promise<IngestResult> {
  const now = engine.clock.now();
  const key = input.idempotencyKey ?? null;
  const store = (contactId: ReturnType<Tx>) => tx<StoredRow[]>`
    with stored as (
      insert into events (contact_id, name, properties, source, idempotency_key, occurred_at, received_at)
      select c.id, ${input.name}, ${tx.json((input.eventProperties ?? {}) as never)}, ${input.source}, ${key}, ${input.timestamp ?? now}, ${now}
      from ${contactId} as c(id)
      on conflict (idempotency_key) do nothing
      returning id, contact_id, name)
    select stored.id, ${routingOfStored(tx)}, ${enrollmentOfStored(engine, tx, input.name)} from stored`;

  // Lock order: identity keys → contact row (see identity/contacts.ts). The row lock orders this event
  // against wait registration for the same contact, so a lookback and this ingest never both miss it.
  let contact: ContactRow | undefined;
  let row: StoredRow | undefined;
  const filter = pipeline ? oneKeyFilter(tx, input) : null;
  if (filter) {
    // The common case in one round trip: lock the contact, then store the event. The second statement runs
    // after the first, with its own snapshot, so it sees every wait committed before the lock was granted.
    const [locked, stored] = await Promise.all([
      tx<ContactRow[]>`select * from contacts where ${filter} for update`,
      store(tx`(select id from contacts where ${filter})`),
    ]);
    [contact] = locked;
    if (!contact && stored.length) throw new ContactAppeared();
    if (contact && !stored.length) return { stored: false, eventId: null, contactId: contact.id, exits: [] };
    row = stored[0];
  }
  if (!contact && input.contactId) {
    [contact] = await tx<ContactRow[]>`select * from contacts where id = ${input.contactId} and deleted_at is null for update`;
  }
  if (!contact && (input.email || input.userId || input.distinctId)) {
    const replayed = key ? await replayOf(tx, key) : null;
    if (replayed) return replayed;
    contact = (await resolveContact(tx, { email: input.email, userId: input.userId, distinctId: input.distinctId }, now)).contact;
  } else if (!contact && input.lists && Object.keys(input.lists).length) {
    throw invalidField("lists", "needs email or userId");
  }

  // Store first: a replayed idempotency key stops here, before the contact is changed.
  if (!row) [row] = await store(tx`(values (${contact?.id ?? null}::uuid))`);
  if (!row) return { stored: false, eventId: null, contactId: contact?.id ?? null, exits: [] };

  if (contact) {
    if (input.contactProperties) await mergeProperties(tx, contact.id, input.contactProperties, now);
    if (input.personProperties) {
      await tx`update contacts set person_properties = person_properties || ${tx.json(input.personProperties as never)}::jsonb where id = ${contact.id}`;
    }
    await applyListsBag(tx, engine.registry.lists, contact.id, input.lists, now);
    if (input.contactProperties || input.personProperties) {
      [contact] = await tx<ContactRow[]>`select * from contacts where id = ${contact.id}`;
    }
  }

  const event = storedEvent(row.id, input, contact?.id ?? null, now);
  const exits = await route(engine, tx, event, contact, row, depth);
  return { stored: true, eventId: event.id, contactId: contact?.id ?? null, exits };
}

function storedEvent(id: string, input: IngestInput, contactId: string | null, now: Date): StoredEvent {
  return {
    id,
    name: input.name,
    contactId,
    properties: input.eventProperties ?? {},
    occurredAt: input.timestamp ?? now,
    receivedAt: now,
    source: input.source,
  };
}

/** Everything after the store: exits → waits → enrollments → tasks → buckets → destinations. */
async function route(engine: Engine, tx: Tx, event: StoredEvent, contact: ContactRow | undefined, stored: StoredRow, depth: number) {
  const exits = contact ? await exitRuns(engine, tx, event, stored.exit_runs) : [];
  if (contact && stored.waits.length) await resumeWaits(engine, tx, event, stored.waits);
  if (contact) await enrollJourneys(engine, tx, event, contact, stored.enrollment ?? null);
  await enqueueTasks(engine, tx, event, contact);
  if (contact) await evaluateBucketsOnIngest(engine, tx, event, contact, (child) => ingest(engine, child, tx, depth + 1));
  await enqueueDeliveries(engine, tx, event, contact);
  return exits;
}

/** An engine event naming its contact by id, with its idempotency key: what a batch of sends records. */
export type EngineEventInput = IngestInput & { contactId: string; idempotencyKey: string };

/**
 * Many engine events in the caller's transaction, through the same pipeline as `ingest`, with the per-event
 * statements made set-based: one statement locks the contacts (in id order, the lock order), one stores
 * every event and reads its waits; then each stored event is routed as `ingest` routes it. A replayed key
 * is skipped; an event whose contact is deleted is stored without one, as `ingest` stores it.
 */
export async function ingestMany(engine: Engine, tx: Tx, inputs: EngineEventInput[]): Promise<void> {
  if (!inputs.length) return;
  const now = engine.clock.now();
  const ids = [...new Set(inputs.map((i) => i.contactId))].sort();
  const locked = await tx<ContactRow[]>`select * from contacts where id = any(${ids}::uuid[]) and deleted_at is null order by id for update`;
  const contacts = new Map(locked.map((c) => [c.id, c]));
  const records = inputs.map((i) => ({
    contact_id: contacts.has(i.contactId) ? i.contactId : null,
    name: i.name,
    properties: i.eventProperties ?? {},
    source: i.source,
    idempotency_key: i.idempotencyKey,
    occurred_at: (i.timestamp ?? now).toISOString(),
  }));
  const stored = await tx<(StoredRow & { idempotency_key: string })[]>`
    with stored as (
      insert into events (contact_id, name, properties, source, idempotency_key, occurred_at, received_at)
      select r.contact_id, r.name, r.properties, r.source, r.idempotency_key, r.occurred_at, ${now}
      from jsonb_to_recordset(${tx.json(records as never)}) as r(contact_id uuid, name text, properties jsonb, source text, idempotency_key text, occurred_at timestamptz)
      on conflict (idempotency_key) do nothing
      returning id, contact_id, name, idempotency_key)
    select stored.id, stored.idempotency_key, ${routingOfStored(tx)} from stored`;
  const byKey = new Map(inputs.map((i) => [i.idempotencyKey, i]));
  // Pipelined on the transaction's connection; most events route without a statement.
  await Promise.all(stored.map((row) => {
    const input = byKey.get(row.idempotency_key)!;
    const contact = contacts.get(input.contactId);
    return route(engine, tx, storedEvent(row.id, input, contact?.id ?? null, now), contact, row, 0);
  }));
}
