import type { Engine } from "../engine.js";
import { ingest } from "../ingest/ingest.js";
import { criteriaSql, liveContact, setMembership } from "./membership.js";
import { isTimeBased } from "./buckets.js";

/**
 * The cron reconcile of computed buckets: who qualifies now (a set-based query) against who is a member;
 * each difference is one join or leave in its own transaction. Time-based criteria need it (nobody ingests
 * "14 days of silence"); property criteria are already kept on ingest and are checked here too.
 */
export async function reconcileBuckets(engine: Engine): Promise<{ entered: number; left: number }> {
  let entered = 0;
  let left = 0;
  for (const bucket of engine.registry.buckets.values()) {
    if (bucket.posthogCohort !== undefined || !(bucket.criteria?.length || isTimeBased(bucket))) continue;
    const now = engine.clock.now();
    const sql = engine.sql;
    const joins = await sql<{ id: string }[]>`
      select c.id from contacts c where ${liveContact(sql)} and ${criteriaSql(sql, bucket.criteria ?? [], now)}
        and not exists (select 1 from bucket_memberships m where m.bucket_id = ${bucket.id} and m.contact_id = c.id)`;
    const leaves = await sql<{ contact_id: string }[]>`
      select m.contact_id from bucket_memberships m where m.bucket_id = ${bucket.id}
        and not exists (select 1 from contacts c where c.id = m.contact_id and ${liveContact(sql)} and ${criteriaSql(sql, bucket.criteria ?? [], now)})`;
    for (const { id } of joins) {
      if (await sql.begin((tx) => setMembership(engine, tx, bucket.id, id, true, (e) => ingest(engine, e, tx)))) entered++;
    }
    for (const { contact_id } of leaves) {
      if (await sql.begin((tx) => setMembership(engine, tx, bucket.id, contact_id, false, (e) => ingest(engine, e, tx)))) left++;
    }
  }
  return { entered, left };
}
