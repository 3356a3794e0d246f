import { Hono } from "hono";
import { z } from "zod";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { isSubscribedTo } from "../../audiences/lists.js";
import { campaignView, cancelCampaign } from "../../audiences/campaigns.js";
import { findContact } from "../../identity/contacts.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { queryWith } from "../validate.js";

const page = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), after: z.string().uuid().optional() });
const who = z.strictObject({ email: z.string().email().optional(), userId: z.string().min(1).optional() }).refine((v) => v.email || v.userId, { message: "email or userId is required", path: ["email"] });

/** Lists and buckets with member counts and members; bucket `has`; campaigns. */
export function adminAudiencesRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get("/lists", requireScope("read"), async (c) => {
    const counts = await engine.sql<{ list_id: string; yes: number; no: number }[]>`
      select list_id, count(*) filter (where subscribed)::int as yes, count(*) filter (where not subscribed)::int as no from list_memberships group by list_id`;
    const byId = new Map(counts.map((r) => [r.list_id, r]));
    return c.json({
      lists: [...engine.registry.lists.values()].map((l) => ({
        id: l.id, name: l.name, description: l.description ?? null, defaultOptIn: l.defaultOptIn,
        explicitlySubscribed: byId.get(l.id)?.yes ?? 0, explicitlyUnsubscribed: byId.get(l.id)?.no ?? 0,
      })),
    });
  });

  app.get("/lists/:id/members", requireScope("read"), async (c) => {
    const list = engine.registry.lists.get(c.req.param("id"));
    if (!list) throw new HogsendError("not_found", "no such list");
    const q = queryWith(c, page);
    const rows = await engine.sql`
      select c.id, c.email, c.user_id, m.subscribed from list_memberships m join contacts c on c.id = m.contact_id
      where m.list_id = ${list.id} ${q.after ? engine.sql`and c.id > ${q.after}` : engine.sql``} order by c.id limit ${q.limit}`;
    return c.json({
      members: rows.map((r) => ({ contactId: r.id, email: r.email, userId: r.user_id, explicit: r.subscribed, subscribed: isSubscribedTo(list, r.subscribed) })),
      next: rows.length === q.limit ? rows[rows.length - 1].id : null,
    });
  });

  app.get("/buckets", requireScope("read"), async (c) => {
    const counts = await engine.sql<{ bucket_id: string; n: number }[]>`select bucket_id, count(*)::int as n from bucket_memberships group by bucket_id`;
    const byId = new Map(counts.map((r) => [r.bucket_id, r.n]));
    return c.json({
      buckets: [...engine.registry.buckets.values()].map((b) => ({ id: b.id, name: b.name ?? b.id, description: b.description ?? null, posthogCohort: b.posthogCohort ?? null, criteria: b.criteria ?? null, count: byId.get(b.id) ?? 0 })),
    });
  });

  app.get("/buckets/:id/members", requireScope("read"), async (c) => {
    const bucket = engine.registry.buckets.get(c.req.param("id"));
    if (!bucket) throw new HogsendError("not_found", "no such bucket");
    const q = queryWith(c, page);
    const rows = await engine.sql`
      select c.id, c.email, c.user_id, b.entered_at from bucket_memberships b join contacts c on c.id = b.contact_id
      where b.bucket_id = ${bucket.id} ${q.after ? engine.sql`and c.id > ${q.after}` : engine.sql``} order by c.id limit ${q.limit}`;
    return c.json({ members: rows.map((r) => ({ contactId: r.id, email: r.email, userId: r.user_id, enteredAt: r.entered_at.toISOString() })), next: rows.length === q.limit ? rows[rows.length - 1].id : null });
  });

  app.get("/buckets/:id/has", requireScope("read"), async (c) => {
    const bucket = engine.registry.buckets.get(c.req.param("id"));
    if (!bucket) throw new HogsendError("not_found", "no such bucket");
    const contact = await findContact(engine.sql, queryWith(c, who));
    if (!contact) return c.json({ member: false, contactId: null });
    const [row] = await engine.sql`select 1 from bucket_memberships where bucket_id = ${bucket.id} and contact_id = ${contact.id}`;
    return c.json({ member: Boolean(row), contactId: contact.id });
  });

  app.get("/campaigns", requireScope("read"), async (c) => {
    const rows = await engine.sql`select * from campaigns order by created_at desc limit 100`;
    return c.json({ campaigns: rows.map((r) => campaignView(r as never)) });
  });

  app.post("/campaigns/:id/cancel", requireScope("journey-admin"), async (c) => {
    if (!z.string().uuid().safeParse(c.req.param("id")).success) throw new HogsendError("not_found", "no such campaign");
    return c.json(await cancelCampaign(engine, c.req.param("id")));
  });

  return app;
}
