import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "../test/engine.js";
import type { TestEngine } from "../src/testing/index.js";
import { days, hours, minutes } from "../src/duration.js";
import { app } from "./index.js";
import { unsubscribeAll } from "../src/tracking/unsubscribe.js";

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const start = () => testEngine(app);
const templates = (t: TestEngine, to?: string) => t.outbox.filter((e) => !to || e.to === to).map((e) => e.template);
/** The contact clicks one-click unsubscribe in an email. */
const unsubscribe = async (t: TestEngine, userId: string) => {
  const [contact] = await t.engine.sql`select id from contacts where user_id = ${userId}`;
  await unsubscribeAll(t.engine, contact.id, "one_click");
};

describe("concierge onboarding", () => {
  const signup = (t: TestEngine, plan = "enterprise") =>
    t.hs.events.send({ name: "user.signed_up", userId: "acme_1", email: "cto@acme.test", eventProperties: { plan, seats: 40 } });

  it("only enterprise signups enter; the CSM is paged on entry", async () => {
    t = await start();
    await t.hs.events.send({ name: "user.signed_up", userId: "self_1", email: "a@self.test", eventProperties: { plan: "pro" } });
    expect(await t.runs("concierge-onboarding")).toHaveLength(0);
    await signup(t);
    const [run] = await t.runs("concierge-onboarding");
    expect(run.status).toBe("waiting");
    expect(run.timeline.map((e) => e.label ?? e.kind)).toContain("csm-paged");
    const alerts = t.outbox.filter((e) => e.template === "transactional/csm-alert");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ to: "csm@example.com", props: { customerEmail: "cto@acme.test", customerId: "acme_1", seats: 40, reminder: false } });
  });

  it("a signup known only by email pages the CSM too, on entry and again after a day", async () => {
    t = await start();
    await t.hs.events.send({ name: "user.signed_up", email: "cfo@acme.test", eventProperties: { plan: "enterprise", seats: 10 } });
    await t.advance(days(1) + hours(1));
    const alerts = t.outbox.filter((e) => e.template === "transactional/csm-alert");
    expect(alerts.map((a) => a.props.reminder)).toEqual([false, true]);
    expect(alerts[0].props).toMatchObject({ customerEmail: "cfo@acme.test" });
  });

  it("re-pages after a day of silence with a fresh requestedAt", async () => {
    t = await start();
    await signup(t);
    await t.advance(days(1) - minutes(1));
    expect(t.outbox.filter((e) => e.template === "transactional/csm-alert")).toHaveLength(1);
    await t.advance(minutes(1));
    const alerts = t.outbox.filter((e) => e.template === "transactional/csm-alert");
    expect(alerts.map((a) => a.props.reminder)).toEqual([false, true]);
    expect(alerts[0].props.requestedAt).not.toBe(alerts[1].props.requestedAt);
    expect(alerts[1].subject).toContain("reminder");
  });

  it("sends the automated welcome after two silent days", async () => {
    t = await start();
    await signup(t);
    await t.advance(days(2) - minutes(1));
    expect(t.outbox.filter((e) => e.journeyId === "concierge-onboarding")).toEqual([]);
    await t.advance(minutes(1));
    expect(t.outbox.filter((e) => e.journeyId === "concierge-onboarding").map((e) => e.template)).toEqual(["onboarding/enterprise-welcome"]);
    expect((await t.runs("concierge-onboarding"))[0].status).toBe("completed");
  });

  it("an unsubscribed customer gets no welcome, while the CSM is still paged and re-paged", async () => {
    t = await start();
    await signup(t);
    await unsubscribe(t, "acme_1");
    await t.advance(days(2));
    expect(t.outbox.filter((e) => e.template === "transactional/csm-alert").map((a) => a.props.reminder)).toEqual([false, true]);
    expect(templates(t, "cto@acme.test")).toEqual([]);
    expect((await t.runs("concierge-onboarding"))[0].status).toBe("completed");
  });

  it("sends the intro carrying csmName when the CSM makes contact", async () => {
    t = await start();
    await signup(t);
    await t.advance(hours(3));
    await t.hs.events.send({ name: "csm.contacted", userId: "acme_1", eventProperties: { csm_name: "Sarah", channel: "email" } });
    const intro = t.outbox.filter((e) => e.journeyId === "concierge-onboarding");
    expect(intro.map((e) => e.template)).toEqual(["onboarding/concierge-intro"]);
    expect(intro[0].props).toEqual({ csmName: "Sarah" });
  });

  it("a contact landing between the two waits is caught by the lookback", async () => {
    t = await start();
    await signup(t);
    // Past the first wait's deadline, before its timeout has run: the event matches no wait when it lands.
    t.clock.set(new Date(t.clock.now().getTime() + days(1) + minutes(1)));
    await t.hs.events.send({ name: "csm.contacted", userId: "acme_1", eventProperties: { csm_name: "Lee" } });
    // Then the timeout ran: the CSM re-paged, and the second wait took the contact from its lookback.
    expect(t.outbox.filter((e) => e.template === "transactional/csm-alert")).toHaveLength(2);
    expect(t.outbox.filter((e) => e.journeyId === "concierge-onboarding").map((e) => e.props)).toEqual([{ csmName: "Lee" }]);
  });

  it("meeting.booked mid-wait ends the run and nothing more is sent", async () => {
    t = await start();
    await signup(t);
    await t.advance(hours(5));
    const r = await t.hs.events.send({ name: "meeting.booked", userId: "acme_1", eventProperties: { meeting_at: "2026-01-07T15:00:00Z" } });
    expect(r.exits).toMatchObject([{ journeyId: "concierge-onboarding", exited: true }]);
    await t.advance(days(3));
    expect(t.outbox.filter((e) => e.journeyId === "concierge-onboarding")).toHaveLength(0);
    expect(t.outbox.filter((e) => e.template === "transactional/csm-alert")).toHaveLength(1);
    expect((await t.runs("concierge-onboarding"))[0].status).toBe("exited");
  });
});

describe("support follow-up", () => {
  const resolve = (t: TestEngine, ticket = "T-1") =>
    t.hs.events.send({ name: "ticket.resolved", userId: "cust_1", email: "cust@example.com", eventProperties: { ticket_id: ticket } });

  it("a customer who unsubscribes before the morning is not asked", async () => {
    t = await start();
    await resolve(t);
    await unsubscribe(t, "cust_1");
    await t.advance(days(2));
    expect(t.outbox).toHaveLength(0);
    expect((await t.runs("support-followup"))[0].status).toBe("completed");
  });

  it("asks at 09:00 the next morning in the customer's timezone", async () => {
    t = await start();
    await t.hs.contacts.upsert({ userId: "cust_1", email: "cust@example.com", properties: { timezone: "America/New_York" } });
    // 2026-01-05T21:40Z is 16:40 in New York.
    t.clock.set(new Date("2026-01-05T21:40:00Z"));
    await resolve(t);
    await t.advance(days(1));
    const [question] = t.outbox;
    expect(question.template).toBe("support/followup");
    expect(question.props).toEqual({ ticketId: "T-1" });
    expect(question.sentAt.toISOString()).toBe("2026-01-06T14:00:00.000Z");
  });

  it('a "no" pages support through the alert task; a "yes" ends quietly', async () => {
    t = await start();
    await resolve(t);
    await t.advance(days(1));
    await t.hs.events.send({ name: "support.followup_answered", userId: "cust_1", eventProperties: { answer: "no" } });
    const reopen = await t.events("support.reopen_requested");
    expect(reopen).toHaveLength(1);
    expect(reopen[0].properties).toMatchObject({ ticket_id: "T-1", source: "followup-email" });
    expect(templates(t, "support@example.com")).toEqual(["transactional/support-alert"]);

    await t.hs.events.send({ name: "ticket.resolved", userId: "cust_2", email: "two@example.com", eventProperties: { ticket_id: "T-2" } });
    await t.advance(days(1));
    await t.hs.events.send({ name: "support.followup_answered", userId: "cust_2", eventProperties: { answer: "yes" } });
    expect(await t.events("support.reopen_requested")).toHaveLength(1);
  });

  it("an answer that lands shortly before the wait is caught by its 30-minute lookback", async () => {
    t = await start();
    await resolve(t); // Monday 12:00 UTC: the question goes out Tuesday 09:00
    await t.advance(hours(20) + minutes(45));
    await t.hs.events.send({ name: "support.followup_answered", userId: "cust_1", eventProperties: { answer: "no" } });
    await t.advance(hours(1));
    expect(templates(t, "cust@example.com")).toEqual(["support/followup"]);
    expect(await t.events("support.reopen_requested")).toHaveLength(1);
    expect(templates(t, "support@example.com")).toEqual(["transactional/support-alert"]);
  });

  it('a "no" late in the four-day wait still pages support', async () => {
    t = await start();
    await resolve(t); // Monday 12:00 UTC: the question goes out Tuesday 09:00
    await t.advance(hours(21) + days(4) - minutes(1));
    await t.hs.events.send({ name: "support.followup_answered", userId: "cust_1", eventProperties: { answer: "no" } });
    expect(templates(t)).toEqual(["support/followup", "transactional/support-alert"]);
  });

  it("silence for four days ends the run without a page", async () => {
    t = await start();
    await resolve(t);
    await t.advance(days(6));
    expect(templates(t)).toEqual(["support/followup"]);
    expect((await t.runs("support-followup"))[0].status).toBe("completed");
  });

  it("a ticket reopened before the morning exits the run before the question is sent", async () => {
    t = await start();
    await resolve(t);
    await t.advance(hours(2));
    await t.hs.events.send({ name: "ticket.reopened", userId: "cust_1" });
    await t.advance(days(2));
    expect(t.outbox).toHaveLength(0);
  });

  it("one survey per week however many tickets resolve", async () => {
    t = await start();
    await resolve(t, "T-1");
    await t.advance(days(6));
    await resolve(t, "T-2");
    await t.advance(days(2));
    await resolve(t, "T-3");
    await t.advance(days(2));
    expect(templates(t)).toEqual(["support/followup", "support/followup"]);
  });
});

describe("verification chase", () => {
  const signup = (t: TestEngine) =>
    t.hs.events.send({
      name: "user.signed_up", email: "new@example.com", userId: "new_1",
      eventProperties: { first_name: "Ada", verify_url: "https://app.example.com/verify/resend?u=new_1" },
      idempotencyKey: "signed-up-new_1",
    });

  it("re-sends after a day and after two more, then stops", async () => {
    t = await start();
    await signup(t);
    await t.advance(days(1) - minutes(1));
    expect(t.outbox).toEqual([]);
    await t.advance(minutes(1));
    expect(t.outbox.map((e) => e.subject)).toEqual(["Reminder: verify your email address"]);
    await t.advance(days(2) - minutes(1));
    expect(t.outbox).toHaveLength(1);
    await t.advance(minutes(1));
    expect(t.outbox.map((e) => e.subject)).toEqual(["Reminder: verify your email address", "Last reminder — your account isn't active yet"]);
    expect(t.outbox[1].props).toEqual({ firstName: "Ada", verifyUrl: "https://app.example.com/verify/resend?u=new_1" });
    await t.advance(days(7));
    expect(t.outbox).toHaveLength(2);
  });

  it("verifying stops the chase; a verification just before enrollment is caught by the lookback", async () => {
    t = await start();
    await t.hs.events.send({ name: "user.email_verified", userId: "new_1", email: "new@example.com" });
    await t.advance(minutes(1));
    await signup(t);
    await t.advance(days(5));
    expect(t.outbox).toHaveLength(0);
  });

  it("a replayed signup event cannot restart the chase", async () => {
    t = await start();
    await signup(t);
    await t.hs.events.send({ name: "user.email_verified", userId: "new_1" });
    const replay = await signup(t);
    expect(replay.stored).toBe(false);
    await t.hs.events.send({ name: "user.signed_up", userId: "new_1", email: "new@example.com" });
    expect(await t.runs("verification-chase")).toHaveLength(1);
  });

  it("verifying after the first reminder stops the second; user.deleted ends the chase", async () => {
    t = await start();
    await signup(t);
    await t.advance(days(1));
    await t.hs.events.send({ name: "user.email_verified", userId: "new_1" });
    await t.advance(days(3));
    expect(t.outbox.map((e) => e.subject)).toEqual(["Reminder: verify your email address"]);
    // user.email_verified is also in exitOn: the run exits at once rather than waking the wait.
    expect((await t.runs("verification-chase"))[0].status).toBe("exited");

    await t.hs.events.send({ name: "user.signed_up", email: "gone@example.com", userId: "gone_1", eventProperties: { first_name: "Bo", verify_url: "https://app.example.com/v?u=gone_1" } });
    const deleted = await t.hs.events.send({ name: "user.deleted", userId: "gone_1" });
    expect(deleted.exits).toMatchObject([{ journeyId: "verification-chase", exited: true }]);
    await t.advance(days(4));
    expect(templates(t, "gone@example.com")).toEqual([]);
  });

  it("an unsubscribed contact gets no re-send", async () => {
    t = await start();
    await signup(t);
    await t.engine.sql`update contacts set unsubscribed_at = now() where user_id = 'new_1'`;
    await t.advance(days(4));
    expect(t.outbox).toHaveLength(0);
  });
});
