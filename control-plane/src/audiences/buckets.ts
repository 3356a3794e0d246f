import type { Duration } from "../duration.js";

type Scalar = string | number | boolean | null;

export type PropertyOp = "eq" | "neq" | "gt" | "gte" | "lt" | "lte" | "exists" | "in";

/** One condition over a contact's properties or event history. A bucket's criteria must all hold. */
export type BucketCriterion =
  /** A contact property: `{ property: "plan", op: "eq", value: "pro" }`; `exists` takes no value, `in` an array. */
  | { property: string; op: PropertyOp; value?: Scalar | Scalar[] }
  /** Did `did` at least once in the last `within`. */
  | { did: string; within: Duration }
  /** Did not do `didNot` in the last `within` (a win-back audience). */
  | { didNot: string; within: Duration };

export interface BucketDefinition {
  id: string;
  name?: string;
  description?: string;
  /** Computed membership: every criterion must hold. */
  criteria?: BucketCriterion[];
  /** A PostHog cohort id: membership is synced from PostHog instead of computed. */
  posthogCohort?: number | string;
}

const OPS: PropertyOp[] = ["eq", "neq", "gt", "gte", "lt", "lte", "exists", "in"];

/**
 * Define a bucket: a live audience. Computed buckets (`criteria`) join on ingest and leave (or, for
 * `didNot`, join as time passes) in a reconcile job every five minutes; `posthogCohort` buckets are synced
 * from PostHog's cohort persons API. Both emit `bucket.entered` / `bucket.left` with `bucket_id`, which
 * journeys trigger and exit on, and both can be a campaign's audience. A malformed definition throws at
 * start-up, naming the field.
 *
 * @example
 * export const pro = defineBucket({ id: "pro", name: "Pro plan", criteria: [{ property: "plan", op: "eq", value: "pro" }] });
 * export const buyers = defineBucket({ id: "recent-buyers", criteria: [{ did: "order.completed", within: days(30) }] });
 * export const winBack = defineBucket({ id: "win-back", criteria: [{ property: "plan", op: "exists" }, { didNot: "session.started", within: days(14) }] });
 * export const beta = defineBucket({ id: "beta", posthogCohort: 42 });
 */
export function defineBucket(definition: BucketDefinition): BucketDefinition {
  const problem = bucketProblem(definition);
  if (problem) throw new Error(`bucket "${definition?.id ?? "?"}": ${problem}`);
  return definition;
}

/** What is wrong with a bucket definition, or null. */
export function bucketProblem(b: BucketDefinition): string | null {
  if (!b || typeof b.id !== "string" || !b.id) return "id is required";
  const computed = b.criteria !== undefined;
  const cohort = b.posthogCohort !== undefined;
  if (computed === cohort) return "give exactly one of criteria or posthogCohort";
  if (cohort) return String(b.posthogCohort).match(/^\d+$/) ? null : "posthogCohort must be a numeric cohort id";
  if (!Array.isArray(b.criteria) || b.criteria.length === 0) return "criteria must list at least one criterion";
  for (const [i, c] of b.criteria.entries()) {
    const at = `criteria[${i}]`;
    if ("did" in c || "didNot" in c) {
      const name = "did" in c ? c.did : c.didNot;
      if (typeof name !== "string" || !name) return `${at}: the event name is required`;
      if (typeof c.within !== "number" || !(c.within > 0)) return `${at}.within must be a positive duration (e.g. days(30))`;
    } else if ("property" in c) {
      if (typeof c.property !== "string" || !c.property) return `${at}.property is required`;
      if (!OPS.includes(c.op)) return `${at}.op must be one of ${OPS.join(", ")}`;
      if (c.op === "in" && !Array.isArray(c.value)) return `${at}.value must be an array for "in"`;
      if (c.op !== "in" && c.op !== "exists" && (c.value === undefined || Array.isArray(c.value))) return `${at}.value must be a single value for "${c.op}"`;
    } else {
      return `${at} must be { property, op, value }, { did, within } or { didNot, within }`;
    }
  }
  return null;
}

export function isCohortBucket(bucket: BucketDefinition): boolean {
  return bucket.posthogCohort !== undefined;
}

/** The event names whose arrival can change this bucket's membership (its did / didNot events). */
export function historyEvents(bucket: BucketDefinition): string[] {
  return (bucket.criteria ?? []).flatMap((c) => ("did" in c ? [c.did] : "didNot" in c ? [c.didNot] : []));
}
