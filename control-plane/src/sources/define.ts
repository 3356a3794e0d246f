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

/** A defined source of any payload type, as an app's `webhookSources` list holds them. */
export type DefinedWebhookSource = WebhookSourceDefinition<any>;

/**
 * The built-in PostHog destination (POST /v1/webhooks/posthog), for `webhookSources` lists written as the
 * seeds write them. The engine serves that route itself: listing this changes nothing, leaving it out neither.
 */
export const posthogSource: DefinedWebhookSource = Object.freeze({
  meta: Object.freeze({ id: "posthog", name: "PostHog", description: "The built-in PostHog destination" }),
  auth: Object.freeze({ type: "match" as const, header: "x-hogsend-secret", envKey: "POSTHOG_WEBHOOK_SECRET" }),
  schema: undefined as never,
  transform: () => null,
});
