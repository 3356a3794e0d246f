import { Hono, type Context } from "hono";
import type { Engine } from "../../engine.js";
import { verifySignedId } from "../../tracking/sign.js";
import { recordOpen } from "../../tracking/opens.js";
import { recordClick } from "../../tracking/clicks.js";
import type { AuthVariables, RequireScope } from "../auth.js";

const PIXEL = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

/** Opens (/t/o/<send>.<sig>) and clicks (/t/c/<link>.<sig>): signed ids, 404 for anything tampered or unknown. */
export function trackingRoutes(engine: Engine, _requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();
  const notFound = (c: Context) => c.text("Not found", 404);

  app.get("/t/o/:signed", async (c) => {
    const sendId = verifySignedId(engine.secrets.signing, c.req.param("signed"));
    if (!sendId || !(await recordOpen(engine, sendId))) return notFound(c);
    return c.body(PIXEL, 200, { "content-type": "image/gif", "cache-control": "no-store, max-age=0" });
  });

  app.get("/t/c/:signed", async (c) => {
    const linkId = verifySignedId(engine.secrets.signing, c.req.param("signed"));
    const target = linkId ? await recordClick(engine, linkId) : null;
    if (!target) return notFound(c);
    // Only ever the URL stored when the email was sent: no open redirect.
    return c.redirect(target, 302);
  });

  return app;
}
