import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { HogsendApp } from "../src/app.js";
import { createApiKey, type Scope } from "../src/auth/api-keys.js";
import { Agent, request as undiciRequest } from "undici";
import { systemClock, type Clock } from "../src/clock.js";
import { loadConfig, type Config } from "../src/config.js";
import { closeEngine, createEngine, type Engine } from "../src/engine.js";
import { createHttpApp } from "../src/http/app.js";
import { silentLogger } from "../src/log.js";
import type { EmailTransport } from "../src/mail/transports/types.js";
import { createTestDatabase } from "./db.js";

export interface Harness {
  engine: Engine;
  url: string;
  databaseUrl: string;
  keys: Record<Scope, string>;
  /** fetch against the real server; `key` defaults to the full-admin key. */
  request(method: string, path: string, body?: unknown, options?: { key?: string | null; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** The real engine behind a real HTTP server on 127.0.0.1, on a fresh database. */
export async function startHarness(options: { app?: HogsendApp; config?: Partial<Config>; clock?: Clock; transport?: EmailTransport } = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const config = { ...loadConfig({}), LOG_LEVEL: "silent" as const, ...options.config };
  const engine = await createEngine({
    databaseUrl: db.url,
    app: options.app ?? {},
    config,
    clock: options.clock ?? systemClock,
    log: silentLogger,
    publicUrl: "http://hogsend.test",
    transport: options.transport,
    poolSize: 10,
  });
  const http = createHttpApp(engine);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: http.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keys = {} as Record<Scope, string>;
  for (const scope of ["ingest", "read", "journey-admin", "full-admin"] as Scope[]) {
    keys[scope] = (await createApiKey(engine.sql, { scope }, engine.clock.now())).key;
  }
  return {
    engine,
    url,
    databaseUrl: db.url,
    keys,
    async request(method, path, body, opts = {}) {
      const key = opts.key === undefined ? keys["full-admin"] : opts.key;
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (key) headers.authorization = `Bearer ${key}`;
      if (body !== undefined || opts.raw !== undefined) headers["content-type"] ??= "application/json";
      // A fresh connection per request: a refused oversized body must not poison a kept-alive socket.
      const response = await undiciRequest(url + path, {
        method: method as never,
        headers,
        body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
        dispatcher: new Agent({ pipelining: 0 }),
      });
      const text = await response.body.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      const responseHeaders = new Headers();
      for (const [k, v] of Object.entries(response.headers)) if (typeof v === "string") responseHeaders.set(k, v);
      return { status: response.statusCode, body: parsed, headers: responseHeaders };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeEngine(engine);
      await db.drop();
    },
  };
}
