import { serve } from "@hono/node-server";
import { loadConfig } from "../config.js";
import { createSql } from "../db/client.js";
import { migrate } from "../db/migrate.js";
import { createEngine, closeEngine } from "../engine.js";
import { createHttpApp } from "../http/app.js";
import { createWorker, type HogsendWorker } from "../worker/create-worker.js";
import { countApiKeys, createApiKey } from "../auth/api-keys.js";
import { app as defaultApp } from "../../app/index.js";
import { openDatabase } from "./database.js";

/** `hogsend start`: migrate, then serve the API and Studio and run the worker (HOGSEND_ROLE picks which). */
export async function start() {
  const config = loadConfig();
  const db = await openDatabase(config);
  const migrateSql = createSql(db.url, { max: 1 });
  await migrate(migrateSql, db.url);
  await migrateSql.end();

  const engine = await createEngine({ databaseUrl: db.url, app: defaultApp, config });
  const role = config.HOGSEND_ROLE;
  let server: ReturnType<typeof serve> | undefined;
  let worker: HogsendWorker | undefined;

  if (role !== "worker") {
    const http = createHttpApp(engine);
    await new Promise<void>((resolve) => {
      server = serve({ fetch: http.fetch, port: config.PORT, hostname: config.HOST }, () => resolve());
    });
  }
  if (role !== "api") worker = await createWorker(engine, { databaseUrl: db.url });

  const lines = [
    `Hogsend is running (${role === "all" ? "API + worker" : role})`,
    role !== "worker" ? `  API        ${engine.publicUrl}/v1` : "",
    role !== "worker" ? `  Studio     ${engine.publicUrl}/studio` : "",
    role !== "worker" ? `  API docs   ${engine.publicUrl}/docs` : "",
    `  Database   ${db.embedded ? `embedded Postgres (${db.embedded.dataDir})` : "DATABASE_URL"}`,
    `  Email      ${engine.transport.name === "outbox" ? "local outbox (set RESEND_API_KEY to send for real)" : engine.transport.name}`,
  ].filter(Boolean);
  if ((await countApiKeys(engine.sql)) === 0) {
    const { key } = await createApiKey(engine.sql, { scope: "full-admin", name: "first start" }, engine.clock.now());
    lines.push("", "  First start: a full-admin API key was created. It is shown only this once:", `  ${key}`);
  }
  process.stdout.write(lines.join("\n") + "\n");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    engine.log.info("shutting down", { signal });
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await worker?.stop();
    await closeEngine(engine);
    await db.embedded?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
