import { createHash } from "node:crypto";
import { PostHog } from "posthog-node";
import type { Engine } from "../engine.js";

/** A uuid derived from the event: PostHog keeps one row per uuid, so a retried delivery never counts twice. */
export function deliveryUuid(eventId: string, destination: string): string {
  const h = createHash("sha256").update(`${destination}:${eventId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Person properties set alongside engagement events, for insights and cohorts. */
function personSet(event: string, timestamp: string): Record<string, unknown> | undefined {
  if (event === "email.opened") return { last_email_opened_at: timestamp };
  if (event === "email.link_clicked") return { last_email_clicked_at: timestamp };
  if (event === "email.sent") return { last_email_sent_at: timestamp };
  if (event === "email.unsubscribed") return { email_unsubscribed: true };
  return undefined;
}

/** Send one event with posthog-node; throws on failure (posthog-node reports errors as events, not throws). */
export async function sendToPostHog(
  engine: Engine,
  delivery: { eventId: string; payload: { event: string; distinctId: string; properties: Record<string, unknown>; timestamp: string } },
): Promise<void> {
  const client = new PostHog(engine.config.POSTHOG_API_KEY!, { host: engine.config.POSTHOG_HOST, flushAt: 1, flushInterval: 0, fetchRetryCount: 0, requestTimeout: 10_000 });
  let failure: unknown;
  client.on("error", (error) => (failure ??= error));
  try {
    const $set = personSet(delivery.payload.event, delivery.payload.timestamp);
    await client.captureImmediate({
      distinctId: delivery.payload.distinctId,
      event: delivery.payload.event,
      properties: { ...delivery.payload.properties, ...($set ? { $set } : {}) },
      timestamp: new Date(delivery.payload.timestamp),
      uuid: deliveryUuid(delivery.eventId, "posthog"),
    });
  } finally {
    await client.shutdown(1000).catch(() => {});
  }
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
}
