import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { createHttpApp } from "../http/app.js";
import { createApiKey } from "../auth/api-keys.js";
import { app as defaultApp } from "../../app/index.js";
import { defineBucket } from "./buckets.js";
import { defineList } from "./lists.js";
import { defineJourney } from "../journeys/define.js";
import { sendEmail } from "../journeys/send-email.js";
import { reconcileBuckets } from "./reconcile.js";
import { days, hours } from "../duration.js";

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const updates = defineList({ id: "product-updates", name: "Product updates", defaultOptIn: true });
const beta = defineList({ id: "beta", name: "Beta", defaultOptIn: false });
const product = { template: "marketing/product-update", props: { headline: "New", body: "Things" } };

describe("campaigns", () => {
  it("an opt-out list reaches everyone not unsubscribed; an opt-in list only explicit subscribers; suppressed and unsubscribed are excluded", async () => {
    t = await testEngine({ lists: [updates, beta] });
    for (const u of ["a", "b", "c", "d", "e"]) await t.hs.contacts.upsert({ email: `${u}@example.com`, userId: u });
    await t.hs.lists.unsubscribe("product-updates", { userId: "b" });
    await t.hs.lists.subscribe("beta", { userId: "c" });
    await t.engine.sql`update contacts set unsubscribed_at = now() where user_id = 'd'`;
    await t.engine.sql`insert into suppressions (email, reason, suppressed, updated_at) values ('e@example.com', 'complained', true, now())`;
    const { campaignId } = await t.hs.campaigns.send({ list: "product-updates", ...product, idempotencyKey: "c1" });
    await t.runDue();
    expect(await t.hs.campaigns.get(campaignId)).toMatchObject({ status: "completed", totalRecipients: 2, sentCount: 2, skippedCount: 0, failedCount: 0 });
    expect(t.outbox.map((e) => e.to).sort()).toEqual(["a@example.com", "c@example.com"]);
    const optIn = await t.hs.campaigns.send({ list: "beta", ...product, idempotencyKey: "c2" });
    await t.runDue();
    expect((await t.hs.campaigns.get(optIn.campaignId)).totalRecipients).toBe(1);
  });

  it("the same idempotencyKey returns the first campaign; sendAt schedules it", async () => {
    t = await testEngine({ lists: [updates] });
    await t.hs.contacts.upsert({ email: "a@example.com", userId: "a" });
    const sendAt = new Date(t.clock.now().getTime() + hours(2));
    const first = await t.hs.campaigns.send({ list: "product-updates", ...product, idempotencyKey: "launch", sendAt });
    const again = await t.hs.campaigns.send({ list: "product-updates", ...product, idempotencyKey: "launch" });
    expect(again.campaignId).toBe(first.campaignId);
    expect((await t.hs.campaigns.get(first.campaignId)).status).toBe("scheduled");
    await t.advance(hours(2));
    expect((await t.hs.campaigns.get(first.campaignId)).status).toBe("completed");
    expect(t.outbox).toHaveLength(1);
  });

  it("sends in chunks from durable jobs; a re-run chunk sends nothing twice; cancel stops at the next chunk", async () => {
    t = await testEngine({ lists: [updates] });
    await t.engine.sql`insert into contacts (email, user_id, created_at, updated_at) select 'p' || g || '@example.com', 'p' || g, now(), now() from generate_series(1, 450) g`;
    // Engine calls, not t.hs: the test engine's client runs whatever is due after each call.
    const { createCampaign, runCampaignChunk, getCampaign, cancelCampaign } = await import("./campaigns.js");
    const { campaignId } = await createCampaign(t.engine, { list: "product-updates", ...product, idempotencyKey: "big" });
    // Run only the first chunk, then replay it as a crash before its outcomes were recorded would.
    await t.engine.sql`delete from graphile_worker._private_jobs`;
    await runCampaignChunk(t.engine, campaignId);
    expect(await getCampaign(t.engine, campaignId)).toMatchObject({ status: "sending", totalRecipients: 450, sentCount: 200 });
    await t.engine.sql`update campaign_recipients set status = 'pending' where campaign_id = ${campaignId}`;
    await runCampaignChunk(t.engine, campaignId);
    const [{ n }] = await t.engine.sql`select count(*)::int as n from email_sends where campaign_id = ${campaignId}`;
    expect(n).toBe(200);
    await cancelCampaign(t.engine, campaignId);
    await t.runDue();
    const after = await getCampaign(t.engine, campaignId);
    expect(after.status).toBe("cancelled");
    expect((await t.engine.sql`select count(*)::int as n from email_sends where campaign_id = ${campaignId}`)[0].n).toBe(200);
  });

  it("refuses bad campaigns with 400 naming the field, and queues nothing", async () => {
    t = await testEngine({ lists: [updates], buckets: [defineBucket({ id: "pro", criteria: [{ property: "plan", op: "eq", value: "pro" }] })] });
    const http = createHttpApp(t.engine);
    const { key } = await createApiKey(t.engine.sql, { scope: "ingest" }, t.clock.now());
    const post = async (body: object) => {
      const r = await http.request("/v1/campaigns", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: r.status, body: await r.json() };
    };
    const cases: [object, string][] = [
      [{ ...product, idempotencyKey: "x" }, "list"],
      [{ list: "product-updates", bucket: "pro", ...product, idempotencyKey: "x" }, "list"],
      [{ list: "nope", ...product, idempotencyKey: "x" }, "list"],
      [{ bucket: "nope", ...product, idempotencyKey: "x" }, "bucket"],
      [{ list: "product-updates", template: "nope/x", idempotencyKey: "x" }, "template"],
      [{ list: "product-updates", ...product, idempotencyKey: "x", sendAt: "2020-01-01T00:00:00Z" }, "sendAt"],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.details.issues[0].field).toBe(field);
    }
    expect(await t.engine.sql`select 1 from campaigns`).toHaveLength(0);
  });
});

describe("buckets", () => {
  const pro = defineBucket({ id: "pro", name: "Pro plan", criteria: [{ property: "plan", op: "eq", value: "pro" }] });
  const buyers = defineBucket({ id: "recent-buyers", criteria: [{ did: "order.completed", within: days(30) }] });
  const winBack = defineBucket({ id: "win-back", criteria: [{ property: "plan", op: "exists" }, { didNot: "session.started", within: days(14) }] });

  it("joins on ingest and emits bucket.entered; a property change leaves with bucket.left", async () => {
    t = await testEngine({ buckets: [pro] });
    await t.hs.events.send({ name: "plan.changed", userId: "u1", contactProperties: { plan: "pro" } });
    expect((await t.events("bucket.entered")).map((e) => e.properties)).toEqual([{ bucket_id: "pro" }]);
    await t.hs.events.send({ name: "plan.changed", userId: "u1", contactProperties: { plan: "free" } });
    expect((await t.events("bucket.left")).map((e) => e.properties)).toEqual([{ bucket_id: "pro" }]);
  });

  it("time-based criteria: event-history joins on ingest, leaves by the reconcile; silence joins a win-back bucket", async () => {
    t = await testEngine({ buckets: [buyers, winBack] });
    await t.hs.events.send({ name: "order.completed", userId: "u1", contactProperties: { plan: "pro" } });
    await t.hs.events.send({ name: "session.started", userId: "u1" });
    const members = async (id: string) => (await t!.engine.sql`select contact_id from bucket_memberships where bucket_id = ${id}`).length;
    expect([await members("recent-buyers"), await members("win-back")]).toEqual([1, 0]);
    await t.advance(days(15));
    await reconcileBuckets(t.engine);
    expect(await members("win-back")).toBe(1);
    await t.advance(days(16));
    await reconcileBuckets(t.engine);
    expect(await members("recent-buyers")).toBe(0);
    // win-back: joined with the first event (no session yet), left at the session, rejoined after 14 silent days.
    // (Events at the same virtual instant have no order: compare as sorted lists.)
    expect((await t.events("bucket.left")).map((e) => e.properties.bucket_id).sort()).toEqual(["recent-buyers", "win-back"]);
    expect((await t.events("bucket.entered")).map((e) => e.properties.bucket_id).sort()).toEqual(["recent-buyers", "win-back", "win-back"]);
  });

  it("journeys trigger on bucket.entered and exit on bucket.left", async () => {
    const journey = defineJourney({
      meta: {
        id: "pro-welcome", name: "Pro welcome", enabled: true, entryLimit: "once", suppress: 0,
        trigger: { event: "bucket.entered", where: (b) => b.prop("bucket_id").eq("pro") },
        exitOn: [{ event: "bucket.left", where: (b) => b.prop("bucket_id").eq("pro") }],
      },
      run: async (user, ctx) => {
        await ctx.sleep(days(1));
        await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: "onboarding/enterprise-welcome", subject: "Welcome to Pro" });
      },
    });
    t = await testEngine({ buckets: [pro], journeys: [journey] });
    await t.hs.contacts.upsert({ userId: "u1", email: "u1@example.com" });
    await t.hs.events.send({ name: "plan.changed", userId: "u1", contactProperties: { plan: "pro" } });
    expect((await t.runs("pro-welcome"))[0].status).toBe("sleeping");
    await t.hs.events.send({ name: "plan.changed", userId: "u1", contactProperties: { plan: "free" } });
    expect((await t.runs("pro-welcome"))[0].status).toBe("exited");
  });
});

describe("back in stock, end to end", () => {
  it("notify-me → signed restock webhook → task → one campaign → only waiters who did not buy; redelivery and retry send nothing twice", async () => {
    process.env.INVENTORY_WEBHOOK_SECRET = "inventory-secret";
    t = await testEngine(defaultApp);
    for (const u of ["w1", "w2", "w3"]) {
      await t.hs.events.send({ name: "product.waitlisted", userId: u, email: `${u}@example.com`, eventProperties: { sku: "chair-01" }, lists: { "restock-chair-01": true }, idempotencyKey: `waitlist-${u}-chair-01` });
    }
    await t.hs.events.send({ name: "order.completed", userId: "w2", eventProperties: { order_id: "o1" }, lists: { "restock-chair-01": false } });
    await t.hs.contacts.upsert({ userId: "bystander", email: "bystander@example.com" });
    const http = createHttpApp(t.engine);
    const raw = JSON.stringify({ delivery_id: "dlv-1", type: "restock", sku: "chair-01", product_name: "Studio chair", quantity: 12 });
    const deliver = () => http.request("/v1/webhooks/inventory", { method: "POST", body: raw, headers: { "content-type": "application/json", "x-signature": createHmac("sha256", "inventory-secret").update(raw).digest("hex") } });
    expect((await deliver()).status).toBe(200);
    expect((await (await deliver()).json()).stored).toBe(false);
    await t.runDue();
    const restock = t.outbox.filter((e) => e.template === "ecommerce/back-in-stock");
    expect(restock.map((e) => e.to).sort()).toEqual(["w1@example.com", "w3@example.com"]);
    expect(restock[0]).toMatchObject({ subject: "Studio chair is back in stock", props: { sku: "chair-01", productName: "Studio chair" } });
    // A retried task (same day) resolves to the same campaign and sends nothing new.
    const { restockBroadcastTask } = await import("../../app/tasks/restock-broadcast.js");
    const { withEngine } = await import("../tasks/container.js");
    const retry = await withEngine(t.engine, () => restockBroadcastTask.fn({ event: "product.restocked", eventId: "x", userId: null, userEmail: null, contactId: null, properties: { sku: "chair-01", product_name: "Studio chair" } }, { emailService: t!.engine.email, log: t!.engine.log, now: () => t!.clock.now(), attempt: 2 }));
    await t.runDue();
    expect(await t.engine.sql`select id from campaigns`).toHaveLength(1);
    expect(retry).toMatchObject({ status: "queued" });
    expect(t.outbox.filter((e) => e.template === "ecommerce/back-in-stock")).toHaveLength(2);
  });
});
