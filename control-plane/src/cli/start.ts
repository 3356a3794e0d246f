import { serve } from "@hono/node-server";
import { loadConfig } from "../config.js";
import { createSql } from "../db/client.js";
import { migrate } from "../db/migrate.js";
import { createEngine, closeEngine, type Engine } from "../engine.js";
import { createHttpApp } from "../http/app.js";
import { createWorker, type HogsendWorker } from "../worker/create-worker.js";
import { countApiKeys, createApiKey } from "../auth/api-keys.js";
import { app as defaultApp } from "../../app/index.js";
import { openDatabase } from "./database.js";

/** `hogsend start`: migrate, then serve the API and Studio and run the worker (HOGSEND_ROLE picks which). */
export async function start() {
  const config = loadConfig();
  // The signal handlers are in place before the embedded Postgres is spawned, so a signal at any moment stops it.
  const opening = openDatabase(config);
  let engine: Engine | undefined;
  let server: ReturnType<typeof serve> | undefined;
  let worker: HogsendWorker | undefined;

  // From here on every way out stops what was started, the embedded Postgres last: nothing is left running.
  let stopping: Promise<void> | undefined;
  const shutDown = () =>
    (stopping ??= (async () => {
      if (server?.listening) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await worker?.stop().catch((error) => engine?.log.error("worker did not stop cleanly", { error: String(error) }));
      if (engine) await closeEngine(engine).catch(() => {});
      await (await opening.catch(() => undefined))?.embedded?.stop();
    })());
  const exitOn = async (reason: string, code: number) => {
    engine?.log.info("shutting down", { signal: reason });
    await shutDown();
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void exitOn(signal, 0));

  const db = await opening;
  if (stopping) return;
  try {
    const migrateSql = createSql(db.url, { max: 1 });
    await migrate(migrateSql, db.url).finally(() => migrateSql.end());
    engine = await createEngine({ databaseUrl: db.url, app: defaultApp, config });
    const role = config.HOGSEND_ROLE;
    if (role !== "worker") {
      const http = createHttpApp(engine);
      await new Promise<void>((resolve, reject) => {
        server = serve({ fetch: http.fetch, port: config.PORT, hostname: config.HOST }, () => resolve());
        server.once("error", reject);
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
  } catch (error) {
    await shutDown();
    throw error;
  }
  // A worker pool that dies leaves a process serving the API but running nothing: exit, for the supervisor to restart it.
  worker?.done.catch(() => void exitOn("worker failure", 1));
}
