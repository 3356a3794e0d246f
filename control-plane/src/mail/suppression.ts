import type { Db } from "../db/client.js";

/** Permanent bounces that suppress an address. A complaint suppresses at once; a transient bounce never. */
export const PERMANENT_BOUNCES_TO_SUPPRESS = 3;

export async function recordPermanentBounce(db: Db, email: string, now: Date): Promise<boolean> {
  const [row] = await db<{ suppressed: boolean }[]>`
    insert into suppressions (email, reason, permanent_bounces, suppressed, updated_at)
    values (${email}, 'bounced', 1, ${PERMANENT_BOUNCES_TO_SUPPRESS <= 1}, ${now})
    on conflict (email) do update set permanent_bounces = suppressions.permanent_bounces + 1,
      suppressed = suppressions.suppressed or suppressions.permanent_bounces + 1 >= ${PERMANENT_BOUNCES_TO_SUPPRESS},
      reason = case when suppressions.suppressed then suppressions.reason else 'bounced' end, updated_at = ${now}
    returning suppressed`;
  return row.suppressed;
}

export async function suppressForComplaint(db: Db, email: string, now: Date): Promise<void> {
  await db`insert into suppressions (email, reason, permanent_bounces, suppressed, updated_at) values (${email}, 'complained', 0, true, ${now})
           on conflict (email) do update set suppressed = true, reason = 'complained', updated_at = ${now}`;
}

/** An operator's un-suppress (Studio): the address receives mail again; its bounce count starts over. */
export async function unsuppress(db: Db, email: string, now: Date): Promise<boolean> {
  const [row] = await db`update suppressions set suppressed = false, permanent_bounces = 0, reason = 'unsuppressed', updated_at = ${now}
                         where email = ${email} and suppressed returning email`;
  return Boolean(row);
}
