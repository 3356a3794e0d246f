import { Hono } from "hono";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { idempotencyKeyHeader, sendEmailSchema } from "../schemas.js";
import { sendEmail } from "../../mail/service.js";
import { jsonBody } from "../validate.js";

export function emailRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post("/", requireScope("ingest"), async (c) => {
    const body = await jsonBody(c, sendEmailSchema);
    if (body.skipPreferenceCheck && c.get("apiKey").scope !== "full-admin") {
      throw new HogsendError("forbidden", "skipPreferenceCheck needs a full-admin API key", { issues: [{ field: "skipPreferenceCheck", message: "needs a full-admin API key" }] });
    }
    // The body's template and props are checked at run time (400 naming the field), not by type.
    const result = await sendEmail(engine, { ...body, idempotencyKey: idempotencyKeyHeader(c) || body.idempotencyKey });
    return c.json(result);
  });

  return app;
}
