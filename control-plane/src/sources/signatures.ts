import { createHmac, timingSafeEqual } from "node:crypto";

/** Constant-time string comparison that never throws on a length mismatch. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** Hex HMAC-SHA256 of the raw body, optionally written as `sha256=<hex>`. */
export function verifyHmacHex(input: { secret: string; body: string; signature: string | undefined | null }): boolean {
  if (!input.signature) return false;
  const given = input.signature.trim().replace(/^sha256=/i, "").toLowerCase();
  const expected = createHmac("sha256", input.secret).update(input.body).digest("hex");
  return constantTimeEqual(given, expected);
}

export function signHmacHex(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/** A `whsec_` secret is base64 key bytes; anything else is used as raw bytes. */
function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret, "utf8");
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, per the Standard Webhooks spec (svix's scheme). */
export function signStandardWebhook(input: { secret: string; id: string; timestamp: number; body: string }): string {
  const mac = createHmac("sha256", standardWebhookKey(input.secret)).update(`${input.id}.${input.timestamp}.${input.body}`).digest("base64");
  return `v1,${mac}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * Verify a Standard Webhooks (or svix: same scheme, svix-* headers) request: any `v1` signature in the
 * space-separated list may match (key rotation); unknown versions are skipped; the timestamp must be
 * within the tolerance of `now`.
 */
export function verifyStandardWebhook(input: {
  secret: string;
  headers: Record<string, string | undefined>;
  body: string;
  now: Date;
  toleranceSeconds?: number;
}): VerifyResult {
  const h = (name: string) => input.headers[`webhook-${name}`] ?? input.headers[`svix-${name}`];
  const id = h("id");
  const timestamp = h("timestamp");
  const signatures = h("signature");
  if (!id || !timestamp || !signatures) return { ok: false, reason: "missing signature headers" };
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) return { ok: false, reason: "invalid timestamp" };
  const skew = Math.abs(input.now.getTime() / 1000 - seconds);
  if (skew > (input.toleranceSeconds ?? 300)) return { ok: false, reason: "timestamp outside tolerance" };
  const expected = signStandardWebhook({ secret: input.secret, id, timestamp: seconds, body: input.body });
  for (const candidate of signatures.split(" ")) {
    if (candidate.startsWith("v1,") && constantTimeEqual(candidate, expected)) return { ok: true };
  }
  return { ok: false, reason: "no matching signature" };
}

/** Stripe's `Stripe-Signature: t=<seconds>,v1=<hex HMAC of "t.body">` scheme. */
export function verifyStripeSignature(input: { secret: string; header: string | undefined | null; body: string; now: Date; toleranceSeconds?: number }): VerifyResult {
  if (!input.header) return { ok: false, reason: "missing signature header" };
  const parts = input.header.split(",").map((p) => p.trim().split("=") as [string, string]);
  const t = parts.find(([k]) => k === "t")?.[1];
  const v1s = parts.filter(([k]) => k === "v1").map(([, v]) => v);
  if (!t || !v1s.length) return { ok: false, reason: "malformed signature header" };
  if (Math.abs(input.now.getTime() / 1000 - Number(t)) > (input.toleranceSeconds ?? 300)) return { ok: false, reason: "timestamp outside tolerance" };
  const expected = createHmac("sha256", input.secret).update(`${t}.${input.body}`).digest("hex");
  return v1s.some((v) => constantTimeEqual(v, expected)) ? { ok: true } : { ok: false, reason: "no matching signature" };
}
