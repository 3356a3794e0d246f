/**
 * bench/ingest: sustained POST /v1/events throughput and latency from a loopback load generator, beside the
 * raw ceiling measured in the same run (single-row INSERTs of the same event rows straight into Postgres over
 * the same number of connections). Then latency at half the maximum rate. Also printed: the HTTP floor, the
 * same load generator against the same HTTP stack answering without any ingest work (what this machine can
 * do for POST /v1/events before the work begins).
 *
 *   npx tsx bench/ingest/index.ts            (BENCH_SECONDS=10 BENCH_CONNECTIONS=16)
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Agent, request } from "undici";
import { openSql } from "../../control-plane/src/db/client.js";
import { benchDatabase, fmt, percentile } from "../lib/database.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

const db = await benchDatabase();
function startServer(env: Record<string, string>) {
  const child = fork(fileURLToPath(new URL("./server.ts", import.meta.url)), [], {
    env: { ...process.env, BENCH_DATABASE_URL: db.url, BENCH_POOL: String(CONNECTIONS), ...env },
    execArgv: ["--import", "tsx", ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])],
  });
  const ready = new Promise<{ port: number; key: string }>((resolve) => child.once("message", (m) => resolve(m as never)));
  const exited = new Promise((r) => child.once("exit", r));
  const stop = async () => {
    if (child.connected) child.send("stop");
    await exited;
  };
  return { ready, stop };
}
const server = startServer({});
const { port, key } = await server.ready;
const agent = new Agent({ connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 30_000 });
const url = `http://127.0.0.1:${port}/v1/events`;

let seq = 0;
function eventBody() {
  const n = seq++;
  return JSON.stringify({ name: "page.viewed", userId: `bench_${n % 5000}`, eventProperties: { path: `/p/${n}`, referrer: "bench" } });
}

async function post(target = url): Promise<number> {
  const started = performance.now();
  const res = await request(target, { method: "POST", dispatcher: agent, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: eventBody() });
  await res.body.dump();
  if (res.statusCode >= 300) throw new Error(`status ${res.statusCode}`);
  return performance.now() - started;
}

async function closedLoop(seconds: number, target = url): Promise<{ rate: number; latencies: number[] }> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < end) latencies.push(await post(target));
  }));
  return { rate: latencies.length / seconds, latencies: latencies.sort((a, b) => a - b) };
}

/** Open loop at a fixed rate: requests start on schedule whether or not earlier ones finished. */
async function paced(rate: number, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const total = Math.floor(rate * seconds);
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(post().then((ms) => void latencies.push(ms)));
  }
  await Promise.all(inflight);
  return latencies.sort((a, b) => a - b);
}

async function rawCeiling(seconds: number): Promise<number> {
  const sql = openSql(db.url, { max: CONNECTIONS, onnotice: () => {} });
  const [{ id }] = await sql`insert into contacts (user_id, created_at, updated_at) values ('raw', now(), now()) returning id`;
  let count = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < end) {
      const n = seq++;
      await sql`insert into events (contact_id, name, properties, source, occurred_at, received_at)
                values (${id}, 'page.viewed', ${sql.json({ path: `/p/${n}`, referrer: "bench" })}, 'api', now(), now())`;
      count++;
    }
  }));
  await sql.end();
  return count / seconds;
}

try {
  await closedLoop(2); // warm-up
  // Planner statistics, as autovacuum keeps them on a live database (a fresh one has none yet).
  const admin = openSql(db.url, { max: 1, onnotice: () => {} });
  await admin`analyze`;
  await admin.end();
  const ingestRun = await closedLoop(SECONDS);
  const raw = await rawCeiling(SECONDS);
  // The raw phase added hundreds of thousands of rows: settle them (as autovacuum would) before measuring latency.
  const settle = openSql(db.url, { max: 1, onnotice: () => {} });
  await settle`vacuum analyze events`;
  await settle`checkpoint`;
  await settle.end();
  const half = await paced(ingestRun.rate / 2, SECONDS);
  await server.stop();
  const floorServer = startServer({ BENCH_EMPTY_HANDLER: "1" });
  const floorUrl = `http://127.0.0.1:${(await floorServer.ready).port}/v1/events`;
  await closedLoop(2, floorUrl);
  const floor = await closedLoop(SECONDS, floorUrl);
  await floorServer.stop();
  console.log(`bench/ingest — ${CONNECTIONS} connections, ${SECONDS}s per phase, loopback, ${process.env.DATABASE_URL ? "DATABASE_URL" : "embedded Postgres"}`);
  console.log(`  POST /v1/events (closed loop): ${fmt(ingestRun.rate, 0)} events/s   p50 ${fmt(percentile(ingestRun.latencies, 50), 2)} ms   p99 ${fmt(percentile(ingestRun.latencies, 99), 2)} ms`);
  console.log(`  raw INSERT ceiling           : ${fmt(raw, 0)} rows/s`);
  console.log(`  ratio ingest / raw           : ${fmt((ingestRun.rate / raw) * 100, 1)}%   (target ≥ 50%)`);
  console.log(`  HTTP floor (no ingest work)  : ${fmt(floor.rate, 0)} requests/s = ${fmt((floor.rate / raw) * 100, 1)}% of raw; ingest reaches ${fmt((ingestRun.rate / floor.rate) * 100, 1)}% of it`);
  console.log(`  at half max (${fmt(ingestRun.rate / 2, 0)}/s, open loop): p50 ${fmt(percentile(half, 50), 2)} ms   p99 ${fmt(percentile(half, 99), 2)} ms   (target p99 < 25 ms)`);
} finally {
  await server.stop();
  await agent.close();
  await db.stop();
}
