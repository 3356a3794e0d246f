import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Engine } from "../engine.js";
import { HogsendError } from "../errors.js";
import { createAuth } from "./auth.js";
import { handleError, errorBody } from "./errors.js";
import { docsPage, openApiDocument } from "./openapi.js";
import { contactRoutes } from "./routes/contacts.js";
import { eventRoutes } from "./routes/events.js";
import { listRoutes } from "./routes/lists.js";
import { emailRoutes } from "./routes/emails.js";
import { adminJourneyRoutes } from "./routes/admin-journeys.js";
import { adminKeyRoutes } from "./routes/admin-keys.js";
import { trackingRoutes } from "./routes/tracking.js";
import { hostedRoutes } from "./routes/hosted.js";
import { adminEmailRoutes } from "./routes/admin-email.js";
import { webhooksEmailRoutes } from "./routes/webhooks-email.js";
import { webhooksRoutes } from "./routes/webhooks.js";
import { adminDestinationsRoutes } from "./routes/admin-destinations.js";
import { campaignsRoutes } from "./routes/campaigns.js";
import { adminAudiencesRoutes } from "./routes/admin-audiences.js";
import { studioRoutes } from "../studio/index.js";

export const MAX_BODY_BYTES = 1024 * 1024;

/** The control plane's HTTP surface: the /v1 Data API, /v1/admin, hosted pages and Studio. */
export function createHttpApp(engine: Engine) {
  const app = new Hono();
  const requireScope = createAuth(engine);

  app.onError(handleError(engine.log));
  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new HogsendError("payload_too_large", "body: is over the 1 MB limit", { issues: [{ field: "body", message: "over 1 MB" }] });
      },
    }),
  );

  app.get("/health", async (c) => {
    await engine.sql`select 1`;
    return c.json({ ok: true });
  });
  app.get("/openapi.json", (c) => c.json(openApiDocument(engine.publicUrl)));
  app.get("/docs", (c) => c.html(docsPage(engine.publicUrl)));

  app.route("/v1/contacts", contactRoutes(engine, requireScope));
  app.route("/v1/events", eventRoutes(engine, requireScope));
  app.route("/v1/lists", listRoutes(engine, requireScope));
  app.route("/v1/emails", emailRoutes(engine, requireScope));
  app.route("/v1/admin", adminJourneyRoutes(engine, requireScope));
  app.route("/v1/admin", adminKeyRoutes(engine, requireScope));
  app.route("/v1/admin", adminEmailRoutes(engine, requireScope));
  app.route("/v1/admin", adminDestinationsRoutes(engine, requireScope));
  app.route("/v1/admin", adminAudiencesRoutes(engine, requireScope));
  app.route("/v1/campaigns", campaignsRoutes(engine, requireScope));
  // Provider webhooks before app-defined sources: /v1/webhooks/email/resend is not a source id.
  app.route("/v1/webhooks/email", webhooksEmailRoutes(engine, requireScope));
  app.route("/v1/webhooks", webhooksRoutes(engine, requireScope));
  // Tracking (/t/…) and hosted pages (/a/…, /u/…, /p/…) are public: signed ids, no API key.
  app.route("/", trackingRoutes(engine, requireScope));
  app.route("/", hostedRoutes(engine, requireScope));
  // Studio acts through the admin API, in process, with the signed-in operator's key.
  app.route("/studio", studioRoutes(engine, requireScope, (input, init) => Promise.resolve(app.request(input, init))));
  return app;
}

export type HttpApp = ReturnType<typeof createHttpApp>;
