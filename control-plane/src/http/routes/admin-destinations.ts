import { Hono } from "hono";
import { z } from "zod";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { addJob, Jobs } from "../../worker/jobs.js";
import { DELIVERY_MAX_ATTEMPTS } from "../../destinations/enqueue.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { queryWith } from "../validate.js";
import { cursorParam, nextCursor, olderThan } from "../cursor.js";

const listQuery = z.strictObject({
  status: z.enum(["pending", "delivered", "dead"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: cursorParam.optional(),
});

/** Deliveries to destinations, dead letters, and replay by hand. */
export function adminDestinationsRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get("/deliveries", requireScope("read"), async (c) => {
    const q = queryWith(c, listQuery);
    const rows = await engine.sql`
      select d.id, d.destination, d.event_id, d.status, d.attempts, d.last_error, d.created_at, d.updated_at, d.payload->>'event' as event
      from deliveries d
      where true ${q.status ? engine.sql`and d.status = ${q.status}` : engine.sql``}
        ${olderThan(engine.sql, engine.sql`d.created_at`, engine.sql`d.id`, q.before)}
      order by d.created_at desc, d.id desc limit ${q.limit}`;
    return c.json({
      deliveries: rows.map((r) => ({
        id: r.id, destination: r.destination, eventId: r.event_id, event: r.event, status: r.status, attempts: r.attempts,
        lastError: r.last_error, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
      })),
      next: nextCursor(rows as any, q.limit, (r) => r.created_at),
    });
  });

  app.post("/deliveries/:id/replay", requireScope("journey-admin"), async (c) => {
    const id = c.req.param("id");
    if (!z.string().uuid().safeParse(id).success) throw new HogsendError("not_found", "no such delivery");
    const now = engine.clock.now();
    const replayed = await engine.sql.begin(async (tx) => {
      const [row] = await tx`update deliveries set status = 'pending', attempts = 0, last_error = null, updated_at = ${now}
                             where id = ${id} and status = 'dead' returning id`;
      if (row) await addJob(tx, Jobs.delivery, { deliveryId: id }, { runAt: now, jobKey: `delivery:${id}`, maxAttempts: DELIVERY_MAX_ATTEMPTS });
      return Boolean(row);
    });
    if (!replayed) {
      const [exists] = await engine.sql`select status from deliveries where id = ${id}`;
      if (!exists) throw new HogsendError("not_found", "no such delivery");
      throw new HogsendError("conflict", `only a dead delivery can be replayed (this one is ${exists.status})`);
    }
    return c.json({ id, status: "pending" });
  });

  return app;
}
