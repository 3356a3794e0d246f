import { Hono } from "hono";
import { z } from "zod";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { findAndLockContact } from "../../identity/contacts.js";
import { enrollContact } from "../../journeys/enroll.js";
import { RUN_STATUSES } from "../../journeys/statuses.js";
import { cancelRun, getRun, isJourneyEnabled, setJourneyEnabled } from "../../journeys/store.js";
import { runTimeline } from "../../journeys/timeline.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { identitySchema } from "../schemas.js";
import { jsonBody, queryWith } from "../validate.js";
import { cursorParam, nextCursor, olderThan } from "../cursor.js";

const uuid = z.string().uuid("must be a UUID");
const runsQuery = z.strictObject({
  status: z.enum(RUN_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: cursorParam.optional(),
});

/** The journeys admin API: read scope sees, journey-admin acts. */
export function adminJourneyRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();

  const journeyOr404 = (id: string) => {
    const journey = engine.registry.journeys.get(id);
    if (!journey) throw new HogsendError("not_found", `journey "${id}" is not defined`);
    return journey;
  };

  async function describe(id: string) {
    const journey = journeyOr404(id);
    const counts = await engine.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from journey_runs where journey_id = ${id} group by status`;
    const m = journey.meta;
    return {
      id: m.id,
      name: m.name,
      description: m.description ?? null,
      enabled: await isJourneyEnabled(engine.sql, id, m.enabled),
      trigger: { event: m.trigger.event, where: journey.triggerCondition },
      entryLimit: m.entryLimit,
      entryPeriodMs: m.entryPeriod ?? null,
      suppressMs: m.suppress,
      exitOn: journey.exitOn,
      category: m.category ?? "journey",
      runs: Object.fromEntries(RUN_STATUSES.map((s) => [s, counts.find((c) => c.status === s)?.n ?? 0])),
    };
  }

  app.get("/journeys", requireScope("read"), async (c) => {
    return c.json({ journeys: await Promise.all([...engine.registry.journeys.keys()].map(describe)) });
  });

  app.get("/journeys/:id", requireScope("read"), async (c) => c.json(await describe(c.req.param("id"))));

  for (const [action, enabled] of [["enable", true], ["disable", false]] as const) {
    app.post(`/journeys/:id/${action}`, requireScope("journey-admin"), async (c) => {
      const id = c.req.param("id");
      journeyOr404(id);
      await setJourneyEnabled(engine.sql, id, enabled, engine.clock.now());
      return c.json(await describe(id));
    });
  }

  app.get("/journeys/:id/runs", requireScope("read"), async (c) => {
    const id = c.req.param("id");
    journeyOr404(id);
    const q = queryWith(c, runsQuery);
    const runs = await engine.sql`
      select r.id, r.status, r.contact_id, c.email, c.user_id, r.parked_at, r.wake_at, r.exit_reason, r.error, r.started_at, r.finished_at
      from journey_runs r join contacts c on c.id = r.contact_id
      where r.journey_id = ${id} ${q.status ? engine.sql`and r.status = ${q.status}` : engine.sql``}
        ${olderThan(engine.sql, engine.sql`r.started_at`, engine.sql`r.id`, q.before)}
      order by r.started_at desc, r.id desc limit ${q.limit}`;
    return c.json({ runs: runs.map(runView), next: nextCursor(runs as any, q.limit, (r) => r.started_at) });
  });

  app.post("/journeys/:id/enroll", requireScope("journey-admin"), async (c) => {
    const journey = journeyOr404(c.req.param("id"));
    const body = await jsonBody(c, identitySchema);
    const result = await engine.sql.begin(async (tx) => {
      const contact = await findAndLockContact(tx, body);
      if (!contact) throw new HogsendError("not_found", "no contact with that email or userId");
      return enrollContact(engine, tx, journey, contact, null, { manual: true });
    });
    if (!result.runId) throw new HogsendError("conflict", `not enrolled: ${result.skipped}`, { reason: result.skipped });
    return c.json({ runId: result.runId }, 201);
  });

  app.get("/runs/:id", requireScope("read"), async (c) => {
    const id = c.req.param("id");
    if (!uuid.safeParse(id).success) throw new HogsendError("not_found", "no such run");
    const run = await getRun(engine.sql, id);
    if (!run) throw new HogsendError("not_found", "no such run");
    const [contact] = await engine.sql`select id, email, user_id from contacts where id = ${run.contact_id}`;
    return c.json({
      id: run.id,
      journeyId: run.journey_id,
      status: run.status,
      contact: { id: contact.id, email: contact.email, userId: contact.user_id },
      startedAt: run.started_at.toISOString(),
      finishedAt: run.finished_at?.toISOString() ?? null,
      wakeAt: run.wake_at?.toISOString() ?? null,
      parkedAt: run.parked_at,
      exitReason: run.exit_reason,
      error: run.error,
      timeline: await runTimeline(engine.sql, run),
    });
  });

  app.post("/runs/:id/cancel", requireScope("journey-admin"), async (c) => {
    const id = c.req.param("id");
    if (!uuid.safeParse(id).success) throw new HogsendError("not_found", "no such run");
    const cancelled = await engine.sql.begin((tx) => cancelRun(tx, id, "cancelled by operator", engine.clock.now()));
    if (!cancelled) {
      const run = await getRun(engine.sql, id);
      if (!run) throw new HogsendError("not_found", "no such run");
      throw new HogsendError("conflict", `run is already ${run.status}`);
    }
    return c.json({ id, status: "cancelled" });
  });

  return app;
}

export function runView(r: any) {
  return {
    id: r.id,
    status: r.status,
    contact: { id: r.contact_id, email: r.email, userId: r.user_id },
    parkedAt: r.parked_at,
    wakeAt: r.wake_at?.toISOString() ?? null,
    exitReason: r.exit_reason,
    error: r.error,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}
