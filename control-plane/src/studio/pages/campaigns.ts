import { badge, html, time, type Html } from "../html.js";
import type { StudioContext } from "../context.js";
import { NotFound } from "../errors.js";

export async function campaignsPage(s: StudioContext): Promise<Html> {
  const { campaigns } = await s.api<{ campaigns: any[] }>("/v1/admin/campaigns");
  const running = campaigns.some((c) => ["scheduled", "resolving", "sending"].includes(c.status));
  return html`<h1>Campaigns</h1>${running ? html`<p class="muted">Progress refreshes every 3 seconds.</p>` : ""}
<table><thead><tr><th scope="col">Campaign</th><th scope="col">Audience</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Created</th><th scope="col"></th></tr></thead><tbody>
${campaigns.map((c) => html`<tr><td><a href="/studio/campaigns/${c.id}">${c.template}</a></td><td>${c.list ? `list ${c.list}` : `bucket ${c.bucket}`}</td><td>${badge(c.status)}</td>
<td data-testid="progress-${c.id}">${c.sentCount} sent, ${c.skippedCount} skipped, ${c.failedCount} failed of ${c.totalRecipients}</td><td>${time(c.createdAt)}</td>
<td>${["scheduled", "resolving", "sending"].includes(c.status) ? html`<form class="inline" method="post" action="/studio/campaigns/${c.id}/cancel"><input type="hidden" name="csrf" value="${s.session.csrf}"><button type="submit" ${s.canAct ? "" : "disabled"}>Cancel</button></form>` : ""}</td></tr>`)}
</tbody></table>`;
}

export async function campaignPage(s: StudioContext, id: string): Promise<Html> {
  const { campaigns } = await s.api<{ campaigns: any[] }>("/v1/admin/campaigns");
  const c = campaigns.find((x) => x.id === id);
  if (!c) throw new NotFound("campaign");
  return html`<h1>Campaign ${c.template}</h1><p>${badge(c.status)} · ${c.list ? `list ${c.list}` : `bucket ${c.bucket}`}</p>
<p data-testid="progress">${c.sentCount} sent, ${c.skippedCount} skipped, ${c.failedCount} failed of ${c.totalRecipients}</p>`;
}
