import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import { startFakeResend, type FakeResend } from "../../test/fakes/resend.js";
import type { TestEngine } from "../testing/index.js";
import { createHttpApp } from "../http/app.js";
import { createApiKey } from "../auth/api-keys.js";
import { createResendTransport } from "../mail/transports/resend.js";
import type { EmailTransport } from "../mail/transports/types.js";
import { defineBucket } from "./buckets.js";
import { defineList } from "./lists.js";
import { cancelCampaign, createCampaign, getCampaign } from "./campaigns.js";
import { days, hours, minutes } from "../duration.js";
import { defineJourney } from "../journeys/define.js";

let t: TestEngine | undefined;
let resend: FakeResend | undefined;
afterEach(async () => {
  await t?.close();
  await resend?.close();
  t = undefined;
  resend = undefined;
});

const updates = defineList({ id: "product-updates", name: "Product updates", defaultOptIn: true });
const beta = defineList({ id: "beta", name: "Beta", defaultOptIn: false });
const product = { template: "marketing/product-update", props: { headline: "New", body: "Things" } };

/** `n` contacts p1…pn, straight into the table. */
async function seed(t: TestEngine, n: number, prefix = "p") {
  await t.engine.sql`insert into contacts (email, user_id, created_at, updated_at)
    select ${prefix} || g || '@example.com', ${prefix} || g, now(), now() from generate_series(1, ${n}::int) g`;
}

async function resendEngine(options: Parameters<typeof testEngine>[0] = {}, wrap?: (inner: EmailTransport) => EmailTransport) {
  resend = await startFakeResend({ apiKey: "re_test" });
  const inner = createResendTransport({ apiKey: "re_test", baseUrl: resend.url, retryBaseMs: 1, sleep: async () => {} });
  return testEngine({ ...options, transport: wrap ? wrap(inner) : inner, config: { EMAIL_FROM: "Acme <hi@acme.test>" } });
}

describe("campaign audiences", () => {
  it("an opt-out list reaches everyone not unsubscribed; an opt-in list only explicit subscribers; suppressed, unsubscribed and deleted are excluded", async () => {
    t = await testEngine({ lists: [updates, beta] });
    for (const u of ["a", "b", "c", "d", "e", "f"]) await t.hs.contacts.upsert({ email: `${u}@example.com`, userId: u });
    await t.hs.contacts.upsert({ userId: "no-email" });
    await t.hs.lists.unsubscribe("product-updates", { userId: "b" });
    await t.hs.lists.subscribe("beta", { userId: "c" });
    await t.hs.lists.subscribe("beta", { userId: "d" });
    await t.engine.sql`update contacts set unsubscribed_at = now() where user_id = 'd'`;
    await t.engine.sql`insert into suppressions (email, reason, suppressed, updated_at) values ('e@example.com', 'complained', true, now())`;
    await t.hs.contacts.delete({ userId: "f" });
    const { campaignId } = await t.hs.campaigns.send({ list: "product-updates", ...product, idempotencyKey: "c1" });
    expect(await t.hs.campaigns.get(campaignId)).toMatchObject({ status: "completed", totalRecipients: 2, sentCount: 2, skippedCount: 0, failedCount: 0 });
    expect(t.outbox.map((e) => e.to).sort()).toEqual(["a@example.com", "c@example.com"]);

    const optIn = await t.hs.campaigns.send({ list: "beta", ...product, idempotencyKey: "c2" });
    expect(await t.hs.campaigns.get(optIn.campaignId)).toMatchObject({ status: "completed", totalRecipients: 1, sentCount: 1 });
    expect(t.outbox.filter((e) => e.sentAt).map((e) => e.to).sort()).toEqual(["a@example.com", "c@example.com", "c@example.com"]);
  });

  it("the audience is resolved at sendAt, not when the campaign is queued; the same idempotencyKey returns the first campaign", async () => {
    t = await testEngine({ lists: [beta] });
    await t.hs.events.send({ name: "beta.requested", userId: "early", email: "early@example.com", lists: { beta: true } });
    const sendAt = new Date(t.clock.now().getTime() + hours(2));
    const first = await t.hs.campaigns.send({ list: "beta", ...product, subject: "Beta opens", idempotencyKey: "launch", sendAt });
    const again = await t.hs.campaigns.send({ list: "beta", ...product, idempotencyKey: "launch" });
    expect(again.campaignId).toBe(first.campaignId);
    // A retry after sendAt has passed still returns the first campaign, not a 400.
    await t.hs.events.send({ name: "beta.requested", userId: "late", email: "late@example.com", lists: { beta: true } });
    await t.hs.events.send({ name: "beta.withdrawn", userId: "early", lists: { beta: false } });
    expect(await t.hs.campaigns.get(first.campaignId)).toMatchObject({ status: "scheduled", totalRecipients: 0 });
    await t.advance(hours(2));
    expect(await t.hs.campaigns.get(first.campaignId)).toMatchObject({ status: "completed", totalRecipients: 1, sentCount: 1 });
    expect(t.outbox.map((e) => [e.to, e.subject])).toEqual([["late@example.com", "Beta opens"]]);
    expect((await createCampaign(t.engine, { list: "beta", ...product, idempotencyKey: "launch", sendAt: new Date("2020-01-01") })).campaignId).toBe(first.campaignId);
    expect(await t.engine.sql`select id from campaigns`).toHaveLength(1);
  });

  it("a bucket campaign reaches the bucket's members who have not opted out of marketing", async () => {
    const pro = defineBucket({ id: "pro", criteria: [{ property: "plan", op: "eq", value: "pro" }] });
    t = await testEngine({ buckets: [pro] });
    for (const u of ["a", "b", "c"]) await t.hs.events.send({ name: "plan.changed", userId: u, email: `${u}@example.com`, contactProperties: { plan: u === "c" ? "free" : "pro" } });
    await t.hs.lists.unsubscribe("marketing", { userId: "b" });
    const { campaignId } = await t.hs.campaigns.send({ bucket: "pro", ...product, idempotencyKey: "pro-news" });
    expect(await t.hs.campaigns.get(campaignId)).toMatchObject({ status: "completed", totalRecipients: 2, sentCount: 1, skippedCount: 1 });
    expect(t.outbox.map((e) => e.to)).toEqual(["a@example.com"]);
    const [skip] = await t.engine.sql`select reason from email_sends where campaign_id = ${campaignId} and status = 'skipped'`;
    expect(skip.reason).toBe("category_opt_out");
  });
});

describe("durable, chunked sending", () => {
  it("sends a 2,500-recipient campaign over several jobs, one email and one email.sent event per recipient", async () => {
    t = await testEngine({ lists: [updates] });
    await seed(t, 2500);
    const { campaignId } = await createCampaign(t.engine, { list: "product-updates", ...product, idempotencyKey: "big" });
    await t.runDue();
    expect(await getCampaign(t.engine, campaignId)).toMatchObject({ status: "completed", totalRecipients: 2500, sentCount: 2500, skippedCount: 0, failedCount: 0 });
    const [counts] = await t.engine.sql`
      select (select count(distinct to_address)::int from email_sends where campaign_id = ${campaignId} and status = 'sent') as sends,
             (select count(*)::int from events where name = 'email.sent' and properties->>'campaign_id' = ${campaignId}) as events`;
    expect(counts).toEqual({ sends: 2500, events: 2500 });
  });

  it("a campaign's email.sent events go through the pipeline like any event: a waiting run resumes, a triggered journey enrolls", async () => {
    const waitsForCampaign = defineJourney({
      meta: { id: "waits-for-campaign", name: "Waits", enabled: true, entryLimit: "unlimited", suppress: 0, trigger: { event: "trial.started" } },
      run: async (_user, ctx) => {
        const r = await ctx.waitForEvent({ event: "email.sent", timeout: days(1), where: (b) => b.prop("template").eq("marketing/product-update") });
        await ctx.checkpoint(r.timedOut ? "timed-out" : `got ${String(r.properties?.template)}`);
      },
    });
    const afterCampaign = defineJourney({
      meta: { id: "after-campaign", name: "After", enabled: true, entryLimit: "once", suppress: 0, trigger: { event: "email.sent", where: (b) => b.prop("campaign_id").exists() } },
      run: async (_user, ctx) => void (await ctx.checkpoint("enrolled")),
    });
    t = await testEngine({ lists: [updates], journeys: [waitsForCampaign, afterCampaign] });
    await seed(t, 3);
    await t.hs.events.send({ name: "trial.started", userId: "p2" });
    await t.hs.contacts.delete({ userId: "p3" });
    const { campaignId } = await t.hs.campaigns.send({ list: "product-updates", ...product, idempotencyKey: "routed" });
    expect(await t.hs.campaigns.get(campaignId)).toMatchObject({ status: "completed", sentCount: 2 });
    const [waiting] = await t.runs("waits-for-campaign");
    expect(waiting.status).toBe("completed");
    expect(waiting.timeline.find((e) => e.kind === "checkpoint")?.label).toBe("got marketing/product-update");
    expect((await t.runs("after-campaign")).map((r) => r.status)).toEqual(["completed", "completed"]);
    const events = await t.engine.sql`select c.user_id from events e join contacts c on c.id = e.contact_id where e.name = 'email.sent' order by c.user_id`;
    expect(events.map((e) => e.user_id)).toEqual(["p1", "p2"]);
  });

  it("a recipient who unsubscribes after the audience was resolved is skipped, with the reason on the send", async () => {
    t = await testEngine({ lists: [updates] });
    await seed(t, 3);
    const { campaignId } = await createCampaign(t.engine, { list: "product-updates", ...product, idempotencyKey: "late-unsub" });
    const { resolveAudience } = await import("./campaign-resolve.js");
    await resolveAudience(t.engine, campaignId);
    await t.engine.sql`update contacts set unsubscribed_at = now() where user_id = 'p2'`;
    await t.runDue();
    expect(await getCampaign(t.engine, campaignId)).toMatchObject({ totalRecipients: 3, sentCount: 2, skippedCount: 1 });
    expect((await t.engine.sql`select to_address, reason from email_sends where status = 'skipped'`)[0]).toEqual({ to_address: "p2@example.com", reason: "unsubscribed" });
  });

  it("sends to Resend in batches of 100; a batch the provider accepted but whose answer was lost is handed over again as the same request, so nobody gets two", async () => {
    let lose = 2;
    t = await resendEngine({ lists: [updates] }, (inner) => ({
      ...inner,
      // The provider accepts the first two batches, then the connection drops before the answer arrives.
      async sendBatch(emails) {
        const results = await inner.sendBatch!(emails);
        if (lose-- > 0) throw new Error("socket hang up");
        return results;
      },
    }));
    await seed(t, 250);
    const { campaignId } = await createCampaign(t.engine, { list: "product-updates", ...product, idempotencyKey: "lossy" });
    await t.runDue();
    expect((await getCampaign(t.engine, campaignId)).status).toBe("sending");
    await t.advance(minutes(5));
    expect(await getCampaign(t.engine, campaignId)).toMatchObject({ status: "completed", sentCount: 250, failedCount: 0 });
    expect(resend!.sent).toHaveLength(250);
    expect(new Set(resend!.sent.map((e) => e.to[0])).size).toBe(250);
    // Three batches, two of them handed over twice: five requests, the repeats answered from the provider's key.
    expect(resend!.requests).toHaveLength(5);
    expect(resend!.requests.every((r) => r.path === "/emails/batch")).toBe(true);
  });

  it("a crash before the outcomes commit re-runs the batch: the same sends, the same provider request, nothing sent or counted twice", async () => {
    t = await resendEngine({ lists: [updates] });
    await seed(t, 150);
    // The first write of recipient outcomes dies, as a process killed mid-transaction would.
    await t.engine.sql.unsafe(`
      create sequence crash_once;
      create function crash_once() returns trigger language plpgsql as $$
        begin if nextval('crash_once') = 1 then raise exception 'simulated crash'; end if; return new; end $$;
      create trigger crash_once before update on campaign_recipients for each statement execute function crash_once();`);
    const { campaignId } = await createCampaign(t.engine, { list: "product-updates", ...product, idempotencyKey: "crashy" });
    await t.runDue();
    await t.advance(minutes(5));
    expect(await getCampaign(t.engine, campaignId)).toMatchObject({ status: "completed", totalRecipients: 150, sentCount: 150, failedCount: 0 });
    expect(resend!.sent).toHaveLength(150);
    expect(resend!.requests).toHaveLength(3);
    const [{ n }] = await t.engine.sql`select count(*)::int as n from email_sends where campaign_id = ${campaignId}`;
    expect(n).toBe(150);
    expect(t.jobErrors.map((e) => String(e.error))).toEqual([expect.stringContaining("simulated crash")]);
  });

  it("a provider outage is retried by the job with backoff; a rejected email fails and is counted", async () => {
    t = await resendEngine({ lists: [updates] });
    await seed(t, 120);
    resend!.failNext(12, 503);
    const { campaignId } = await createCampaign(t.engine, { list: "product-updates", ...product, idempotencyKey: "outage" });
    await t.runDue();
    expect(await getCampaign(t.engine, campaignId)).toMatchObject({ status: "sending", sentCount: 0 });
    await t.advance(hours(1));
    expect(await getCampaign(t.engine, campaignId)).toMatchObject({ status: "completed", sentCount: 120, failedCount: 0 });
    expect(resend!.sent).toHaveLength(120);

    resend!.failNext(1, 422, { statusCode: 422, name: "validation_error", message: "Invalid `to` field." });
    const second = await createCampaign(t.engine, { list: "product-updates", ...product, idempotencyKey: "rejected" });
    await t.runDue();
    // Whichever of its two batches (100 and 20) reached the provider first was refused.
    const refused = await getCampaign(t.engine, second.campaignId);
    expect(refused.status).toBe("completed");
    expect([[20, 100], [100, 20]]).toContainEqual([refused.sentCount, refused.failedCount]);
    expect((await t.engine.sql`select distinct reason from email_sends where campaign_id = ${second.campaignId} and status = 'failed'`)[0].reason).toMatch(/^validation_error/);
  });

  it("cancel stops the campaign at the next batch; nothing more is sent afterwards", async () => {
    let campaignId = "";
    let cancelled = false;
    t = await testEngine({ lists: [updates], transport: {
      name: "outbox",
      async send(email) {
        if (!cancelled) {
          cancelled = true;
          await cancelCampaign(t!.engine, campaignId);
        }
        return { ok: true, providerId: `outbox:${email.idempotencyKey}` };
      },
    } });
    await seed(t, 1500);
    ({ campaignId } = await createCampaign(t.engine, { list: "product-updates", ...product, idempotencyKey: "stop" }));
    await t.runDue();
    const after = await getCampaign(t.engine, campaignId);
    expect(after.status).toBe("cancelled");
    // Only batches already in flight when the cancel committed finish (at most 4 of 15).
    expect(after.sentCount).toBeGreaterThan(0);
    expect(after.sentCount).toBeLessThanOrEqual(400);
    await t.advance(hours(1));
    const [{ n }] = await t.engine.sql`select count(*)::int as n from email_sends where campaign_id = ${campaignId}`;
    expect(n).toBe(after.sentCount);
    await expect(t.hs.campaigns.cancel(campaignId)).rejects.toMatchObject({ status: 409 });
  });

  it("a campaign whose list left the app before sendAt fails with the reason instead of sending", async () => {
    t = await testEngine({ lists: [updates, beta] });
    const { campaignId } = await t.hs.campaigns.send({ list: "beta", ...product, idempotencyKey: "gone", sendAt: new Date(t.clock.now().getTime() + hours(1)) });
    t.engine.registry.lists.delete("beta");
    await t.advance(hours(1));
    expect(await t.hs.campaigns.get(campaignId)).toMatchObject({ status: "failed", error: 'list "beta" is no longer defined' });
  });
});

describe("POST /v1/campaigns", () => {
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
      [{ list: "product-updates", template: "marketing/product-update", props: { headline: 3 }, idempotencyKey: "x" }, "props.headline"],
      [{ list: "product-updates", ...product, idempotencyKey: "x", sendAt: "2020-01-01T00:00:00Z" }, "sendAt"],
      [{ list: "product-updates", ...product, idempotencyKey: "x", sendAt: "tomorrow" }, "sendAt"],
      [{ list: "product-updates", ...product }, "idempotencyKey"],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.details.issues[0].field, JSON.stringify(body)).toBe(field);
    }
    expect(await t.engine.sql`select 1 from campaigns`).toHaveLength(0);
    expect(await t.engine.sql`select 1 from graphile_worker._private_jobs`).toHaveLength(0);

    const ok = await post({ list: "product-updates", ...product, idempotencyKey: "fine" });
    expect(ok.status).toBe(202);
    expect(ok.body.campaignId).toMatch(/^[0-9a-f-]{36}$/);
    const get = await http.request(`/v1/campaigns/${ok.body.campaignId}`, { headers: { authorization: `Bearer ${key}` } });
    expect(await get.json()).toMatchObject({ id: ok.body.campaignId, status: "scheduled", totalRecipients: 0, sentCount: 0, skippedCount: 0, failedCount: 0 });
    expect((await http.request("/v1/campaigns/not-a-uuid", { headers: { authorization: `Bearer ${key}` } })).status).toBe(404);
  });
});
