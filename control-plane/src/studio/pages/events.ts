import { html, json, time, type Html } from "../html.js";
import type { StudioContext } from "../context.js";
import { nextCursor, olderThan } from "../../http/cursor.js";

/** Recent events, newest first, keyset-paginated on (received_at, id); the page refreshes itself. */
export async function eventsPage(s: StudioContext): Promise<Html> {
  const name = (s.c.req.query("name") ?? "").trim();
  const before = s.c.req.query("before");
  const sql = s.engine.sql;
  const rows = await sql<any[]>`
    select e.id, e.name, e.properties, e.received_at, e.source, c.email, c.user_id, c.id as contact_id from events e left join contacts c on c.id = e.contact_id
    where true ${name ? sql`and e.name = ${name}` : sql``} ${olderThan(sql, sql`e.received_at`, sql`e.id`, before)}
    order by e.received_at desc, e.id desc limit 50`;
  const next = nextCursor(rows, 50, (e) => e.received_at);
  return html`<h1>Events</h1>
<form method="get" action="/studio/events"><label for="name">Event name</label> <input id="name" name="name" value="${name}"> <button type="submit">Filter</button></form>
<p class="muted">Newest first; this page refreshes every 5 seconds.</p>
<table><thead><tr><th scope="col">Received</th><th scope="col">Event</th><th scope="col">Contact</th><th scope="col">Source</th><th scope="col">Properties</th></tr></thead><tbody>
${rows.map((e) => html`<tr><td>${time(e.received_at)}</td><td><code>${e.name}</code></td><td>${e.contact_id ? html`<a href="/studio/contacts/${e.contact_id}">${e.email ?? e.user_id}</a>` : html`<span class="muted">system</span>`}</td><td>${e.source}</td><td>${json(e.properties)}</td></tr>`)}
</tbody></table>${next ? html`<p><a href="/studio/events?${new URLSearchParams({ ...(name ? { name } : {}), before: next }).toString()}">Older events →</a></p>` : ""}`;
}
