import { badge, html, json, time, type Html } from "../html.js";
import type { StudioContext } from "../context.js";
import { NotFound } from "../errors.js";
import { preferencesOf } from "../../tracking/unsubscribe.js";

/** Search by email, userId or PostHog distinct_id (indexed lookups only), or list the newest contacts. */
export async function contactsPage(s: StudioContext): Promise<Html> {
  const q = (s.c.req.query("q") ?? "").trim();
  const sql = s.engine.sql;
  const rows = q
    ? await sql<any[]>`
        select c.* from contacts c where c.merged_into is null and (c.email = ${q.toLowerCase()} or c.user_id = ${q}
          or c.id in (select contact_id from contact_aliases where value = ${q} and kind in ('distinct_id', 'user_id', 'email'))) limit 20`
    : await sql<any[]>`select * from contacts where merged_into is null order by created_at desc limit 50`;
  return html`<h1>Contacts</h1>
<form method="get" action="/studio/contacts" role="search"><label for="q">Email, userId or PostHog distinct_id</label>
<input id="q" name="q" value="${q}" size="40"> <button type="submit">Search</button></form>
<table><thead><tr><th scope="col">Email</th><th scope="col">userId</th><th scope="col">Created</th><th scope="col">State</th></tr></thead><tbody>
${rows.map((c) => html`<tr><td><a href="/studio/contacts/${c.id}">${c.email ?? "(no email)"}</a></td><td>${c.user_id}</td><td>${time(c.created_at)}</td>
<td>${c.deleted_at ? badge("deleted") : c.unsubscribed_at ? badge("unsubscribed") : ""}</td></tr>`)}
</tbody></table>${q && !rows.length ? html`<p class="muted">No contact matches “${q}”.</p>` : ""}`;
}

export async function contactPage(s: StudioContext, id: string): Promise<Html> {
  const sql = s.engine.sql;
  const [contact] = await sql<any[]>`select * from contacts where id = ${id}`;
  if (!contact) throw new NotFound("contact");
  const [events, runs, sends, suppression, prefs, aliases] = await Promise.all([
    sql<any[]>`select id, name, properties, received_at from events where contact_id = ${id} order by received_at desc limit 30`,
    sql<any[]>`select id, journey_id, status, started_at from journey_runs where contact_id = ${id} order by started_at desc limit 30`,
    sql<any[]>`select id, template, status, reason, created_at from email_sends where contact_id = ${id} order by created_at desc limit 30`,
    contact.email ? sql<any[]>`select suppressed, reason, permanent_bounces from suppressions where email = ${contact.email}` : Promise.resolve([]),
    preferencesOf(s.engine, id),
    sql<any[]>`select kind, value from contact_aliases where contact_id = ${id}`,
  ]);
  const disabled = s.canAct ? "" : html`disabled title="Your key's scope cannot act"`;
  const csrf = html`<input type="hidden" name="csrf" value="${s.session.csrf}">`;
  return html`<h1>${contact.email ?? contact.user_id ?? contact.id}</h1>
<p class="muted">userId ${contact.user_id ?? "—"} · created ${time(contact.created_at)}${contact.unsubscribed_at ? html` · ${badge("unsubscribed")}` : ""}${contact.deleted_at ? html` · ${badge("deleted")}` : ""}</p>
${aliases.length ? html`<p class="muted">Also known as: ${aliases.map((a) => html`<code>${a.kind}:${a.value}</code> `)}</p>` : ""}
<h2>Properties</h2><div data-testid="properties">${json(contact.properties)}</div>
<h2>PostHog person properties</h2>${json(contact.person_properties)}
<h2>Suppression</h2>${suppression[0]?.suppressed
    ? html`<p class="error">Suppressed (${suppression[0].reason}).</p><form method="post" action="/studio/contacts/${id}/unsuppress">${csrf}<button type="submit" ${disabled}>Un-suppress</button></form>`
    : html`<p class="muted">Not suppressed.</p>`}
<h2>Lists and preferences</h2><table><tbody>${prefs.lists.map((l) => html`<tr><td>${l.name}</td><td>${l.defaultOptIn ? "opt-out list" : "opt-in list"}</td><td>${l.subscribed ? "receives" : "does not receive"}</td></tr>`)}</tbody></table>
<h2>Enroll into a journey</h2><form method="post" action="/studio/contacts/${id}/enroll">${csrf}<label for="journey">Journey</label>
<select id="journey" name="journey">${[...s.engine.registry.journeys.values()].map((j) => html`<option value="${j.meta.id}">${j.meta.name}</option>`)}</select>
<button type="submit" ${disabled}>Enroll</button></form>
<h2>Runs</h2><table><tbody>${runs.map((r) => html`<tr><td><a href="/studio/runs/${r.id}">${r.journey_id}</a></td><td>${badge(r.status)}</td><td>${time(r.started_at)}</td></tr>`)}</tbody></table>
<h2>Sends</h2><table><tbody>${sends.map((x) => html`<tr><td><a href="/studio/sends/${x.id}">${x.template}</a></td><td>${badge(x.status)} ${x.reason ?? ""}</td><td>${time(x.created_at)}</td></tr>`)}</tbody></table>
<h2>Events</h2><table><tbody>${events.map((e) => html`<tr><td><code>${e.name}</code></td><td>${time(e.received_at)}</td><td>${json(e.properties)}</td></tr>`)}</tbody></table>`;
}
