import type { Engine } from "../engine.js";
import { ingest } from "../ingest/ingest.js";
import { setMembership } from "./membership.js";
import type { BucketDefinition } from "./buckets.js";

interface CohortPage {
  results: { uuid: string; distinct_ids: string[] }[];
  next: string | null;
}

async function getJson<T>(engine: Engine, url: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${engine.config.POSTHOG_PERSONAL_API_KEY}`, accept: "application/json" }, signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`PostHog answered ${response.status} for ${new URL(url).pathname}`);
  return (await response.json()) as T;
}

/**
 * Sync a cohort bucket from PostHog: skipped when the cohort's last_calculation is unchanged; otherwise the
 * persons API is paged through, persons are matched to contacts by distinct_id (as PostHog-sourced contacts
 * are keyed), and the difference becomes bucket.entered / bucket.left.
 */
export async function syncCohortBucket(engine: Engine, bucket: BucketDefinition): Promise<{ skipped: boolean; entered: number; left: number }> {
  const host = engine.config.POSTHOG_API_HOST.replace(/\/$/, "");
  const project = engine.config.POSTHOG_PROJECT_ID;
  if (!engine.config.POSTHOG_PERSONAL_API_KEY || !project) throw new Error("cohort buckets need POSTHOG_PERSONAL_API_KEY and POSTHOG_PROJECT_ID");
  const base = `${host}/api/projects/${encodeURIComponent(project)}/cohorts/${encodeURIComponent(String(bucket.posthogCohort))}`;
  const cohort = await getJson<{ last_calculation: string | null }>(engine, `${base}/`);
  const [state] = await engine.sql<{ last_calculation: string | null }[]>`select last_calculation from cohort_syncs where bucket_id = ${bucket.id}`;
  if (state && state.last_calculation === cohort.last_calculation) return { skipped: true, entered: 0, left: 0 };

  const members = new Set<string>();
  for (let url: string | null = `${base}/persons/?limit=500`; url; ) {
    const page: CohortPage = await getJson<CohortPage>(engine, url);
    const ids = page.results.flatMap((p) => p.distinct_ids);
    if (ids.length) {
      const rows = await engine.sql<{ id: string }[]>`
        select distinct c.id from contacts c left join contact_aliases a on a.contact_id = c.id and a.kind = 'distinct_id'
        where c.deleted_at is null and c.merged_into is null and (c.user_id = any(${ids}) or a.value = any(${ids}))`;
      for (const r of rows) members.add(r.id);
    }
    url = page.results.length ? page.next : null;
  }
  const current = new Set((await engine.sql<{ contact_id: string }[]>`select contact_id from bucket_memberships where bucket_id = ${bucket.id}`).map((r) => r.contact_id));
  let entered = 0;
  let left = 0;
  for (const id of members) {
    if (!current.has(id) && (await engine.sql.begin((tx) => setMembership(engine, tx, bucket.id, id, true, (e) => ingest(engine, e, tx))))) entered++;
  }
  for (const id of current) {
    if (!members.has(id) && (await engine.sql.begin((tx) => setMembership(engine, tx, bucket.id, id, false, (e) => ingest(engine, e, tx))))) left++;
  }
  await engine.sql`insert into cohort_syncs (bucket_id, cohort_id, last_calculation, synced_at) values (${bucket.id}, ${String(bucket.posthogCohort)}, ${cohort.last_calculation}, ${engine.clock.now()})
                   on conflict (bucket_id) do update set last_calculation = excluded.last_calculation, synced_at = excluded.synced_at`;
  return { skipped: false, entered, left };
}

export async function syncCohorts(engine: Engine): Promise<void> {
  for (const bucket of engine.registry.buckets.values()) {
    if (bucket.posthogCohort === undefined) continue;
    try {
      await syncCohortBucket(engine, bucket);
    } catch (error) {
      engine.log.warn("cohort sync failed", { bucketId: bucket.id, error: (error as Error).message });
    }
  }
}
