import { Hono } from "hono";
import { z } from "zod";
import type { Engine } from "../../engine.js";
import { HogsendError } from "../../errors.js";
import { allTemplates, checkTemplateProps, render, templateInfo } from "../../mail/templates.js";
import { resendFailed, sendEmail } from "../../mail/service.js";
import { unsuppress } from "../../mail/suppression.js";
import { normalizeEmail } from "../../identity/normalize.js";
import type { AuthVariables, RequireScope } from "../auth.js";
import { jsonBody, propertyBag, queryWith } from "../validate.js";
import { cursorParam, nextCursor, olderThan } from "../cursor.js";

const previewSchema = z.strictObject({ template: z.string().min(1), props: propertyBag.optional() });
const testSchema = z.strictObject({ template: z.string().min(1), to: z.string().email(), props: propertyBag.optional(), subject: z.string().min(1).max(998).optional() });
const listQuery = z.strictObject({
  status: z.enum(["queued", "sent", "delivered", "skipped", "failed", "bounced", "complained"]).optional(),
  transport: z.string().max(40).optional(),
  contactId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: cursorParam.optional(),
});

function sendView(r: any, withBody = false) {
  return {
    id: r.id, to: r.to_address, template: r.template, category: r.category, subject: r.subject, status: r.status, reason: r.reason,
    transport: r.transport, providerId: r.provider_id, journeyId: r.journey_id, runId: r.run_id, campaignId: r.campaign_id, contactId: r.contact_id,
    openCount: r.open_count, createdAt: r.created_at.toISOString(), sentAt: r.sent_at?.toISOString() ?? null,
    statusHistory: r.status_history, ...(withBody ? { html: r.html, text: r.text, headers: r.headers, props: r.props } : {}),
  };
}

/** Templates (list, preview without side effects, test send), the outbox, sends with history, resend, un-suppress. */
export function adminEmailRoutes(engine: Engine, requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get("/templates", requireScope("read"), (c) => c.json({ templates: allTemplates() }));

  // Render only: no send row, no tracked links, no events.
  app.post("/templates/preview", requireScope("read"), async (c) => {
    const body = await jsonBody(c, previewSchema);
    const info = templateInfo(body.template);
    if (!info) throw new HogsendError("invalid_request", `template: "${body.template}" is not a registered template`, { issues: [{ field: "template", message: "unknown template" }] });
    const props = checkTemplateProps(body.template, body.props ?? info.sampleProps);
    const rendered = await render(body.template, props);
    return c.json({ template: info.key, subject: info.defaultSubject, props, html: rendered.html, text: rendered.text });
  });

  app.post("/templates/test", requireScope("journey-admin"), async (c) => {
    const body = await jsonBody(c, testSchema);
    const info = templateInfo(body.template);
    if (!info) throw new HogsendError("invalid_request", `template: "${body.template}" is not a registered template`, { issues: [{ field: "template", message: "unknown template" }] });
    const result = await sendEmail(engine, {
      to: body.to, template: body.template, props: body.props ?? info.sampleProps, subject: `[Test] ${body.subject ?? info.defaultSubject}`,
      category: "transactional", skipPreferenceCheck: true,
    });
    return c.json(result);
  });

  const list = async (c: any, transport?: string) => {
    const q = queryWith(c, listQuery);
    const t = transport ?? q.transport;
    const rows = await engine.sql`
      select * from email_sends where true
        ${q.status ? engine.sql`and status = ${q.status}` : engine.sql``}
        ${t ? engine.sql`and transport = ${t}` : engine.sql``}
        ${q.contactId ? engine.sql`and contact_id = ${q.contactId}` : engine.sql``}
        ${olderThan(engine.sql, engine.sql`created_at`, engine.sql`id`, q.before)}
      order by created_at desc, id desc limit ${q.limit}`;
    return c.json({ sends: rows.map((r) => sendView(r)), next: nextCursor(rows as any, q.limit, (r) => r.created_at) });
  };
  app.get("/outbox", requireScope("read"), (c) => list(c, "outbox"));
  app.get("/sends", requireScope("read"), (c) => list(c));

  app.get("/sends/:id", requireScope("read"), async (c) => {
    const id = c.req.param("id");
    if (!z.string().uuid().safeParse(id).success) throw new HogsendError("not_found", "no such send");
    const [row] = await engine.sql`select * from email_sends where id = ${id}`;
    if (!row) throw new HogsendError("not_found", "no such send");
    const links = await engine.sql`select id, position, url, action_event, action_properties, click_count from tracked_links where send_id = ${id} order by position`;
    return c.json({ ...sendView(row, true), links: links.map((l) => ({ id: l.id, url: l.url, actionEvent: l.action_event, actionProperties: l.action_properties, clicks: l.click_count })) });
  });

  app.post("/sends/:id/resend", requireScope("journey-admin"), async (c) => {
    const id = c.req.param("id");
    if (!z.string().uuid().safeParse(id).success) throw new HogsendError("not_found", "no such send");
    const [row] = await engine.sql`select status from email_sends where id = ${id}`;
    if (!row) throw new HogsendError("not_found", "no such send");
    return c.json(await resendFailed(engine, id));
  });

  app.post("/suppressions/remove", requireScope("journey-admin"), async (c) => {
    const body = await jsonBody(c, z.strictObject({ email: z.string().email() }));
    const removed = await unsuppress(engine.sql, normalizeEmail(body.email), engine.clock.now());
    if (!removed) throw new HogsendError("not_found", "that address is not suppressed");
    return c.json({ email: normalizeEmail(body.email), suppressed: false });
  });

  return app;
}
