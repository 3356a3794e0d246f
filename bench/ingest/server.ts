// The API under test, in its own process (as in production), on the database the bench made.
import { serve } from "@hono/node-server";
import { loadConfig } from "../../control-plane/src/config.js";
import { createEngine } from "../../control-plane/src/engine.js";
import { createHttpApp } from "../../control-plane/src/http/app.js";
import { createApiKey } from "../../control-plane/src/auth/api-keys.js";
import { app } from "../../control-plane/app/index.js";

const config = { ...loadConfig({ RATE_LIMIT_PER_SECOND: "1000000" }), LOG_LEVEL: "error" as const };
const engine = await createEngine({ databaseUrl: process.env.BENCH_DATABASE_URL!, app, config, poolSize: Number(process.env.BENCH_POOL ?? 20) });
const { key } = await createApiKey(engine.sql, { scope: "ingest" }, engine.clock.now());
const http = createHttpApp(engine);
const server = serve({ fetch: http.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.send!({ port: info.port, key });
});
process.on("message", async (m) => {
  if (m === "stop") {
    server.close();
    await engine.sql.end();
    await engine.lockSql.end();
    process.exit(0);
  }
});
