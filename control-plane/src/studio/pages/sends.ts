import { badge, html, json, time, type Html } from "../html.js";
import type { StudioContext } from "../context.js";
import { NotFound } from "../errors.js";

export async function sendsPage(s: StudioContext): Promise<Html> {
  const status = s.c.req.query("status");
  const outbox = s.c.req.query("outbox") === "1";
  const params = new URLSearchParams({ limit: "50", ...(status ? { status } : {}) });
  const { sends } = await s.api<{ sends: any[] }>(`/v1/admin/${outbox ? "outbox" : "sends"}?${params}`);
  return html`<h1>${outbox ? "Outbox" : "Sends"}</h1>
<p><a href="/studio/sends">All sends</a> · <a href="/studio/sends?outbox=1">Outbox</a> · <a href="/studio/sends?status=failed">Failed</a> · <a href="/studio/sends?status=skipped">Skipped</a></p>
<table><thead><tr><th scope="col">Created</th><th scope="col">To</th><th scope="col">Template</th><th scope="col">Subject</th><th scope="col">Status</th></tr></thead><tbody>
${sends.map((x) => html`<tr><td>${time(x.createdAt)}</td><td>${x.to}</td><td><a href="/studio/sends/${x.id}">${x.template}</a></td><td>${x.subject}</td><td>${badge(x.status)} ${x.reason ?? ""}</td></tr>`)}
</tbody></table>`;
}

/** Tracking URLs are neutralized in the preview: viewing an email here never records an open or a click. */
function inert(htmlBody: string): string {
  return htmlBody.replace(/https?:\/\/[^"'\s>]+\/t\/(o|c)\/[^"'\s>]+/g, "about:blank");
}

export async function sendPage(s: StudioContext, id: string): Promise<Html> {
  const send = await s.api<any>(`/v1/admin/sends/${encodeURIComponent(id)}`).catch((e) => {
    if (e.status === 404) throw new NotFound("send");
    throw e;
  });
  return html`<h1>${send.subject}</h1>
<p>${badge(send.status)} to ${send.to} · <code>${send.template}</code> · ${send.transport ?? "not handed over"}${send.reason ? html` · ${send.reason}` : ""}</p>
${send.status === "failed" ? html`<form method="post" action="/studio/sends/${id}/resend"><input type="hidden" name="csrf" value="${s.session.csrf}"><button type="submit" ${s.canAct ? "" : "disabled"}>Resend</button></form>` : ""}
<h2>Status history</h2><table><tbody>${send.statusHistory.map((h: any) => html`<tr><td>${badge(h.status)}</td><td>${time(h.at)}</td><td>${h.reason ?? ""}</td></tr>`)}</tbody></table>
<h2>Rendered email</h2>${send.html ? html`<iframe title="Rendered email" sandbox="" srcdoc="${inert(send.html)}"></iframe>` : html`<p class="muted">Not rendered (skipped before rendering).</p>`}
<h2>Props</h2>${json(send.props)}
<h2>Links</h2><table><tbody>${send.links.map((l: any) => html`<tr><td>${l.url}</td><td>${l.actionEvent ? html`<code>${l.actionEvent}</code> ${json(l.actionProperties)}` : ""}</td><td>${l.clicks} clicks</td></tr>`)}</tbody></table>`;
}
