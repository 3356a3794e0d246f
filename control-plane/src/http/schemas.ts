import { z } from "zod";
import { listsBag, propertyBag } from "./validate.js";

const email = z.string().trim().max(320).email("must be a valid email address");
/** Postgres text cannot hold a NUL character. */
const noNul = (s: string) => !s.includes("\u0000");
const userId = z.string().trim().min(1).max(256).refine(noNul, "cannot contain a NUL character");
const idempotencyKey = z.string().min(1).max(256).refine(noNul, "cannot contain a NUL character");
/** An ISO time a person could mean, and one JavaScript and Postgres both write as four-digit years. */
const eventTime = z.iso.datetime({ offset: true }).refine((s) => {
  const year = new Date(s).getUTCFullYear();
  return year >= 1900 && year <= 9999;
}, "must be between the years 1900 and 9999 (UTC)");
/** A short text field as Postgres can store it. */
const text = (max: number) => z.string().min(1).max(max).refine(noNul, "cannot contain a NUL character");

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
