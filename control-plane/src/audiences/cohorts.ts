import type { Engine } from "../engine.js";
import { MEMBERSHIP_PAGE, settleMemberships } from "./reconcile.js";
import { isCohortBucket, type BucketDefinition } from "./buckets.js";
import { exclusively } from "./locks.js";

const PERSONS_PAGE = 500;

interface Cohort {
  last_calculation: string | null;
  is_calculating?: boolean;
}

interface PersonsPage {
  results: { distinct_ids?: string[]; properties?: { email?: unknown } }[];
  next: string | null;
}

export interface CohortSyncResult {
  /** Why nothing was read: the cohort is unchanged since the last sync, or PostHog is still calculating it. */
  skipped: false | "unchanged" | "calculating";
  entered: number;
  left: number;
}

/**
 * Sync one cohort bucket from PostHog.
 *
 * 1. `GET /api/projects/:project/cohorts/:id/` — skipped when `last_calculation` equals the last synced one,
 *    or while PostHog is still calculating it (its persons would be a partial list).
 * 2. `GET …/persons/?limit=500`, following `next`: each page's persons are matched to contacts (by
 *    PostHog distinct_id alias, userId = distinct_id, or email) and written to a staging table.
 * 3. The staging table is diffed against the bucket in SQL, page by page: each difference is a join or a
 *    leave under the contact's row lock, emitting bucket.entered / bucket.left like computed buckets.
 *
 * Memory stays flat in cohort size: nothing but one page is ever held. A failure part-way leaves the last
 * synced state as it was, so the next run starts over.
 */
export async function syncCohortBucket(engine: Engine, bucket: BucketDefinition): Promise<CohortSyncResult> {
  const { POSTHOG_PERSONAL_API_KEY: key, POSTHOG_PROJECT_ID: project } = engine.config;
  if (!key || !project) throw new Error("cohort buckets need POSTHOG_PERSONAL_API_KEY and POSTHOG_PROJECT_ID");
  const host = engine.config.POSTHOG_API_HOST.replace(/\/$/, "");
  const base = `${host}/api/projects/${encodeURIComponent(project)}/cohorts/${encodeURIComponent(String(bucket.posthogCohort))}`;
  const cohort = await getJson<Cohort>(engine, `${base}/`);
  if (cohort.is_calculating) return { skipped: "calculating", entered: 0, left: 0 };
  const [state] = await engine.sql<{ last_calculation: string | null }[]>`select last_calculation from cohort_syncs where bucket_id = ${bucket.id}`;
  if (state && cohort.last_calculation && state.last_calculation === cohort.last_calculation) return { skipped: "unchanged", entered: 0, left: 0 };

  const sql = engine.sql;
  await sql`delete from cohort_sync_members where bucket_id = ${bucket.id}`;
  for (let url: string | null = `${base}/persons/?limit=${PERSONS_PAGE}`; url; ) {
    const page: PersonsPage = await getJson<PersonsPage>(engine, url);
    const ids = page.results.flatMap((p) => p.distinct_ids ?? []);
    const emails = page.results.map((p) => p.properties?.email).filter((e): e is string => typeof e === "string").map((e) => e.trim().toLowerCase());
    if (ids.length || emails.length) {
      await sql`
        insert into cohort_sync_members (bucket_id, contact_id)
        select ${bucket.id}, coalesce(c.merged_into, c.id) from contacts c
        where c.deleted_at is null and (
          c.user_id = any(${ids}) or c.email = any(${emails})
          or c.id in (select contact_id from contact_aliases where kind = 'distinct_id' and value = any(${ids})))
        on conflict do nothing`;
    }
    // PostHog's `next` is absolute; only its path and query are followed, on the configured host.
    url = page.results.length && page.next ? `${host}${new URL(page.next).pathname}${new URL(page.next).search}` : null;
  }

  const entered = await applyDiff(engine, bucket, "join");
  const left = await applyDiff(engine, bucket, "leave");
  await sql`delete from cohort_sync_members where bucket_id = ${bucket.id}`;
  await sql`insert into cohort_syncs (bucket_id, cohort_id, last_calculation, synced_at)
            values (${bucket.id}, ${String(bucket.posthogCohort)}, ${cohort.last_calculation}, ${engine.clock.now()})
            on conflict (bucket_id) do update set cohort_id = excluded.cohort_id, last_calculation = excluded.last_calculation, synced_at = excluded.synced_at`;
  return { skipped: false, entered, left };
}

/** Staged but not a member → join; a member but not staged → leave. */
async function applyDiff(engine: Engine, bucket: BucketDefinition, side: "join" | "leave"): Promise<number> {
  const sql = engine.sql;
  const page = (after: string) => side === "join"
    ? sql<{ id: string }[]>`
        select s.contact_id as id from cohort_sync_members s
        where s.bucket_id = ${bucket.id} and s.contact_id > ${after}
          and not exists (select 1 from bucket_memberships m where m.bucket_id = s.bucket_id and m.contact_id = s.contact_id)
        order by s.contact_id limit ${MEMBERSHIP_PAGE}`
    : sql<{ id: string }[]>`
        select m.contact_id as id from bucket_memberships m
        where m.bucket_id = ${bucket.id} and m.contact_id > ${after}
          and not exists (select 1 from cohort_sync_members s where s.bucket_id = m.bucket_id and s.contact_id = m.contact_id)
        order by m.contact_id limit ${MEMBERSHIP_PAGE}`;
  const changed = await settleMemberships(engine, bucket.id, page, async () => side === "join");
  return side === "join" ? changed.entered : changed.left;
}

async function getJson<T>(engine: Engine, url: string): Promise<T> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${engine.config.POSTHOG_PERSONAL_API_KEY}`, accept: "application/json" },
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`PostHog answered ${response.status} for ${new URL(url).pathname}`);
  return (await response.json()) as T;
}

/** The cron job: every cohort bucket, each by one process at a time; one failing cohort does not stop the rest. */
export async function syncCohorts(engine: Engine): Promise<void> {
  for (const bucket of engine.registry.buckets.values()) {
    if (!isCohortBucket(bucket)) continue;
    try {
      await exclusively(engine, `cohort:${bucket.id}`, () => syncCohortBucket(engine, bucket));
    } catch (error) {
      engine.log.warn("cohort sync failed", { bucketId: bucket.id, error: (error as Error).message });
    }
  }
}
