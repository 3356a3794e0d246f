import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Engine } from "../engine.js";
import type { RequireScope } from "../http/auth.js";
import { allows, findApiKey, type Scope } from "../auth/api-keys.js";
import { makeApi, StudioApiError, type AdminApi, type StudioContext } from "./context.js";
import { NotFound } from "./errors.js";
import { escape, html, type Html } from "./html.js";
import { layout } from "./layout.js";
import { newSession, openSession, sealSession, SESSION_COOKIE, SESSION_HOURS, type Session } from "./session.js";
import { overviewPage } from "./pages/overview.js";
import { journeyPage, journeysPage, runPage } from "./pages/journeys.js";
import { contactPage, contactsPage } from "./pages/contacts.js";
import { eventsPage } from "./pages/events.js";
import { sendPage, sendsPage } from "./pages/sends.js";
import { templatePreviewPage, templatesPage } from "./pages/templates.js";
import { campaignPage, campaignsPage } from "./pages/campaigns.js";
import { audiencesPage } from "./pages/audiences.js";
import { destinationsPage } from "./pages/destinations.js";
import { settingsPage } from "./pages/settings.js";

export type { AdminApi } from "./context.js";

function loginPage(error?: string, next = "/studio"): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Hogsend Studio</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:420px;margin:4rem auto;padding:0 1rem}input{font:inherit;width:100%;padding:.4rem}button{font:inherit;margin-top:.8rem;padding:.4rem 1rem}.error{color:#b91c1c}</style></head>
<body><main><h1>Hogsend Studio</h1>${error ? `<p class="error" role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/studio/login"><input type="hidden" name="next" value="${escape(next)}"><label for="key">Admin API key</label>
<input id="key" name="key" type="password" autocomplete="off" required placeholder="hsk_…"><button type="submit">Sign in</button></form>
<p>Use a key with the read, journey-admin or full-admin scope.</p></main></body></html>`;
}

const safeNext = (next: unknown) => (typeof next === "string" && next.startsWith("/studio") && !next.startsWith("//") ? next : "/studio");

/**
 * Studio, the operator UI at /studio: server-rendered pages over the admin API. The signed-in operator's key
 * rides in an encrypted, httpOnly, SameSite=Strict cookie; every form POST carries the session's CSRF token;
 * read keys see, journey-admin and full-admin keys act — enforced again by the admin API itself.
 */
export function studioRoutes(engine: Engine, _requireScope: RequireScope, adminApi: AdminApi) {
  const app = new Hono();

  app.get("/login", (c) => c.html(loginPage(undefined, safeNext(c.req.query("next")))));

  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const key = String(form.key ?? "").trim();
    const next = safeNext(form.next);
    const row = key.startsWith("hsk_") ? await findApiKey(engine.sql, key) : undefined;
    if (!row) return c.html(loginPage("That key is not valid, or it was revoked.", next), 401);
    if (!allows(row.scope, "read")) return c.html(loginPage("That key has the ingest scope only; Studio needs read, journey-admin or full-admin.", next), 403);
    setCookie(c, SESSION_COOKIE, sealSession(engine, newSession(engine, key)), {
      httpOnly: true, sameSite: "Strict", path: "/studio", maxAge: SESSION_HOURS * 3600, secure: engine.publicUrl.startsWith("https://"),
    });
    return c.redirect(next, 303);
  });

  // Every other page needs a live session; an expired one returns to sign-in, then to the page asked for.
  app.use("*", async (c, next) => {
    const session = openSession(engine, getCookie(c, SESSION_COOKIE));
    const row = session ? await findApiKey(engine.sql, session.key) : undefined;
    if (!session || !row) {
      if (c.req.method !== "GET") return c.redirect("/studio/login", 303);
      const url = new URL(c.req.url);
      return c.redirect(`/studio/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    if (c.req.method === "POST") {
      const form = await c.req.parseBody();
      if (form.csrf !== session.csrf) return c.html(layout({ title: "Refused", path: "", body: html`<h1>Refused</h1><p>This form has expired. Go back and try again.</p>`, csrf: session.csrf }), 403);
      c.set("form" as never, form as never);
    }
    c.set("studio" as never, context(c, session, row.scope) as never);
    await next();
  });

  function context(c: Context, session: Session, scope: Scope): StudioContext {
    return { engine, session, scope, canAct: allows(scope, "journey-admin"), c, api: makeApi(adminApi, session.key) };
  }
  const studio = (c: Context) => c.get("studio" as never) as StudioContext;
  const form = (c: Context) => c.get("form" as never) as Record<string, unknown>;

  /** Render a page; unknown ids are a 404 page, API refusals an error page, never a stack trace. */
  const page = (title: string, render: (s: StudioContext, c: Context) => Promise<Html>, options: { refresh?: number } = {}) => async (c: Context) => {
    const s = studio(c);
    try {
      const body = await render(s, c);
      return c.html(layout({ title, path: c.req.path, body, csrf: s.session.csrf, refresh: options.refresh }));
    } catch (error) {
      if (error instanceof NotFound) return c.html(layout({ title: "Not found", path: c.req.path, body: html`<h1>Not found</h1><p>No ${error.what} with that id.</p>`, csrf: s.session.csrf }), 404);
      if (error instanceof StudioApiError) return c.html(layout({ title: "Error", path: c.req.path, body: html`<h1>Could not load this page</h1><p class="error">${error.message}</p>`, csrf: s.session.csrf }), error.status as never);
      engine.log.error("studio page failed", { path: c.req.path, error: (error as Error).message });
      return c.html(layout({ title: "Error", path: c.req.path, body: html`<h1>Something went wrong</h1>`, csrf: s.session.csrf }), 500);
    }
  };

  /** Run an action through the admin API as the operator, then go back. */
  const action = (run: (s: StudioContext, c: Context) => Promise<string>) => async (c: Context) => {
    const s = studio(c);
    try {
      return c.redirect(await run(s, c), 303);
    } catch (error) {
      const message = error instanceof StudioApiError ? error.message : "the action failed";
      const status = error instanceof StudioApiError ? error.status : 500;
      return c.html(layout({ title: "Refused", path: c.req.path, body: html`<h1>That did not work</h1><p class="error" role="alert">${message}</p>`, csrf: s.session.csrf }), status as never);
    }
  };
  const id = (c: Context) => c.req.param("id") ?? "";
  const isUuid = (v: string) => /^[0-9a-f-]{36}$/i.test(v);
  const guardId = (render: (s: StudioContext, id: string) => Promise<Html>) => (s: StudioContext, c: Context) => {
    if (!isUuid(id(c))) throw new NotFound("item");
    return render(s, id(c));
  };

  app.post("/logout", (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/studio" });
    return c.redirect("/studio/login", 303);
  });

  app.get("/", page("Overview", overviewPage, { refresh: 15 }));
  app.get("/journeys", page("Journeys", journeysPage));
  app.get("/journeys/:id", page("Journey", (s, c) => journeyPage(s, id(c)), { refresh: 10 }));
  app.get("/runs/:id", page("Run", guardId(runPage)));
  app.get("/contacts", page("Contacts", contactsPage));
  app.get("/contacts/:id", page("Contact", guardId(contactPage)));
  app.get("/events", page("Events", eventsPage, { refresh: 5 }));
  app.get("/sends", page("Sends", sendsPage));
  app.get("/sends/:id", page("Send", guardId(sendPage)));
  app.get("/templates", page("Templates", templatesPage));
  app.get("/templates/preview", page("Template preview", (s) => templatePreviewPage(s)));
  app.get("/campaigns", page("Campaigns", campaignsPage, { refresh: 3 }));
  app.get("/campaigns/:id", page("Campaign", guardId(campaignPage), { refresh: 3 }));
  app.get("/audiences", page("Lists and buckets", audiencesPage));
  app.get("/destinations", page("Destinations", destinationsPage));
  app.get("/settings", page("Settings", (s) => settingsPage(s)));

  for (const verb of ["enable", "disable"]) {
    app.post(`/journeys/:id/${verb}`, action(async (s, c) => {
      await s.api(`/v1/admin/journeys/${encodeURIComponent(id(c))}/${verb}`, { method: "POST" });
      return `/studio/journeys/${encodeURIComponent(id(c))}`;
    }));
  }
  app.post("/runs/:id/cancel", action(async (s, c) => {
    await s.api(`/v1/admin/runs/${encodeURIComponent(id(c))}/cancel`, { method: "POST" });
    return `/studio/runs/${encodeURIComponent(id(c))}`;
  }));
  app.post("/contacts/:id/unsuppress", action(async (s, c) => {
    const [contact] = await engine.sql`select email from contacts where id = ${id(c)}`;
    await s.api("/v1/admin/suppressions/remove", { method: "POST", body: { email: contact?.email } });
    return `/studio/contacts/${id(c)}`;
  }));
  app.post("/contacts/:id/enroll", action(async (s, c) => {
    const [contact] = await engine.sql`select email, user_id from contacts where id = ${id(c)}`;
    const identity = contact?.user_id ? { userId: contact.user_id } : { email: contact?.email };
    const { runId } = await s.api(`/v1/admin/journeys/${encodeURIComponent(String(form(c).journey))}/enroll`, { method: "POST", body: identity });
    return `/studio/runs/${runId}`;
  }));
  app.post("/sends/:id/resend", action(async (s, c) => {
    await s.api(`/v1/admin/sends/${encodeURIComponent(id(c))}/resend`, { method: "POST" });
    return `/studio/sends/${id(c)}`;
  }));
  app.post("/templates/test", action(async (s, c) => {
    const key = c.req.query("key") ?? "";
    await s.api("/v1/admin/templates/test", { method: "POST", body: { template: key, to: String(form(c).to ?? "") } });
    return `/studio/sends?outbox=1`;
  }));
  app.post("/campaigns/:id/cancel", action(async (s, c) => {
    await s.api(`/v1/admin/campaigns/${encodeURIComponent(id(c))}/cancel`, { method: "POST" });
    return `/studio/campaigns`;
  }));
  app.post("/deliveries/:id/replay", action(async (s, c) => {
    await s.api(`/v1/admin/deliveries/${encodeURIComponent(id(c))}/replay`, { method: "POST" });
    return `/studio/destinations`;
  }));
  app.post("/settings/keys", page("Settings", async (s, c) => {
    const f = form(c);
    const created = await s.api<{ key: string; scope: string }>("/v1/admin/api-keys", { method: "POST", body: { name: String(f.name ?? "studio"), scope: String(f.scope ?? "ingest") } });
    return settingsPage(s, created);
  }));
  app.post("/settings/keys/:id/revoke", action(async (s, c) => {
    await s.api(`/v1/admin/api-keys/${encodeURIComponent(id(c))}`, { method: "DELETE" });
    return "/studio/settings";
  }));

  app.get("*", (c) => c.html(layout({ title: "Not found", path: c.req.path, body: html`<h1>Not found</h1><p>There is no such page.</p>`, csrf: studio(c).session.csrf }), 404));
  return app;
}
