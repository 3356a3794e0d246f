import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { createHttpApp } from "../http/app.js";
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
    const retry = await withEngine(t.engine, () => restockBroadcastTask.fn({ event: "product.restocked", eventId: "x", userId: null, userEmail: null, contactId: null, properties: { sku: "chair-01", product_name: "Studio chair" } }, { emailService: t!.engine.email, log: t!.engine.log, now: () => t!.clock.now(), attempt: 2, signal: new AbortController().signal }));
    await t.runDue();
    expect(await t.engine.sql`select id from campaigns`).toHaveLength(1);
    expect(retry).toMatchObject({ status: "queued" });
    expect(t.outbox.filter((e) => e.template === "ecommerce/back-in-stock")).toHaveLength(2);
  });
});
