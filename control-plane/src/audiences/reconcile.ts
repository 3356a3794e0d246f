import type { Engine } from "../engine.js";
import { ingest } from "../ingest/ingest.js";
import { lockContact } from "../identity/contacts.js";
import { criteriaSql, liveContact, qualifies, setMembership } from "./membership.js";
import { isCohortBucket, type BucketDefinition } from "./buckets.js";
import { exclusively } from "./locks.js";

const PAGE = 500;
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
  let entered = 0;
  let left = 0;
  for (const side of ["join", "leave"] as const) {
    for (let after = "00000000-0000-0000-0000-000000000000"; ; ) {
      const now = engine.clock.now();
      const page = side === "join"
        ? await sql<{ id: string }[]>`
            select c.id from contacts c
            where c.id > ${after} and ${liveContact(sql)} and ${criteriaSql(sql, criteria, now)}
              and not exists (select 1 from bucket_memberships m where m.bucket_id = ${bucket.id} and m.contact_id = c.id)
            order by c.id limit ${PAGE}`
        : await sql<{ id: string }[]>`
            select m.contact_id as id from bucket_memberships m
            where m.bucket_id = ${bucket.id} and m.contact_id > ${after}
              and not exists (select 1 from contacts c where c.id = m.contact_id and ${liveContact(sql)} and ${criteriaSql(sql, criteria, now)})
            order by m.contact_id limit ${PAGE}`;
      for (let i = 0; i < page.length; i += PER_TRANSACTION) {
        const ids = page.slice(i, i + PER_TRANSACTION).map((r) => r.id);
        const changed = await sql.begin((tx) =>
          // Pipelined on the transaction's connection; row locks are taken in contact-id order.
          Promise.all(ids.map(async (id) => {
            await lockContact(tx, id);
            const member = await qualifies(engine, tx, bucket, id);
            return (await setMembership(engine, tx, bucket.id, id, member, (e) => ingest(engine, e, tx))) ? (member ? 1 : -1) : 0;
          })));
        entered += changed.filter((c) => c === 1).length;
        left += changed.filter((c) => c === -1).length;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].id;
    }
  }
  return { entered, left };
}
