import { retryDeadlock } from "../../db/client.js";
import { Hono } from "hono";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { contactView, findContact, lockContact, mergeProperties, resolveContact, softDeleteContact } from "../../identity/contacts.js";
import { applyListsBag } from "../../audiences/lists.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { findContactQuery, identitySchema, upsertContactSchema } from "../schemas.js";
import { jsonBody, queryWith } from "../validate.js";

export function contactRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.put("/", requireScope("ingest"), async (c) => {
    const body = await jsonBody(c, upsertContactSchema);
    const result = await retryDeadlock(() => engine.sql.begin(async (tx) => {
      const now = engine.clock.now();
      const resolved = await resolveContact(tx, { email: body.email, userId: body.userId }, now);
      await lockContact(tx, resolved.contact.id);
      if (body.properties) await mergeProperties(tx, resolved.contact.id, body.properties, now);
      await applyListsBag(tx, engine.registry.lists, resolved.contact.id, body.lists, now);
      return resolved;
    }));
    return c.json({ id: result.contact.id, created: result.created, linked: result.linked }, result.created ? 201 : 200);
  });

  app.get("/find", requireScope("ingest"), async (c) => {
    const query = queryWith(c, findContactQuery);
    const contact = await findContact(engine.sql, query);
    return c.json({ contacts: contact ? [contactView(contact)] : [] });
  });

  app.delete("/", requireScope("ingest"), async (c) => {
    const body = await jsonBody(c, identitySchema);
    const id = await engine.sql.begin(async (tx) => {
      const contact = await findContact(tx, body);
      if (!contact) return null;
      await lockContact(tx, contact.id);
      await softDeleteContact(tx, contact.id, engine.clock.now());
      return contact.id;
    });
    if (!id) throw new HogsendError("not_found", "no contact with that email or userId");
    return c.json({ deleted: true, id });
  });

  return app;
}
