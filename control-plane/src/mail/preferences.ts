import type { Engine } from "../engine.js";
import type { Db } from "../db/client.js";
import { isSubscribedTo } from "../audiences/lists.js";

export type PreferenceVerdict = { ok: true } | { ok: false; reason: "suppressed" | "unsubscribed" | "contact_deleted" | "category_opt_out" };

/**
 * The preference rules, in order: suppression list, contact deleted, global unsubscribe, category or list
 * preference (opt-in lists need an explicit true; opt-out lists block only an explicit false).
 */
export async function checkPreferences(
  engine: Engine,
  db: Db,
  input: { email: string; contactId: string | null; category: string; skipPreferenceCheck: boolean },
): Promise<PreferenceVerdict> {
  const [suppression] = await db<{ suppressed: boolean }[]>`select suppressed from suppressions where email = ${input.email}`;
  if (suppression?.suppressed) return { ok: false, reason: "suppressed" };
  if (!input.contactId) return { ok: true };
  const [contact] = await db<{ unsubscribed_at: Date | null; deleted_at: Date | null }[]>`
    select unsubscribed_at, deleted_at from contacts where id = ${input.contactId}`;
  if (!contact || contact.deleted_at) return { ok: false, reason: "contact_deleted" };
  if (input.skipPreferenceCheck) return { ok: true };
  if (contact.unsubscribed_at) return { ok: false, reason: "unsubscribed" };
  if (input.category === "transactional") return { ok: true };
  const list = engine.registry.lists.get(input.category);
  if (!list) return { ok: true };
  const [membership] = await db<{ subscribed: boolean }[]>`
    select subscribed from list_memberships where contact_id = ${input.contactId} and list_id = ${input.category}`;
  return isSubscribedTo(list, membership?.subscribed) ? { ok: true } : { ok: false, reason: "category_opt_out" };
}

/** ctx.guard.isSubscribed: would a send of this category reach the contact right now? */
export async function isSubscribedToCategory(engine: Engine, contactId: string, category: string): Promise<boolean> {
  const [contact] = await engine.sql<{ email: string | null }[]>`select email from contacts where id = ${contactId}`;
  if (!contact?.email) return false;
  const verdict = await checkPreferences(engine, engine.sql, { email: contact.email, contactId, category, skipPreferenceCheck: false });
  return verdict.ok;
}
