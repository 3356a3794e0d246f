import type { Engine } from "../engine.js";
import type { Db } from "../db/client.js";
import { isSubscribedTo } from "../audiences/lists.js";

export type PreferenceVerdict = { ok: true } | { ok: false; reason: "suppressed" | "unsubscribed" | "contact_deleted" | "category_opt_out" };

/** What the preference rules need, read in one query. */
export interface PreferenceFacts {
  suppressed: boolean;
  contactFound: boolean;
  deleted: boolean;
  unsubscribed: boolean;
  /** The explicit list/category membership, if any. */
  membership: boolean | null;
}

export async function loadPreferenceFacts(db: Db, input: { email: string; contactId: string | null; category: string }): Promise<PreferenceFacts> {
  const [row] = await db<PreferenceColumns[]>`select ${preferenceColumns(db, input)} ${preferenceFrom(db, input.contactId)}`;
  return toPreferenceFacts(row);
}

/** The columns behind PreferenceFacts, for a query `from` preferenceFrom (which joins the contact as c). */
export function preferenceColumns(db: Db, input: { email: string; category: string }) {
  return db`(select suppressed from suppressions where email = ${input.email}) as suppressed,
      c.id is not null as found, c.deleted_at is not null as deleted, c.unsubscribed_at is not null as unsubscribed,
      (select subscribed from list_memberships where contact_id = c.id and list_id = ${input.category}) as membership`;
}

export const preferenceFrom = (db: Db, contactId: string | null) => db`from (select 1) one left join contacts c on c.id = ${contactId}`;

export interface PreferenceColumns {
  suppressed: boolean | null;
  found: boolean;
  deleted: boolean;
  unsubscribed: boolean;
  membership: boolean | null;
}

export function toPreferenceFacts(row: PreferenceColumns): PreferenceFacts {
  return { suppressed: Boolean(row.suppressed), contactFound: row.found, deleted: row.deleted, unsubscribed: row.unsubscribed, membership: row.membership };
}

/**
 * The preference rules, in order: suppression list, contact deleted, global unsubscribe, category or list
 * preference (opt-in lists need an explicit true; opt-out lists block only an explicit false).
 */
export function preferenceVerdict(
  engine: Engine,
  facts: PreferenceFacts,
  input: { contactId: string | null; category: string; skipPreferenceCheck: boolean },
): PreferenceVerdict {
  if (facts.suppressed) return { ok: false, reason: "suppressed" };
  if (!input.contactId) return { ok: true };
  if (!facts.contactFound || facts.deleted) return { ok: false, reason: "contact_deleted" };
  if (input.skipPreferenceCheck) return { ok: true };
  if (facts.unsubscribed) return { ok: false, reason: "unsubscribed" };
  if (input.category === "transactional") return { ok: true };
  const list = engine.registry.lists.get(input.category);
  if (!list) return { ok: true };
  return isSubscribedTo(list, facts.membership ?? undefined) ? { ok: true } : { ok: false, reason: "category_opt_out" };
}

export async function checkPreferences(
  engine: Engine,
  db: Db,
  input: { email: string; contactId: string | null; category: string; skipPreferenceCheck: boolean },
): Promise<PreferenceVerdict> {
  return preferenceVerdict(engine, await loadPreferenceFacts(db, input), input);
}

/** ctx.guard.isSubscribed: would a send of this category reach the contact right now? */
export async function isSubscribedToCategory(engine: Engine, contactId: string, category: string): Promise<boolean> {
  const [contact] = await engine.sql<{ email: string | null }[]>`select email from contacts where id = ${contactId}`;
  if (!contact?.email) return false;
  const verdict = await checkPreferences(engine, engine.sql, { email: contact.email, contactId, category, skipPreferenceCheck: false });
  return verdict.ok;
}
