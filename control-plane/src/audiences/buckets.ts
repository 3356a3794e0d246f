import type { Duration } from "../duration.js";

type Scalar = string | number | boolean | null;

/** Criteria over a contact's properties and event history; all must hold. */
export type BucketCriterion =
  | { property: string; op: "eq" | "neq" | "gt" | "gte" | "lt" | "lte" | "exists" | "in"; value?: Scalar | Scalar[] }
  /** Did `did` at least once in the last `within`. */
  | { did: string; within: Duration }
  /** Did not do `didNot` in the last `within` (a win-back audience). */
  | { didNot: string; within: Duration };

export interface BucketDefinition {
  id: string;
  name?: string;
  description?: string;
  criteria?: BucketCriterion[];
  /** A PostHog cohort id: membership is synced from PostHog instead of computed. */
  posthogCohort?: number | string;
}

/**
 * Define a bucket: a live audience. Computed buckets join on ingest and leave (or, for `didNot`, join as time
 * passes) in a reconcile job; `posthogCohort` buckets are synced from PostHog. Both emit `bucket.entered` /
 * `bucket.left` with `bucket_id`, which journeys trigger and exit on.
 *
 * @example
 * export const pro = defineBucket({ id: "pro", name: "Pro plan", criteria: [{ property: "plan", op: "eq", value: "pro" }] });
 * export const lapsed = defineBucket({ id: "lapsed", criteria: [{ did: "order.completed", within: days(90) }, { didNot: "session.started", within: days(14) }] });
 * export const beta = defineBucket({ id: "beta", posthogCohort: 42 });
 */
export function defineBucket(definition: BucketDefinition): BucketDefinition {
  return definition;
}

export function isTimeBased(bucket: BucketDefinition): boolean {
  return (bucket.criteria ?? []).some((c) => "did" in c || "didNot" in c);
}
