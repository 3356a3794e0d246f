import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../test/harness.js";
import { defineList } from "../../audiences/lists.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ app: { lists: [defineList({ id: "product-updates", name: "Product updates", defaultOptIn: true })] } });
});
afterAll(() => h.close());

const upsert = (body: unknown) => h.request("PUT", "/v1/contacts", body, { key: h.keys.ingest });
const find = async (q: string) => (await h.request("GET", `/v1/contacts/find?${q}`, undefined, { key: h.keys.ingest })).body.contacts;

describe("identity: one canonical contact per person", () => {
  it("creates by email only, by userId only, and links both in one call", async () => {
    const a = await upsert({ email: "Ada@Example.com" });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ created: true, linked: false });
    const again = await upsert({ email: "ada@example.com" });
    expect(again.body).toEqual({ id: a.body.id, created: false, linked: false });

    const linked = await upsert({ email: "ada@example.com", userId: "user_ada" });
    expect(linked.body).toEqual({ id: a.body.id, created: false, linked: true });
    const [byUser] = await find("userId=user_ada");
    expect(byUser).toMatchObject({ id: a.body.id, email: "ada@example.com", userId: "user_ada" });

    const u = await upsert({ userId: "user_only" });
    expect(u.body).toMatchObject({ created: true, linked: false });
    expect((await find("userId=user_only"))[0].email).toBeNull();
  });

  it("merges properties additively, and an explicit null clears a key", async () => {
    await upsert({ userId: "u_props", properties: { firstName: "Ada", plan: "free", company: "Acme" } });
    await upsert({ userId: "u_props", properties: { plan: "pro" } });
    await upsert({ userId: "u_props", properties: { company: null } });
    const [c] = await find("userId=u_props");
    expect(c.properties).toEqual({ firstName: "Ada", plan: "pro" });
  });

  it("merges two existing contacts deterministically when one call names both; old keys keep resolving", async () => {
    const byEmail = await upsert({ email: "grace@example.com", properties: { source: "newsletter", plan: "free" } });
    const byUser = await upsert({ userId: "user_grace", properties: { plan: "pro", seats: 5 } });
    await h.request("POST", "/v1/events", { name: "page.viewed", userId: "user_grace" }, { key: h.keys.ingest });
    await h.request("POST", "/v1/lists/product-updates/unsubscribe", { userId: "user_grace" }, { key: h.keys.ingest });

    const merged = await upsert({ email: "grace@example.com", userId: "user_grace" });
    // The older contact survives.
    expect(merged.body.id).toBe(byEmail.body.id);
    const [c] = await find("email=grace@example.com");
    expect(c.id).toBe(byEmail.body.id);
    expect((await find("userId=user_grace"))[0].id).toBe(byEmail.body.id);
    // Survivor's values win on conflict; the other's fill the gaps.
    expect(c.properties).toEqual({ source: "newsletter", plan: "free", seats: 5 });
    const sql = h.engine.sql;
    const events = await sql`select contact_id from events where name = 'page.viewed'`;
    expect(events.map((e) => e.contact_id)).toEqual([byEmail.body.id]);
    const [membership] = await sql`select contact_id, subscribed from list_memberships where list_id = 'product-updates'`;
    expect(membership).toEqual({ contact_id: byEmail.body.id, subscribed: false });
    const [loser] = await sql`select merged_into from contacts where id = ${byUser.body.id}`;
    expect(loser.merged_into).toBe(byEmail.body.id);
  });

  it("the survivor of a merge takes the keys it lacked from the merged-away contact", async () => {
    await upsert({ userId: "user_lin" });
    await h.engine.sql`update contacts set created_at = created_at - interval '1 minute' where user_id = 'user_lin'`;
    await upsert({ email: "lin@example.com" });
    const merged = await upsert({ userId: "user_lin", email: "lin@example.com" });
    const [c] = await find("email=lin@example.com");
    expect(c).toMatchObject({ id: merged.body.id, email: "lin@example.com", userId: "user_lin" });
  });

  it("soft-deletes: the contact is no longer found; a later upsert of the same keys starts a new contact", async () => {
    const created = await upsert({ email: "gone@example.com", userId: "user_gone", properties: { plan: "pro" } });
    const del = await h.request("DELETE", "/v1/contacts", { userId: "user_gone" }, { key: h.keys.ingest });
    expect(del.body).toEqual({ deleted: true, id: created.body.id });
    expect(await find("email=gone@example.com")).toEqual([]);
    expect((await h.request("DELETE", "/v1/contacts", { userId: "user_gone" }, { key: h.keys.ingest })).status).toBe(404);
    const fresh = await upsert({ email: "gone@example.com" });
    expect(fresh.body.created).toBe(true);
    expect(fresh.body.id).not.toBe(created.body.id);
    expect((await find("email=gone@example.com"))[0].properties).toEqual({});
  });

  it("applies a lists bag on upsert", async () => {
    await upsert({ email: "lists@example.com", lists: { "product-updates": false } });
    const [row] = await h.engine.sql`select subscribed from list_memberships m join contacts c on c.id = m.contact_id where c.email = 'lists@example.com'`;
    expect(row.subscribed).toBe(false);
  });

  it("two concurrent upserts of the same new person create one contact", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => upsert({ email: "race@example.com", userId: "user_race" })));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.body.created)).toHaveLength(1);
  });

  it("refuses bad input with a 400 naming the field, and stores nothing", async () => {
    const before = (await h.engine.sql`select count(*)::int as n from contacts`)[0].n;
    const cases: [unknown, string][] = [
      [{}, "email"],
      [{ email: "not-an-email" }, "email"],
      [{ email: "x@example.com", properties: "nope" }, "properties"],
      [{ email: "x@example.com", nickname: "x" }, "nickname"],
      [{ email: "x@example.com", lists: { "Bad List": true } }, "lists"],
      [{ email: "x@example.com", lists: { "no-such-list": true } }, "lists.no-such-list"],
    ];
    for (const [body, field] of cases) {
      const r = await upsert(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.details.issues[0].field).toContain(field);
    }
    expect((await h.engine.sql`select count(*)::int as n from contacts`)[0].n).toBe(before);
  });
});
