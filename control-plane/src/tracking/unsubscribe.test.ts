import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { createHttpApp } from "../http/app.js";
import { defineList } from "../audiences/lists.js";
import { days } from "../duration.js";

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const lists = [
  defineList({ id: "product-updates", name: "Product updates", defaultOptIn: true }),
  defineList({ id: "restock-chair-01", name: "Back in stock — Studio chair", defaultOptIn: false }),
];

describe("unsubscribe and preferences", () => {
  it("non-transactional mail carries RFC 8058 headers; transactional does not", async () => {
    t = await testEngine({ lists });
    await t.hs.contacts.upsert({ email: "ada@example.com", userId: "ada" });
    const marketing = await t.engine.email.send({ to: "ada@example.com", template: "marketing/product-update", props: { headline: "New", body: "Things" } });
    const transactional = await t.engine.email.send({ to: "ada@example.com", template: "transactional/verify-email", props: { firstName: "Ada", verifyUrl: "https://app.test/v" } });
    const [m] = await t.engine.sql`select headers from email_sends where id = ${marketing.id}`;
    const [tr] = await t.engine.sql`select headers from email_sends where id = ${transactional.id}`;
    expect(m.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(m.headers["List-Unsubscribe"]).toMatch(/^<http:\/\/hogsend\.test\/u\/[^>]+>, <mailto:unsubscribe@hogsend\.test\?subject=unsubscribe%20[^>]+>$/);
    expect(tr.headers).toEqual({});
  });

  it("the one-click POST unsubscribes with no page; the next send is skipped; GET never unsubscribes", async () => {
    t = await testEngine({ lists });
    await t.hs.contacts.upsert({ email: "ada@example.com", userId: "ada" });
    const sent = await t.engine.email.send({ to: "ada@example.com", template: "marketing/product-update", props: { headline: "New", body: "Things" } });
    const [row] = await t.engine.sql`select headers from email_sends where id = ${sent.id}`;
    const url = new URL(/<(http[^>]+)>/.exec(row.headers["List-Unsubscribe"])![1]);
    const http = createHttpApp(t.engine);
    expect((await http.request(url.pathname)).status).toBe(200);
    expect((await t.hs.contacts.find({ email: "ada@example.com" }))[0].unsubscribed).toBe(false);
    const post = await http.request(url.pathname, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(post.status).toBe(200);
    expect((await t.hs.contacts.find({ email: "ada@example.com" }))[0].unsubscribed).toBe(true);
    expect(await t.events("email.unsubscribed")).toHaveLength(1);
    const next = await t.engine.email.send({ to: "ada@example.com", template: "marketing/product-update", props: { headline: "Again", body: "x" } });
    expect(next).toMatchObject({ status: "skipped", reason: "unsubscribed" });
    expect((await http.request("/u/forged.token", { method: "POST" })).status).toBe(404);
  });

  it("the preference center shows each list with its polarity and applies changes to the next send", async () => {
    t = await testEngine({ lists });
    await t.hs.contacts.upsert({ email: "ada@example.com", userId: "ada" });
    const sent = await t.engine.email.send({ to: "ada@example.com", template: "marketing/product-update", props: { headline: "New", body: "Things" } });
    const [row] = await t.engine.sql`select headers from email_sends where id = ${sent.id}`;
    const token = /\/u\/([^>]+)>/.exec(row.headers["List-Unsubscribe"])![1];
    const http = createHttpApp(t.engine);
    const html = await (await http.request(`/p/${token}`)).text();
    expect(html).toContain("Product updates");
    expect(html).toContain("you get these unless you opt out");
    expect(html).toContain("only if you opted in");
    const form = new URLSearchParams({ "list:restock-chair-01": "on", "list:journey": "on" });
    const saved = await http.request(`/p/${token}`, { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(saved.status).toBe(303);
    const memberships = await t.engine.sql`select list_id, subscribed from list_memberships order by list_id`;
    expect(Object.fromEntries(memberships.map((m) => [m.list_id, m.subscribed]))).toMatchObject({ "product-updates": false, "restock-chair-01": true, marketing: false, journey: true });
    const skipped = await t.engine.email.send({ to: "ada@example.com", template: "marketing/product-update", props: { headline: "x", body: "y" }, category: "product-updates" });
    expect(skipped).toMatchObject({ status: "skipped", reason: "category_opt_out" });
    // The token expires after 30 days.
    await t.advance(days(31));
    expect((await http.request(`/p/${token}`)).status).toBe(404);
  });
});
