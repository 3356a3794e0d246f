import type { Db } from "../db/client.js";
import { HogsendError } from "../errors.js";
import { normalizeEmail } from "./normalize.js";
import { cancelRuns } from "../journeys/store.js";

export interface ContactRow {
  id: string;
  email: string | null;
  user_id: string | null;
  properties: Record<string, unknown>;
  person_properties: Record<string, unknown>;
  unsubscribed_at: Date | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface Identity {
  email?: string | null;
  userId?: string | null;
  /** A PostHog distinct_id; resolves through contact_aliases. */
  distinctId?: string | null;
}

export interface ResolveResult {
  contact: ContactRow;
  created: boolean;
  linked: boolean;
  merged: string[];
}

/** The contact's public shape (API, SDK, Studio). */
export function contactView(c: ContactRow) {
  return {
    id: c.id,
    email: c.email,
    userId: c.user_id,
    properties: c.properties,
    unsubscribed: c.unsubscribed_at !== null,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}

/**
 * Lock order, everywhere: identity keys (advisory: email, then userId, then distinct_id) → the contact row
 * (`FOR UPDATE`). Identity locks make two concurrent upserts naming the same new person resolve to one
 * contact; the row lock orders everything done to one contact (ingest, wait registration, merges).
 */
async function lockIdentity(tx: Db, id: { email?: string; userId?: string; distinctId?: string }) {
  const keys = [
    id.email && `email:${id.email}`,
    id.userId && `user:${id.userId}`,
    id.distinctId && `distinct:${id.distinctId}`,
  ].filter(Boolean) as string[];
  // Pipelined, in this order: the server takes them one after another, as sequential awaits would.
  await Promise.all(keys.map((key) => tx`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`));
}

export async function lockContact(tx: Db, contactId: string) {
  await tx`select id from contacts where id = ${contactId} for update`;
}

/**
 * The live contact for an identity, row-locked. A merge or delete that lands while the lock is awaited
 * fails the locked row's check; the identity is then looked up again (a merged-away key finds the survivor).
 */
export async function findAndLockContact(tx: Db, identity: { email?: string | null; userId?: string | null }): Promise<ContactRow | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await findContact(tx, { email: identity.email ?? undefined, userId: identity.userId ?? undefined });
    if (!found) return undefined;
    const [locked] = await tx<ContactRow[]>`select * from contacts where id = ${found.id} and merged_into is null and deleted_at is null for update`;
    if (locked) return locked;
  }
  return undefined;
}

/** The live contact holding this key, else the one an alias (a merged-away key) points to. */
async function findLive(tx: Db, column: "email" | "user_id", value: string): Promise<ContactRow | undefined> {
  // Index lookups only (an OR across the two keys would scan the table): the live holder, else the alias's.
  const [row] = await tx<ContactRow[]>`
    select c.* from contacts c
    where c.id = coalesce(
        (select id from contacts where ${tx(column)} = ${value} and merged_into is null and deleted_at is null),
        (select contact_id from contact_aliases where kind = ${column} and value = ${value}))
      and c.merged_into is null and c.deleted_at is null`;
  return row;
}

async function findByDistinctId(tx: Db, distinctId: string): Promise<ContactRow | undefined> {
  const [row] = await tx<ContactRow[]>`
    select c.* from contact_aliases a join contacts c on c.id = a.contact_id
    where a.kind = 'distinct_id' and a.value = ${distinctId} and c.merged_into is null and c.deleted_at is null`;
  return row;
}

/** Find the live contact for an identity without creating one. */
export async function findContact(db: Db, identity: Identity): Promise<ContactRow | undefined> {
  if (identity.userId) {
    const c = await findLive(db, "user_id", identity.userId);
    if (c) return c;
  }
  if (identity.email) {
    const c = await findLive(db, "email", normalizeEmail(identity.email));
    if (c) return c;
  }
  if (identity.distinctId) return findByDistinctId(db, identity.distinctId);
  return undefined;
}

/**
 * Resolve an identity to one canonical contact, creating or linking as needed; when the keys name two
 * different contacts they merge (the older survives). Must run inside a transaction.
 */
export async function resolveContact(tx: Db, identity: Identity, now: Date, attempt = 1): Promise<ResolveResult> {
  const email = identity.email ? normalizeEmail(identity.email) : undefined;
  const userId = identity.userId ?? undefined;
  const distinctId = identity.distinctId ?? undefined;
  if (!email && !userId && !distinctId) {
    throw new HogsendError("identity_required", "email or userId is required", {
      issues: [{ field: "email", message: "email or userId is required" }],
    });
  }
  if (Boolean(email) !== Boolean(userId) && !distinctId) {
    const fast = await resolveOneKey(tx, email ? "email" : "user_id", (email ?? userId)!, now);
    if (fast) return fast;
  }
  if (email && userId && !distinctId) {
    // A known person sending both keys again: nothing to link or merge.
    const [known] = await tx<ContactRow[]>`
      select * from contacts where user_id = ${userId} and email = ${email} and merged_into is null and deleted_at is null for update`;
    if (known) return { contact: known, created: false, linked: false, merged: [] };
  }
  // The identity locks, then the lookups, in one round trip: the lookups run once the locks are granted.
  const [, byUser, byEmail, byDistinct] = await Promise.all([
    lockIdentity(tx, { email, userId, distinctId }),
    userId ? findLive(tx, "user_id", userId) : undefined,
    email ? findLive(tx, "email", email) : undefined,
    distinctId ? findByDistinctId(tx, distinctId) : undefined,
  ]);
  const found = uniqueById([byUser, byEmail, byDistinct]);

  let contact: ContactRow;
  let created = false;
  let linked = false;
  const merged: string[] = [];

  if (found.length === 0) {
    // A one-key create of the same person (which takes no identity lock) may commit first: then look again.
    const [inserted] = await tx<ContactRow[]>`
      insert into contacts (email, user_id, created_at, updated_at)
      values (${email ?? null}, ${userId ?? null}, ${now}, ${now}) on conflict do nothing returning *`;
    if (!inserted) {
      if (attempt >= 3) throw new Error("resolveContact: the identity kept changing under concurrent writes");
      return resolveContact(tx, identity, now, attempt + 1);
    }
    contact = inserted;
    created = true;
  } else {
    found.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id));
    contact = found[0];
    for (const loser of found.slice(1)) {
      if (!(await mergeContacts(tx, contact, loser, now))) {
        if (attempt >= 3) throw new Error("resolveContact: the identity kept changing under concurrent writes");
        return resolveContact(tx, identity, now, attempt + 1);
      }
      merged.push(loser.id);
    }
    // A merged-away contact no longer holds its keys (the unique indexes cover live contacts): the survivor takes them.
    const setEmail = email && !contact.email;
    const setUser = userId && !contact.user_id;
    if (setEmail || setUser || merged.length) {
      // Only while the contact is live: a merge of it (from PostHog's $identify, say) may land first.
      const link = () => tx<ContactRow[]>`
        update contacts set
          email = coalesce(email, ${setEmail ? email! : null}),
          user_id = coalesce(user_id, ${setUser ? userId! : null}),
          updated_at = ${now}
        where id = ${contact.id} and merged_into is null and deleted_at is null returning *`;
      let linkedRow: ContactRow | undefined;
      if (!setEmail && !setUser) [linkedRow] = await link();
      else {
        // A one-key create (which takes no identity lock) may have just taken the key: then look again, and
        // the contact that won is found and merged in.
        await tx`savepoint link_keys`;
        try {
          [linkedRow] = await link();
          await tx`release savepoint link_keys`;
        } catch (error) {
          if ((error as { code?: string }).code !== "23505" || attempt >= 3) throw error;
          await tx`rollback to savepoint link_keys`;
          return resolveContact(tx, identity, now, attempt + 1);
        }
      }
      if (!linkedRow) {
        if (attempt >= 3) throw new Error("resolveContact: the identity kept changing under concurrent writes");
        return resolveContact(tx, identity, now, attempt + 1);
      }
      contact = linkedRow;
      linked = Boolean(setEmail || setUser);
    } else {
      // Nothing to change: still take the contact's row lock, which orders this event against wait
      // registration and other enrollments as on every other path. A merge or delete meanwhile: look again.
      const [locked] = await tx<ContactRow[]>`select * from contacts where id = ${contact.id} and merged_into is null and deleted_at is null for update`;
      if (!locked) {
        if (attempt >= 3) throw new Error("resolveContact: the identity kept changing under concurrent writes");
        return resolveContact(tx, identity, now, attempt + 1);
      }
      contact = locked;
    }
  }
  if (distinctId && !byDistinct) {
    await tx`insert into contact_aliases (kind, value, contact_id, created_at) values ('distinct_id', ${distinctId}, ${contact.id}, ${now})
             on conflict (kind, value) do update set contact_id = excluded.contact_id`;
  }
  return { contact, created, linked, merged };
}

/**
 * The hot path: one key, so nothing can need linking or merging. Find and row-lock the live contact, or
 * create it; a concurrent create of the same key loses the unique index race and finds the winner.
 * Returns undefined when only an alias knows the key (the general path handles it).
 */
async function resolveOneKey(tx: Db, column: "email" | "user_id", value: string, now: Date): Promise<ResolveResult | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [found] = await tx<ContactRow[]>`
      select * from contacts where ${tx(column)} = ${value} and merged_into is null and deleted_at is null for update`;
    if (found) return { contact: found, created: false, linked: false, merged: [] };
    const [aliased] = await tx`select 1 from contact_aliases where kind = ${column} and value = ${value}`;
    if (aliased) return undefined;
    const [created] = await tx<ContactRow[]>`
      insert into contacts (email, user_id, created_at, updated_at)
      values (${column === "email" ? value : null}, ${column === "user_id" ? value : null}, ${now}, ${now})
      on conflict (${tx(column)}) where merged_into is null and deleted_at is null do nothing
      returning *`;
    if (created) return { contact: created, created: true, linked: false, merged: [] };
  }
  return undefined;
}

function uniqueById(rows: (ContactRow | undefined)[]): ContactRow[] {
  const seen = new Map<string, ContactRow>();
  for (const r of rows) if (r && !seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()];
}

/**
 * Fold `loser` into `survivor`: history moves, the survivor's properties win on conflict, and an alias row
 * keeps each of the loser's keys resolvable. Both rows are locked first, in id order, and must still be
 * live: a concurrent merge of the same pair the other way round (or a delete) lands first, and then this
 * returns false, changing nothing, for the caller to look the identity up again.
 */
export async function mergeContacts(tx: Db, survivor: ContactRow, stale: ContactRow, now: Date): Promise<boolean> {
  const live = await tx<ContactRow[]>`
    select * from contacts where id in (${survivor.id}, ${stale.id}) and merged_into is null and deleted_at is null
    order by id for update`;
  if (live.length < 2) return false;
  // The loser as it is now that it is locked: an unsubscribe or a key committed while the lock was awaited counts.
  const loser = live.find((c) => c.id === stale.id)!;
  await tx`update contacts set merged_into = ${survivor.id}, updated_at = ${now} where id = ${loser.id}`;
  await tx`update contacts set properties = ${tx.json(loser.properties as never)}::jsonb || properties,
             person_properties = ${tx.json(loser.person_properties as never)}::jsonb || person_properties,
             unsubscribed_at = coalesce(unsubscribed_at, ${loser.unsubscribed_at}),
             updated_at = ${now}
           where id = ${survivor.id}`;
  if (loser.email) await addAlias(tx, "email", loser.email, survivor.id, now);
  if (loser.user_id) await addAlias(tx, "user_id", loser.user_id, survivor.id, now);
  await tx`update contact_aliases set contact_id = ${survivor.id} where contact_id = ${loser.id}`;
  await tx`update events set contact_id = ${survivor.id} where contact_id = ${loser.id}`;
  await tx`insert into list_memberships (contact_id, list_id, subscribed, updated_at)
           select ${survivor.id}, list_id, subscribed, updated_at from list_memberships where contact_id = ${loser.id}
           on conflict (contact_id, list_id) do update set subscribed = excluded.subscribed, updated_at = excluded.updated_at
           where list_memberships.updated_at < excluded.updated_at`;
  await tx`delete from list_memberships where contact_id = ${loser.id}`;
  // A journey can hold one live run per contact: the survivor's run stays, the loser's duplicate is cancelled.
  await cancelRuns(tx, tx`
    select id from journey_runs where contact_id = ${loser.id}
      and journey_id in (select journey_id from journey_runs where contact_id = ${survivor.id} and status in ('running', 'waiting', 'sleeping'))`, "merged", now);
  await tx`update journey_runs set contact_id = ${survivor.id} where contact_id = ${loser.id}`;
  await tx`update journey_steps set contact_id = ${survivor.id} where contact_id = ${loser.id}`;
  await tx`update journey_waits set contact_id = ${survivor.id} where contact_id = ${loser.id}`;
  await tx`insert into journey_entries (journey_id, contact_id, last_entered_at, entry_count)
           select journey_id, ${survivor.id}, last_entered_at, entry_count from journey_entries where contact_id = ${loser.id}
           on conflict (journey_id, contact_id) do update set
             last_entered_at = greatest(journey_entries.last_entered_at, excluded.last_entered_at),
             entry_count = journey_entries.entry_count + excluded.entry_count`;
  await tx`delete from journey_entries where contact_id = ${loser.id}`;
  await tx`update journey_enrollments set contact_id = ${survivor.id} where contact_id = ${loser.id}`;
  await tx`update email_sends set contact_id = ${survivor.id} where contact_id = ${loser.id}`;
  await tx`insert into bucket_memberships (bucket_id, contact_id, entered_at)
           select bucket_id, ${survivor.id}, entered_at from bucket_memberships where contact_id = ${loser.id}
           on conflict do nothing`;
  await tx`delete from bucket_memberships where contact_id = ${loser.id}`;
  return true;
}

async function addAlias(tx: Db, kind: string, value: string, contactId: string, now: Date) {
  await tx`insert into contact_aliases (kind, value, contact_id, created_at) values (${kind}, ${value}, ${contactId}, ${now})
           on conflict (kind, value) do update set contact_id = excluded.contact_id`;
}

/**
 * Additive property merge: given keys overwrite, an explicit null removes the key, others are untouched.
 */
export async function mergeProperties(tx: Db, contactId: string, properties: Record<string, unknown>, now: Date) {
  const set: Record<string, unknown> = {};
  const clear: string[] = [];
  for (const [k, v] of Object.entries(properties)) {
    if (v === null) clear.push(k);
    else set[k] = v;
  }
  if (!Object.keys(set).length && !clear.length) return;
  await tx`update contacts set properties = (properties || ${tx.json(set as never)}::jsonb) - ${clear}::text[], updated_at = ${now}
           where id = ${contactId}`;
}

/** Soft delete: the contact no longer resolves, receives nothing, and its live runs are cancelled. */
export async function softDeleteContact(tx: Db, contactId: string, now: Date) {
  await tx`update contacts set deleted_at = ${now}, updated_at = ${now} where id = ${contactId}`;
  await cancelRuns(tx, tx`select id from journey_runs where contact_id = ${contactId}`, "contact_deleted", now);
}
