import { Hono } from "hono";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { ingestPostHogEvent, verifyPosthogSecret } from "../../sources/posthog.js";
import { authenticate, receiveWebhook } from "../../sources/webhook-source.js";
import type { AuthVariables, RequireScope } from "../auth.js";

/** Inbound webhooks: the PostHog destination and app-defined sources. Authenticated by secrets, not API keys. */
export function webhooksRoutes(engine: Engine, _requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post("/posthog", async (c) => {
    await verifyPosthogSecret(engine, c.req.header("x-hogsend-secret"));
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HogsendError("invalid_request", "body: is not valid JSON", { issues: [{ field: "body", message: "is not valid JSON" }] });
    }
    const outcome = await ingestPostHogEvent(engine, body);
    if (outcome.skipped) return c.json({ accepted: true, skipped: outcome.reason }, 202);
    return c.json({ stored: outcome.stored, exits: outcome.exits });
  });

  app.post("/:sourceId", async (c) => {
    const source = engine.registry.sources.get(c.req.param("sourceId"));
    if (!source) throw new HogsendError("not_found", `no webhook source "${c.req.param("sourceId")}"`);
    const raw = await c.req.text();
    authenticate(engine, source, Object.fromEntries(Object.entries(c.req.header()).map(([k, v]) => [k.toLowerCase(), v])), raw);
    const outcome = await receiveWebhook(engine, source, raw);
    if (outcome.skipped) return c.json({ accepted: true, skipped: outcome.reason }, 202);
    return c.json({ stored: outcome.stored, exits: outcome.exits });
  });

  return app;
}
