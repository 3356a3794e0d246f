import type { Db } from "../db/client.js";
import { invalidField } from "../errors.js";

export interface ListDefinition {
  id: string;
  name: string;
  description?: string;
  /** false = opt-in (only an explicit true receives); true = opt-out (only an explicit false is excluded). */
  defaultOptIn: boolean;
}

export const LIST_ID = /^[a-z0-9_-]+$/;
export const RESERVED_LIST_IDS = ["transactional", "journey"];

/**
 * Define a code-reviewed list contacts can subscribe to.
 *
 * @example
 * export const productUpdates = defineList({ id: "product-updates", name: "Product updates", defaultOptIn: true });
 */
export function defineList(definition: ListDefinition): ListDefinition {
  return definition;
}

/** Categories behave like opt-out lists in the preference center; "transactional" is never gated. */
export const BUILT_IN_CATEGORIES: ListDefinition[] = [
  { id: "journey", name: "Product and account emails", description: "Onboarding, follow-ups and reminders.", defaultOptIn: true },
  { id: "marketing", name: "Marketing", description: "Announcements and offers.", defaultOptIn: true },
];

/** Is a contact subscribed to a list, given its explicit membership (or none)? The one polarity rule. */
export function isSubscribedTo(list: ListDefinition, explicit: boolean | undefined): boolean {
  return list.defaultOptIn ? explicit !== false : explicit === true;
}

/** Apply a `lists` bag ({ listId: true|false }) in the caller's transaction. */
export async function applyListsBag(
  db: Db,
  lists: Map<string, ListDefinition>,
  contactId: string,
  bag: Record<string, boolean> | undefined,
  now: Date,
): Promise<void> {
  if (!bag) return;
  const entries = Object.entries(bag);
  for (const [listId] of entries) {
    if (!lists.has(listId)) throw invalidField(`lists.${listId}`, "unknown list");
  }
  for (const [listId, subscribed] of entries) {
    await db`insert into list_memberships (contact_id, list_id, subscribed, updated_at)
             values (${contactId}, ${listId}, ${subscribed}, ${now})
             on conflict (contact_id, list_id) do update set subscribed = excluded.subscribed, updated_at = excluded.updated_at`;
  }
}
