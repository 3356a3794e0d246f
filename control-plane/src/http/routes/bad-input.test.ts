import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../test/harness.js";
import { defineJourney } from "../../journeys/define.js";
import { Hogsend } from "../../../../sdk/src/index.js";

// Input Postgres cannot store as given is a 400 naming the field, never a 500, and nothing is stored.
const SECRET = "s".repeat(32);
const journey = defineJourney({
  meta: { id: "j", name: "J", enabled: true, trigger: { event: "j.start" }, entryLimit: "unlimited", suppress: 0 },
  run: async () => {},
});
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ app: { journeys: [journey] }, config: { POSTHOG_WEBHOOK_SECRET: SECRET } });
});
afterAll(() => h.close());
const send = (body: unknown, headers?: Record<string, string>) => h.request("POST", "/v1/events", body, { key: h.keys.ingest, headers });
const count = async (table: string) => (await h.engine.sql.unsafe(`select count(*)::int as n from ${table}`))[0].n as number;

it("a lone surrogate in a property bag, a userId or a key is a 400 naming the field", async () => {
  const cases: [unknown, string][] = [
    [{ name: "a.b", userId: "s1", eventProperties: { x: "\ud800" } }, "eventProperties"],
    [{ name: "a.b", userId: "s1", contactProperties: { ["k\udc00"]: 1 } }, "contactProperties"],
    [{ name: "a.b", userId: "u\ud800" }, "userId"],
    [{ name: "a.b", userId: "s1", idempotencyKey: "k\ud800" }, "idempotencyKey"],
  ];
  for (const [body, field] of cases) {
    const r = await send(body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.details.issues[0].field).toBe(field);
  }
  const put = await h.request("PUT", "/v1/contacts", { userId: "s1", properties: { x: "\ud800" } }, { key: h.keys.ingest });
  expect(put.status).toBe(400);
  expect(await count("events")).toBe(0);
  expect(await count("contacts")).toBe(0);
  // The SDK does not retry a 400, and says which field.
  const hs = new Hogsend({ baseUrl: h.url, apiKey: h.keys.ingest, retryBaseMs: 1 });
  await expect(hs.events.send({ name: "a.b", userId: "s1", eventProperties: { x: "\ud800" } })).rejects.toMatchObject({ status: 400, code: "invalid_request" });
});

it("an Idempotency-Key header is held to the body field's rules: over 256 characters is a 400 naming it", async () => {
  const r = await send({ name: "a.b", userId: "h1" }, { "idempotency-key": randomBytes(3000).toString("base64") });
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.error.details.issues[0].field).toBe("Idempotency-Key");
  expect(await count("events where name = 'a.b'")).toBe(0);
});

it("a runs cursor outside what Postgres stores is a 400 naming `before`", async () => {
  for (const before of ["0000-01-01T00:00:00Z", "9999-12-31T23:00:00-12:00"]) {
    const r = await h.request("GET", `/v1/admin/journeys/j/runs?before=${encodeURIComponent(before)}`, undefined, { key: h.keys.read });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.details.issues[0].field).toBe("before");
  }
});

it("the PostHog webhook answers a NUL in the payload with a 400, and a timestamp it cannot store takes the arrival time", async () => {
  const payload = (event: object) => ({
    event: { uuid: randomBytes(8).toString("hex"), event: "signed_up", distinct_id: "d1", timestamp: "2024-01-01T00:00:00Z", properties: {}, ...event },
    person: { properties: {} },
  });
  const post = (body: unknown) => h.request("POST", "/v1/webhooks/posthog", body, { key: null, headers: { "x-hogsend-secret": SECRET } });
  for (const body of [payload({ distinct_id: "a\u0000b" }), payload({ properties: { a: "x\u0000" } })]) {
    expect((await post(body)).status).toBe(400);
  }
  const old = payload({ timestamp: "0000-01-01T00:00:00Z" });
  expect((await post(old)).status).toBe(200);
  const [stored] = await h.engine.sql`select occurred_at, received_at from events where idempotency_key = ${"posthog:" + old.event.uuid}`;
  expect(stored.occurred_at).toEqual(stored.received_at);
});

it('a "__proto__" property key is a 400, not silently dropped', async () => {
  const r = await h.request("POST", "/v1/events", undefined, { key: h.keys.ingest, raw: '{"name":"p.p","userId":"p1","eventProperties":{"__proto__":{"z":1},"k":1}}' });
  expect(r.status).toBe(400);
  expect(r.body.error.details.issues[0].field).toBe("eventProperties");
  expect(await count("events where name = 'p.p'")).toBe(0);
});
