import { html, type Html } from "../html.js";
import type { StudioContext } from "../context.js";

export async function audiencesPage(s: StudioContext): Promise<Html> {
  const [{ lists }, { buckets }] = await Promise.all([s.api<{ lists: any[] }>("/v1/admin/lists"), s.api<{ buckets: any[] }>("/v1/admin/buckets")]);
  const show = s.c.req.query("bucket");
  const members = show ? (await s.api<{ members: any[] }>(`/v1/admin/buckets/${encodeURIComponent(show)}/members?limit=50`).catch(() => ({ members: [] }))).members : [];
  return html`<h1>Lists and buckets</h1>
<h2>Lists</h2><table><thead><tr><th scope="col">List</th><th scope="col">Polarity</th><th scope="col">Opted in</th><th scope="col">Opted out</th></tr></thead><tbody>
${lists.map((l) => html`<tr><td>${l.name} <span class="muted">${l.id}</span></td><td>${l.defaultOptIn ? "opt-out" : "opt-in"}</td><td>${l.explicitlySubscribed}</td><td>${l.explicitlyUnsubscribed}</td></tr>`)}</tbody></table>
<h2>Buckets</h2><table><thead><tr><th scope="col">Bucket</th><th scope="col">Source</th><th scope="col">Members</th></tr></thead><tbody>
${buckets.map((b) => html`<tr><td><a href="/studio/audiences?bucket=${encodeURIComponent(b.id)}">${b.name}</a></td><td>${b.posthogCohort ? `PostHog cohort ${b.posthogCohort}` : "criteria"}</td><td>${b.count}</td></tr>`)}</tbody></table>
${show ? html`<h2>Members of ${show}</h2><table><tbody>${members.map((m) => html`<tr><td><a href="/studio/contacts/${m.contactId}">${m.email ?? m.userId}</a></td></tr>`)}</tbody></table>` : ""}`;
}
