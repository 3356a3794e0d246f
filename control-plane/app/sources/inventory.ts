import { z } from "zod";
import { defineWebhookSource } from "../../src/index.js";
import { Events } from "../constants.js";

const restockSchema = z.object({
  delivery_id: z.string(),
  type: z.string(),
  sku: z.string(),
  product_name: z.string(),
  quantity: z.number(),
});

/** Restock signals from the warehouse: POST /v1/webhooks/inventory, hex HMAC-SHA256 in X-Signature. */
export const inventorySource = defineWebhookSource({
  meta: { id: "inventory", name: "Inventory", description: "Restock signals from the warehouse system." },
  auth: { type: "signature", scheme: "hmac-hex", envKey: "INVENTORY_WEBHOOK_SECRET", header: "x-signature" },
  schema: restockSchema,
  transform(payload) {
    // Other event types, and phantom restocks of zero units, are accepted and skipped.
    if (payload.type !== "restock" || payload.quantity === 0) return null;
    return {
      event: Events.PRODUCT_RESTOCKED,
      userEmail: "",
      eventProperties: { sku: payload.sku, product_name: payload.product_name, quantity: payload.quantity, source: "inventory" },
      idempotencyKey: payload.delivery_id,
    };
  },
});
