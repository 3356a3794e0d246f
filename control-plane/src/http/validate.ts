import type { Context } from "hono";
import { z } from "zod";
import { HogsendError, type FieldIssue } from "../errors.js";

/** Property bags: at most this deep, this many keys per object, this long a string, this big in all. */
export const BAG_LIMITS = { depth: 5, keys: 100, stringLength: 8_192, bytes: 65_536 } as const;

/** Text Postgres stores as given: no NUL character, and no lone UTF-16 surrogate (it would become U+FFFD or fail). */
export function textIssue(s: string): string | null {
  if (s.includes("\u0000")) return "cannot contain a NUL character";
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) return "cannot contain a lone surrogate (malformed Unicode)";
  return null;
}

/** A string schema that also refuses text Postgres cannot store as given. */
export const storableText = (schema: z.ZodString) =>
  schema.superRefine((value, ctx) => {
    const issue = textIssue(value);
    if (issue) ctx.addIssue({ code: "custom", message: issue });
  });

/** A JSON object as parsed, not a copy (a copy loses a "__proto__" key before it could be refused). */
export const jsonObject = () =>
  z.custom<Record<string, unknown>>((v) => v !== null && typeof v === "object" && !Array.isArray(v), "must be an object");

/** A bag's keys as JavaScript objects keep them: "__proto__" would be dropped on the way. */
function keyIssue(k: string): string | null {
  if (k === "__proto__") return 'keys cannot be "__proto__"';
  const issue = textIssue(k);
  return issue && `keys ${issue}`;
}

/**
 * What any stored JSON must be, however large (PostHog's bags are stored as sent): storable strings and keys.
 * Returns the first issue, or null.
 */
export function storableJsonIssue(value: unknown): string | null {
  if (typeof value === "string") {
    const issue = textIssue(value);
    return issue && `strings ${issue}`;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const issue = storableJsonIssue(v);
      if (issue) return issue;
    }
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const issue = keyIssue(k) ?? storableJsonIssue(v);
      if (issue) return issue;
    }
  }
  return null;
}

function bagIssue(value: unknown, depth: number): string | null {
  if (value === null || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : "numbers must be finite";
  if (typeof value === "string") {
    const issue = textIssue(value);
    if (issue) return `strings ${issue}`;
    return value.length > BAG_LIMITS.stringLength ? `strings are limited to ${BAG_LIMITS.stringLength} characters` : null;
  }
  if (depth >= BAG_LIMITS.depth) return `nesting is limited to ${BAG_LIMITS.depth} levels`;
  if (Array.isArray(value)) {
    if (value.length > BAG_LIMITS.keys) return `arrays are limited to ${BAG_LIMITS.keys} items`;
    for (const v of value) {
      const issue = bagIssue(v, depth + 1);
      if (issue) return issue;
    }
    return null;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as object);
    if (entries.length > BAG_LIMITS.keys) return `objects are limited to ${BAG_LIMITS.keys} keys`;
    for (const [k, v] of entries) {
      if (k.length > 200) return "keys are limited to 200 characters";
      const issue = keyIssue(k) ?? bagIssue(v, depth + 1);
      if (issue) return issue;
    }
    return null;
  }
  return "must be JSON";
}

/** A JSON object of properties, within BAG_LIMITS. */
export const propertyBag = jsonObject().superRefine((bag, ctx) => {
  const issue = bagIssue(bag, 0);
  if (issue) ctx.addIssue({ code: "custom", message: issue });
  else if (Buffer.byteLength(JSON.stringify(bag)) > BAG_LIMITS.bytes) ctx.addIssue({ code: "custom", message: `is limited to ${BAG_LIMITS.bytes} bytes of JSON` });
});

export const listsBag = z.record(z.string().regex(/^[a-z0-9_-]+$/, "list ids match [a-z0-9_-]+"), z.boolean());

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return { field: [path, issue.keys[0]].filter(Boolean).join("."), message: "is not a known field" };
    }
    return { field: path || "body", message: issue.message };
  });
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  throw new HogsendError("invalid_request", `${issues[0].field}: ${issues[0].message}`, { issues });
}

/** Read and validate a JSON body: malformed JSON, wrong types and unknown fields are 400s naming the field. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("json")) throw new HogsendError("invalid_request", "body: Content-Type must be application/json", { issues: [{ field: "body", message: "Content-Type must be application/json" }] });
  let value: unknown;
  try {
    value = await c.req.json();
  } catch {
    throw new HogsendError("invalid_request", "body: is not valid JSON", { issues: [{ field: "body", message: "is not valid JSON" }] });
  }
  return parseWith(schema, value);
}

export function queryWith<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  return parseWith(schema, c.req.query());
}
