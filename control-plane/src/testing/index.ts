import os from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { Hogsend } from "@hogsend/client";
import { getTemplate, registerTemplate, unregisterTemplate, type TemplateDefinition } from "@hogsend/email";
import type { HogsendApp } from "../app.js";
import { VirtualClock } from "../clock.js";
import { loadConfig, type Config } from "../config.js";
import { createSql, openSql } from "../db/client.js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded.js";
import { migrate, MIGRATIONS_DIR } from "../db/migrate.js";
import type { Duration } from "../duration.js";
import { closeEngine, createEngine, type Engine } from "../engine.js";
import { createHttpApp } from "../http/app.js";
import { createApiKey } from "../auth/api-keys.js";
import { silentLogger, type Logger } from "../log.js";
import { engineTasks } from "../worker/tasks.js";
import { runJobsUntil } from "../worker/drive.js";
import type { EmailTransport } from "../mail/transports/types.js";
import { getRun } from "../journeys/store.js";
import { runTimeline, type TimelineEntry } from "../journeys/timeline.js";

export interface OutboxEmail {
  sendId: string;
  template: string;
  to: string;
  subject: string;
  props: Record<string, unknown>;
  html: string;
  status: string;
  journeyId: string | null;
  sentAt: Date;
}

export interface TestRun {
  id: string;
  status: string;
  contactId: string;
  exitReason: string | null;
  error: string | null;
  timeline: TimelineEntry[];
}

export interface TestEngine {
  /** The real SDK, calling the real HTTP app in process; each call then runs whatever became due. */
  hs: Hogsend;
  engine: Engine;
  /** The test database's URL: a second engine (a "restarted process") can open it. */
  databaseUrl: string;
  clock: VirtualClock;
  /** Emails sent so far, oldest first (refreshed after every call and advance). */
  outbox: OutboxEmail[];
  /** Move virtual time forward, running every job that falls due in that span, in time order. */
  advance(duration: Duration): Promise<void>;
  /** Run jobs already due at the current virtual time. */
  runDue(): Promise<void>;
  runs(journeyId: string): Promise<TestRun[]>;
  events(name: string): Promise<{ id: string; contactId: string | null; properties: Record<string, unknown>; receivedAt: Date }[]>;
  /** Errors thrown by jobs (journeys and tasks), for assertions. */
  jobErrors: { job: string; error: unknown }[];
  close(): Promise<void>;
}

export interface TestEngineOptions extends HogsendApp {
  /** Virtual start time (default 2026-01-05T12:00:00Z, a Monday). */
  start?: Date;
  /** A Postgres server URL; default DATABASE_URL, else an embedded Postgres started for this process. */
  databaseUrl?: string;
  transport?: EmailTransport;
  config?: Partial<Config>;
  log?: Logger;
  /**
   * Templates the journeys under test send, beyond the registry's (a later definition of a key replaces it),
   * registered until `close()`. The registry is the process's: engines open at once share it.
   */
  templates?: TemplateDefinition<any>[];
}

let embedded: Promise<EmbeddedDatabase> | undefined;

async function migrationsHash(): Promise<string> {
  const hash = createHash("sha256");
  for (const file of (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).sort()) hash.update(await readFile(path.join(MIGRATIONS_DIR, file)));
  return hash.digest("hex").slice(0, 16);
}
const templates = new Map<string, Promise<string>>();

/** Migrate once per server into a template database; each test engine is a fast clone of it. */
async function cloneTemplate(server: string, dbName: string) {
  let template = templates.get(server);
  if (!template) {
    template = (async () => {
      // Named by the migrations' content, so every process (and run) on this server shares one.
      const name = `hogsend_testing_tpl_${await migrationsHash()}`;
      const admin = openSql(server, { max: 1, onnotice: () => {} });
      try {
        await admin`select pg_advisory_lock(hashtext(${name}))`;
        const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
        if (!exists) {
          const building = `${name}_building`;
          await admin.unsafe(`drop database if exists ${building}`);
          await admin.unsafe(`create database ${building}`);
          const u = new URL(server);
          u.pathname = `/${building}`;
          const sql = createSql(u.toString(), { max: 1 });
          await migrate(sql, u.toString());
          await sql.end();
          await admin.unsafe(`alter database ${building} rename to ${name}`);
        }
      } finally {
        await admin`select pg_advisory_unlock(hashtext(${name}))`.catch(() => {});
        await admin.end();
      }
      return name;
    })();
    templates.set(server, template);
  }
  const name = await template;
  const admin = openSql(server, { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${dbName} template ${name}`);
        return;
      } catch (error) {
        if (attempt > 20) throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  } finally {
    await admin.end();
  }
}
function serverUrl(explicit?: string): Promise<string> {
  if (explicit) return Promise.resolve(explicit);
  if (process.env.DATABASE_URL) return Promise.resolve(process.env.DATABASE_URL);
  embedded ??= startEmbeddedPostgres({ dataDir: path.join(mkdtempSync(path.join(os.tmpdir(), "hogsend-testing-")), "pg"), persistent: false });
  return embedded.then((e) => e.url);
}

/**
 * The real engine on real Postgres with a virtual clock: ingest, enrollment, replay, waits, emails
 * and tasks all run as in production, but time moves only when you call `advance`.
 *
 * @example
 * const t = await createTestEngine({ journeys: [supportFollowup], tasks: [supportAlertTask] });
 * await t.hs.events.send({ name: "ticket.resolved", userId: "u1", email: "ada@example.com" });
 * await t.advance(days(1));
 * expect(t.outbox.map((e) => e.template)).toEqual(["support/followup"]);
 * await t.close();
 */
export async function createTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const server = await serverUrl(options.databaseUrl);
  const dbName = `hogsend_t_${randomBytes(6).toString("hex")}`;
  await cloneTemplate(server, dbName);
  const u = new URL(server);
  u.pathname = `/${dbName}`;
  const url = u.toString();

  const owner = {};
  addTemplates(owner, options.templates ?? []);
  const restoreTemplates = () => removeTemplates(owner);
  const clock = new VirtualClock(options.start ?? new Date("2026-01-05T12:00:00Z"));
  const config = { ...loadConfig({}), LOG_LEVEL: "silent" as const, WORKER_CONCURRENCY: 2, ...options.config };
  const engine = await createEngine({
    databaseUrl: url,
    app: options,
    config,
    clock,
    log: options.log ?? silentLogger,
    publicUrl: "http://hogsend.test",
    transport: options.transport,
    poolSize: 5,
  }).catch(async (error) => {
    restoreTemplates();
    await dropDatabase(server, dbName);
    throw error;
  });
  const http = createHttpApp(engine);
  const { key } = await createApiKey(engine.sql, { scope: "full-admin", name: "test engine" }, clock.now());
  const tasks = engineTasks(engine);
  const jobErrors: TestEngine["jobErrors"] = [];
  const outbox: OutboxEmail[] = [];

  const refreshOutbox = async () => {
    const rows = await engine.sql<any[]>`
      select id, template, to_address, subject, props, html, status, journey_id, sent_at from email_sends
      where sent_at is not null order by sent_at, created_at`;
    outbox.splice(0, outbox.length, ...rows.map((r) => ({
      sendId: r.id, template: r.template, to: r.to_address, subject: r.subject, props: r.props, html: r.html, status: r.status, journeyId: r.journey_id, sentAt: r.sent_at,
    })));
  };
  const runUntil = async (until: Date) => {
    await runJobsUntil(engine.sql, clock, tasks, until, (job, error) => jobErrors.push({ job, error }));
    clock.set(until);
    await refreshOutbox();
  };

  const hs = new Hogsend({
    baseUrl: "http://hogsend.test",
    apiKey: key,
    maxRetries: 0,
    fetch: async (input: string, init: RequestInit) => {
      const response = await http.request(input, init);
      await runUntil(clock.now());
      return response;
    },
  } as never);

  return {
    hs,
    engine,
    databaseUrl: url,
    clock,
    outbox,
    jobErrors,
    advance: (duration) => runUntil(new Date(clock.now().getTime() + duration)),
    runDue: () => runUntil(clock.now()),
    async runs(journeyId) {
      const rows = await engine.sql<{ id: string }[]>`select id from journey_runs where journey_id = ${journeyId} order by started_at, id`;
      return Promise.all(rows.map(async ({ id }) => {
        const run = (await getRun(engine.sql, id))!;
        return { id, status: run.status, contactId: run.contact_id, exitReason: run.exit_reason, error: run.error, timeline: await runTimeline(engine.sql, run) };
      }));
    },
    async events(name) {
      const rows = await engine.sql<any[]>`select id, contact_id, properties, received_at from events where name = ${name} order by received_at, id`;
      return rows.map((r) => ({ id: r.id, contactId: r.contact_id, properties: r.properties, receivedAt: r.received_at }));
    },
    async close() {
      await closeEngine(engine);
      restoreTemplates();
      await dropDatabase(server, dbName);
    },
  };
}

/**
 * The registry is the process's, and test engines may overlap: each key keeps the definition it had before
 * any engine, with the engines' definitions over it, newest on top. The top one is registered.
 */
const templateLayers = new Map<string, { base: TemplateDefinition<any> | undefined; layers: { owner: object; definition: TemplateDefinition<any> }[] }>();

function addTemplates(owner: object, templates: TemplateDefinition<any>[]) {
  for (const definition of templates) {
    let entry = templateLayers.get(definition.key);
    if (!entry) templateLayers.set(definition.key, (entry = { base: getTemplate(definition.key), layers: [] }));
    entry.layers.push({ owner, definition });
    registerTemplate(definition as never, { replace: true });
  }
}

function removeTemplates(owner: object) {
  for (const [key, entry] of templateLayers) {
    if (!entry.layers.some((layer) => layer.owner === owner)) continue;
    entry.layers = entry.layers.filter((layer) => layer.owner !== owner);
    const top = entry.layers.at(-1)?.definition ?? entry.base;
    if (top) registerTemplate(top as never, { replace: true });
    else unregisterTemplate(key);
    if (!entry.layers.length) templateLayers.delete(key);
  }
}

async function dropDatabase(server: string, name: string) {
  const admin = openSql(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
  await admin.end();
}

export { days, hours, minutes, seconds } from "../duration.js";
