import { Hono } from "hono";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { ingest } from "../../ingest/ingest.js";
import { isReservedName, RESERVED_NAMESPACES } from "../../ingest/types.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { idempotencyKeyHeader, sendEventSchema } from "../schemas.js";
import { jsonBody } from "../validate.js";

export function eventRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post("/", requireScope("ingest"), async (c) => {
    const body = await jsonBody(c, sendEventSchema);
    if (isReservedName(body.name)) {
      throw new HogsendError(
        "reserved_namespace",
        `name: "${body.name}" is in a namespace reserved for engine events (${RESERVED_NAMESPACES.join(", ")}); name app events like "user.email_verified"`,
        { issues: [{ field: "name", message: "reserved namespace" }] },
      );
    }
    for (const listId of Object.keys(body.lists ?? {})) {
      if (!engine.registry.lists.has(listId)) throw new HogsendError("invalid_request", `lists.${listId}: unknown list`, { issues: [{ field: `lists.${listId}`, message: "unknown list" }] });
    }
    const header = idempotencyKeyHeader(c);
    const result = await ingest(engine, {
      name: body.name,
      email: body.email,
      userId: body.userId,
      eventProperties: body.eventProperties,
      contactProperties: body.contactProperties,
      lists: body.lists,
      timestamp: body.timestamp ? new Date(body.timestamp) : undefined,
      idempotencyKey: header || body.idempotencyKey,
      source: "api",
    });
    return c.json({ stored: result.stored, exits: result.exits }, result.stored ? 201 : 200);
  });

  return app;
}
