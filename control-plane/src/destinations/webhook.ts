import type { Engine } from "../engine.js";
import { signStandardWebhook } from "../sources/signatures.js";

/** POST one engine event to the webhook destination, signed per Standard Webhooks; webhook-id = the delivery id. */
export async function sendToWebhook(
  engine: Engine,
  delivery: { id: string; payload: { event: string; distinctId: string | null; properties: Record<string, unknown>; timestamp: string; contactId: string | null } },
): Promise<void> {
  const body = JSON.stringify({
    type: delivery.payload.event,
    timestamp: delivery.payload.timestamp,
    data: { contact_id: delivery.payload.contactId, distinct_id: delivery.payload.distinctId, properties: delivery.payload.properties },
  });
  const timestamp = Math.floor(engine.clock.now().getTime() / 1000);
  const response = await fetch(engine.config.WEBHOOK_DESTINATION_URL!, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": delivery.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signStandardWebhook({ secret: engine.config.WEBHOOK_DESTINATION_SECRET ?? "", id: delivery.id, timestamp, body }),
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`webhook destination answered ${response.status}`);
}
