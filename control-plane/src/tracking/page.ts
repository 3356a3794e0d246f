/** Hosted pages (answers, unsubscribe, preferences): small, self-contained, every value escaped. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:560px;margin:3rem auto;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem}button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid #888;background:#111;color:#fff;cursor:pointer}
textarea{width:100%;min-height:7rem;font:inherit}fieldset{border:1px solid #ddd;border-radius:8px}label{display:block;margin:.4rem 0}
.muted{color:#666;font-size:.9rem}.ok{color:#0a7a2f}</style></head><body><main>${body}</main></body></html>`;
}
