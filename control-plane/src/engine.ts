import { randomBytes } from "node:crypto";
import { checkJourneyCode, compileApp, type AppRegistry, type HogsendApp } from "./app.js";
import { systemClock, type Clock } from "./clock.js";
import { loadConfig, type Config } from "./config.js";
import { createSql, type Sql } from "./db/client.js";
import { createLogger, type Logger } from "./log.js";
import { sendEmail } from "./mail/service.js";
import { templateKeys } from "./mail/templates.js";
import { createOutboxTransport } from "./mail/transports/outbox.js";
import type { EmailTransport } from "./mail/transports/types.js";
import type { EmailService, SendEmailRequest } from "./mail/types.js";

/** The process-wide container: what every module is handed instead of globals. */
export interface Engine {
  /** The connection string the engine's pools (and its worker) use. */
  databaseUrl: string;
  /** The app's definitions as given (registerApp adds to them). */
  app: HogsendApp;
  sql: Sql;
  /** A small pool for per-run session locks, so a run's own queries never wait behind its lock. */
  lockSql: Sql;
  clock: Clock;
  config: Config;
  log: Logger;
  registry: AppRegistry;
  /** Where recipients reach this service (tracking links, hosted pages). */
  publicUrl: string;
  secrets: { signing: string };
  transport: EmailTransport;
  emailFrom: string;
  email: EmailService;
}

export interface CreateEngineOptions {
  databaseUrl: string;
  app: HogsendApp;
  config?: Config;
  clock?: Clock;
  log?: Logger;
  publicUrl?: string;
  transport?: EmailTransport;
  poolSize?: number;
}

export async function createEngine(options: CreateEngineOptions): Promise<Engine> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const registry = compileApp(options.app, templateKeys());
  await checkJourneyCode(registry, templateKeys());
  for (const warning of registry.warnings) log.warn(warning);
  const sql = createSql(options.databaseUrl, { max: options.poolSize ?? 20 });
  const lockSql = createSql(options.databaseUrl, { max: config.WORKER_CONCURRENCY + 4 });
  const transport = options.transport ?? (await chooseTransport(config));
  if (transport.name === "resend" && !config.EMAIL_FROM) {
    throw new Error("Invalid configuration: EMAIL_FROM must be set when RESEND_API_KEY is set (e.g. \"Acme <hello@acme.com>\")");
  }
  const engine: Engine = {
    databaseUrl: options.databaseUrl,
    app: options.app,
    sql,
    lockSql,
    clock: options.clock ?? systemClock,
    config,
    log,
    registry,
    publicUrl: (options.publicUrl ?? config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, ""),
    secrets: { signing: config.HOGSEND_SECRET ?? (await loadOrCreateSecret(sql, "signing")) },
    transport,
    emailFrom: config.EMAIL_FROM ?? "Hogsend <hello@hogsend.localhost>",
    // The typed request is a SendEmailRequest whose props match their template (interfaces, not a plain record).
    email: { send: (request) => sendEmail(engine, request as SendEmailRequest) },
  };
  return engine;
}

/**
 * Add journeys and tasks to a running engine (the seeds' `createWorker({ container, journeys, extraWorkflows })`).
 * A definition the engine already has is skipped; another with a taken id fails like a duplicate at start-up.
 * Calls on one engine run one after another, so none is lost to another's.
 */
export function registerApp(engine: Engine, more: Pick<HogsendApp, "journeys" | "tasks">): Promise<void> {
  const turn = (registering.get(engine) ?? Promise.resolve()).then(() => addToApp(engine, more));
  registering.set(engine, turn.catch(() => {}));
  return turn;
}
const registering = new WeakMap<Engine, Promise<void>>();

async function addToApp(engine: Engine, more: Pick<HogsendApp, "journeys" | "tasks">): Promise<void> {
  const journeys = (more.journeys ?? []).filter((j) => !engine.app.journeys?.includes(j));
  const tasks = (more.tasks ?? []).filter((t) => !engine.app.tasks?.includes(t));
  if (!journeys.length && !tasks.length) return;
  const app = { ...engine.app, journeys: [...(engine.app.journeys ?? []), ...journeys], tasks: [...(engine.app.tasks ?? []), ...tasks] };
  const registry = compileApp(app, templateKeys());
  await checkJourneyCode(registry, templateKeys());
  for (const warning of registry.warnings) if (!engine.registry.warnings.includes(warning)) engine.log.warn(warning);
  engine.app = app;
  engine.registry = registry;
}

export async function closeEngine(engine: Engine): Promise<void> {
  await Promise.all([engine.sql.end({ timeout: 5 }), engine.lockSql.end({ timeout: 5 })]);
}

async function chooseTransport(config: Config): Promise<EmailTransport> {
  if (!config.RESEND_API_KEY) return createOutboxTransport();
  const { createResendTransport } = await import("./mail/transports/resend.js");
  return createResendTransport({ apiKey: config.RESEND_API_KEY, baseUrl: config.RESEND_BASE_URL });
}

/** A secret generated once per installation and kept in the database, so every process agrees on it. */
export async function loadOrCreateSecret(sql: Sql, name: string): Promise<string> {
  await sql`insert into engine_secrets (name, value) values (${name}, ${randomBytes(32).toString("base64url")}) on conflict (name) do nothing`;
  const [row] = await sql<{ value: string }[]>`select value from engine_secrets where name = ${name}`;
  return row.value;
}
