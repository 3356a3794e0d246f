import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../test/harness.js";
import { startFakeResend, type FakeResend } from "../../test/fakes/resend.js";
import { defineList } from "../audiences/lists.js";
import { createResendTransport } from "./transports/resend.js";
import { retrySend } from "./deliver.js";

let h: Harness;
let resend: FakeResend;
const WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
beforeAll(async () => {
  resend = await startFakeResend({ apiKey: "re_test" });
  h = await startHarness({
    app: { lists: [defineList({ id: "restock-chair-01", name: "Chair", defaultOptIn: false }), defineList({ id: "product-updates", name: "Updates", defaultOptIn: true })] },
    transport: createResendTransport({ apiKey: "re_test", baseUrl: resend.url, retryBaseMs: 1, maxRetries: 1 }),
    config: { RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET, EMAIL_FROM: "Acme <hello@acme.test>" },
  });
});
afterAll(async () => {
  await h.close();
  await resend.close();
});

const send = (body: unknown, key = h.keys.ingest, headers?: Record<string, string>) => h.request("POST", "/v1/emails", body, { key, headers });
const verify = { to: "ada@example.com", template: "transactional/verify-email", props: { firstName: "Ada", verifyUrl: "https://app.example.com/verify?t=1" } };
const count = async () => (await h.engine.sql`select count(*)::int as n from email_sends`)[0].n as number;

describe("POST /v1/emails", () => {
  it("sends through the provider, once per idempotency key", async () => {
    const first = await send({ ...verify, idempotencyKey: "verify-1" });
    expect(first.body).toMatchObject({ status: "sent" });
    const again = await send({ ...verify, idempotencyKey: "verify-1" });
    expect(again.body).toEqual(first.body);
    expect(resend.sent.filter((m) => m.subject === "Verify your email address" || m.to[0] === "ada@example.com")).toHaveLength(1);
    const [row] = await h.engine.sql`select status, status_history, transport from email_sends where id = ${first.body.id}`;
    expect(row.transport).toBe("resend");
    expect(row.status_history.map((s: { status: string }) => s.status)).toEqual(["queued", "sent"]);
  });

  it("refuses an unknown template, wrong props, a bad address, an unknown category: 400 naming the field, nothing stored", async () => {
    const before = await count();
    const cases: [unknown, string][] = [
      [{ ...verify, template: "nope/missing" }, "template"],
      [{ ...verify, props: { firstName: "Ada" } }, "props.verifyUrl"],
      [{ ...verify, props: { firstName: 7, verifyUrl: "https://x" } }, "props.firstName"],
      [{ ...verify, to: "not-an-address" }, "to"],
      [{ ...verify, category: "no-such-list" }, "category"],
      [{ ...verify, extra: true }, "extra"],
    ];
    for (const [body, field] of cases) {
      const r = await send(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.details.issues[0].field).toBe(field);
    }
    expect(await count()).toBe(before);
  });

  it("skipPreferenceCheck needs a full-admin key and the transactional category", async () => {
    expect((await send({ ...verify, skipPreferenceCheck: true })).status).toBe(403);
    const marketing = await send({ to: "ada@example.com", template: "marketing/product-update", props: { headline: "h", body: "b" }, skipPreferenceCheck: true }, h.keys["full-admin"]);
    expect(marketing.status).toBe(400);
    expect(marketing.body.error.details.issues[0].field).toBe("skipPreferenceCheck");
  });

  it("checks suppression, global unsubscribe and list polarity, and says why it skipped", async () => {
    await h.request("PUT", "/v1/contacts", { email: "grace@example.com", userId: "grace" }, { key: h.keys.ingest });
    const product = (category: string) => send({ to: "grace@example.com", template: "marketing/product-update", props: { headline: "h", body: "b" }, category });
    expect((await product("product-updates")).body.status).toBe("sent");
    expect((await product("restock-chair-01")).body).toMatchObject({ status: "skipped", reason: "category_opt_out" });
    await h.request("POST", "/v1/lists/restock-chair-01/subscribe", { email: "grace@example.com" }, { key: h.keys.ingest });
    expect((await product("restock-chair-01")).body.status).toBe("sent");
    await h.engine.sql`update contacts set unsubscribed_at = now() where user_id = 'grace'`;
    expect((await product("product-updates")).body).toMatchObject({ status: "skipped", reason: "unsubscribed" });
    // Transactional mail with the full-admin bypass still goes; a suppressed address never does.
    expect((await send({ ...verify, to: "grace@example.com", skipPreferenceCheck: true }, h.keys["full-admin"])).body.status).toBe("sent");
    await h.engine.sql`insert into suppressions (email, reason, suppressed, updated_at) values ('grace@example.com', 'complained', true, now())`;
    expect((await send({ ...verify, to: "grace@example.com", skipPreferenceCheck: true }, h.keys["full-admin"])).body).toMatchObject({ status: "skipped", reason: "suppressed" });
  });

  it("a provider outage never loses a send: it stays queued with a retry, then fails visibly with the provider's error", async () => {
    resend.failNext(2, 503);
    const r = await send({ ...verify, to: "outage@example.com" });
    expect(r.body.status).toBe("queued");
    const jobs = await h.engine.sql`select run_at from graphile_worker._private_jobs where key = ${"email:" + r.body.id}`;
    expect(jobs).toHaveLength(1);
    await retrySend(h.engine, r.body.id);
    expect((await h.engine.sql`select status from email_sends where id = ${r.body.id}`)[0].status).toBe("sent");

    resend.failNext(100, 503);
    const doomed = await send({ ...verify, to: "doomed@example.com" });
    for (let i = 0; i < 10; i++) await retrySend(h.engine, doomed.body.id);
    const [row] = await h.engine.sql`select status, reason from email_sends where id = ${doomed.body.id}`;
    expect(row.status).toBe("failed");
    expect(row.reason).toContain("internal_server_error");
    resend.recover();
  });
});

describe("Resend webhooks", () => {
  const delivery = (name: string) => JSON.parse(readFileSync(new URL(`../../../../shared/fixtures/resend/webhooks/${name}.json`, import.meta.url), "utf8"));
  const post = async (name: string, override?: (raw: string) => string) => {
    const d = delivery(name);
    // The fixtures are signed at a fixed instant: the harness clock is real, so widen nothing — re-sign instead.
    const { signStandardWebhook } = await import("../sources/signatures.js");
    const raw = override ? override(d.raw_body) : d.raw_body;
    const timestamp = Math.floor(Date.now() / 1000);
    const id = d.headers["svix-id"] + name;
    const signature = signStandardWebhook({ secret: WEBHOOK_SECRET, id, timestamp, body: raw });
    return h.request("POST", "/v1/webhooks/email/resend", undefined, { key: null, raw, headers: { "svix-id": id, "svix-timestamp": String(timestamp), "svix-signature": signature } });
  };

  it("401 when the signature is wrong", async () => {
    const d = delivery("email.delivered");
    const r = await h.request("POST", "/v1/webhooks/email/resend", undefined, { key: null, raw: d.raw_body, headers: d.headers });
    expect(r.status).toBe(401);
  });

  it("maps delivered, bounced and complained onto the send; permanent bounces suppress after 3, complaints at once", async () => {
    const sent = await send({ ...verify, to: "bounce@example.com" });
    const [row] = await h.engine.sql`select provider_id from email_sends where id = ${sent.body.id}`;
    const withId = (raw: string) => raw.replace(/"email_id":"[^"]+"/, `"email_id":"${row.provider_id}"`);
    expect((await post("email.delivered", withId)).body.outcome).toBe("applied");
    expect((await h.engine.sql`select status from email_sends where id = ${sent.body.id}`)[0].status).toBe("delivered");
    await post("email.bounced-transient", withId);
    expect(await h.engine.sql`select * from suppressions where email = 'bounce@example.com'`).toHaveLength(0);
    for (let i = 0; i < 3; i++) await post("email.bounced-permanent", (raw) => withId(raw).replace('"type":"email.bounced"', `"type":"email.bounced","n":${i}`));
    const [suppression] = await h.engine.sql`select suppressed, permanent_bounces from suppressions where email = 'bounce@example.com'`;
    expect(suppression).toEqual({ suppressed: true, permanent_bounces: 3 });
    const complaint = await send({ ...verify, to: "complainer@example.com" });
    const [c] = await h.engine.sql`select provider_id from email_sends where id = ${complaint.body.id}`;
    await post("email.complained", (raw) => raw.replace(/"email_id":"[^"]+"/, `"email_id":"${c.provider_id}"`));
    expect((await h.engine.sql`select suppressed from suppressions where email = 'complainer@example.com'`)[0].suppressed).toBe(true);
  });
});
