import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import { ingest } from "../ingest/ingest.js";
import { lockContact } from "../identity/contacts.js";
import { criteriaSql, liveContact, qualifies, setMembership } from "./membership.js";
import { isCohortBucket, type BucketDefinition } from "./buckets.js";
import { exclusively } from "./locks.js";

/** Candidates read per page by settleMemberships callers (a shorter page ends the walk). */
export const MEMBERSHIP_PAGE = 500;
const PER_TRANSACTION = 100;

/**
 * The cron reconcile of computed buckets (every five minutes). Time-based criteria need it — nobody ingests
 * "fourteen silent days" or "the purchase is now 31 days old" — and it also catches property changes that
 * reached contacts without an event (a contacts upsert). Each bucket is reconciled by one process at a time.
 */
export async function reconcileBuckets(engine: Engine): Promise<{ entered: number; left: number }> {
  const total = { entered: 0, left: 0 };
  for (const bucket of engine.registry.buckets.values()) {
    if (isCohortBucket(bucket)) continue;
    const result = await exclusively(engine, `bucket:${bucket.id}`, () => reconcileBucket(engine, bucket));
    total.entered += result?.entered ?? 0;
    total.left += result?.left ?? 0;
  }
  return total;
}

/**
 * Who should join (qualifies, not a member) and who should leave (a member, no longer qualifies) are found
 * page by page in contact-id order, so memory stays flat in audience size. Each candidate is then re-checked
 * under its contact's row lock — the lock ingest holds — so a reconcile never undoes a join that an event
 * made after the page was read.
 */
export async function reconcileBucket(engine: Engine, bucket: BucketDefinition): Promise<{ entered: number; left: number }> {
  const sql = engine.sql;
  const criteria = bucket.criteria ?? [];
  const joins = (after: string) => sql<{ id: string }[]>`
    select c.id from contacts c
    where c.id > ${after} and ${liveContact(sql)} and ${criteriaSql(sql, criteria, engine.clock.now())}
      and not exists (select 1 from bucket_memberships m where m.bucket_id = ${bucket.id} and m.contact_id = c.id)
    order by c.id limit ${MEMBERSHIP_PAGE}`;
  const leaves = (after: string) => sql<{ id: string }[]>`
    select m.contact_id as id from bucket_memberships m
    where m.bucket_id = ${bucket.id} and m.contact_id > ${after}
      and not exists (select 1 from contacts c where c.id = m.contact_id and ${liveContact(sql)} and ${criteriaSql(sql, criteria, engine.clock.now())})
    order by m.contact_id limit ${MEMBERSHIP_PAGE}`;
  const qualified = (tx: Tx, id: string) => qualifies(engine, tx, bucket, id);
  const joined = await settleMemberships(engine, bucket.id, joins, qualified);
  const left = await settleMemberships(engine, bucket.id, leaves, qualified);
  return { entered: joined.entered + left.entered, left: joined.left + left.left };
}

/**
 * Walk candidates a page (MEMBERSHIP_PAGE) at a time in contact-id order — `page(after)` gives the next ones — and settle
 * each under its contact's row lock, PER_TRANSACTION to a transaction: `member` says, under the lock, whether
 * the contact belongs. Memory stays flat in audience size. Counts the joins and leaves that changed anything.
 */
export async function settleMemberships(
  engine: Engine,
  bucketId: string,
  page: (after: string) => Promise<{ id: string }[]>,
  member: (tx: Tx, contactId: string) => Promise<boolean>,
): Promise<{ entered: number; left: number }> {
  let entered = 0;
  let left = 0;
  for (let after = "00000000-0000-0000-0000-000000000000"; ; ) {
    const rows = await page(after);
    for (let i = 0; i < rows.length; i += PER_TRANSACTION) {
      const ids = rows.slice(i, i + PER_TRANSACTION).map((r) => r.id);
      const changes = await engine.sql.begin((tx) =>
        // Pipelined on the transaction's connection; row locks are taken in contact-id order.
        Promise.all(ids.map(async (id) => {
          await lockContact(tx, id);
          const joins = await member(tx, id);
          return (await setMembership(engine, tx, bucketId, id, joins, (e) => ingest(engine, e, tx))) ? (joins ? 1 : -1) : 0;
        })));
      entered += changes.filter((c) => c === 1).length;
      left += changes.filter((c) => c === -1).length;
    }
    if (rows.length < MEMBERSHIP_PAGE) return { entered, left };
    after = rows[rows.length - 1].id;
  }
}
