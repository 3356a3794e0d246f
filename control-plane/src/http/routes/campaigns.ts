import { Hono } from "hono";
import { z } from "zod";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { cancelCampaign, createCampaign, getCampaign } from "../../audiences/campaigns.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { campaignSchema } from "../schemas.js";
import { jsonBody } from "../validate.js";

const uuid = z.string().uuid();

/** POST /v1/campaigns (202), GET /v1/campaigns/:id, POST /v1/campaigns/:id/cancel. */
export function campaignsRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.post("/", requireScope("ingest"), async (c) => {
    const body = await jsonBody(c, campaignSchema);
    const { campaignId } = await createCampaign(engine, { ...body, sendAt: body.sendAt ? new Date(body.sendAt) : undefined });
    return c.json({ campaignId }, 202);
  });
  app.get("/:id", requireScope("ingest"), async (c) => {
    if (!uuid.safeParse(c.req.param("id")).success) throw new HogsendError("not_found", "no such campaign");
    return c.json(await getCampaign(engine, c.req.param("id")));
  });
  app.post("/:id/cancel", requireScope("ingest"), async (c) => {
    if (!uuid.safeParse(c.req.param("id")).success) throw new HogsendError("not_found", "no such campaign");
    return c.json(await cancelCampaign(engine, c.req.param("id")));
  });
  return app;
}
