import type { ZodType } from "zod";

export type WebhookAuth =
  | { type: "signature"; scheme: "hmac-hex" | "svix" | "stripe"; envKey: string; header: string }
  | { type: "match"; header: string; envKey: string };

/** What a webhook source's transform returns: one event for the pipeline. */
export interface IngestEvent {
  event: string;
  userId?: string;
  userEmail?: string;
  eventProperties?: Record<string, unknown>;
  contactProperties?: Record<string, unknown>;
  idempotencyKey?: string;
  timestamp?: string | Date;
}

export interface WebhookSourceDefinition<T = unknown> {
  meta: { id: string; name: string; description?: string };
  auth: WebhookAuth;
  schema: ZodType<T>;
  /** Return null to accept and skip. */
  transform(payload: T): Promise<IngestEvent | null> | IngestEvent | null;
}

/**
 * Define a signed webhook endpoint at POST /v1/webhooks/:id that turns payloads into events.
 *
 * @example
 * export const inventory = defineWebhookSource({
 *   meta: { id: "inventory", name: "Inventory" },
 *   auth: { type: "signature", scheme: "hmac-hex", envKey: "INVENTORY_WEBHOOK_SECRET", header: "x-signature" },
 *   schema: z.object({ sku: z.string() }),
 *   transform: (p) => ({ event: "product.restocked", eventProperties: { sku: p.sku } }),
 * });
 */
export function defineWebhookSource<T>(definition: WebhookSourceDefinition<T>): WebhookSourceDefinition<T> {
  return definition;
}
