import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./db.js";
import { createEngine, closeEngine, type Engine } from "../src/engine.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/log.js";
import { ingest } from "../src/ingest/ingest.js";
import { startFakeResend } from "./fakes/resend.js";
import { crashJourney } from "./crash-journey.js";

const RUNS = 500;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let resend: Awaited<ReturnType<typeof startFakeResend>>;

beforeAll(async () => {
  db = await createTestDatabase();
  resend = await startFakeResend({ apiKey: "re_crash" });
  engine = await createEngine({ databaseUrl: db.url, app: { journeys: [crashJourney] }, config: { ...loadConfig({}), LOG_LEVEL: "silent" }, log: silentLogger });
});
afterAll(async () => {
  await closeEngine(engine);
  await resend.close();
  await db.drop();
});

function spawnWorker(): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL("./crash-worker.ts", import.meta.url)), [], {
    env: { ...process.env, CRASH_DATABASE_URL: db.url, RESEND_API_KEY: "re_crash", RESEND_BASE_URL: resend.url, EMAIL_FROM: "Crash <crash@example.com>" },
    execArgv: ["--import", "tsx"],
    stdio: "ignore",
  });
  return new Promise((resolve) => child.once("message", () => resolve(child)));
}

describe("crash safety", () => {
  it("SIGKILLed workers: every run completes exactly once and no email is sent twice", async () => {
    for (let i = 0; i < RUNS; i++) {
      await ingest(engine, { name: "crash.start", userId: `c${i}`, email: `c${i}@example.com`, source: "api" });
    }
    const completed = async () => (await engine.sql`select count(*)::int as n from journey_runs where status = 'completed'`)[0].n as number;
    let kills = 0;
    const deadline = Date.now() + 150_000;
    while ((await completed()) < RUNS && Date.now() < deadline) {
      const worker = await spawnWorker();
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
      if ((await completed()) < RUNS) {
        worker.kill("SIGKILL");
        kills++;
        await new Promise((r) => worker.once("exit", r));
      } else {
        worker.kill("SIGTERM");
      }
    }
    // One last, uninterrupted worker finishes whatever the kills left.
    if ((await completed()) < RUNS) {
      const worker = await spawnWorker();
      while ((await completed()) < RUNS && Date.now() < deadline + 60_000) await new Promise((r) => setTimeout(r, 250));
      worker.kill("SIGKILL");
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    const statuses = await engine.sql`select status, count(*)::int as n from journey_runs group by status`;
    expect(statuses).toEqual([{ status: "completed", n: RUNS }]);
    // The provider received each email exactly once.
    expect(resend.sent).toHaveLength(RUNS * 2);
    expect(new Set(resend.sent.map((m) => `${m.to}|${m.subject}`)).size).toBe(RUNS * 2);
    const sends = await engine.sql`select count(*)::int as n, count(distinct idempotency_key)::int as k from email_sends where status = 'sent'`;
    expect(sends[0]).toEqual({ n: RUNS * 2, k: RUNS * 2 });
    expect((await engine.sql`select count(*)::int as n from events where name = 'crash.side'`)[0].n).toBe(RUNS);
  }, 300_000);
});
