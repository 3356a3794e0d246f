import { badge, html, type Html } from "../html.js";
import type { StudioContext } from "../context.js";

/** Events per minute (last hour, bounded by the received_at index), runs and sends by status, what needs attention. */
export async function overviewPage(s: StudioContext): Promise<Html> {
  const sql = s.engine.sql;
  const now = s.engine.clock.now();
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const [perMinute, runs, sends, dead, failedRuns] = await Promise.all([
    sql<{ minute: Date; n: number }[]>`select date_trunc('minute', received_at) as minute, count(*)::int as n from events where received_at >= ${hourAgo} group by 1 order by 1 desc limit 60`,
    sql<{ status: string; n: number }[]>`select status, count(*)::int as n from journey_runs group by status order by status`,
    sql<{ status: string; n: number }[]>`select status, count(*)::int as n from email_sends where created_at >= ${new Date(now.getTime() - 7 * 86_400_000)} group by status order by status`,
    sql<{ n: number }[]>`select count(*)::int as n from deliveries where status = 'dead'`,
    sql<{ id: string; journey_id: string; error: string | null; status: string }[]>`select id, journey_id, error, status from journey_runs where status in ('failed', 'diverged') order by updated_at desc limit 10`,
  ]);
  const lastMinute = perMinute[0]?.n ?? 0;
  const max = Math.max(1, ...perMinute.map((p) => p.n));
  return html`<h1>Overview</h1>
<div class="cards">
  <div class="card"><span class="muted">Events in the last minute</span><b data-testid="events-per-minute">${lastMinute}</b></div>
  <div class="card"><span class="muted">Events in the last hour</span><b>${perMinute.reduce((a, p) => a + p.n, 0)}</b></div>
  <div class="card"><span class="muted">Dead letters</span><b>${dead[0].n}</b></div>
  <div class="card"><span class="muted">Failed or diverged runs</span><b>${failedRuns.length}</b></div>
</div>
<h2>Events per minute (last hour)</h2>
<table><thead><tr><th scope="col">Minute</th><th scope="col">Events</th><th scope="col"></th></tr></thead><tbody>
${perMinute.slice(0, 15).map((p) => html`<tr><td>${p.minute.toISOString().slice(11, 16)} UTC</td><td>${p.n}</td><td style="width:60%"><div class="bar" style="width:${Math.round((100 * p.n) / max)}%"></div></td></tr>`)}
</tbody></table>
<h2>Runs by status</h2><table><tbody>${runs.map((r) => html`<tr><td>${badge(r.status)}</td><td>${r.n}</td></tr>`)}</tbody></table>
<h2>Sends by status (7 days)</h2><table><tbody>${sends.map((r) => html`<tr><td>${badge(r.status)}</td><td>${r.n}</td></tr>`)}</tbody></table>
<h2>Needs attention</h2>
${failedRuns.length ? html`<table><tbody>${failedRuns.map((r) => html`<tr><td><a href="/studio/runs/${r.id}">${r.journey_id}</a></td><td>${badge(r.status)}</td><td>${r.error}</td></tr>`)}</tbody></table>` : html`<p class="muted">Nothing failing.</p>`}
${dead[0].n ? html`<p><a href="/studio/destinations?status=dead">${dead[0].n} dead letters</a></p>` : ""}`;
}
