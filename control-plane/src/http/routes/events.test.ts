import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../test/harness.js";
import { defineList } from "../../audiences/lists.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ app: { lists: [defineList({ id: "restock-chair-01", name: "Chair", defaultOptIn: false })] } });
});
afterAll(() => h.close());

const send = (body: unknown, headers?: Record<string, string>) => h.request("POST", "/v1/events", body, { key: h.keys.ingest, headers });
const count = async (table: string) => (await h.engine.sql.unsafe(`select count(*)::int as n from ${table}`))[0].n as number;

describe("POST /v1/events", () => {
  it("keeps the two bags apart: eventProperties on the event, contactProperties on the contact", async () => {
    const r = await send({ name: "subscription.created", userId: "u1", email: "u1@example.com", eventProperties: { amount: 4900 }, contactProperties: { plan: "pro" } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ stored: true, exits: [] });
    const [event] = await h.engine.sql`select properties, contact_id from events where name = 'subscription.created'`;
    expect(event.properties).toEqual({ amount: 4900 });
    const [contact] = await h.engine.sql`select properties, email, user_id from contacts where id = ${event.contact_id}`;
    expect(contact).toEqual({ properties: { plan: "pro" }, email: "u1@example.com", user_id: "u1" });
  });

  it("a replay with the same idempotency key returns stored:false and changes nothing", async () => {
    const first = await send({ name: "order.completed", userId: "u2", contactProperties: { orders: 1 }, idempotencyKey: "order-1" });
    expect(first.body.stored).toBe(true);
    const replay = await send({ name: "order.completed", userId: "u2", contactProperties: { orders: 99 }, idempotencyKey: "order-1" });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ stored: false, exits: [] });
    const rows = await h.engine.sql`select 1 from events where idempotency_key = 'order-1'`;
    expect(rows).toHaveLength(1);
    const [c] = await h.engine.sql`select properties from contacts where user_id = 'u2'`;
    expect(c.properties).toEqual({ orders: 1 });
  });

  it("the Idempotency-Key header wins over the body field", async () => {
    await send({ name: "a.b", userId: "u3", idempotencyKey: "body-key" }, { "idempotency-key": "header-key" });
    const keys = (await h.engine.sql`select idempotency_key from events where name = 'a.b'`).map((r) => r.idempotency_key);
    expect(keys).toEqual(["header-key"]);
    const again = await send({ name: "a.b", userId: "u3", idempotencyKey: "other" }, { "idempotency-key": "header-key" });
    expect(again.body.stored).toBe(false);
  });

  it("concurrent replays of one key store one event", async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => send({ name: "c.d", userId: "u4", idempotencyKey: "same" })));
    expect(results.filter((r) => r.body.stored)).toHaveLength(1);
  });

  it("links email → userId when an event names both", async () => {
    await send({ name: "e.f", email: "late@example.com" });
    await send({ name: "e.f", email: "late@example.com", userId: "user_late" });
    const rows = await h.engine.sql`select id, user_id from contacts where email = 'late@example.com'`;
    expect(rows).toHaveLength(1);
    expect(rows[0].user_id).toBe("user_late");
  });

  it("applies the lists bag in the same call", async () => {
    await send({ name: "product.waitlisted", userId: "u5", email: "u5@example.com", lists: { "restock-chair-01": true } });
    const [m] = await h.engine.sql`select subscribed from list_memberships m join contacts c on c.id = m.contact_id where c.user_id = 'u5'`;
    expect(m.subscribed).toBe(true);
  });

  it("takes a client timestamp as the event time", async () => {
    await send({ name: "t.t", userId: "u6", timestamp: "2025-12-01T10:00:00Z" });
    const [e] = await h.engine.sql`select occurred_at from events where name = 't.t'`;
    expect(e.occurred_at.toISOString()).toBe("2025-12-01T10:00:00.000Z");
  });

  it("refuses app events in reserved namespaces", async () => {
    for (const name of ["email.opened", "journey.completed", "bucket.entered", "contact.created"]) {
      const r = await send({ name, userId: "u7" });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("reserved_namespace");
      expect(r.body.error.message).toContain("reserved");
    }
  });

  it("refuses malformed input with a 4xx naming the field, and writes nothing", async () => {
    const events = await count("events");
    const contacts = await count("contacts");
    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
    const cases: [unknown, string][] = [
      [{ userId: "x" }, "name"],
      [{ name: "x.y" }, "email"],
      [{ name: 42, userId: "x" }, "name"],
      [{ name: "x.y", userId: "x", eventProperties: [1, 2] }, "eventProperties"],
      [{ name: "x.y", userId: "x", eventProperties: deep }, "eventProperties"],
      [{ name: "x.y", userId: "x", contactProperties: many }, "contactProperties"],
      [{ name: "x.y", userId: "x", eventProperties: { s: "x".repeat(9000) } }, "eventProperties"],
      [{ name: "x.y", userId: "x", timestamp: "yesterday" }, "timestamp"],
      [{ name: "x.y", userId: "x", properties: { a: 1 } }, "properties"],
      [{ name: "x.y", userId: "x", lists: { "restock-chair-01": "yes" } }, "lists"],
      [{ name: "x.y", userId: "x", lists: { "unknown-list": true } }, "lists.unknown-list"],
      // What Postgres cannot store is refused here, not failed there.
      [{ name: "x.y", userId: "x", eventProperties: { a: "x\u0000y" } }, "eventProperties"],
      [{ name: "x.y", userId: "x", eventProperties: { "k\u0000": 1 } }, "eventProperties"],
      [{ name: "x.y", userId: "x", contactProperties: { a: "x\u0000y" } }, "contactProperties"],
      [{ name: "x.y", userId: "u\u0000v" }, "userId"],
      [{ name: "x.y", userId: "x", idempotencyKey: "k\u0000" }, "idempotencyKey"],
      [{ name: "x.y", userId: "x", timestamp: "0000-01-01T00:00:00Z" }, "timestamp"],
      [{ name: "x.y", userId: "x", timestamp: "1899-12-31T23:00:00Z" }, "timestamp"],
      [{ name: "x.y", userId: "x", timestamp: "9999-12-31T23:30:00-01:00" }, "timestamp"],
      // 64 KB is bytes of JSON, multi-byte characters counted as such.
      [{ name: "x.y", userId: "x", eventProperties: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, "€".repeat(8000)])) }, "eventProperties"],
    ];
    for (const [body, field] of cases) {
      const r = await send(body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.error.details.issues[0].field).toContain(field);
    }
    const malformed = await h.request("POST", "/v1/events", undefined, { key: h.keys.ingest, raw: "{not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.issues[0].field).toBe("body");
    const huge = await h.request("POST", "/v1/events", undefined, { key: h.keys.ingest, raw: JSON.stringify({ name: "x.y", userId: "x", eventProperties: { s: "x".repeat(1_100_000) } }) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("payload_too_large");
    expect(await count("events")).toBe(events);
    expect(await count("contacts")).toBe(contacts);
  });

  it("takes timestamps up to the bounds, in any offset", async () => {
    expect((await send({ name: "x.bound", userId: "t1", timestamp: "1970-01-01T00:30:00+01:00" })).status).toBe(201);
    expect((await send({ name: "x.bound", userId: "t1", timestamp: "9999-12-31T22:00:00-01:00" })).status).toBe(201);
  });

  it("a NUL character in an email's subject is a 400 naming it", async () => {
    const r = await h.request("POST", "/v1/emails", { to: "n@example.com", template: "onboarding/enterprise-welcome", subject: "a\u0000b", category: "transactional" }, { key: h.keys.ingest });
    expect(r.status).toBe(400);
    expect(r.body.error.details.issues[0].field).toBe("subject");
  });

  it("a replayed key changes nothing, not even the contacts it names", async () => {
    await send({ name: "x.replayed", userId: "r-a", idempotencyKey: "replay-identity" });
    await send({ name: "x.other", email: "r-b@example.com" });
    const contacts = await count("contacts");
    const replays = [
      await send({ name: "x.replayed", email: "r-new@example.com", idempotencyKey: "replay-identity" }),
      await send({ name: "x.replayed", userId: "r-a", email: "r-b@example.com", idempotencyKey: "replay-identity" }),
    ];
    expect(replays.map((r) => r.body.stored)).toEqual([false, false]);
    expect(await count("contacts")).toBe(contacts);
    expect(await h.engine.sql`select 1 from contacts where merged_into is not null and user_id = 'r-a'`).toHaveLength(0);
  });

  it("concurrent first events for one new person, by userId and by userId and email, each store once on one contact", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const pair = await Promise.all([send({ name: "page.viewed", userId: `q${i}` }), send({ name: "user.signed_up", userId: `q${i}`, email: `q${i}@example.com` })]);
      statuses.push(...pair.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    const people = await h.engine.sql`select count(*)::int as n from contacts where user_id like 'q%' and merged_into is null and deleted_at is null`;
    expect(people[0].n).toBe(10);
    expect(await h.engine.sql`select 1 from contacts where user_id like 'q%' and email is null and merged_into is null`).toHaveLength(0);
  });

  it("never leaks a stack trace on an unknown route", async () => {
    const r = await h.request("GET", "/v1/nope");
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts/);
  });
});
