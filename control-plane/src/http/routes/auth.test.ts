import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../test/harness.js";
import { hashKey } from "../../auth/api-keys.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { RATE_LIMIT_PER_SECOND: 5 } });
});
afterAll(() => h.close());

describe("API keys and scopes", () => {
  it("no key → 401, unknown key → 401", async () => {
    expect((await h.request("POST", "/v1/events", { name: "a.b", userId: "x" }, { key: null })).status).toBe(401);
    const wrong = await h.request("POST", "/v1/events", { name: "a.b", userId: "x" }, { key: "hsk_wrong" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("unauthorized");
  });

  it("stores only SHA-256 hashes of keys", async () => {
    const rows = await h.engine.sql`select hash from api_keys`;
    expect(rows.map((r) => r.hash)).toContain(hashKey(h.keys.ingest));
    expect(JSON.stringify(rows)).not.toContain(h.keys.ingest);
  });

  it("ingest keys use the data plane only; admin scopes are ordered; full-admin also ingests", async () => {
    const event = { name: "a.b", userId: "scoped" };
    expect((await h.request("POST", "/v1/events", event, { key: h.keys.ingest })).status).toBe(201);
    expect((await h.request("POST", "/v1/events", event, { key: h.keys["full-admin"] })).status).toBe(201);
    expect((await h.request("POST", "/v1/events", event, { key: h.keys.read })).status).toBe(403);
    expect((await h.request("POST", "/v1/events", event, { key: h.keys["journey-admin"] })).status).toBe(403);

    expect((await h.request("GET", "/v1/admin/journeys", undefined, { key: h.keys.ingest })).status).toBe(403);
    expect((await h.request("GET", "/v1/admin/journeys", undefined, { key: h.keys.read })).status).toBe(200);
    expect((await h.request("GET", "/v1/admin/api-keys", undefined, { key: h.keys["journey-admin"] })).status).toBe(403);
    expect((await h.request("GET", "/v1/admin/api-keys", undefined, { key: h.keys["full-admin"] })).status).toBe(200);
  });

  it("a full-admin key mints a key shown once and can revoke it", async () => {
    const created = await h.request("POST", "/v1/admin/api-keys", { scope: "ingest", name: "ci" });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^hsk_/);
    const listed = await h.request("GET", "/v1/admin/api-keys");
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect((await h.request("DELETE", `/v1/admin/api-keys/${created.body.id}`)).body.revoked).toBe(true);
  });

  it("rate-limits per key with 429 and Retry-After", async () => {
    const { key } = (await h.request("POST", "/v1/admin/api-keys", { scope: "ingest", name: "burst" })).body;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 20; i++) {
      const r = await h.request("GET", "/v1/lists", undefined, { key });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get("retry-after");
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another key is unaffected.
    expect((await h.request("GET", "/v1/lists", undefined, { key: h.keys.ingest })).status).toBe(200);
  });
});
