import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signStandardWebhook, verifyHmacHex, verifyStandardWebhook, verifyStripeSignature } from "./signatures.js";

const fixture = (path: string) => JSON.parse(readFileSync(new URL(`../../../../shared/fixtures/${path}`, import.meta.url), "utf8"));

describe("Standard Webhooks / svix", () => {
  const example = fixture("standard-webhooks/worked-example.json");
  const at = (seconds: number) => new Date(seconds * 1000);

  it("signs and verifies the worked example", () => {
    expect(signStandardWebhook({ secret: example.secret, id: example["webhook-id"], timestamp: Number(example["webhook-timestamp"]), body: example.payload })).toBe(example.expected_signature);
    expect(verifyStandardWebhook({ secret: example.secret, headers: example.headers, body: example.payload, now: at(Number(example["webhook-timestamp"])) })).toEqual({ ok: true });
  });

  it("accepts either key during a rotation", () => {
    const now = at(Number(example["webhook-timestamp"]));
    expect(verifyStandardWebhook({ secret: example.secret, headers: example.rotation.headers, body: example.payload, now }).ok).toBe(true);
    expect(verifyStandardWebhook({ secret: example.rotation.old_secret, headers: example.rotation.headers, body: example.payload, now }).ok).toBe(true);
  });

  it("refuses a tampered body, a wrong secret and a stale or future timestamp", () => {
    const ts = Number(example["webhook-timestamp"]);
    expect(verifyStandardWebhook({ secret: example.secret, headers: example.headers, body: example.payload + " ", now: at(ts) }).ok).toBe(false);
    expect(verifyStandardWebhook({ secret: example.rotation.old_secret, headers: example.headers, body: example.payload, now: at(ts) }).ok).toBe(false);
    expect(verifyStandardWebhook({ secret: example.secret, headers: example.headers, body: example.payload, now: at(ts + 301) })).toEqual({ ok: false, reason: "timestamp outside tolerance" });
    expect(verifyStandardWebhook({ secret: example.secret, headers: example.headers, body: example.payload, now: at(ts - 301) }).ok).toBe(false);
    expect(verifyStandardWebhook({ secret: example.secret, headers: {}, body: example.payload, now: at(ts) }).ok).toBe(false);
  });

  it("verifies Resend's signed webhook deliveries (svix headers)", () => {
    for (const name of ["email.delivered", "email.opened", "email.bounced-permanent", "email.complained"]) {
      const delivery = fixture(`resend/webhooks/${name}.json`);
      const now = at(Number(delivery.headers["svix-timestamp"]));
      expect(verifyStandardWebhook({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers: delivery.headers, body: delivery.raw_body, now }), name).toEqual({ ok: true });
    }
  });
});

describe("hmac-hex and stripe", () => {
  it("verifies hex HMAC with or without a sha256= prefix, in constant time", () => {
    const body = '{"sku":"chair-01"}';
    const sig = createHmac("sha256", "s3cret").update(body).digest("hex");
    expect(verifyHmacHex({ secret: "s3cret", body, signature: sig })).toBe(true);
    expect(verifyHmacHex({ secret: "s3cret", body, signature: `sha256=${sig}` })).toBe(true);
    expect(verifyHmacHex({ secret: "s3cret", body: body + " ", signature: sig })).toBe(false);
    expect(verifyHmacHex({ secret: "s3cret", body, signature: "abc" })).toBe(false);
    expect(verifyHmacHex({ secret: "s3cret", body, signature: undefined })).toBe(false);
  });

  it("verifies Stripe-Signature headers", () => {
    const body = '{"id":"evt_1"}';
    const t = 1_700_000_000;
    const v1 = createHmac("sha256", "whsec_stripe").update(`${t}.${body}`).digest("hex");
    const now = new Date(t * 1000);
    expect(verifyStripeSignature({ secret: "whsec_stripe", header: `t=${t},v1=${v1}`, body, now })).toEqual({ ok: true });
    expect(verifyStripeSignature({ secret: "whsec_stripe", header: `t=${t},v1=${v1}`, body: "{}", now }).ok).toBe(false);
    expect(verifyStripeSignature({ secret: "whsec_stripe", header: `t=${t},v1=${v1}`, body, now: new Date((t + 600) * 1000) }).ok).toBe(false);
  });
});
