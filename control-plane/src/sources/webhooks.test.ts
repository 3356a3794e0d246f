import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../test/harness.js";
import { app } from "../../app/index.js";
import { defineTask } from "../tasks/define.js";
import { rotatePosthogWebhookSecret } from "./posthog.js";
import { posthogSource, type DefinedWebhookSource } from "@hogsend/engine";
import { inventorySource } from "../../app/sources/inventory.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../../shared/fixtures/posthog/${name}`, import.meta.url), "utf8"));
const SECRET = "posthog-shared-secret-0123456789";
const restocks: unknown[] = [];
const restockTask = defineTask({ name: "restock-probe", onEvents: ["product.restocked"], fn: async (input) => void restocks.push(input) });

// Wired as the back-in-stock recipe writes it: the built-in PostHog destination listed beside the app's source.
const webhookSources: DefinedWebhookSource[] = [posthogSource, inventorySource];

let h: Harness;
beforeAll(async () => {
  process.env.INVENTORY_WEBHOOK_SECRET = "inventory-secret";
  h = await startHarness({ app: { ...app, webhookSources, tasks: [...(app.tasks ?? []), restockTask] } });
  await rotatePosthogWebhookSecret(h.engine, SECRET);
});
afterAll(() => h.close());

const posthog = (body: unknown, secret: string | null = SECRET) =>
  h.request("POST", "/v1/webhooks/posthog", body, { key: null, headers: secret ? { "x-hogsend-secret": secret } : {} });
const count = async (table: string) => (await h.engine.sql.unsafe(`select count(*)::int as n from ${table}`))[0].n as number;

describe("POST /v1/webhooks/posthog", () => {
  it("refuses a missing or wrong secret with 401 and stores nothing", async () => {
    const before = await count("events");
    expect((await posthog(fixture("destination-webhook-payload.json"), null)).status).toBe(401);
    expect((await posthog(fixture("destination-webhook-payload.json"), "wrong-secret")).status).toBe(401);
    expect(await count("events")).toBe(before);
  });

  it("upserts the contact from the person, keeps the snapshot, and a PostHog signup starts a journey", async () => {
    const payload = fixture("destination-webhook-payload.json");
    payload.event.properties.plan = "enterprise";
    const r = await posthog(payload);
    expect(r.status).toBe(200);
    expect(r.body.stored).toBe(true);
    const [contact] = await h.engine.sql`select * from contacts where user_id = 'user_8f3k2'`;
    expect(contact.email).toBe("ada@example.com");
    expect(contact.person_properties).toMatchObject({ $geoip_time_zone: "Europe/London", plan: "pro" });
    const runs = await h.engine.sql`select journey_id from journey_runs where contact_id = ${contact.id} order by journey_id`;
    expect(runs.map((x) => x.journey_id)).toEqual(["concierge-onboarding", "verification-chase"]);
    const [event] = await h.engine.sql`select source, properties, occurred_at from events where idempotency_key = ${"posthog:" + payload.event.uuid}`;
    expect(event.source).toBe("posthog");
    expect(event.properties.$set).toBeUndefined();
    expect(event.occurred_at.toISOString()).toBe("2025-03-04T10:15:30.123Z");
  });

  it("dedupes a redelivery on event.uuid", async () => {
    const payload = fixture("destination-webhook-payload.json");
    const again = await posthog(payload);
    expect(again.body.stored).toBe(false);
  });

  it("skips events with no person, and engine events echoed back from PostHog", async () => {
    const before = await count("events");
    const none = await posthog(fixture("destination-webhook-payload-no-person.json"));
    expect(none.status).toBe(202);
    expect(none.body.skipped).toBe("no_person");
    const echo = fixture("destination-webhook-payload.json");
    echo.event.event = "email.sent";
    echo.event.uuid = "0195a1b2-0000-7000-8000-000000000001";
    expect((await posthog(echo)).body.skipped).toBe("engine_event");
    expect(await count("events")).toBe(before);
  });

  it("$identify folds the anonymous contact into the identified one", async () => {
    const anon = fixture("destination-webhook-payload-anonymous.json");
    await posthog(anon);
    const anonId = anon.event.distinct_id;
    const identify = fixture("destination-webhook-payload.json");
    identify.event.event = "$identify";
    identify.event.uuid = "0195a1b2-0000-7000-8000-000000000002";
    identify.event.properties.$anon_distinct_id = anonId;
    await posthog(identify);
    const [main] = await h.engine.sql`select id from contacts where user_id = 'user_8f3k2' and merged_into is null`;
    const [anonRow] = await h.engine.sql`select merged_into from contacts where user_id = ${anonId}`;
    expect(anonRow.merged_into).toBe(main.id);
    const pageviews = await h.engine.sql`select contact_id from events where name = '$pageview'`;
    expect(pageviews.map((p) => p.contact_id)).toEqual([main.id]);
  });

  it("$identify of an anonymous person who already had an email gives the contact the identified userId", async () => {
    const anon = fixture("destination-webhook-payload-anonymous.json");
    anon.event.uuid = "0195a1b2-0000-7000-8000-0000000000a1";
    anon.event.distinct_id = "0195a1b2-aaaa-7abc-8def-0123456789ab";
    anon.person.properties = { email: "lin@example.com" };
    await posthog(anon);
    const identify = fixture("destination-webhook-payload.json");
    identify.event.event = "$identify";
    identify.event.uuid = "0195a1b2-0000-7000-8000-0000000000a2";
    identify.event.distinct_id = "user_lin";
    identify.event.properties = { $anon_distinct_id: anon.event.distinct_id };
    identify.person.properties = { email: "lin@example.com" };
    await posthog(identify);
    // The SDK's later call by the real userId lands on the same contact; the anonymous id still resolves to it.
    await h.request("POST", "/v1/events", { name: "user.email_verified", userId: "user_lin" }, { key: h.keys.ingest });
    const live = await h.engine.sql`select id, user_id, email from contacts where email = 'lin@example.com' or user_id = 'user_lin'`;
    expect(live.map((c) => ({ user_id: c.user_id, email: c.email }))).toEqual([{ user_id: "user_lin", email: "lin@example.com" }]);
    const byAnonymous = await h.request("GET", `/v1/contacts/find?userId=${anon.event.distinct_id}`, undefined, { key: h.keys.ingest });
    expect(byAnonymous.body.contacts.map((c: { id: string }) => c.id)).toEqual([live[0].id]);
  });

  it("applies $set and $set_once to the person snapshot", async () => {
    const payload = fixture("destination-webhook-payload.json");
    payload.event.event = "$set";
    payload.event.uuid = "0195a1b2-0000-7000-8000-000000000003";
    payload.event.properties = { $set: { plan: "scale" }, $set_once: { first_seen_plan: "pro", email: "other@example.com" } };
    await posthog(payload);
    const [contact] = await h.engine.sql`select person_properties from contacts where user_id = 'user_8f3k2' and merged_into is null`;
    expect(contact.person_properties).toMatchObject({ plan: "scale", first_seen_plan: "pro", email: "ada@example.com" });
  });

  it("answers a malformed payload with 400 naming the field", async () => {
    const r = await posthog({ event: { uuid: "x", event: "a", timestamp: "2025-01-01T00:00:00Z" }, person: null });
    expect(r.status).toBe(400);
    expect(r.body.error.details.issues[0].field).toBe("event.distinct_id");
  });
});

describe("defineWebhookSource: the inventory source", () => {
  const deliver = (body: object, signature?: string) => {
    const raw = JSON.stringify(body);
    return h.request("POST", "/v1/webhooks/inventory", undefined, {
      key: null,
      raw,
      headers: { "x-signature": signature ?? createHmac("sha256", "inventory-secret").update(raw).digest("hex") },
    });
  };
  const restock = { delivery_id: "d-1", type: "restock", sku: "chair-01", product_name: "Studio chair", quantity: 5 };

  it("verifies the signature, ingests a system event routed to tasks, and a redelivery is a no-op", async () => {
    const first = await deliver(restock);
    expect(first.status).toBe(200);
    expect(first.body.stored).toBe(true);
    expect((await deliver(restock)).body.stored).toBe(false);
    const events = await h.engine.sql`select contact_id, properties, source from events where name = 'product.restocked'`;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ contact_id: null, source: "webhook:inventory", properties: { sku: "chair-01", quantity: 5 } });
    const jobs = await h.engine.sql`select key from graphile_worker._private_jobs where key like 'task:restock-probe:%'`;
    expect(jobs).toHaveLength(1);
  });

  it("401 on a wrong signature, 400 naming the field on a bad payload, 202 when transform skips", async () => {
    expect((await deliver(restock, "00ff")).status).toBe(401);
    const bad = await deliver({ ...restock, quantity: "five" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].field).toBe("quantity");
    const skipped = await deliver({ ...restock, delivery_id: "d-2", quantity: 0 });
    expect(skipped.status).toBe(202);
  });

  it("fails closed with 401 when the secret is unset", async () => {
    const saved = process.env.INVENTORY_WEBHOOK_SECRET;
    delete process.env.INVENTORY_WEBHOOK_SECRET;
    try {
      expect((await deliver({ ...restock, delivery_id: "d-3" })).status).toBe(401);
    } finally {
      process.env.INVENTORY_WEBHOOK_SECRET = saved;
    }
  });

  it("404 for an unknown source", async () => {
    expect((await h.request("POST", "/v1/webhooks/nope", {}, { key: null })).status).toBe(404);
  });
});
