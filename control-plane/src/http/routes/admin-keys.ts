import { Hono } from "hono";
import { z } from "zod";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { createApiKey, listApiKeys, revokeApiKey, SCOPES } from "../../auth/api-keys.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { jsonBody } from "../validate.js";

const createSchema = z.strictObject({ scope: z.enum(SCOPES), name: z.string().min(1).max(100).optional() });

export function adminKeyRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();
  const view = (k: Awaited<ReturnType<typeof listApiKeys>>[number]) => ({
    id: k.id, name: k.name, prefix: k.prefix, scope: k.scope, createdAt: k.created_at.toISOString(),
    revokedAt: k.revoked_at?.toISOString() ?? null,
  });
  app.get("/api-keys", requireScope("full-admin"), async (c) => c.json({ keys: (await listApiKeys(engine.sql)).map(view) }));
  app.post("/api-keys", requireScope("full-admin"), async (c) => {
    const body = await jsonBody(c, createSchema);
    const { key, row } = await createApiKey(engine.sql, body, engine.clock.now());
    return c.json({ ...view(row), key }, 201);
  });
  app.delete("/api-keys/:id", requireScope("full-admin"), async (c) => {
    const id = c.req.param("id");
    if (!z.string().uuid().safeParse(id).success || !(await revokeApiKey(engine.sql, id, engine.clock.now()))) throw new HogsendError("not_found", "no such active key");
    return c.json({ id, revoked: true });
  });
  return app;
}
