// The API under test, in its own process (as in production), on the database the bench made.
// With BENCH_EMPTY_HANDLER set it serves the HTTP floor instead: the same HTTP stack (Node's server, Hono)
// answering POST /v1/events after parsing the JSON body, with no ingest behind it.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { loadConfig } from "../../control-plane/src/config.js";
import { createEngine } from "../../control-plane/src/engine.js";
import { createHttpApp } from "../../control-plane/src/http/app.js";
import { createApiKey } from "../../control-plane/src/auth/api-keys.js";
import { app } from "../../control-plane/app/index.js";

let handler: (request: Request) => Response | Promise<Response>;
let key = "none";
let stop = async () => {};
if (process.env.BENCH_EMPTY_HANDLER) {
  const empty = new Hono();
  empty.post("/v1/events", async (c) => {
    await c.req.json();
    return c.json({ stored: true, exits: [] });
  });
  handler = empty.fetch;
} else {
  const config = { ...loadConfig({ RATE_LIMIT_PER_SECOND: "1000000" }), LOG_LEVEL: "error" as const };
  const engine = await createEngine({ databaseUrl: process.env.BENCH_DATABASE_URL!, app, config, poolSize: Number(process.env.BENCH_POOL ?? 20) });
  ({ key } = await createApiKey(engine.sql, { scope: "ingest" }, engine.clock.now()));
  handler = createHttpApp(engine).fetch;
  stop = async () => {
    await engine.sql.end();
    await engine.lockSql.end();
  };
}
const server = serve({ fetch: handler, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.send!({ port: info.port, key });
});
process.on("message", async (m) => {
  if (m === "stop") {
    server.close();
    await stop();
    process.exit(0);
  }
});
