import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface CapturedEvent {
  event: string;
  distinct_id: string;
  uuid?: string;
  properties: Record<string, any>;
  timestamp?: string;
  api_key: string;
}

interface CohortState {
  id: number;
  name: string;
  last_calculation: string;
  persons: { uuid: string; distinct_ids: string[]; properties: Record<string, unknown> }[];
}

/**
 * A local PostHog for tests, built from the documented wire formats (fixtures/posthog): capture (/batch/,
 * gzipped or not), hog functions, dashboards, insights, cohorts and their persons (limit/offset pages with
 * `next` links). REST endpoints need `Authorization: Bearer <personal key>`.
 */
export async function startFakePostHog(options: { personalApiKey?: string } = {}) {
  const personalApiKey = options.personalApiKey ?? "phx_fake";
  const captured: CapturedEvent[] = [];
  const hogFunctions: Record<string, any>[] = [];
  const dashboards: Record<string, any>[] = [];
  const insights: Record<string, any>[] = [];
  const cohorts = new Map<number, CohortState>();
  const requests: { method: string; path: string }[] = [];
  let failures: { count: number; status: number }[] = [];
  let nextId = 100;

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      requests.push({ method: req.method ?? "GET", path: url.pathname });
      const failure = failures[0];
      if (failure) {
        if (--failure.count <= 0) failures = failures.slice(1);
        return reply(res, failure.status, { type: "server_error", detail: "Simulated outage" });
      }
      let raw = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip" || url.searchParams.get("compression") === "gzip-js") raw = gunzipSync(raw);
      let body: any = null;
      try {
        body = raw.length ? JSON.parse(raw.toString("utf8")) : null;
      } catch {
        return reply(res, 400, { type: "validation_error", code: "invalid_input", detail: "Malformed JSON" });
      }

      // Capture: posthog-node posts { api_key, batch, sent_at } to /batch/.
      if (req.method === "POST" && ["/batch/", "/batch", "/capture/", "/i/v0/e/"].includes(url.pathname)) {
        const items = Array.isArray(body?.batch) ? body.batch : [body];
        for (const item of items) captured.push({ ...item, api_key: body.api_key ?? item.api_key });
        return reply(res, 200, { status: "Ok" });
      }

      const api = /^\/api\/(?:environments|projects)\/([^/]+)\/(.*)$/.exec(url.pathname);
      if (!api) return reply(res, 404, { type: "invalid_request", detail: "Not found." });
      if (req.headers.authorization !== `Bearer ${personalApiKey}`) {
        return reply(res, 401, { type: "authentication_error", code: "authentication_failed", detail: "Incorrect authentication credentials." });
      }
      const rest = api[2];
      const now = new Date().toISOString();

      if (rest === "hog_functions/" && req.method === "GET") {
        const limit = Number(url.searchParams.get("limit") ?? 100);
        const offset = Number(url.searchParams.get("offset") ?? 0);
        const results = hogFunctions.filter((f) => !f.deleted).slice(offset, offset + limit);
        const next = offset + limit < hogFunctions.length ? `http://${req.headers.host}${url.pathname}?limit=${limit}&offset=${offset + limit}` : null;
        return reply(res, 200, { count: hogFunctions.length, next, previous: null, results });
      }
      if (rest === "hog_functions/" && req.method === "POST") {
        if (!body?.inputs?.url?.value) return reply(res, 400, { type: "validation_error", code: "invalid_input", detail: "This field is required.", attr: "inputs__url" });
        const fn = { ...body, id: randomUUID(), created_at: now, updated_at: now, inputs: maskSecrets(body), status: { state: 0, tokens: 0 } };
        hogFunctions.push({ ...fn, _rawInputs: body.inputs });
        return reply(res, 201, fn);
      }
      const fnMatch = /^hog_functions\/([^/]+)\/$/.exec(rest);
      if (fnMatch && req.method === "PATCH") {
        const fn = hogFunctions.find((f) => f.id === fnMatch[1]);
        if (!fn) return reply(res, 404, { type: "invalid_request", code: "not_found", detail: "Not found." });
        Object.assign(fn, body, { updated_at: now, inputs: maskSecrets(body), _rawInputs: body.inputs ?? fn._rawInputs });
        return reply(res, 200, fn);
      }
      if (rest === "dashboards/" && req.method === "GET") return reply(res, 200, { count: dashboards.length, next: null, previous: null, results: dashboards });
      if (rest === "dashboards/" && req.method === "POST") {
        if (!body?.name) return reply(res, 400, { type: "validation_error", code: "required", detail: "This field is required.", attr: "name" });
        const dashboard = { id: nextId++, ...body, created_at: now, tiles: [] };
        dashboards.push(dashboard);
        return reply(res, 201, dashboard);
      }
      if (rest === "insights/" && req.method === "POST") {
        const kind = body?.query?.source?.kind;
        if (body?.query?.kind !== "InsightVizNode" || !["TrendsQuery", "FunnelsQuery"].includes(kind)) {
          return reply(res, 400, { type: "validation_error", code: "invalid_input", detail: "Invalid query.", attr: "query" });
        }
        const insight = { id: nextId++, short_id: randomUUID().slice(0, 8), ...body, result: null, created_at: now };
        insights.push(insight);
        return reply(res, 201, insight);
      }
      if (rest === "cohorts/" && req.method === "GET") {
        const results = [...cohorts.values()].map((c) => ({ id: c.id, name: c.name, last_calculation: c.last_calculation, count: c.persons.length, is_calculating: false }));
        return reply(res, 200, { count: results.length, next: null, previous: null, results });
      }
      const cohortMatch = /^cohorts\/(\d+)\/(persons\/)?$/.exec(rest);
      if (cohortMatch && req.method === "GET") {
        const cohort = cohorts.get(Number(cohortMatch[1]));
        if (!cohort) return reply(res, 404, { type: "invalid_request", code: "not_found", detail: "Not found." });
        if (!cohortMatch[2]) return reply(res, 200, { id: cohort.id, name: cohort.name, last_calculation: cohort.last_calculation, count: cohort.persons.length, is_calculating: false });
        const limit = Number(url.searchParams.get("limit") ?? 100);
        const offset = Number(url.searchParams.get("offset") ?? 0);
        const page = cohort.persons.slice(offset, offset + limit).map((p) => ({
          type: "person", id: p.uuid, uuid: p.uuid, distinct_ids: p.distinct_ids, properties: p.properties, is_identified: true,
          name: String(p.properties.email ?? p.distinct_ids[0]), created_at: now,
        }));
        // As PostHog does: `next` whenever the page is full.
        const next = page.length === limit ? `http://${req.headers.host}${url.pathname}?limit=${limit}&offset=${offset + limit}` : null;
        return reply(res, 200, { results: page, next, previous: null });
      }
      return reply(res, 404, { type: "invalid_request", code: "not_found", detail: "Not found." });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    personalApiKey,
    captured,
    hogFunctions,
    dashboards,
    insights,
    requests,
    /** Set a cohort's members; a new `last_calculation` marks it recalculated. */
    setCohort(id: number, persons: CohortState["persons"], lastCalculation = new Date().toISOString(), name = `Cohort ${id}`) {
      cohorts.set(id, { id, name, persons, last_calculation: lastCalculation });
    },
    /** The next `count` requests answer `status` (a PostHog outage). */
    failNext(count: number, status = 503) {
      failures.push({ count, status });
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

function maskSecrets(body: any) {
  const inputs: Record<string, unknown> = {};
  const secretKeys = new Set((body?.inputs_schema ?? []).filter((s: any) => s.secret).map((s: any) => s.key));
  for (const [key, value] of Object.entries(body?.inputs ?? {})) inputs[key] = secretKeys.has(key) ? { secret: true } : value;
  return inputs;
}

export type FakePostHog = Awaited<ReturnType<typeof startFakePostHog>>;
