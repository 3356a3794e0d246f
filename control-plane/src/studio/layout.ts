import { html, Html } from "./html.js";

const NAV: [string, string][] = [
  ["/studio", "Overview"], ["/studio/journeys", "Journeys"], ["/studio/contacts", "Contacts"], ["/studio/events", "Events"],
  ["/studio/sends", "Sends"], ["/studio/templates", "Templates"], ["/studio/campaigns", "Campaigns"], ["/studio/audiences", "Lists & buckets"],
  ["/studio/destinations", "Destinations"], ["/studio/settings", "Settings"],
];

const STYLE = `
:root{--fg:#1d1d1f;--muted:#6b6b70;--line:#e4e4e7;--accent:#1d4ed8}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,sans-serif;color:var(--fg)}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line);flex-wrap:wrap}
header strong{margin-right:.5rem}nav a{margin-right:.8rem;color:var(--fg);text-decoration:none}nav a[aria-current=page]{color:var(--accent);font-weight:600}
main{padding:1rem 1.5rem;max-width:1200px}h1{font-size:1.35rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:.85rem}.muted{color:var(--muted)}.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid var(--line);border-radius:8px;padding:.7rem 1rem;min-width:170px}.card b{font-size:1.4rem;display:block}
.badge{display:inline-block;padding:0 .45rem;border-radius:9px;background:#eef;font-size:.8rem}.s-completed,.s-sent,.s-delivered,.s-confirmed{background:#dcfce7}
.s-failed,.s-dead,.s-diverged,.s-bounced,.s-complained{background:#fee2e2}.s-waiting,.s-sleeping,.s-queued,.s-pending,.s-sending{background:#fef9c3}
.s-exited,.s-cancelled,.s-skipped{background:#e5e7eb}
button,.button{font:inherit;padding:.3rem .8rem;border-radius:6px;border:1px solid #999;background:#111;color:#fff;cursor:pointer}
button[disabled]{background:#aaa;border-color:#aaa;cursor:not-allowed}input,select,textarea{font:inherit;padding:.3rem;border:1px solid #bbb;border-radius:5px}
form.inline{display:inline}pre.json{background:#f6f6f7;padding:.5rem;border-radius:6px;overflow:auto;max-height:240px;font-size:12px}
.error{color:#b91c1c}.ok{color:#15803d}iframe{width:100%;height:520px;border:1px solid var(--line);border-radius:6px}
.bar{background:#dbeafe;height:1rem;border-radius:3px}a:focus,button:focus,input:focus{outline:2px solid var(--accent);outline-offset:1px}
`;

/** Show stored UTC instants in the viewer's timezone; the UTC instant stays in the title attribute. */
const SCRIPT = `document.querySelectorAll("time[datetime]").forEach(function(t){var d=new Date(t.getAttribute("datetime"));if(!isNaN(d))t.textContent=d.toLocaleString();});`;

export function layout(options: { title: string; path: string; body: Html; canAct?: boolean; csrf?: string; refresh?: number }): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.title} · Hogsend Studio</title><style>${new Html(STYLE)}</style>
${options.refresh ? html`<meta http-equiv="refresh" content="${options.refresh}">` : ""}</head>
<body><header><strong>Hogsend Studio</strong><nav aria-label="Main">${NAV.map(([href, label]) => html`<a href="${href}" ${options.path === href || (href !== "/studio" && options.path.startsWith(href)) ? html`aria-current="page"` : ""}>${label}</a>`)}</nav>
<form class="inline" method="post" action="/studio/logout"><input type="hidden" name="csrf" value="${options.csrf ?? ""}"><button type="submit">Sign out</button></form></header>
<main id="main">${options.body}</main><script>${new Html(SCRIPT)}</script></body></html>`.value;
}
