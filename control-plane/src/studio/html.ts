/** Studio's HTML: tagged templates that escape every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

export const escape = (value: unknown): string => String(value ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escape(value);
}

/** A time in the viewer's timezone (formatted by a tiny script), with the UTC instant on hover. */
export function time(value: string | Date | null | undefined): Html {
  if (!value) return html`<span class="muted">—</span>`;
  const iso = typeof value === "string" ? value : value.toISOString();
  return html`<time datetime="${iso}" title="${iso}">${iso.replace("T", " ").slice(0, 19)} UTC</time>`;
}

export function badge(status: string): Html {
  return html`<span class="badge s-${status}">${status}</span>`;
}

export function json(value: unknown): Html {
  return html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`;
}
