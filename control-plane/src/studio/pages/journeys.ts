import { badge, html, json, time, type Html } from "../html.js";
import type { StudioContext } from "../context.js";
import { NotFound } from "../errors.js";
import { isLive } from "../../journeys/statuses.js";

export async function journeysPage(s: StudioContext): Promise<Html> {
  const { journeys } = await s.api<{ journeys: any[] }>("/v1/admin/journeys");
  return html`<h1>Journeys</h1><table><thead><tr><th scope="col">Journey</th><th scope="col">Trigger</th><th scope="col">Enabled</th><th scope="col">Live</th><th scope="col">Completed</th><th scope="col">Exited</th><th scope="col">Failed</th></tr></thead><tbody>
${journeys.map((j) => html`<tr><td><a href="/studio/journeys/${j.id}">${j.name}</a><div class="muted">${j.id}</div></td><td><code>${j.trigger.event}</code></td>
<td>${j.enabled ? "yes" : "no"}</td><td>${j.runs.running + j.runs.waiting + j.runs.sleeping}</td><td>${j.runs.completed}</td><td>${j.runs.exited}</td><td>${j.runs.failed + j.runs.diverged}</td></tr>`)}
</tbody></table>`;
}

/** The funnel of a journey's labels: how many runs reached each checkpoint, wait and email, and how waits ended. */
export async function journeyPage(s: StudioContext, id: string): Promise<Html> {
  const journey = s.engine.registry.journeys.get(id);
  if (!journey) throw new NotFound("journey");
  const detail = await s.api<any>(`/v1/admin/journeys/${encodeURIComponent(id)}`);
  const sql = s.engine.sql;
  const [entered, steps, waits, runs] = await Promise.all([
    sql<{ n: number }[]>`select count(*)::int as n from journey_runs where journey_id = ${id}`,
    sql<{ label: string; kind: string; n: number }[]>`
      select coalesce(s.label, s.step_key) as label, s.kind, count(*)::int as n from journey_steps s join journey_runs r on r.id = s.run_id
      where r.journey_id = ${id} and s.kind in ('checkpoint', 'email', 'wait', 'sleep', 'sleepUntil') group by 1, 2`,
    sql<{ step_key: string; status: string; n: number }[]>`
      select w.step_key, w.status, count(*)::int as n from journey_waits w join journey_runs r on r.id = w.run_id where r.journey_id = ${id} group by 1, 2`,
    sql<any[]>`select r.id, r.status, r.parked_at, r.started_at, c.email, c.user_id from journey_runs r join contacts c on c.id = r.contact_id where r.journey_id = ${id} order by r.started_at desc limit 50`,
  ]);
  const labels = s.engine.registry.shapes.get(id)?.labels ?? [];
  const reached = (label: string) => steps.filter((x) => x.label === label).reduce((a, x) => a + x.n, 0);
  const waitOutcome = (label: string) => {
    const rows = waits.filter((w) => w.step_key === label);
    const n = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
    return { event: n("matched"), timeout: n("timed_out"), ended: n("cancelled"), waiting: n("waiting") };
  };
  const total = Math.max(1, entered[0].n);
  const action = detail.enabled ? "disable" : "enable";
  return html`<h1>${detail.name}</h1>
<p class="muted">${detail.description ?? ""} · trigger <code>${detail.trigger.event}</code> · entry ${detail.entryLimit} · ${detail.enabled ? "enabled" : "disabled"}</p>
<form class="inline" method="post" action="/studio/journeys/${id}/${action}"><input type="hidden" name="csrf" value="${s.session.csrf}">
<button type="submit" ${s.canAct ? "" : html`disabled title="Your key's scope cannot act"`}>${detail.enabled ? "Disable" : "Enable"}</button></form>
<h2>Funnel</h2>
<table data-testid="funnel"><thead><tr><th scope="col">Step</th><th scope="col">Kind</th><th scope="col">Runs</th><th scope="col"></th><th scope="col">Wait outcomes</th></tr></thead><tbody>
<tr><td>entered</td><td>entry</td><td data-label="entered">${entered[0].n}</td><td style="width:35%"><div class="bar" style="width:100%"></div></td><td></td></tr>
${labels.map((l) => {
  const isWait = l.kind === "wait";
  const outcome = isWait ? waitOutcome(l.label) : null;
  const n = isWait ? outcome!.event + outcome!.timeout + outcome!.ended + outcome!.waiting : reached(l.label);
  return html`<tr><td>${l.label}</td><td>${l.kind}</td><td data-label="${l.label}">${n}</td><td><div class="bar" style="width:${Math.round((100 * n) / total)}%"></div></td>
<td>${outcome ? html`event ${outcome.event} · timeout ${outcome.timeout} · ended with the run ${outcome.ended} · waiting ${outcome.waiting}` : ""}</td></tr>`;
})}
</tbody></table>
<h2>Runs by status</h2>${json(detail.runs)}
<h2>Recent runs</h2><table><thead><tr><th scope="col">Run</th><th scope="col">Contact</th><th scope="col">Status</th><th scope="col">Parked at</th><th scope="col">Started</th></tr></thead><tbody>
${runs.map((r) => html`<tr><td><a href="/studio/runs/${r.id}">${r.id.slice(0, 8)}</a></td><td>${r.email ?? r.user_id}</td><td>${badge(r.status)}</td><td>${r.parked_at}</td><td>${time(r.started_at)}</td></tr>`)}
</tbody></table>`;
}

export async function runPage(s: StudioContext, id: string): Promise<Html> {
  const run = await s.api<any>(`/v1/admin/runs/${encodeURIComponent(id)}`).catch((e) => {
    if (e.status === 404) throw new NotFound("run");
    throw e;
  });
  const live = isLive(run.status);
  return html`<h1>Run ${run.id.slice(0, 8)} of <a href="/studio/journeys/${run.journeyId}">${run.journeyId}</a></h1>
<p>${badge(run.status)} · contact <a href="/studio/contacts/${run.contact.id}">${run.contact.email ?? run.contact.userId}</a>
${run.exitReason ? html` · exit: <strong>${run.exitReason}</strong>` : ""}${run.error ? html` · <span class="error">error: ${run.error}</span>` : ""}</p>
${live ? html`<form method="post" action="/studio/runs/${run.id}/cancel"><input type="hidden" name="csrf" value="${s.session.csrf}"><button type="submit" ${s.canAct ? "" : html`disabled title="Your key's scope cannot act"`}>Cancel run</button></form>` : ""}
<h2>Timeline</h2><table data-testid="timeline"><thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Label</th><th scope="col">Detail</th></tr></thead><tbody>
${run.timeline.map((e: any) => html`<tr><td>${time(e.at)}</td><td>${e.kind}</td><td>${e.label}</td><td>${e.kind === "email" && e.detail.sendId ? html`<a href="/studio/sends/${e.detail.sendId}">${e.detail.template}</a> ${badge(String(e.detail.status))}` : ""}
${e.kind === "wait" ? html`<code>${e.detail.event}</code> → <strong>${e.detail.outcome}</strong>` : ""}${["email", "wait"].includes(e.kind) ? "" : json(e.detail)}</td></tr>`)}
</tbody></table>`;
}
