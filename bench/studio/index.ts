/**
 * bench/studio: Studio's page load times with 100,000 contacts and 1,000,000 events (seeded with bulk SQL
 * into a fresh database), through the real server, signed in as a read key: p50/p95 of several loads each.
 *
 *   NODE_ENV=production npx tsx bench/studio/index.ts      (BENCH_CONTACTS=100000 BENCH_EVENTS=1000000)
 */
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { benchDatabase, fmt, percentile } from "../lib/database.js";
import { loadConfig } from "../../control-plane/src/config.js";
import { closeEngine, createEngine } from "../../control-plane/src/engine.js";
import { createHttpApp } from "../../control-plane/src/http/app.js";
import { createApiKey } from "../../control-plane/src/auth/api-keys.js";
import { app } from "../../control-plane/app/index.js";

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const LOADS = 7;

const db = await benchDatabase();
const engine = await createEngine({ databaseUrl: db.url, app, config: { ...loadConfig({}), LOG_LEVEL: "error" }, poolSize: 10 });
const seedStart = performance.now();
await engine.sql`insert into contacts (email, user_id, properties, created_at, updated_at)
  select 'c' || g || '@example.com', 'u' || g, jsonb_build_object('plan', case when g % 3 = 0 then 'pro' else 'free' end), now() - (g || ' seconds')::interval, now()
  from generate_series(1, ${CONTACTS}::int) g`;
await engine.sql`insert into events (contact_id, name, properties, source, occurred_at, received_at)
  select c.id, (array['page.viewed','user.signed_up','order.completed','session.started'])[1 + (g % 4)], jsonb_build_object('n', g), 'api',
         now() - ((g % 86400) || ' seconds')::interval, now() - ((g % 86400) || ' seconds')::interval
  from generate_series(1, ${EVENTS}::int) g join contacts c on c.user_id = 'u' || (1 + g % ${CONTACTS}::int)`;
await engine.sql`analyze`;
const seeded = (performance.now() - seedStart) / 1000;
const { key } = await createApiKey(engine.sql, { scope: "read" }, engine.clock.now());
const http = createHttpApp(engine);
const server = serve({ fetch: http.fetch, port: 0, hostname: "127.0.0.1" });
await new Promise((r) => server.once("listening", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const login = await fetch(`${base}/studio/login`, { method: "POST", body: new URLSearchParams({ key, next: "/studio" }), redirect: "manual" });
const cookie = login.headers.get("set-cookie")!.split(";")[0];
const [contact] = await engine.sql`select id, email from contacts where user_id = 'u777'`;

const pages = [
  "/studio", "/studio/journeys", "/studio/journeys/support-followup", "/studio/contacts", `/studio/contacts?q=${encodeURIComponent(contact.email)}`,
  `/studio/contacts/${contact.id}`, "/studio/events", "/studio/events?name=order.completed", "/studio/sends", "/studio/templates", "/studio/campaigns",
  "/studio/audiences", "/studio/destinations",
];
console.log(`bench/studio — ${CONTACTS} contacts, ${EVENTS} events (seeded in ${fmt(seeded, 0)} s), ${LOADS} loads per page, loopback`);
for (const path of pages) {
  const times: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const t0 = performance.now();
    const res = await fetch(base + path, { headers: { cookie } });
    await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${path.padEnd(48)} p50 ${fmt(percentile(times, 50), 1).padStart(7)} ms   p95 ${fmt(percentile(times, 95), 1).padStart(7)} ms   (target < 300 ms)`);
}
server.close();
await closeEngine(engine);
await db.stop();
