import { Hono } from "hono";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { verifyStandardWebhook } from "../../sources/signatures.js";
import { applyProviderEvent, type ResendWebhookEvent } from "../../mail/provider-events.js";
import type { AuthVariables, RequireScope } from "../auth.js";

/** POST /v1/webhooks/email/resend: svix-signed provider events; 401 when the secret is unset or wrong. */
export function webhooksEmailRoutes(engine: Engine, _requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.post("/resend", async (c) => {
    const secret = engine.config.RESEND_WEBHOOK_SECRET;
    const raw = await c.req.text();
    const headers = Object.fromEntries(Object.entries(c.req.header()).map(([k, v]) => [k.toLowerCase(), v]));
    if (!secret) throw new HogsendError("unauthorized", "RESEND_WEBHOOK_SECRET is not configured");
    const verdict = verifyStandardWebhook({ secret, headers, body: raw, now: engine.clock.now() });
    if (!verdict.ok) throw new HogsendError("unauthorized", `invalid webhook signature: ${verdict.reason}`);
    let event: ResendWebhookEvent;
    try {
      event = JSON.parse(raw);
    } catch {
      throw new HogsendError("invalid_request", "body: is not valid JSON", { issues: [{ field: "body", message: "is not valid JSON" }] });
    }
    if (!event?.type || !event.data?.email_id) throw new HogsendError("invalid_request", "data.email_id: is required", { issues: [{ field: "data.email_id", message: "is required" }] });
    const outcome = await applyProviderEvent(engine, headers["svix-id"] ?? headers["webhook-id"]!, event);
    return c.json({ received: true, outcome });
  });
  return app;
}
