import { html, type Html } from "../html.js";
import type { StudioContext } from "../context.js";
import { NotFound } from "../errors.js";

export async function templatesPage(s: StudioContext): Promise<Html> {
  const { templates } = await s.api<{ templates: any[] }>("/v1/admin/templates");
  return html`<h1>Templates</h1><table><thead><tr><th scope="col">Key</th><th scope="col">Category</th><th scope="col">Default subject</th></tr></thead><tbody>
${templates.map((t) => html`<tr><td><a href="/studio/templates/preview?key=${encodeURIComponent(t.key)}">${t.key}</a></td><td>${t.category}</td><td>${t.defaultSubject}</td></tr>`)}
</tbody></table>`;
}

/** Preview with sample props (rendering only: no send, no tracking), and send a test. */
export async function templatePreviewPage(s: StudioContext, notice?: Html): Promise<Html> {
  const key = s.c.req.query("key") ?? "";
  const info = (await s.api<{ templates: any[] }>("/v1/admin/templates")).templates.find((t) => t.key === key);
  if (!info) throw new NotFound("template");
  const preview = await s.api<any>("/v1/admin/templates/preview", { method: "POST", body: { template: key } });
  return html`<h1>${key}</h1>${notice ?? ""}<p class="muted">${info.category} · “${preview.subject}”</p>
<form method="post" action="/studio/templates/test?key=${encodeURIComponent(key)}"><input type="hidden" name="csrf" value="${s.session.csrf}">
<label for="to">Send a test to</label> <input id="to" name="to" type="email" required> <button type="submit" ${s.canAct ? "" : "disabled"}>Send test</button></form>
<h2>Preview (sample props)</h2><iframe title="Template preview" sandbox="" srcdoc="${preview.html}"></iframe>`;
}
