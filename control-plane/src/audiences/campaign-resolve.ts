import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import { templateInfo } from "../mail/templates.js";
import type { CampaignRow } from "./campaigns.js";

/** Recipients resolved per transaction: short transactions, memory flat in audience size. */
export const RESOLVE_SLICE = 20_000;
const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

/** A campaign whose list, bucket or template left the app between queueing and sendAt cannot start. */
export function startProblem(engine: Engine, c: CampaignRow): string | null {
  if (c.list_id && !engine.registry.lists.has(c.list_id)) return `list "${c.list_id}" is no longer defined`;
  if (c.bucket_id && !engine.registry.buckets.has(c.bucket_id)) return `bucket "${c.bucket_id}" is no longer defined`;
  if (!templateInfo(c.template)) return `template "${c.template}" is no longer registered`;
  return null;
}

/**
 * Resolve the audience at send time into campaign_recipients, in contact-id slices: each slice is one
 * INSERT … SELECT that also advances `campaigns.cursor` in its transaction, so a crash resumes after the
 * last committed slice and nobody is added twice (the primary key). Excluded: deleted and merged contacts,
 * contacts without an email, the globally unsubscribed, and suppressed addresses. Lists apply their
 * polarity: an opt-in list reaches only explicit subscribers, an opt-out list everyone not explicitly out.
 * Ends in 'sending' with total_recipients set (or leaves a campaign cancelled meanwhile as it is).
 */
export async function resolveAudience(engine: Engine, campaignId: string): Promise<void> {
  const now = engine.clock.now();
  await engine.sql`update campaigns set status = 'resolving', updated_at = ${now} where id = ${campaignId} and status = 'scheduled'`;
  for (;;) {
    const done = await engine.sql.begin(async (tx) => {
      const [c] = await tx<CampaignRow[]>`select * from campaigns where id = ${campaignId} for update`;
      if (c?.status !== "resolving") return true;
      const [slice] = await tx<{ n: number; last: string | null }[]>`
        with added as (${audienceInsert(engine, tx, c, c.cursor ?? ZERO_UUID)})
        select count(*)::int as n, (select contact_id from added order by contact_id desc limit 1) as last from added`;
      const finished = slice.n < RESOLVE_SLICE;
      await tx`
        update campaigns set total_recipients = total_recipients + ${slice.n}, cursor = ${slice.last ?? c.cursor},
          status = ${finished ? "sending" : "resolving"}, updated_at = ${engine.clock.now()}
        where id = ${campaignId}`;
      return finished;
    });
    if (done) return;
  }
}

/** One slice: the next RESOLVE_SLICE eligible audience members after `after`, inserted as pending. */
function audienceInsert(engine: Engine, tx: Tx, c: CampaignRow, after: string) {
  const eligible = tx`c.deleted_at is null and c.merged_into is null and c.email is not null and c.unsubscribed_at is null
    and not exists (select 1 from suppressions s where s.email = c.email and s.suppressed)`;
  let source;
  if (c.bucket_id) {
    source = tx`select b.contact_id as id from bucket_memberships b join contacts c on c.id = b.contact_id
      where b.bucket_id = ${c.bucket_id} and b.contact_id > ${after} and ${eligible} order by b.contact_id limit ${RESOLVE_SLICE}`;
  } else {
    const list = engine.registry.lists.get(c.list_id!)!;
    source = list.defaultOptIn
      ? tx`select c.id from contacts c where c.id > ${after} and ${eligible}
          and not exists (select 1 from list_memberships m where m.contact_id = c.id and m.list_id = ${list.id} and not m.subscribed)
          order by c.id limit ${RESOLVE_SLICE}`
      : tx`select m.contact_id as id from list_memberships m join contacts c on c.id = m.contact_id
          where m.list_id = ${list.id} and m.subscribed and m.contact_id > ${after} and ${eligible} order by m.contact_id limit ${RESOLVE_SLICE}`;
  }
  return tx`insert into campaign_recipients (campaign_id, contact_id, status)
            select ${c.id}, a.id, 'pending' from (${source}) a on conflict do nothing returning contact_id`;
}
