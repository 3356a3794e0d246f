import { retryDeadlock } from "../db/client.js";
import { z } from "zod";
import type { Engine } from "../engine.js";
import { HogsendError } from "../errors.js";
import { ingest, replayOf } from "../ingest/ingest.js";
import { isReservedName, type IngestResult } from "../ingest/types.js";
import { isEmail } from "../identity/normalize.js";
import { findContact, lockContact, mergeContacts, resolveContact, type ContactRow } from "../identity/contacts.js";
import { jsonObject, parseWith, storableJsonIssue, storableText } from "../http/validate.js";
import { constantTimeEqual } from "./signatures.js";

/** The body the Hogsend destination posts: PostHog's event and person globals. */
/** A property object stored as sent (no size limits), but as Postgres can store it. */
const storedBag = jsonObject().superRefine((v, ctx) => {
  const issue = storableJsonIssue(v);
  if (issue) ctx.addIssue({ code: "custom", message: issue });
});

export const posthogPayloadSchema = z.object({
  event: z.object({
    uuid: storableText(z.string().min(1).max(100)),
    event: storableText(z.string().min(1).max(200)),
    distinct_id: storableText(z.string().min(1).max(400)),
    properties: storedBag.nullable().optional(),
    timestamp: z.string().min(1),
    elements_chain: z.string().nullable().optional(),
  }),
  person: z
    .object({
      id: z.string().nullable().optional(),
      properties: storedBag.nullable().optional(),
      name: z.string().nullable().optional(),
      url: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
});

export type PostHogPayload = z.infer<typeof posthogPayloadSchema>;

/** The destination's shared secret: POSTHOG_WEBHOOK_SECRET, else the one `hogsend posthog install` minted. */
export async function posthogWebhookSecret(engine: Engine): Promise<string | null> {
  if (engine.config.POSTHOG_WEBHOOK_SECRET) return engine.config.POSTHOG_WEBHOOK_SECRET;
  const [row] = await engine.sql<{ value: string }[]>`select value from engine_secrets where name = 'posthog_webhook'`;
  return row?.value ?? null;
}

/** Mint (or rotate) the destination's secret; the installer hands it to PostHog. */
export async function rotatePosthogWebhookSecret(engine: Engine, secret: string): Promise<void> {
  await engine.sql`insert into engine_secrets (name, value) values ('posthog_webhook', ${secret})
                   on conflict (name) do update set value = excluded.value`;
}

export async function verifyPosthogSecret(engine: Engine, given: string | undefined): Promise<void> {
  const secret = await posthogWebhookSecret(engine);
  // Fails closed: no secret configured means no event is accepted.
  if (!secret || !given || !constantTimeEqual(given, secret)) throw new HogsendError("unauthorized", "missing or wrong X-Hogsend-Secret");
}

export type PostHogOutcome = ({ skipped: false } & IngestResult) | { skipped: true; reason: string };

/**
 * Ingest one event from the PostHog destination: dedupe on the event uuid, upsert the contact (distinct_id
 * as userId, email from person properties, the person-property snapshot kept), fold $identify /
 * $create_alias anonymous ids into the identified contact, then the one pipeline.
 */
export async function ingestPostHogEvent(engine: Engine, body: unknown): Promise<PostHogOutcome> {
  const payload = parseWith(posthogPayloadSchema, body);
  const { event, person } = payload;
  if (!person) return { skipped: true, reason: "no_person" };
  if (isReservedName(event.event)) return { skipped: true, reason: "engine_event" };

  const props = { ...(event.properties ?? {}) } as Record<string, unknown>;
  const personProperties: Record<string, unknown> = { ...(person.properties ?? {}) };
  const set = asObject(props.$set);
  const setOnce = asObject(props.$set_once);
  Object.assign(personProperties, set);
  for (const [k, v] of Object.entries(setOnce)) if (!(k in personProperties)) personProperties[k] = v;
  delete props.$set;
  delete props.$set_once;

  const rawEmail = personProperties.email ?? personProperties.$email;
  const email = typeof rawEmail === "string" && isEmail(rawEmail) ? rawEmail : undefined;
  const userId = event.distinct_id;
  const previousIds = [props.$anon_distinct_id, event.event === "$create_alias" ? props.alias : undefined].filter(
    (v): v is string => typeof v === "string" && v.length > 0 && v !== userId,
  );

  const idempotencyKey = `posthog:${event.uuid}`;
  return retryDeadlock(() => engine.sql.begin(async (tx) => {
    const now = engine.clock.now();
    // A redelivery changes nothing.
    const replayed = await replayOf(tx, idempotencyKey);
    if (replayed) return { skipped: false as const, ...replayed };
    let { contact } = await resolveContact(tx, { userId, email, distinctId: userId }, now);
    await lockContact(tx, contact.id);
    // A person known by an anonymous id (found here by email) is identified: the identified id becomes its
    // userId, and the anonymous one an alias that keeps resolving to it.
    if (contact.user_id && contact.user_id !== userId && previousIds.includes(contact.user_id)) {
      const anonymous = contact.user_id;
      const [identified] = await tx<ContactRow[]>`
        update contacts set user_id = ${userId}, updated_at = ${now}
        where id = ${contact.id} and not exists (select 1 from contacts where user_id = ${userId} and merged_into is null and deleted_at is null)
        returning *`;
      if (identified) {
        contact = identified;
        await tx`insert into contact_aliases (kind, value, contact_id, created_at) values ('user_id', ${anonymous}, ${contact.id}, ${now})
                 on conflict (kind, value) do update set contact_id = excluded.contact_id`;
      }
    }
    for (const previous of previousIds) {
      // The contact is locked and stays live; the other may be merged or deleted meanwhile: then look again.
      for (let attempt = 1; ; attempt++) {
        const other = await findContact(tx, { userId: previous });
        if (!other || other.id === contact.id || (await mergeContacts(tx, contact, other, now))) break;
        if (attempt >= 3) throw new Error("posthog: the identity kept changing under concurrent writes");
      }
      await tx`insert into contact_aliases (kind, value, contact_id, created_at) values ('distinct_id', ${previous}, ${contact.id}, ${now})
               on conflict (kind, value) do update set contact_id = excluded.contact_id`;
    }
    const result = await ingest(
      engine,
      {
        name: event.event,
        contactId: contact.id,
        eventProperties: props,
        personProperties,
        timestamp: parseTimestamp(event.timestamp),
        idempotencyKey,
        source: "posthog",
      },
      tx,
    );
    return { skipped: false as const, ...result };
  }) as Promise<PostHogOutcome>);
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The event's time; one Postgres could not store (or no time at all) leaves the time it arrived. */
function parseTimestamp(value: string): Date | undefined {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return undefined;
  const year = d.getUTCFullYear();
  return year >= 1900 && year <= 9999 ? d : undefined;
}
