import type { Engine } from "../engine.js";
import { applyListsBag, isSubscribedTo, BUILT_IN_CATEGORIES } from "../audiences/lists.js";
import { ingest } from "../ingest/ingest.js";
import { readToken, type TokenPayload } from "./sign.js";
import { findContact, resolveContact } from "../identity/contacts.js";

/** A valid, unexpired unsubscribe/preferences token (30 days) naming a contact or an address, or null. */
export function readPreferenceToken(engine: Engine, token: string): TokenPayload | null {
  const payload = readToken(engine.secrets.signing, token, engine.clock.now());
  return payload && (payload.c || payload.e) ? payload : null;
}

/**
 * The contact a token acts on: the send's contact, else the recipient's address (a journey's copy to a CSM,
 * an API send to an address no contact has). With `create`, an address no contact has gets one, so its
 * choice is kept for the next send; without, it is null.
 */
export async function tokenContact(engine: Engine, token: TokenPayload, create: boolean): Promise<string | null> {
  if (token.c) {
    // A contact merged since the email was sent: its choice belongs to the contact it became.
    const [row] = await engine.sql<{ id: string }[]>`
      with recursive chain as (
        select id, merged_into, 1 as depth from contacts where id = ${token.c}
        union all select c.id, c.merged_into, chain.depth + 1 from contacts c join chain on c.id = chain.merged_into where chain.depth < 10)
      select id from chain where merged_into is null`;
    return row?.id ?? token.c;
  }
  if (!token.e) return null;
  if (!create) return (await findContact(engine.sql, { email: token.e }))?.id ?? null;
  return engine.sql.begin(async (tx) => (await resolveContact(tx, { email: token.e }, engine.clock.now())).contact.id);
}

/** Global unsubscribe (one-click or from the preference center): applies to the next send. */
export async function unsubscribeAll(engine: Engine, contactId: string, via: string, sendId?: string): Promise<void> {
  await engine.sql.begin(async (tx) => {
    const now = engine.clock.now();
    const [row] = await tx`update contacts set unsubscribed_at = ${now}, updated_at = ${now} where id = ${contactId} and unsubscribed_at is null returning id`;
    if (row) await ingest(engine, { name: "email.unsubscribed", contactId, eventProperties: { via, scope: "all", ...(sendId ? { send_id: sendId } : {}) }, source: "engine" }, tx);
  });
}

export interface PreferenceRow {
  id: string;
  name: string;
  description: string | null;
  defaultOptIn: boolean;
  subscribed: boolean;
}

/** Each list and category as its own row, with its polarity and the contact's current state. */
export async function preferencesOf(engine: Engine, contactId: string | null): Promise<{ unsubscribed: boolean; lists: PreferenceRow[] }> {
  const [contact] = contactId ? await engine.sql<{ unsubscribed_at: Date | null }[]>`select unsubscribed_at from contacts where id = ${contactId}` : [];
  const memberships = contactId ? await engine.sql<{ list_id: string; subscribed: boolean }[]>`select list_id, subscribed from list_memberships where contact_id = ${contactId}` : [];
  const explicit = new Map(memberships.map((m) => [m.list_id, m.subscribed]));
  const lists = [...engine.registry.lists.values()].map((list) => ({
    id: list.id,
    name: list.name,
    description: list.description ?? null,
    defaultOptIn: list.defaultOptIn,
    subscribed: isSubscribedTo(list, explicit.get(list.id)),
  }));
  // Built-in categories first, then the app's lists.
  lists.sort((a, b) => Number(!BUILT_IN_CATEGORIES.some((c) => c.id === a.id)) - Number(!BUILT_IN_CATEGORIES.some((c) => c.id === b.id)));
  return { unsubscribed: Boolean(contact?.unsubscribed_at), lists };
}

/** Save the preference center's form: every list's state, and the global switch. */
export async function savePreferences(engine: Engine, contactId: string, choices: { lists: Record<string, boolean>; unsubscribeAll: boolean }): Promise<void> {
  const now = engine.clock.now();
  await engine.sql.begin(async (tx) => {
    await applyListsBag(tx, engine.registry.lists, contactId, choices.lists, now);
    if (!choices.unsubscribeAll) await tx`update contacts set unsubscribed_at = null, updated_at = ${now} where id = ${contactId}`;
  });
  if (choices.unsubscribeAll) await unsubscribeAll(engine, contactId, "preference_center");
}
