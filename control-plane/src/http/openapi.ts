import { z } from "zod";
import { campaignSchema, contactView, errorView, findContactQuery, identitySchema, sendEmailSchema, sendEventSchema, upsertContactSchema } from "./schemas.js";

interface Operation {
  method: "get" | "put" | "post" | "delete";
  path: string;
  summary: string;
  scope: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
}

const exitView = z.object({ journeyId: z.string(), runId: z.string(), exited: z.boolean() });
const sendResult = z.object({ id: z.string().nullable(), status: z.enum(["sent", "queued", "skipped", "failed"]), reason: z.string().optional() });

/** The Data API, described once: the OpenAPI document and the /docs page are generated from this. */
export const operations: Operation[] = [
  { method: "put", path: "/v1/contacts", summary: "Identify: create or update a contact by email and/or userId (both link them). Properties merge; null clears a key.", scope: "ingest", body: upsertContactSchema, response: z.object({ id: z.string(), created: z.boolean(), linked: z.boolean() }) },
  { method: "get", path: "/v1/contacts/find", summary: "Find a live contact by email or userId.", scope: "ingest", query: findContactQuery, response: z.object({ contacts: z.array(contactView) }) },
  { method: "delete", path: "/v1/contacts", summary: "Soft-delete a contact: it no longer resolves and receives nothing; its live runs are cancelled.", scope: "ingest", body: identitySchema, response: z.object({ deleted: z.boolean(), id: z.string() }) },
  { method: "post", path: "/v1/events", summary: "Track: store an event (deduped by idempotencyKey or the Idempotency-Key header, which wins) and route it to journeys, waits, exits, tasks and destinations.", scope: "ingest", body: sendEventSchema, response: z.object({ stored: z.boolean(), exits: z.array(exitView) }) },
  { method: "get", path: "/v1/lists", summary: "The lists defined in code.", scope: "ingest", response: z.object({ lists: z.array(z.object({ id: z.string(), name: z.string(), description: z.string().nullable(), defaultOptIn: z.boolean() })) }) },
  { method: "post", path: "/v1/lists/{id}/subscribe", summary: "Subscribe a contact to a list.", scope: "ingest", body: identitySchema },
  { method: "post", path: "/v1/lists/{id}/unsubscribe", summary: "Unsubscribe a contact from a list.", scope: "ingest", body: identitySchema },
  { method: "post", path: "/v1/emails", summary: "Send one email from a registered template (preference-checked; skipPreferenceCheck needs full-admin and the transactional category).", scope: "ingest", body: sendEmailSchema, response: sendResult },
  { method: "post", path: "/v1/campaigns", summary: "Broadcast a template to a list or a bucket (202, durable, per-recipient idempotent).", scope: "ingest", body: campaignSchema, response: z.object({ campaignId: z.string() }) },
  { method: "get", path: "/v1/campaigns/{id}", summary: "A campaign's progress.", scope: "ingest" },
  { method: "get", path: "/v1/admin/journeys", summary: "Journeys with run counts per status.", scope: "read" },
  { method: "get", path: "/v1/admin/journeys/{id}/runs", summary: "A journey's runs, newest first (?status, ?limit up to 200, ?before: the previous page's `next`).", scope: "read" },
  { method: "post", path: "/v1/admin/journeys/{id}/enable", summary: "Enable a journey.", scope: "journey-admin" },
  { method: "post", path: "/v1/admin/journeys/{id}/disable", summary: "Disable a journey (live runs continue; events enroll no one; an operator can still enroll by hand).", scope: "journey-admin" },
  { method: "post", path: "/v1/admin/journeys/{id}/enroll", summary: "Enroll a contact by hand.", scope: "journey-admin", body: identitySchema },
  { method: "get", path: "/v1/admin/runs/{id}", summary: "One run with its timeline.", scope: "read" },
  { method: "post", path: "/v1/admin/runs/{id}/cancel", summary: "Cancel a live run.", scope: "journey-admin" },
  { method: "get", path: "/v1/admin/api-keys", summary: "API keys (never the keys themselves).", scope: "full-admin" },
  { method: "post", path: "/v1/admin/api-keys", summary: "Mint an API key; the key is shown once.", scope: "full-admin" },
];

function schemaOf(type: z.ZodType) {
  return z.toJSONSchema(type, { io: "input", unrepresentable: "any" });
}

export function openApiDocument(baseUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const item: Record<string, unknown> = {
      summary: op.summary,
      security: [{ bearer: [] }],
      "x-scope": op.scope,
      responses: {
        "200": { description: "OK", content: op.response ? { "application/json": { schema: schemaOf(op.response) } } : undefined },
        "400": { description: "Invalid request: the error names the field", content: { "application/json": { schema: schemaOf(errorView) } } },
        "401": { description: "Missing or invalid API key" },
        "403": { description: "The key's scope does not allow this route" },
        "429": { description: "Rate limited; see Retry-After" },
      },
    };
    if (op.body) item.requestBody = { required: true, content: { "application/json": { schema: schemaOf(op.body) } } };
    if (op.query) {
      const props = (schemaOf(op.query) as { properties?: Record<string, unknown> }).properties ?? {};
      item.parameters = Object.entries(props).map(([name, schema]) => ({ name, in: "query", required: false, schema }));
    }
    paths[op.path] = { ...(paths[op.path] ?? {}), [op.method]: item };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Hogsend Data API", version: "1.0.0", description: "Events, contacts, lists, emails and campaigns. Errors are JSON: { error: { code, message, details } }." },
    servers: [{ url: baseUrl }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "hsk_… API key" } } },
    paths,
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A self-contained reference page (no CDN: nothing is fetched at run time). */
export function docsPage(baseUrl: string): string {
  const doc = openApiDocument(baseUrl);
  const sections = Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]: [string, any]) => {
        const body = op.requestBody ? `<details><summary>Request body</summary><pre>${escape(JSON.stringify(op.requestBody.content["application/json"].schema, null, 2))}</pre></details>` : "";
        const response = op.responses["200"].content ? `<details><summary>Response</summary><pre>${escape(JSON.stringify(op.responses["200"].content["application/json"].schema, null, 2))}</pre></details>` : "";
        return `<section><h2><code>${method.toUpperCase()} ${escape(path)}</code></h2><p>${escape(op.summary)}</p><p>Scope: <code>${escape(op["x-scope"])}</code></p>${body}${response}</section>`;
      }),
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hogsend Data API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem;color:#1d1d1f}code,pre{background:#f4f4f5;border-radius:4px}pre{padding:.75rem;overflow:auto;font-size:12px}section{border-top:1px solid #ddd;padding:.5rem 0}h2{font-size:1rem}</style></head>
<body><h1>Hogsend Data API</h1><p>Authenticate with <code>Authorization: Bearer hsk_…</code>. Errors are <code>{ "error": { "code", "message", "details" } }</code>; 4xx errors name the field. The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>${sections}</body></html>`;
}
