import type { Engine } from "../engine.js";
import { HogsendError, invalidField } from "../errors.js";
import { ingest } from "../ingest/ingest.js";
import { isReservedName, type IngestResult } from "../ingest/types.js";
import { parseWith } from "../http/validate.js";
import type { WebhookSourceDefinition } from "./define.js";
import { constantTimeEqual, verifyHmacHex, verifyStandardWebhook, verifyStripeSignature } from "./signatures.js";

export type SourceOutcome = ({ skipped: false } & IngestResult) | { skipped: true; reason: string };

/** Check a request against the source's auth; fails closed (401) when its secret is not configured. */
export function authenticate(engine: Engine, source: WebhookSourceDefinition<unknown>, headers: Record<string, string | undefined>, raw: string): void {
  const secret = process.env[source.auth.envKey];
  if (!secret) throw new HogsendError("unauthorized", `webhook source "${source.meta.id}" has no secret configured (${source.auth.envKey})`);
  const auth = source.auth;
  let ok = false;
  if (auth.type === "match") {
    const given = headers[auth.header.toLowerCase()];
    ok = Boolean(given) && constantTimeEqual(given!, secret);
  } else if (auth.scheme === "hmac-hex") {
    ok = verifyHmacHex({ secret, body: raw, signature: headers[auth.header.toLowerCase()] });
  } else if (auth.scheme === "svix") {
    ok = verifyStandardWebhook({ secret, headers, body: raw, now: engine.clock.now() }).ok;
  } else if (auth.scheme === "stripe") {
    ok = verifyStripeSignature({ secret, header: headers[auth.header.toLowerCase()], body: raw, now: engine.clock.now() }).ok;
  }
  if (!ok) throw new HogsendError("unauthorized", "invalid webhook signature");
}

/**
 * Validate, transform and ingest one delivery. `null` from transform accepts and skips; the transform's
 * idempotencyKey makes a redelivery a no-op; an event with no user is stored and routed to tasks only.
 */
export async function receiveWebhook(engine: Engine, source: WebhookSourceDefinition<unknown>, raw: string): Promise<SourceOutcome> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw invalidField("body", "is not valid JSON");
  }
  const payload = parseWith(source.schema, json);
  const event = await source.transform(payload);
  if (!event) return { skipped: true, reason: "transform returned null" };
  if (!event.event) throw new HogsendError("internal", `webhook source "${source.meta.id}" returned an event without a name`);
  if (isReservedName(event.event)) throw new HogsendError("internal", `webhook source "${source.meta.id}" returned a reserved event name "${event.event}"`);
  const timestamp = event.timestamp ? new Date(event.timestamp) : undefined;
  const result = await ingest(engine, {
    name: event.event,
    userId: event.userId || undefined,
    email: event.userEmail || undefined,
    eventProperties: event.eventProperties,
    contactProperties: event.userId || event.userEmail ? event.contactProperties : undefined,
    timestamp: timestamp && !Number.isNaN(timestamp.getTime()) ? timestamp : undefined,
    idempotencyKey: event.idempotencyKey ? `source:${source.meta.id}:${event.idempotencyKey}` : undefined,
    source: `webhook:${source.meta.id}`,
  });
  return { skipped: false, ...result };
}
