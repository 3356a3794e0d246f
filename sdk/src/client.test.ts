import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../control-plane/test/harness.js";
import { defineList } from "../../control-plane/src/audiences/lists.js";
import { Hogsend, HogsendError } from "./index.js";

let h: Harness;
let hs: Hogsend;
beforeAll(async () => {
  h = await startHarness({ app: { lists: [defineList({ id: "product-updates", name: "Product updates", defaultOptIn: true })] } });
  hs = new Hogsend({ baseUrl: h.url, apiKey: h.keys.ingest });
});
afterAll(() => h.close());

describe("@hogsend/client against the running API", () => {
  it("identifies, tracks, finds and deletes as the events & contacts guide shows", async () => {
    const created = await hs.contacts.upsert({ email: "ada@example.com", properties: { firstName: "Ada", plan: "pro" } });
    expect(created).toMatchObject({ created: true, linked: false });
    expect(await hs.contacts.upsert({ email: "ada@example.com", userId: "user_123" })).toEqual({ id: created.id, created: false, linked: true });
    await hs.contacts.upsert({ userId: "user_123", properties: { company: "Acme" } });
    await hs.contacts.upsert({ userId: "user_123", properties: { company: null } });
    const sent = await hs.events.send({ name: "signup", email: "ada@example.com" });
    expect(sent).toEqual({ stored: true, exits: [] });
    await hs.events.track({ name: "subscription.created", userId: "user_123", eventProperties: { amount: 4900 }, contactProperties: { plan: "pro" } });
    const [contact] = await hs.contacts.find({ email: "ada@example.com" });
    expect(contact).toMatchObject({ id: created.id, email: "ada@example.com", userId: "user_123", properties: { firstName: "Ada", plan: "pro" } });
    expect(await hs.contacts.delete({ userId: "user_123" })).toEqual({ deleted: true, id: created.id });
    expect(await hs.contacts.find({ email: "ada@example.com" })).toEqual([]);
  });

  it("an explicit idempotency key makes a replay return stored:false", async () => {
    const first = await hs.events.send({ name: "subscription.created", userId: "u9", idempotencyKey: "sub_created_1" });
    const again = await hs.events.send({ name: "subscription.created", userId: "u9", idempotencyKey: "sub_created_1" });
    expect([first.stored, again.stored]).toEqual([true, false]);
  });

  it("lists and list membership", async () => {
    expect((await hs.lists.list()).map((l) => l.id)).toEqual(["product-updates"]);
    expect(await hs.lists.unsubscribe("product-updates", { email: "lists@example.com" })).toMatchObject({ listId: "product-updates", subscribed: false });
  });

  it("throws a typed HogsendError with the server's status and code", async () => {
    const error = await hs.events.send({ name: "email.opened", userId: "u1" }).catch((e) => e);
    expect(error).toBeInstanceOf(HogsendError);
    expect(error).toMatchObject({ status: 400, code: "reserved_namespace" });
    const admin = new Hogsend({ baseUrl: h.url, apiKey: h.keys.read });
    await expect(admin.events.send({ name: "a.b", userId: "u1" })).rejects.toMatchObject({ status: 403, code: "forbidden" });
  });

  it("refuses a call with neither email nor userId before any request", async () => {
    // @ts-expect-error: identity is required at the type level too
    await expect(hs.events.send({ name: "x.y" })).rejects.toMatchObject({ code: "identity_required" });
    // @ts-expect-error
    await expect(hs.contacts.upsert({ properties: {} })).rejects.toMatchObject({ code: "identity_required" });
  });
});

describe("retries", () => {
  let calls: { key: string | undefined; body: string }[] = [];
  let plan: number[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      calls.push({ key: req.headers["idempotency-key"] as string | undefined, body });
      const status = plan.shift() ?? 201;
      res.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "retry-after": "0" } : {}) });
      res.end(JSON.stringify(status < 300 ? { stored: true, exits: [] } : { error: { code: status === 400 ? "invalid_request" : "unavailable", message: "nope" } }));
    });
  });
  let client: Hogsend;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    client = new Hogsend({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: "hsk_x", retryBaseMs: 1 });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("retries 5xx and 429 with the same generated idempotency key", async () => {
    calls = [];
    plan = [503, 429, 201];
    await client.events.send({ name: "a.b", userId: "u" });
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.key)).size).toBe(1);
    expect(calls[0].key).toBeTruthy();
    expect(JSON.parse(calls[0].body).idempotencyKey).toBe(calls[0].key);
  });

  it("does not retry a 400", async () => {
    calls = [];
    plan = [400];
    await expect(client.events.send({ name: "a.b", userId: "u" })).rejects.toMatchObject({ status: 400, code: "invalid_request" });
    expect(calls).toHaveLength(1);
  });

  it("surfaces a refused connection as a network_error after retrying", async () => {
    const dead = new Hogsend({ baseUrl: "http://127.0.0.1:9", apiKey: "hsk_x", retryBaseMs: 1, maxRetries: 2 });
    await expect(dead.events.send({ name: "a.b", userId: "u" })).rejects.toMatchObject({ status: 0, code: "network_error" });
  });
});
