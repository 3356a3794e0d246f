import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeResend, type FakeResend } from "../../../test/fakes/resend.js";
import { createResendTransport } from "./resend.js";

let fake: FakeResend;
beforeAll(async () => {
  fake = await startFakeResend({ apiKey: "re_test" });
});
afterAll(() => fake.close());

const email = (key: string) => ({ from: "Acme <hi@acme.test>", to: "ada@example.com", subject: "Hi", html: "<p>Hi</p>", text: "Hi", idempotencyKey: key, headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } });
const transport = () => createResendTransport({ apiKey: "re_test", baseUrl: fake.url, retryBaseMs: 1 });

describe("Resend transport", () => {
  it("sends through the SDK with the idempotency key and Resend's wire format", async () => {
    const result = await transport().send(email("k1"));
    expect(result).toMatchObject({ ok: true });
    const last = fake.requests.at(-1)!;
    expect(last.path).toBe("/emails");
    expect(last.headers["idempotency-key"]).toBe("k1");
    expect(last.body).toMatchObject({ from: "Acme <hi@acme.test>", to: ["ada@example.com"], subject: "Hi", headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } });
  });

  it("retries 5xx and 429 with the same key, and the provider keeps one email", async () => {
    const before = fake.sent.length;
    fake.failNext(2, 503);
    fake.failNext(1, 429);
    const result = await transport().send(email("k2"));
    expect(result.ok).toBe(true);
    // A retry after success returns the first id and stores nothing new.
    const again = await transport().send(email("k2"));
    expect(again).toEqual(result);
    expect(fake.sent.length - before).toBe(1);
  });

  it("does not retry a validation error and surfaces Resend's error", async () => {
    const requests = fake.requests.length;
    const result = await transport().send({ ...email("k3"), subject: "" });
    expect(result).toEqual({ ok: false, retryable: false, status: 422, code: "missing_required_field", message: "Missing `subject` field." });
    expect(fake.requests.length - requests).toBe(1);
  });

  it("a connection refused is a retryable failure after the retries", async () => {
    const dead = createResendTransport({ apiKey: "re_test", baseUrl: "http://127.0.0.1:9", retryBaseMs: 1, maxRetries: 2 });
    const result = await dead.send(email("k4"));
    expect(result).toMatchObject({ ok: false, retryable: true, status: 0 });
  });

  it("splits a batch into calls of at most 100", async () => {
    const before = fake.requests.filter((r) => r.path === "/emails/batch").length;
    const results = await transport().sendBatch!(Array.from({ length: 150 }, (_, i) => email(`b${i}`)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.requests.filter((r) => r.path === "/emails/batch").length - before).toBe(2);
  });
});
