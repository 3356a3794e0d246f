import { badge, html, time, type Html } from "../html.js";
import type { StudioContext } from "../context.js";

export async function destinationsPage(s: StudioContext): Promise<Html> {
  const status = s.c.req.query("status");
  const { deliveries } = await s.api<{ deliveries: any[] }>(`/v1/admin/deliveries?limit=100${status ? `&status=${encodeURIComponent(status)}` : ""}`);
  return html`<h1>Destinations</h1><p><a href="/studio/destinations">All deliveries</a> · <a href="/studio/destinations?status=dead">Dead letters</a></p>
<table><thead><tr><th scope="col">Created</th><th scope="col">Destination</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col"></th></tr></thead><tbody>
${deliveries.map((d) => html`<tr><td>${time(d.createdAt)}</td><td>${d.destination}</td><td><code>${d.event}</code></td><td>${badge(d.status)}</td><td>${d.attempts}</td><td>${d.lastError}</td>
<td>${d.status === "dead" ? html`<form class="inline" method="post" action="/studio/deliveries/${d.id}/replay"><input type="hidden" name="csrf" value="${s.session.csrf}"><button type="submit" ${s.canAct ? "" : "disabled"}>Replay</button></form>` : ""}</td></tr>`)}
</tbody></table>`;
}
