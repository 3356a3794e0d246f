/** Criteria over a contact's properties and event history. */
export type BucketCriterion =
  | { property: string; op: "eq" | "neq" | "gt" | "gte" | "lt" | "lte" | "exists" | "in" | "contains"; value?: unknown }
  | { did: string; within: number; where?: unknown }
  | { didNot: string; within: number };

export interface BucketDefinition {
  id: string;
  name?: string;
  description?: string;
  /** All criteria must hold (use `any` for a disjunction). */
  criteria?: BucketCriterion[] | { all?: BucketCriterion[]; any?: BucketCriterion[] };
  /** A PostHog cohort id: membership is synced from PostHog instead of computed. */
  posthogCohort?: number | string;
}

/**
 * Define a bucket: a live audience joined on ingest and left by a reconcile job.
 *
 * @example
 * export const pro = defineBucket({ id: "pro", name: "Pro plan", criteria: [{ property: "plan", op: "eq", value: "pro" }] });
 */
export function defineBucket(definition: BucketDefinition): BucketDefinition {
  return definition;
}
