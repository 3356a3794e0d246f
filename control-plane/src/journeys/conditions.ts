/**
 * Typed conditions over an event's properties, built with `b` and stored as JSON (so a run keeps the
 * exitOn it was enrolled with). Example: `(b) => b.all(b.prop("plan").eq("enterprise"), b.prop("seats").gte(10))`.
 */
export type Scalar = string | number | boolean | null;

export type Condition =
  | { op: "eq" | "neq" | "gt" | "gte" | "lt" | "lte" | "contains"; key: string; value: Scalar }
  | { op: "in"; key: string; value: Scalar[] }
  | { op: "exists"; key: string }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** An event's properties; declare their type to have `where` check keys and values against it. */
export type EventProperties = Record<string, unknown>;

/** What `eq`, `neq` and `in` accept for a property of type V: its own values when declared, any scalar when not. */
type Comparable<V> = unknown extends V ? Scalar : [V] extends [Scalar] ? V : Scalar;

/** A declared property's key, or a dotted path into it; any key when the properties are not declared. */
export type PropertyPath<P> = string extends keyof P ? string : Extract<keyof P, string> | `${Extract<keyof P, string>}.${string}`;

export interface PropertyCondition<V = unknown> {
  eq(value: Comparable<V>): Condition;
  neq(value: Comparable<V>): Condition;
  gt(value: number | string): Condition;
  gte(value: number | string): Condition;
  lt(value: number | string): Condition;
  lte(value: number | string): Condition;
  in(values: Comparable<V>[]): Condition;
  contains(value: string | number | boolean): Condition;
  exists(): Condition;
}

export interface ConditionBuilder<P extends EventProperties = EventProperties> {
  prop<K extends PropertyPath<P>>(key: K): PropertyCondition<K extends keyof P ? P[K] : unknown>;
  all(...conditions: Condition[]): Condition;
  any(...conditions: Condition[]): Condition;
  not(condition: Condition): Condition;
}

export type Where<P extends EventProperties = EventProperties> = (b: ConditionBuilder<P>) => Condition;

export const conditionBuilder: ConditionBuilder<any> = {
  prop: (key: string) => ({
    eq: (value) => ({ op: "eq", key, value }),
    neq: (value) => ({ op: "neq", key, value }),
    gt: (value) => ({ op: "gt", key, value }),
    gte: (value) => ({ op: "gte", key, value }),
    lt: (value) => ({ op: "lt", key, value }),
    lte: (value) => ({ op: "lte", key, value }),
    in: (value) => ({ op: "in", key, value }),
    contains: (value) => ({ op: "contains", key, value }),
    exists: () => ({ op: "exists", key }),
  }),
  all: (...conditions) => ({ all: conditions }),
  any: (...conditions) => ({ any: conditions }),
  not: (condition) => ({ not: condition }),
};

export function buildCondition(where: Where<any> | undefined): Condition | null {
  return where ? where(conditionBuilder) : null;
}

/** Dotted keys reach into nested objects: `b.prop("address.country")`. */
/** A property by key, or by dotted path; only the event's own properties count (never `constructor` and the like). */
function lookup(properties: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(properties, key)) return properties[key];
  let value: unknown = properties;
  for (const part of key.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  // A number and a numeric string compare as numbers, whichever side the string is on.
  const numeric = (v: string) => v.trim() !== "" && !Number.isNaN(Number(v));
  if (typeof a === "string" && typeof b === "number" && numeric(a)) return Number(a) - b;
  if (typeof a === "number" && typeof b === "string" && numeric(b)) return a - Number(b);
  return null;
}

export function evaluateCondition(condition: Condition | null | undefined, properties: Record<string, unknown>): boolean {
  if (!condition) return true;
  if ("all" in condition) return condition.all.every((c) => evaluateCondition(c, properties));
  if ("any" in condition) return condition.any.some((c) => evaluateCondition(c, properties));
  if ("not" in condition) return !evaluateCondition(condition.not, properties);
  const actual = lookup(properties, condition.key);
  switch (condition.op) {
    case "exists":
      return actual !== undefined && actual !== null;
    case "eq":
      return actual === condition.value || (actual === undefined && condition.value === null);
    case "neq":
      return !(actual === condition.value || (actual === undefined && condition.value === null));
    case "in":
      return condition.value.some((v) => v === actual);
    case "contains":
      if (typeof actual === "string") return actual.includes(String(condition.value));
      if (Array.isArray(actual)) return actual.includes(condition.value);
      return false;
    default: {
      const c = compare(actual, condition.value);
      if (c === null) return false;
      return condition.op === "gt" ? c > 0 : condition.op === "gte" ? c >= 0 : condition.op === "lt" ? c < 0 : c <= 0;
    }
  }
}
