import { retryDeadlock } from "../../db/client.js";
import { Hono } from "hono";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { applyListsBag, BUILT_IN_CATEGORIES } from "../../audiences/lists.js";
import { lockContact, resolveContact } from "../../identity/contacts.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { identitySchema } from "../schemas.js";
import { jsonBody } from "../validate.js";

export function listRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get("/", requireScope("ingest"), (c) => {
    const lists = [...engine.registry.lists.values()]
      .filter((l) => !BUILT_IN_CATEGORIES.includes(l))
      .map((l) => ({ id: l.id, name: l.name, description: l.description ?? null, defaultOptIn: l.defaultOptIn }));
    return c.json({ lists });
  });

  for (const action of ["subscribe", "unsubscribe"] as const) {
    app.post(`/:id/${action}`, requireScope("ingest"), async (c) => {
      const listId = c.req.param("id");
      if (!engine.registry.lists.has(listId)) throw new HogsendError("not_found", `list "${listId}" is not defined`);
      const body = await jsonBody(c, identitySchema);
      const contactId = await retryDeadlock(() => engine.sql.begin(async (tx) => {
        const now = engine.clock.now();
        const { contact } = await resolveContact(tx, body, now);
        await lockContact(tx, contact.id);
        await applyListsBag(tx, engine.registry.lists, contact.id, { [listId]: action === "subscribe" }, now);
        return contact.id;
      }));
      return c.json({ listId, contactId, subscribed: action === "subscribe" });
    });
  }
  return app;
}
