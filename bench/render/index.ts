/**
 * Render throughput of the support/followup template: one send at a time, one thread.
 *
 *   npx tsx bench/render/index.ts [iterations=2000] [warmup=500]
 *   NODE_ENV=production npx tsx bench/render/index.ts      # React's production build
 *
 * (a) render alone — the engine's HTML render (`renderHtml`, byte-identical to React Email's
 *     `render(el)`): the raw ceiling
 * (b) (a) + rewriteForTracking, signing every link id and the pixel with HMAC-SHA256
 * For reference:
 *     React Email's own `render(el)`, which pays a dynamic `import()` per call (≈0.3 ms under tsx)
 *     the full send-path render: renderTemplate (props validation, HTML and plain text) + rewrite
 */
import { createHmac } from "node:crypto";
import { createElement } from "react";
import { render } from "@react-email/render";
import { HOSTED_ANSWER_HREF, SupportFollowup, renderHtml, renderTemplate } from "@hogsend/email";
import { rewriteForTracking } from "../../control-plane/src/tracking/rewrite.js";

const iterations = positiveInt(process.argv[2], 2000);
const warmup = positiveInt(process.argv[3], 500);
const TARGET = 1000;
const secret = "bench-signing-secret";
const baseUrl = "https://mail.example.com";

function positiveInt(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const sign = (id: string) => createHmac("sha256", secret).update(`id:${id}`).digest("base64url").slice(0, 22);

function rewrite(html: string, i: number) {
  const sendId = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  const tracked = rewriteForTracking(html, {
    sendId,
    baseUrl,
    sign,
    hostedAnswerHref: HOSTED_ANSWER_HREF,
    unsubscribeUrl: `${baseUrl}/u/token-${i}`,
    preferencesUrl: `${baseUrl}/p/token-${i}`,
  });
  if (tracked.links.length !== 2 || tracked.html.includes("data-hs-")) throw new Error("rewrite went wrong");
  return tracked;
}

const element = (i: number) => createElement(SupportFollowup, { ticketId: `T-${i}` });
let sink = 0;

type Case = (i: number) => Promise<void>;

const cases = {
  renderOnly: (async (i) => {
    sink += (await renderHtml(element(i))).length;
  }) as Case,
  renderAndRewrite: (async (i) => {
    sink += rewrite(await renderHtml(element(i)), i).html.length;
  }) as Case,
  reactEmailRender: (async (i) => {
    sink += (await render(element(i))).length;
  }) as Case,
  sendPath: (async (i) => {
    const { html, text } = await renderTemplate("support/followup", { ticketId: `T-${i}` });
    sink += rewrite(html, i).html.length + text.length;
  }) as Case,
  rewriteOnly: (async (i) => {
    sink += rewrite(sample, i).html.length;
  }) as Case,
};
type Name = keyof typeof cases;
const sample = await renderHtml(element(0));

// Warm every case up first, then measure in interleaved rounds so that JIT warm-up, GC and
// machine noise fall on all cases alike rather than on whichever runs first.
for (const run of Object.values(cases)) for (let i = 0; i < warmup; i++) await run(i);
const ROUNDS = 5;
const elapsed = Object.fromEntries(Object.keys(cases).map((name) => [name, 0])) as Record<Name, number>;
const counted = Object.fromEntries(Object.keys(cases).map((name) => [name, 0])) as Record<Name, number>;
for (let round = 0; round < ROUNDS; round++) {
  const n = Math.ceil(iterations / ROUNDS);
  for (const [name, run] of Object.entries(cases) as [Name, Case][]) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await run(round * n + i);
    elapsed[name] += Number(process.hrtime.bigint() - start) / 1e9;
    counted[name] += n;
  }
}
const rate = (name: Name) => counted[name] / elapsed[name];
const renderOnly = rate("renderOnly");
const renderAndRewrite = rate("renderAndRewrite");
const reactEmailRender = rate("reactEmailRender");
const sendPath = rate("sendPath");
const rewriteOnly = rate("rewriteOnly");

const row = (label: string, perSecond: number, unit = "renders/s") =>
  console.log(`${label.padEnd(44)} ${perSecond.toFixed(0).padStart(7)} ${unit.padEnd(10)} ${(1000 / perSecond).toFixed(3)} ms each`);

console.log(
  `support/followup · ${iterations} iterations per case (5 interleaved rounds) after ${warmup} warm-up · node ${process.version} · NODE_ENV=${process.env.NODE_ENV ?? "(unset: React development build)"}`,
);
row("(a) render alone (ceiling)", renderOnly);
row("(b) render + rewriteForTracking (HMAC-SHA256)", renderAndRewrite);
console.log(`${"    ratio (b)/(a)".padEnd(44)} ${(renderAndRewrite / renderOnly).toFixed(3).padStart(7)}`);
row("    rewriteForTracking alone", rewriteOnly, "rewrites/s");
row("ref: @react-email/render render(el)", reactEmailRender);
row("ref: renderTemplate (html + text) + rewrite", sendPath);
console.log(`target ≥ ${TARGET} renders/s for (b): ${renderAndRewrite >= TARGET ? "met" : "NOT met"}`);
if (sink === 0) console.log("");

// The send path beside the provider's ceiling (needs Postgres: embedded unless DATABASE_URL is set).
if (process.env.BENCH_SKIP_SEND !== "1") {
  const { measureSendPath, printSendPath } = await import("./send-path.js");
  const sends = Number(process.env.BENCH_SENDS ?? 3000);
  printSendPath(await measureSendPath(sends), sends);
}
