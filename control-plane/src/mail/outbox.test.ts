import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../test/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe("the local outbox (no provider key)", () => {
  it("records a send as sent with its tracked links and one email.sent event; concurrent calls under one key send once", async () => {
    await h.request("PUT", "/v1/contacts", { userId: "ob1", email: "ob1@example.com" }, { key: h.keys.ingest });
    const body = { to: "ob1@example.com", userId: "ob1", template: "transactional/verify-email", props: { firstName: "Ob", verifyUrl: "https://app.example.com/verify?t=9" }, idempotencyKey: "outbox-1" };
    const answers = await Promise.all(Array.from({ length: 5 }, () => h.request("POST", "/v1/emails", body, { key: h.keys.ingest })));
    for (const a of answers) expect(a.body).toEqual(answers[0].body);
    expect(answers[0].body).toMatchObject({ status: "sent" });
    const id = answers[0].body.id;

    const rows = await h.engine.sql`select id, status, transport, provider_id, attempts, sent_at, status_history from email_sends where idempotency_key = 'outbox-1'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id, status: "sent", transport: "outbox", provider_id: `outbox:${id}`, attempts: 1 });
    expect(rows[0].sent_at).toBeInstanceOf(Date);
    expect(rows[0].status_history.map((s: { status: string }) => s.status)).toEqual(["queued", "sent"]);

    const links = await h.engine.sql`select url from tracked_links where send_id = ${id}`;
    expect(links.map((l) => l.url)).toContain("https://app.example.com/verify?t=9");
    const events = await h.engine.sql`select properties from events where name = 'email.sent' and properties->>'send_id' = ${id}`;
    expect(events).toHaveLength(1);
    expect(events[0].properties).toMatchObject({ send_id: id, template: "transactional/verify-email", category: "transactional" });
  });
});
