import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import { startFakePostHog, type FakePostHog } from "../../test/fakes/posthog.js";
import type { TestEngine } from "../testing/index.js";
import { defineJourney } from "../journeys/define.js";
import { sendEmail } from "../journeys/send-email.js";
import { days, minutes } from "../duration.js";
import { ingestPostHogEvent } from "../sources/posthog.js";
import { verifyStandardWebhook } from "../sources/signatures.js";
import { deliveryUuid } from "./posthog.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../../shared/fixtures/posthog/${name}`, import.meta.url), "utf8"));

const welcome = defineJourney({
  meta: { id: "ph-welcome", name: "PostHog welcome", enabled: true, trigger: { event: "user.signed_up" }, entryLimit: "once", suppress: 0 },
  run: async (user, ctx) => {
    await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: "onboarding/enterprise-welcome", subject: "Welcome" });
    await ctx.sleep(days(1));
  },
});

let ph: FakePostHog;
let t: TestEngine | undefined;
beforeAll(async () => {
  ph = await startFakePostHog();
});
afterAll(() => ph.close());
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const config = () => ({ POSTHOG_API_KEY: "phc_test", POSTHOG_HOST: ph.url });

describe("engine events out to PostHog", () => {
  it("a PostHog signup runs a journey, and email.sent comes back to PostHog under the person's distinct_id", async () => {
    t = await testEngine({ journeys: [welcome], config: config() });
    const payload = fixture("destination-webhook-payload.json");
    await ingestPostHogEvent(t.engine, payload);
    await t.runDue();
    expect(t.outbox.map((e) => e.template)).toEqual(["onboarding/enterprise-welcome"]);
    const sent = ph.captured.filter((e) => e.event === "email.sent" && e.distinct_id === "user_8f3k2");
    expect(sent).toHaveLength(1);
    expect(sent[0].properties).toMatchObject({ template: "onboarding/enterprise-welcome", journey_id: "ph-welcome", send_id: t.outbox[0].sendId, $set: { last_email_sent_at: expect.any(String) } });
    // The event that came from PostHog is not sent back to it.
    expect(ph.captured.filter((e) => e.event === "user.signed_up")).toHaveLength(0);
    // The recipient opens it: email.opened reaches PostHog too, setting last_email_opened_at on the person.
    const { createHttpApp } = await import("../http/app.js");
    const { signId } = await import("../tracking/sign.js");
    const sendId = t.outbox[0].sendId;
    await createHttpApp(t.engine).request(`/t/o/${sendId}.${signId(t.engine.secrets.signing, sendId)}`);
    await t.runDue();
    const opened = ph.captured.filter((e) => e.event === "email.opened" && e.distinct_id === "user_8f3k2");
    expect(opened).toHaveLength(1);
    expect(opened[0].properties).toMatchObject({ send_id: sendId, template: "onboarding/enterprise-welcome", open_count: 1, $set: { last_email_opened_at: expect.any(String) } });
  });

  it("an outage never loses an event: it waits in the outbox, retries, and a retry never counts twice", async () => {
    t = await testEngine({ journeys: [welcome], config: config() });
    ph.failNext(2, 503);
    await t.hs.events.send({ name: "user.signed_up", userId: "u-outage", email: "outage@example.com" });
    let [delivery] = await t.engine.sql`select * from deliveries where payload->>'event' = 'email.sent' and payload->>'distinctId' = 'u-outage'`;
    expect(delivery.status).toBe("pending");
    expect(delivery.attempts).toBe(1);
    await t.advance(minutes(5));
    [delivery] = await t.engine.sql`select * from deliveries where id = ${delivery.id}`;
    expect(delivery.status).toBe("delivered");
    const captured = ph.captured.filter((e) => e.distinct_id === "u-outage" && e.event === "email.sent");
    expect(captured).toHaveLength(1);
    expect(captured[0].uuid).toBe(deliveryUuid(delivery.event_id, "posthog"));
  });

  it("dead-letters after the last attempt, lists it, and replays it by hand", async () => {
    t = await testEngine({ journeys: [welcome], config: config() });
    ph.failNext(10, 500);
    await t.hs.events.send({ name: "user.signed_up", userId: "u-dead", email: "dead@example.com" });
    await t.advance(days(1));
    const [dead] = await t.engine.sql`select id, status, attempts from deliveries where payload->>'distinctId' = 'u-dead'`;
    expect(dead).toMatchObject({ status: "dead", attempts: 10 });
    const http = (await import("../http/app.js")).createHttpApp(t.engine);
    const { createApiKey } = await import("../auth/api-keys.js");
    const { key } = await createApiKey(t.engine.sql, { scope: "journey-admin" }, t.clock.now());
    const auth = { authorization: `Bearer ${key}` };
    const list = await (await http.request("/v1/admin/deliveries?status=dead", { headers: auth })).json();
    expect(list.deliveries.map((d: { id: string }) => d.id)).toContain(dead.id);
    const replay = await http.request(`/v1/admin/deliveries/${dead.id}/replay`, { method: "POST", headers: auth });
    expect(replay.status).toBe(200);
    await t.runDue();
    const [after] = await t.engine.sql`select status from deliveries where id = ${dead.id}`;
    expect(after.status).toBe("delivered");
  });
});

describe("signed webhook destination", () => {
  it("posts engine events signed per Standard Webhooks", async () => {
    const received: { headers: Record<string, string>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ headers: req.headers as Record<string, string>, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const secret = "whsec_" + Buffer.from("a-32-byte-secret-for-the-tests!!").toString("base64");
    try {
      t = await testEngine({ journeys: [welcome], config: { WEBHOOK_DESTINATION_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, WEBHOOK_DESTINATION_SECRET: secret } });
      await t.hs.events.send({ name: "user.signed_up", userId: "u-hook", email: "hook@example.com" });
      expect(received).toHaveLength(1);
      const [delivery] = received;
      expect(JSON.parse(delivery.body)).toMatchObject({ type: "email.sent", data: { distinct_id: "u-hook", properties: { template: "onboarding/enterprise-welcome" } } });
      expect(verifyStandardWebhook({ secret, headers: delivery.headers, body: delivery.body, now: t.clock.now() })).toEqual({ ok: true });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
