import { z } from "zod";
import type { Context } from "hono";
import { HogsendError } from "../errors.js";
import { listsBag, propertyBag, storableText } from "./validate.js";

const email = z.string().trim().max(320).email("must be a valid email address");
const userId = storableText(z.string().trim().min(1).max(256));
export const idempotencyKey = storableText(z.string().min(1).max(256));
/** An ISO time a person could mean, and one JavaScript and Postgres both write as four-digit years. */
const eventTime = z.iso.datetime({ offset: true }).refine((s) => {
  const year = new Date(s).getUTCFullYear();
  return year >= 1900 && year <= 9999;
}, "must be between the years 1900 and 9999 (UTC)");
/** A short text field as Postgres can store it. */
const text = (max: number) => storableText(z.string().min(1).max(max));

export const upsertContactSchema = z
  .strictObject({
    email: email.optional(),
    userId: userId.optional(),
    properties: propertyBag.optional(),
    lists: listsBag.optional(),
  })
  .refine((v) => v.email || v.userId, { message: "email or userId is required", path: ["email"] });

export const identitySchema = z
  .strictObject({ email: email.optional(), userId: userId.optional() })
  .refine((v) => v.email || v.userId, { message: "email or userId is required", path: ["email"] });

export const findContactQuery = z
  .strictObject({ email: email.optional(), userId: userId.optional() })
  .refine((v) => v.email || v.userId, { message: "email or userId is required", path: ["email"] });

export const eventName = z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9_$][A-Za-z0-9_.:$\-/ ]*$/, "must be letters, digits and . _ - : / $");

export const sendEventSchema = z
  .strictObject({
    name: eventName,
    email: email.optional(),
    userId: userId.optional(),
    eventProperties: propertyBag.optional(),
    contactProperties: propertyBag.optional(),
    lists: listsBag.optional(),
    timestamp: eventTime.optional(),
    idempotencyKey: idempotencyKey.optional(),
  })
  .refine((v) => v.email || v.userId, { message: "email or userId is required", path: ["email"] });

export const sendEmailSchema = z.strictObject({
  to: email,
  template: text(200),
  props: propertyBag.optional(),
  subject: text(998).optional(),
  userId: userId.optional(),
  category: text(100).optional(),
  idempotencyKey: idempotencyKey.optional(),
  skipPreferenceCheck: z.boolean().optional(),
});

export const campaignSchema = z.strictObject({
  list: text(100).optional(),
  bucket: text(100).optional(),
  template: text(200),
  props: propertyBag.optional(),
  subject: text(998).optional(),
  idempotencyKey: idempotencyKey,
  sendAt: z.iso.datetime({ offset: true }).optional(),
});

export const contactView = z.object({
  id: z.string(),
  email: z.string().nullable(),
  userId: z.string().nullable(),
  properties: z.record(z.string(), z.unknown()),
  unsubscribed: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const errorView = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

/** The Idempotency-Key header, held to the body field's rules (a 4 KB key would not fit the unique index). */
export function idempotencyKeyHeader(c: Context): string | undefined {
  const value = c.req.header("idempotency-key");
  if (!value) return undefined;
  const result = idempotencyKey.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues[0].message;
  throw new HogsendError("invalid_request", `Idempotency-Key: ${message}`, { issues: [{ field: "Idempotency-Key", message }] });
}
