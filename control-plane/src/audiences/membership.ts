import type { Engine } from "../engine.js";
import type { Db, Tx } from "../db/client.js";
import type { BucketCriterion, BucketDefinition } from "./buckets.js";

/** A SQL condition over `c` (contacts) for a bucket's criteria, evaluated at `now`. */
export function criteriaSql(db: Db, criteria: BucketCriterion[], now: Date) {
  let sql = db`true`;
  for (const criterion of criteria) {
    if ("did" in criterion) {
      sql = db`${sql} and exists (select 1 from events e where e.contact_id = c.id and e.name = ${criterion.did} and e.occurred_at >= ${new Date(now.getTime() - criterion.within)})`;
    } else if ("didNot" in criterion) {
      sql = db`${sql} and not exists (select 1 from events e where e.contact_id = c.id and e.name = ${criterion.didNot} and e.occurred_at >= ${new Date(now.getTime() - criterion.within)})`;
    } else {
      const value = db`c.properties -> ${criterion.property}`;
      const text = db`c.properties ->> ${criterion.property}`;
      switch (criterion.op) {
        case "exists":
          sql = db`${sql} and ${value} is not null and ${value} <> 'null'::jsonb`;
          break;
        case "eq":
          sql = db`${sql} and ${value} = ${db.json(criterion.value as never)}::jsonb`;
          break;
        case "neq":
          sql = db`${sql} and ${value} is distinct from ${db.json(criterion.value as never)}::jsonb`;
          break;
        case "in":
          sql = db`${sql} and ${value} = any(select jsonb_array_elements(${db.json((criterion.value ?? []) as never)}::jsonb))`;
          break;
        default: {
          const op = { gt: db`>`, gte: db`>=`, lt: db`<`, lte: db`<=` }[criterion.op];
          sql = typeof criterion.value === "number"
            ? db`${sql} and jsonb_typeof(${value}) = 'number' and (${text})::numeric ${op} ${criterion.value}`
            : db`${sql} and ${text} ${op} ${String(criterion.value)}`;
        }
      }
    }
  }
  return sql;
}

export const liveContact = (db: Db) => db`c.deleted_at is null and c.merged_into is null`;

/**
 * Record a join or a leave, and emit bucket.entered / bucket.left through the pipeline, in the caller's
 * transaction (which holds the contact's row lock). Returns whether membership changed: a join of a member
 * or a leave of a non-member is a no-op and emits nothing.
 */
export async function setMembership(
  engine: Engine,
  tx: Tx,
  bucketId: string,
  contactId: string,
  member: boolean,
  emit: (input: { name: string; contactId: string; eventProperties: Record<string, unknown>; source: string }) => Promise<unknown>,
): Promise<boolean> {
  const now = engine.clock.now();
  const changed = member
    ? await tx`insert into bucket_memberships (bucket_id, contact_id, entered_at) values (${bucketId}, ${contactId}, ${now}) on conflict do nothing returning contact_id`
    : await tx`delete from bucket_memberships where bucket_id = ${bucketId} and contact_id = ${contactId} returning contact_id`;
  if (!changed.length) return false;
  await emit({ name: member ? "bucket.entered" : "bucket.left", contactId, eventProperties: { bucket_id: bucketId }, source: "engine" });
  return true;
}

/** Is the contact in the bucket by its criteria right now? */
export async function qualifies(engine: Engine, db: Db, bucket: BucketDefinition, contactId: string): Promise<boolean> {
  const [row] = await db`select 1 from contacts c where c.id = ${contactId} and ${liveContact(db)} and ${criteriaSql(db, bucket.criteria ?? [], engine.clock.now())}`;
  return Boolean(row);
}
