import { html, time, type Html } from "../html.js";
import type { StudioContext } from "../context.js";

export async function settingsPage(s: StudioContext, created?: { key: string; scope: string }): Promise<Html> {
  if (s.scope !== "full-admin") return html`<h1>Settings</h1><p class="muted">API keys are managed with a full-admin key.</p>`;
  const { keys } = await s.api<{ keys: any[] }>("/v1/admin/api-keys");
  return html`<h1>Settings</h1>
${created ? html`<p class="ok" role="status">New ${created.scope} key — copy it now, it is shown only once:</p><pre data-testid="new-key">${created.key}</pre>` : ""}
<h2>API keys</h2><form method="post" action="/studio/settings/keys"><input type="hidden" name="csrf" value="${s.session.csrf}">
<label for="name">Name</label> <input id="name" name="name" required> <label for="scope">Scope</label>
<select id="scope" name="scope"><option>ingest</option><option>read</option><option>journey-admin</option><option>full-admin</option></select> <button type="submit">Create key</button></form>
<table><thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col"></th></tr></thead><tbody>
${keys.map((k) => html`<tr><td>${k.name}</td><td><code>${k.prefix}…</code></td><td>${k.scope}</td><td>${time(k.createdAt)}</td>
<td>${k.revokedAt ? html`revoked ${time(k.revokedAt)}` : html`<form class="inline" method="post" action="/studio/settings/keys/${k.id}/revoke"><input type="hidden" name="csrf" value="${s.session.csrf}"><button type="submit">Revoke</button></form>`}</td></tr>`)}
</tbody></table>`;
}
