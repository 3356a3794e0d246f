import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { days, hours, minutes } from "../duration.js";
import { defineJourney } from "./define.js";
import { sendEmail, type SendEmailArgs } from "./send-email.js";
import type { EmailService } from "../mail/types.js";
import { executeRun } from "./executor.js";
import { ingest } from "../ingest/ingest.js";
import { defineTask } from "../tasks/define.js";
import type { JourneyDefinition } from "./types.js";
import { createElement } from "react";
import { z } from "zod";
import { getTemplate, type TemplateDefinition } from "@hogsend/email";
import { startFakeResend } from "../../test/fakes/resend.js";
import { createResendTransport } from "../mail/transports/resend.js";
import { createHttpApp } from "../http/app.js";
import { closeEngine, createEngine } from "../engine.js";
import { engineTasks } from "../worker/tasks.js";

// An app's own template, declared as apps declare theirs (see docs/email.md).
declare module "@hogsend/email" {
  interface TemplateProps {
    "billing/receipt": { amount: number };
  }
}

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

// Tests pick templates at run time: the typed check of template props is exercised in "typed journeys".
const email = (user: { email: string; id: string; stateId: string; journeyName: string }, template: string, props: Record<string, unknown> = {}) =>
  sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, journeyName: user.journeyName, template, subject: template, props } as SendEmailArgs);

const base = { enabled: true, entryLimit: "unlimited" as const, suppress: 0 };

const waiter = defineJourney({
  meta: { ...base, id: "waiter", name: "Waiter", trigger: { event: "start" }, exitOn: [{ event: "stop" }] },
  run: async (user, ctx) => {
    await email(user, "onboarding/enterprise-welcome");
    const r = await ctx.waitForEvent({ event: "reply", timeout: days(1), label: "await-reply" });
    if (r.timedOut) await email(user, "transactional/verify-email", { firstName: "x", verifyUrl: "https://x.test/v" });
    else await email(user, "onboarding/concierge-intro", { csmName: String(r.properties?.who ?? "?") });
  },
});

describe("waitForEvent", () => {
  it("an event for the enrolled contact resumes the run with its properties", async () => {
    t = await testEngine({ journeys: [waiter] });
    await t.hs.events.send({ name: "start", userId: "u1", email: "u1@example.com" });
    expect(t.outbox.map((e) => e.template)).toEqual(["onboarding/enterprise-welcome"]);
    // Another contact's reply does not resume this run.
    await t.hs.events.send({ name: "reply", userId: "someone-else", email: "else@example.com", eventProperties: { who: "Mallory" } });
    await t.advance(hours(2));
    await t.hs.events.send({ name: "reply", userId: "u1", eventProperties: { who: "Sarah" } });
    expect(t.outbox.map((e) => e.template)).toEqual(["onboarding/enterprise-welcome", "onboarding/concierge-intro"]);
    expect(t.outbox[1].props).toEqual({ csmName: "Sarah" });
    const [run] = await t.runs("waiter");
    expect(run.status).toBe("completed");
    expect(run.timeline.find((e) => e.kind === "wait")).toMatchObject({ label: "await-reply", detail: { outcome: "event" } });
  });

  it("times out after the timeout and takes the timeout branch", async () => {
    t = await testEngine({ journeys: [waiter] });
    await t.hs.events.send({ name: "start", userId: "u1", email: "u1@example.com" });
    await t.advance(hours(23));
    expect(t.outbox).toHaveLength(1);
    await t.advance(hours(1));
    expect(t.outbox.map((e) => e.template)).toEqual(["onboarding/enterprise-welcome", "transactional/verify-email"]);
    // A late reply changes nothing.
    await t.hs.events.send({ name: "reply", userId: "u1" });
    expect(t.outbox).toHaveLength(2);
  });

  it("an event and the timeout at the same instant take exactly one branch", async () => {
    t = await testEngine({ journeys: [waiter] });
    const n = 20;
    for (let i = 0; i < n; i++) await t.hs.events.send({ name: "start", userId: `r${i}`, email: `r${i}@example.com` });
    // Move the clock to the deadline without running the due jobs, then race event and timeout.
    t.clock.set(new Date(t.clock.now().getTime() + days(1)));
    const runs = await t.runs("waiter");
    await Promise.all(
      runs.flatMap((run, i) => [
        ingest(t!.engine, { name: "reply", userId: `r${i}`, source: "api", eventProperties: { who: "racer" } }),
        executeRun(t!.engine, run.id),
      ]),
    );
    await t.runDue();
    for (let i = 0; i < n; i++) {
      const mine = t.outbox.filter((e) => e.to === `r${i}@example.com`);
      expect(mine).toHaveLength(2);
      expect(["transactional/verify-email", "onboarding/concierge-intro"]).toContain(mine[1].template);
    }
    const statuses = await t.engine.sql`select status, count(*)::int as n from journey_waits group by status`;
    expect(statuses.reduce((s, r) => s + r.n, 0)).toBe(n);
    expect(statuses.every((r) => r.status === "matched" || r.status === "timed_out")).toBe(true);
  });

  it("an event after the deadline takes the timeout branch, even when the worker is late to time the wait out", async () => {
    t = await testEngine({ journeys: [waiter] });
    await t.hs.events.send({ name: "start", userId: "late", email: "late@example.com" });
    // An hour past the deadline, and the timeout job has not run (a worker down or backlogged).
    t.clock.set(new Date(t.clock.now().getTime() + days(1) + hours(1)));
    await ingest(t.engine, { name: "reply", userId: "late", source: "api", eventProperties: { who: "Late" } });
    await t.runDue();
    expect(t.outbox.map((e) => e.template)).toEqual(["onboarding/enterprise-welcome", "transactional/verify-email"]);
    const [wait] = await t.engine.sql`select status from journey_waits`;
    expect(wait.status).toBe("timed_out");
  });

  it("lookback takes a matching event from before the wait; without it, the event is missed", async () => {
    const withLookback = (id: string, lookback?: number) =>
      defineJourney({
        meta: { ...base, id, name: id, trigger: { event: "go" } },
        run: async (user, ctx) => {
          await ctx.sleep(minutes(10), { label: "pause" });
          const r = await ctx.waitForEvent({ event: "ping", timeout: hours(1), lookback, where: (b) => b.prop("ok").eq(true) });
          await email(user, r.timedOut ? "onboarding/enterprise-welcome" : "onboarding/concierge-intro", r.timedOut ? {} : { csmName: "L" });
        },
      });
    t = await testEngine({ journeys: [withLookback("lb", minutes(30)), withLookback("nolb")] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    await t.advance(minutes(5));
    await t.hs.events.send({ name: "ping", userId: "u", eventProperties: { ok: false } });
    await t.hs.events.send({ name: "ping", userId: "u", eventProperties: { ok: true } });
    await t.advance(hours(2));
    const byJourney = Object.fromEntries(t.outbox.map((e) => [e.journeyId, e.template]));
    expect(byJourney).toEqual({ lb: "onboarding/concierge-intro", nolb: "onboarding/enterprise-welcome" });
  });

  it("lookback finds a match behind hundreds of events of that name that do not match", async () => {
    const lb = defineJourney({
      meta: { ...base, id: "lb-deep", name: "Deep lookback", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await ctx.sleep(minutes(20), { label: "pause" });
        const r = await ctx.waitForEvent({ event: "ping", timeout: hours(1), lookback: minutes(30), where: (b) => b.prop("ok").eq(true) });
        await ctx.checkpoint(r.timedOut ? "timed-out" : `matched-${r.properties?.n}`);
      },
    });
    t = await testEngine({ journeys: [lb] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    await t.engine.sql`
      insert into events (contact_id, name, properties, source, occurred_at, received_at)
      select c.id, 'ping', jsonb_build_object('ok', false, 'n', g), 'api', ${t.clock.now()}, ${t.clock.now()}
      from contacts c, generate_series(1, 250) g where c.user_id = 'u'`;
    await t.advance(minutes(1));
    await t.hs.events.send({ name: "ping", userId: "u", eventProperties: { ok: true, n: "late" } });
    await t.advance(hours(2));
    const [run] = await t.runs("lb-deep");
    expect(run.timeline.find((e) => e.kind === "checkpoint")?.label).toBe("matched-late");
  });

  it("lookback takes events that happened within it: an old event arriving late does not count", async () => {
    const lb = defineJourney({
      meta: { ...base, id: "lb-old", name: "Old lookback", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        const r = await ctx.waitForEvent({ event: "ping", timeout: hours(2), lookback: hours(1) });
        await ctx.checkpoint(r.timedOut ? "timed-out" : "got");
      },
    });
    t = await testEngine({ journeys: [lb] });
    await t.hs.events.send({ name: "ping", userId: "u", timestamp: new Date(t.clock.now().getTime() - days(3)).toISOString() });
    // Nor one received days ago that claims a time still to come.
    await t.hs.events.send({ name: "ping", userId: "u", timestamp: new Date(t.clock.now().getTime() + days(365)).toISOString() });
    await t.advance(days(3));
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(days(1));
    const [run] = await t.runs("lb-old");
    expect(run.timeline.find((e) => e.kind === "checkpoint")?.label).toBe("timed-out");
  });

  it("a merge cancels the merged-away contact's duplicate run as any stop does: its wait cancelled, its job removed", async () => {
    t = await testEngine({ journeys: [waiter] });
    await t.hs.events.send({ name: "start", userId: "old", email: "old@example.com" });
    await t.advance(minutes(1));
    await t.hs.events.send({ name: "start", email: "new@example.com" });
    await t.hs.contacts.upsert({ userId: "old", email: "new@example.com" });
    const rows = await t.engine.sql`
      select r.status, r.exit_reason, w.status as wait, exists (select 1 from graphile_worker.jobs j where j.key = 'run:' || r.id) as has_job
      from journey_runs r join journey_waits w on w.run_id = r.id order by r.started_at`;
    expect(rows).toEqual([
      { status: "waiting", exit_reason: null, wait: "waiting", has_job: true },
      { status: "cancelled", exit_reason: "merged", wait: "cancelled", has_job: false },
    ]);
  });

  it("lookback takes an event stamped a few seconds ahead (a sender's clock) that arrived just before the wait", async () => {
    const lb = defineJourney({
      meta: { ...base, id: "lb-skew", name: "Skewed lookback", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await ctx.sleep(minutes(10), { label: "s" });
        const r = await ctx.waitForEvent({ event: "ping", timeout: hours(1), label: "w", lookback: minutes(30) });
        await ctx.checkpoint(r.timedOut ? "timed-out" : "got");
      },
    });
    t = await testEngine({ journeys: [lb] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(minutes(10) - 1000);
    await t.hs.events.send({ name: "ping", userId: "u", timestamp: new Date(t.clock.now().getTime() + 5_000).toISOString() });
    await t.advance(hours(2));
    const [run] = await t.runs("lb-skew");
    expect(run.timeline.find((e) => e.kind === "checkpoint")?.label).toBe("got");
  });

  it("a wait without a timeout, or over 30 days, fails the run with that message", async () => {
    const bad = (id: string, timeout: number | undefined) =>
      defineJourney({
        meta: { ...base, id, name: id, trigger: { event: "go" } },
        run: async (_user, ctx) => {
          await ctx.waitForEvent({ event: "x", timeout: timeout as number });
        },
      });
    t = await testEngine({ journeys: [bad("no-timeout", undefined), bad("too-long", days(31))] });
    await t.hs.events.send({ name: "go", userId: "u" });
    const [a] = await t.runs("no-timeout");
    const [b] = await t.runs("too-long");
    expect(a.status).toBe("failed");
    expect(a.error).toMatch(/timeout is required/);
    expect(b.status).toBe("failed");
    expect(b.error).toMatch(/30-day cap/);
  });

  it("a misuse the journey's code catches still fails the run, and no step after it runs", async () => {
    const catcher = defineJourney({
      meta: { ...base, id: "catcher", name: "catcher", trigger: { event: "go" } },
      run: async (user, ctx) => {
        try {
          await ctx.waitForEvent({ event: "x", timeout: days(45), label: "too-long" });
        } catch {
          // a defensive author swallowing the error
        }
        await email(user, "onboarding/enterprise-welcome").catch(() => {});
        await ctx.checkpoint("after").catch(() => {});
      },
    });
    t = await testEngine({ journeys: [catcher] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    await t.advance(minutes(1));
    const [run] = await t.runs("catcher");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/waitForEvent "too-long": timeout is over the 30-day cap/);
    expect(run.timeline.filter((e) => e.kind === "checkpoint")).toEqual([]);
    expect(t.outbox).toEqual([]);
  });

  it("a run is capped at 30 days: a wait or sleep ending past it fails the run, naming the step", async () => {
    const long = (id: string, second: "sleep" | "wait" | "short") =>
      defineJourney({
        meta: { ...base, id, name: id, trigger: { event: "go" } },
        run: async (user, ctx) => {
          await ctx.sleep(days(20), { label: "first" });
          if (second === "sleep") await ctx.sleep(days(11), { label: "second" });
          if (second === "wait") await ctx.waitForEvent({ event: "x", timeout: days(11), label: "second" });
          if (second === "short") await ctx.waitForEvent({ event: "x", timeout: days(9), label: "second" });
          await email(user, "onboarding/enterprise-welcome");
        },
      });
    const full = defineJourney({
      meta: { ...base, id: "full", name: "full", trigger: { event: "late" } },
      run: async (_user, ctx) => {
        await ctx.sleep(days(30), { label: "thirty" });
      },
    });
    t = await testEngine({ journeys: [long("sleeps", "sleep"), long("waits", "wait"), long("fits", "short"), full] });
    // A first 30-day sleep whose job starts a moment after entry is within the cap.
    await ingest(t.engine, { name: "late", userId: "late", source: "api" });
    t.clock.set(new Date(t.clock.now().getTime() + 50));
    await t.runDue();
    expect((await t.runs("full"))[0].status).toBe("sleeping");
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    await t.advance(days(31));
    const [sleeps] = await t.runs("sleeps");
    const [waits] = await t.runs("waits");
    const [fits] = await t.runs("fits");
    expect(sleeps.status).toBe("failed");
    expect(sleeps.error).toMatch(/sleep "second".*30-day cap/);
    expect(waits.status).toBe("failed");
    expect(waits.error).toMatch(/waitForEvent "second".*30-day cap/);
    expect(fits.status).toBe("completed");
    expect(t.outbox).toHaveLength(1);
  });
});

describe("sleep", () => {
  it("an unknown timezone or a bad time in ctx.when fails the run at once, with the message", async () => {
    const bad = (id: string, at: (ctx: Parameters<JourneyDefinition["run"]>[1]) => Date) =>
      defineJourney({ meta: { ...base, id, name: id, trigger: { event: "go" } }, run: async (_user, ctx) => ctx.sleepUntil(at(ctx)) });
    t = await testEngine({ journeys: [bad("zone", (ctx) => ctx.when.tomorrow().tz("Mars/Olympus_Mons").at("09:00")), bad("time", (ctx) => ctx.when.tomorrow().at("9am"))] });
    await t.hs.events.send({ name: "go", userId: "u" });
    const [zone] = await t.runs("zone");
    const [time] = await t.runs("time");
    expect(zone).toMatchObject({ status: "failed", error: 'when: unknown timezone "Mars/Olympus_Mons"' });
    expect(time).toMatchObject({ status: "failed", error: 'when: invalid time "9am", expected "HH:MM"' });
  });

  it("sleep and sleepUntil park until due; a past date resolves at once", async () => {
    const sleeper = defineJourney({
      meta: { ...base, id: "sleeper", name: "Sleeper", trigger: { event: "go" } },
      run: async (user, ctx) => {
        await ctx.sleepUntil(new Date("2020-01-01T00:00:00Z"), { label: "past" });
        await email(user, "onboarding/enterprise-welcome");
        await ctx.sleep(days(3), { label: "three-days" });
        await email(user, "onboarding/concierge-intro", { csmName: "a" });
        await ctx.sleepUntil(ctx.when.tomorrow().at("09:00"), { label: "morning" });
        await email(user, "onboarding/concierge-intro", { csmName: "b" });
      },
    });
    t = await testEngine({ journeys: [sleeper] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    expect(t.outbox).toHaveLength(1);
    await t.advance(days(3) - 1000);
    expect(t.outbox).toHaveLength(1);
    await t.advance(1000);
    expect(t.outbox).toHaveLength(2);
    expect(t.outbox[1].sentAt.toISOString()).toBe("2026-01-08T12:00:00.000Z");
    await t.advance(days(1));
    expect(t.outbox).toHaveLength(3);
    expect(t.outbox[2].sentAt.toISOString()).toBe("2026-01-09T09:00:00.000Z");
  });

  it("sleepUntil lands at 09:00 in the contact's timezone", async () => {
    const morning = defineJourney({
      meta: { ...base, id: "morning", name: "Morning", trigger: { event: "go" } },
      run: async (user, ctx) => {
        await ctx.sleepUntil(ctx.when.tomorrow().at("09:00"), { label: "next-morning" });
        await email(user, "onboarding/enterprise-welcome");
      },
    });
    t = await testEngine({ journeys: [morning] });
    await t.hs.contacts.upsert({ userId: "tokyo", email: "t@example.com", properties: { timezone: "Asia/Tokyo" } });
    await t.hs.events.send({ name: "go", userId: "tokyo" });
    await t.advance(days(2));
    // 12:00 UTC on Jan 5 is 21:00 in Tokyo; 09:00 Tokyo on Jan 6 is 00:00 UTC.
    expect(t.outbox[0].sentAt.toISOString()).toBe("2026-01-06T00:00:00.000Z");
  });
});

describe("exitOn", () => {
  it("exits mid-wait at once; no later step runs; the response lists the evaluated run", async () => {
    t = await testEngine({ journeys: [waiter] });
    await t.hs.events.send({ name: "start", userId: "u1", email: "u1@example.com" });
    const r = await t.hs.events.send({ name: "stop", userId: "u1" });
    const [run] = await t.runs("waiter");
    expect(r.exits).toEqual([{ journeyId: "waiter", runId: run.id, exited: true }]);
    expect(run.status).toBe("exited");
    await t.advance(days(2));
    expect(t.outbox).toHaveLength(1);
    expect(run.timeline.at(-1)).toMatchObject({ kind: "exit", detail: { reason: "exitOn:stop" } });
  });

  it("exits mid-sleep; a where on exitOn must match", async () => {
    const sleepy = defineJourney({
      meta: { ...base, id: "sleepy", name: "Sleepy", trigger: { event: "go" }, exitOn: [{ event: "cancel", where: (b) => b.prop("really").eq(true) }] },
      run: async (user, ctx) => {
        await ctx.sleep(days(1));
        await email(user, "onboarding/enterprise-welcome");
      },
    });
    t = await testEngine({ journeys: [sleepy] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    const notReally = await t.hs.events.send({ name: "cancel", userId: "u", eventProperties: { really: false } });
    expect(notReally.exits).toMatchObject([{ journeyId: "sleepy", exited: false }]);
    const really = await t.hs.events.send({ name: "cancel", userId: "u", eventProperties: { really: true } });
    expect(really.exits).toMatchObject([{ journeyId: "sleepy", exited: true }]);
    await t.advance(days(2));
    expect(t.outbox).toHaveLength(0);
  });

  it("an exit landing while the run's code runs: no later step runs or sends", async () => {
    // The test holds the run between two emails, lands the exit, then lets the code go on.
    let hold: { reached: () => void; release: Promise<void> } | undefined;
    const racer = defineJourney({
      meta: { ...base, id: "racer", name: "Racer", trigger: { event: "go" }, exitOn: [{ event: "stop" }] },
      run: async (user, ctx) => {
        await ctx.sleep(hours(1), { label: "nap" });
        await email(user, "onboarding/enterprise-welcome");
        if (hold) {
          hold.reached();
          await hold.release;
        }
        await ctx.checkpoint("after-hold");
        await email(user, "onboarding/concierge-intro", { csmName: "late" });
        await ctx.sleep(hours(1), { label: "second-nap" });
      },
    });
    t = await testEngine({ journeys: [racer] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    const [run] = await t.runs("racer");
    let release!: () => void;
    const reached = new Promise<void>((resolve) => {
      hold = { reached: resolve, release: new Promise<void>((r) => (release = r)) };
    });
    // The nap is over; the execution sends the first email and stops at the hold.
    t.clock.set(new Date(t.clock.now().getTime() + hours(1)));
    const execution = executeRun(t.engine, run.id);
    await reached;
    const exit = await ingest(t.engine, { name: "stop", userId: "u", source: "api" });
    expect(exit.exits).toEqual([{ journeyId: "racer", runId: run.id, exited: true }]);
    release();
    expect(await execution).toBe("stopped");
    await t.advance(days(1));

    expect(t.outbox.map((e) => e.template)).toEqual(["onboarding/enterprise-welcome"]);
    const [after] = await t.runs("racer");
    expect(after.status).toBe("exited");
    const steps = await t.engine.sql`select step_key from journey_steps where run_id = ${run.id} order by seq`;
    expect(steps.map((s) => s.step_key)).not.toContain("after-hold");
    const jobs = await t.engine.sql`select 1 from graphile_worker.jobs where key = ${"run:" + run.id}`;
    expect(jobs).toHaveLength(0);
  });

  it("an exit racing the registration of a wait leaves no pending wait, job or later send", async () => {
    const j = defineJourney({
      meta: { ...base, id: "reg", name: "Registering", trigger: { event: "go" }, exitOn: [{ event: "stop" }] },
      run: async (user, ctx) => {
        await ctx.sleep(hours(1), { label: "nap" });
        const r = await ctx.waitForEvent({ event: "reply", timeout: days(1), label: "await-reply" });
        await email(user, r.timedOut ? "onboarding/enterprise-welcome" : "onboarding/concierge-intro", r.timedOut ? {} : { csmName: "x" });
      },
    });
    t = await testEngine({ journeys: [j] });
    const n = 40;
    for (let i = 0; i < n; i++) await t.hs.events.send({ name: "go", userId: `x${i}`, email: `x${i}@example.com` });
    t.clock.set(new Date(t.clock.now().getTime() + hours(1)));
    const runs = await t.runs("reg");
    // Each run wakes and registers its wait while its exit lands.
    await Promise.all(runs.flatMap((run, i) => [ingest(t!.engine, { name: "stop", userId: `x${i}`, source: "api" }), executeRun(t!.engine, run.id)]));
    await t.advance(days(2));
    expect((await t.runs("reg")).map((r) => r.status)).toEqual(Array(n).fill("exited"));
    expect(await t.engine.sql`select 1 from journey_waits where status = 'waiting'`).toHaveLength(0);
    expect(await t.engine.sql`select 1 from graphile_worker.jobs where key like 'run:%'`).toHaveLength(0);
    expect(t.outbox).toHaveLength(0);
  });

  it("a live run exits by the exitOn it entered with, even after a deploy drops that rule", async () => {
    const v1 = defineJourney({
      meta: { ...base, id: "kept", name: "Kept", trigger: { event: "go" }, exitOn: [{ event: "stop" }] },
      run: async (user, ctx) => {
        await ctx.sleep(days(1));
        await email(user, "onboarding/enterprise-welcome");
      },
    });
    t = await testEngine({ journeys: [v1] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    const [run] = await t.runs("kept");
    // Deploy v2, whose exitOn no longer names "stop": a new engine on the same database.
    const v2 = defineJourney({ meta: { ...v1.meta, exitOn: [] }, run: v1.run });
    const { createEngine, closeEngine } = await import("../engine.js");
    const deployed = await createEngine({ databaseUrl: t.databaseUrl, app: { journeys: [v2] }, config: t.engine.config, clock: t.clock, log: t.engine.log, publicUrl: t.engine.publicUrl });
    try {
      const r = await ingest(deployed, { name: "stop", userId: "u", source: "api" });
      expect(r.exits).toEqual([{ journeyId: "kept", runId: run.id, exited: true }]);
    } finally {
      await closeEngine(deployed);
    }
    await t.advance(days(2));
    expect(t.outbox).toHaveLength(0);
    expect((await t.runs("kept"))[0].status).toBe("exited");
  });

  it("unsubscribing does not exit a run", async () => {
    t = await testEngine({ journeys: [waiter] });
    await t.hs.events.send({ name: "start", userId: "u1", email: "u1@example.com" });
    await t.engine.sql`update contacts set unsubscribed_at = now() where user_id = 'u1'`;
    const [run] = await t.runs("waiter");
    expect(run.status).toBe("waiting");
  });
});

describe("enrollment guards", () => {
  const guarded = (meta: Partial<JourneyDefinition["meta"]>) =>
    defineJourney({
      meta: { ...base, id: "g", name: "Guarded", trigger: { event: "go", where: (b) => b.prop("ok").neq(false) }, ...meta },
      run: async (_user, ctx) => {
        await ctx.sleep(hours(1));
      },
    });
  const reasons = async (t: TestEngine) =>
    (await t.engine.sql`select decision, reason from journey_enrollments order by id`).map((r) => r.reason ?? r.decision);

  it("records each decision in order: where, live run, entry limit once", async () => {
    t = await testEngine({ journeys: [guarded({ entryLimit: "once" })] });
    await t.hs.events.send({ name: "go", userId: "u", eventProperties: { ok: false } });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(hours(2));
    await t.hs.events.send({ name: "go", userId: "u" });
    expect(await reasons(t)).toEqual(["where_not_matched", "entered", "entry_limit", "entry_limit"]);
  });

  it("once_per_period lets the contact in again only after the period", async () => {
    t = await testEngine({ journeys: [guarded({ entryLimit: "once_per_period", entryPeriod: days(7) })] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(days(3));
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(days(4));
    await t.hs.events.send({ name: "go", userId: "u" });
    expect(await reasons(t)).toEqual(["entered", "entry_limit", "entered"]);
  });

  it("skips unsubscribed contacts, a live run, and disabled journeys", async () => {
    t = await testEngine({ journeys: [guarded({})] });
    await t.hs.contacts.upsert({ userId: "unsub" });
    await t.engine.sql`update contacts set unsubscribed_at = now() where user_id = 'unsub'`;
    await t.hs.events.send({ name: "go", userId: "unsub" });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.engine.sql`insert into journey_settings (journey_id, enabled, updated_at) values ('g', false, now())`;
    await t.hs.events.send({ name: "go", userId: "v" });
    expect(await reasons(t)).toEqual(["unsubscribed", "entered", "already_running", "disabled"]);
  });

  // Each "go" exits the live run and enters a new one.
  const restarting = defineJourney({
    meta: { ...base, id: "restart", name: "Restarting", trigger: { event: "go" }, exitOn: [{ event: "go" }] },
    run: async (_user, ctx) => {
      await ctx.sleep(hours(1));
    },
  });

  it("an event that exits a journey's live run and triggers that journey enters a new run", async () => {
    t = await testEngine({ journeys: [restarting] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.hs.events.send({ name: "go", userId: "u" });
    expect(await reasons(t)).toEqual(["entered", "entered"]);
    expect((await t.runs("restart")).map((r) => r.status).sort()).toEqual(["exited", "sleeping"]);
  });

  it("an event that exits and triggers a journey whose run a worker finishes at that moment still enters a new run", async () => {
    t = await testEngine({ journeys: [restarting] });
    await t.hs.events.send({ name: "go", userId: "u" });
    const [{ id }] = await t.engine.sql`select id from journey_runs`;
    // A worker finishing the run holds its row: the event's exit waits for it, then finds the run finished.
    const worker = await t.engine.sql.reserve();
    await worker`begin`;
    await worker`update journey_runs set status = 'completed', finished_at = now() where id = ${id}`;
    const ingesting = ingest(t.engine, { name: "go", userId: "u", source: "api" });
    await new Promise((r) => setTimeout(r, 300));
    await worker`commit`;
    worker.release();
    const result = await ingesting;
    await t.runDue();
    expect(result.exits).toEqual([{ journeyId: "restart", runId: id, exited: false }]);
    expect(await reasons(t)).toEqual(["entered", "entered"]);
    expect((await t.runs("restart")).map((r) => r.status).sort()).toEqual(["completed", "sleeping"]);
  });

  it("50 concurrent identical triggers for one contact enroll once", async () => {
    t = await testEngine({ journeys: [guarded({})] });
    await t.hs.contacts.upsert({ userId: "busy" });
    await Promise.all(Array.from({ length: 50 }, () => ingest(t!.engine, { name: "go", userId: "busy", source: "api" })));
    const runs = await t.runs("g");
    expect(runs).toHaveLength(1);
  });
});

describe("replay, idempotency and durability", () => {
  it("replaying a run repeats no side effect: trigger and email run once per step", async () => {
    let bodyRuns = 0;
    const j = defineJourney({
      meta: { ...base, id: "once", name: "Once", trigger: { event: "go" } },
      run: async (user, ctx) => {
        if (user.stateId !== "explore") bodyRuns++; // start-up exploration runs the code against a probe once
        await ctx.trigger({ event: "side.effect", properties: { n: 1 } });
        await email(user, "onboarding/enterprise-welcome");
        await ctx.checkpoint("sent");
        await ctx.sleep(hours(1));
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    const [run] = await t.runs("once");
    // Replay the same run several times by hand, as a redelivered job would.
    for (let i = 0; i < 3; i++) await executeRun(t.engine, run.id);
    expect(bodyRuns).toBe(4);
    expect(await t.events("side.effect")).toHaveLength(1);
    expect(t.outbox).toHaveLength(1);
    // A crash between "sent" and "recorded": the step row is lost, the send is not repeated.
    await t.engine.sql`delete from journey_steps where run_id = ${run.id} and kind = 'email'`;
    expect(await executeRun(t.engine, run.id)).toBe("parked");
    const sends = await t.engine.sql`select id from email_sends`;
    expect(sends).toHaveLength(1);
  });

  it("ctx.trigger with user.id of a contact known only by email lands on that contact", async () => {
    const j = defineJourney({
      meta: { ...base, id: "by-email", name: "By email", trigger: { event: "go" } },
      run: async (user, ctx) => {
        await ctx.trigger({ event: "pinged", userId: user.id, properties: { from: "journey" } });
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.events.send({ name: "go", email: "only-email@example.com" });
    const contacts = await t.engine.sql`select id, user_id, email from contacts`;
    expect(contacts).toHaveLength(1);
    const [pinged] = await t.events("pinged");
    expect(pinged).toMatchObject({ contactId: contacts[0].id });
  });

  it("stops as diverged, naming the step, when changed code no longer matches a stored step", async () => {
    const v1 = defineJourney({
      meta: { ...base, id: "evolving", name: "Evolving", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await ctx.checkpoint("start");
        await ctx.waitForEvent({ event: "x", timeout: days(1), label: "step-2" });
      },
    });
    t = await testEngine({ journeys: [v1] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    const [run] = await t.runs("evolving");
    // Deploy v2: the step at "step-2" is now a sleep.
    const v2 = defineJourney({
      meta: v1.meta,
      run: async (user, ctx) => {
        await ctx.checkpoint("start");
        await ctx.sleep(hours(1), { label: "step-2" });
        await email(user, "onboarding/enterprise-welcome");
      },
    });
    t.engine.registry.journeys.set("evolving", { ...t.engine.registry.journeys.get("evolving")!, run: v2.run });
    await executeRun(t.engine, run.id);
    const [after] = await t.runs("evolving");
    expect(after.status).toBe("diverged");
    expect(after.error).toMatch(/step "step-2"/);
    expect(t.outbox).toHaveLength(0);
  });

  it("stops as diverged, and runs nothing, when changed code adds, moves or drops steps around the stored ones", async () => {
    const v1 = defineJourney({
      meta: { ...base, id: "v", name: "V", trigger: { event: "go" } },
      run: async (user, ctx) => {
        await ctx.checkpoint("a");
        await ctx.trigger({ event: "pinged" });
        await ctx.waitForEvent({ event: "x", timeout: days(1), label: "w" });
        await email(user, "onboarding/enterprise-welcome");
      },
    });
    type Run = (typeof v1)["run"];
    const changes: Record<string, { run: Run; error: RegExp }> = {
      // A new email before the stored checkpoint would send out of order.
      "new step first": {
        run: async (user, ctx) => {
          await email(user, "onboarding/concierge-intro", { csmName: "new" });
          await ctx.checkpoint("a");
          await ctx.trigger({ event: "pinged" });
          await ctx.waitForEvent({ event: "x", timeout: days(1), label: "w" });
        },
        error: /step "a": the code now makes a new step "email:0" in its place/,
      },
      "ends before the stored steps": {
        run: async (_user, ctx) => {
          await ctx.checkpoint("a");
        },
        error: /step "trigger:0": the code now ends before reaching it/,
      },
      "the wait's event renamed": {
        run: async (_user, ctx) => {
          await ctx.checkpoint("a");
          await ctx.trigger({ event: "pinged" });
          await ctx.waitForEvent({ event: "y", timeout: days(1), label: "w" });
        },
        error: /step "w": the stored wait is for "x", the code now waits for "y"/,
      },
      "the trigger's event renamed": {
        run: async (_user, ctx) => {
          await ctx.checkpoint("a");
          await ctx.trigger({ event: "pinged-v2" });
          await ctx.waitForEvent({ event: "x", timeout: days(1), label: "w" });
        },
        error: /step "trigger:0": the stored trigger sent "pinged", the code now sends "pinged-v2"/,
      },
    };
    t = await testEngine({ journeys: [v1] });
    const names = Object.keys(changes);
    for (const [i] of names.entries()) await t.hs.events.send({ name: "go", userId: `v${i}`, email: `v${i}@example.com` });
    const runs = await t.runs("v");
    expect(runs.map((r) => r.status)).toEqual(Array(names.length).fill("waiting"));
    // Deploy each change under one parked run; the wait's event arrives and wakes it.
    for (const [i, name] of names.entries()) {
      t.engine.registry.journeys.set("v", { ...t.engine.registry.journeys.get("v")!, run: changes[name].run });
      await ingest(t.engine, { name: "x", userId: `v${i}`, source: "api" });
      const [run] = await t.engine.sql`select r.id from journey_runs r join contacts c on c.id = r.contact_id where c.user_id = ${`v${i}`}`;
      expect(await executeRun(t.engine, run.id), name).toBe("diverged");
      const [after] = (await t.runs("v")).filter((r) => r.id === run.id);
      expect(after.error, name).toMatch(changes[name].error);
    }
    expect(await t.engine.sql`select 1 from email_sends`).toHaveLength(0);
    expect(await t.events("pinged")).toHaveLength(names.length);
  });

  it("stored steps met in another order replay without divergence and run nothing again: concurrent branches, or steps swapped", async () => {
    const branches = defineJourney({
      meta: { ...base, id: "branches", name: "Branches", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        // Live, the guard waits on the database while the other branch records two steps; on replay it resolves at once.
        await Promise.all([
          (async () => {
            await ctx.guard.isSubscribed();
            await ctx.checkpoint("a");
          })(),
          (async () => {
            await ctx.checkpoint("b0");
            await ctx.trigger({ event: "pinged" });
          })(),
        ]);
        await ctx.sleep(hours(1), { label: "nap" });
      },
    });
    t = await testEngine({ journeys: [branches] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(hours(2));
    const [run] = await t.runs("branches");
    expect([run.status, run.error]).toEqual(["completed", null]);
    expect(await t.events("pinged")).toHaveLength(1);
    // The same run's steps, swapped by a deploy: each still matches its stored record, so nothing re-runs.
    const [{ n }] = await t.engine.sql`select count(*)::int as n from journey_steps where run_id = ${run.id}`;
    await t.engine.sql`update journey_runs set status = 'running', finished_at = null where id = ${run.id}`;
    t.engine.registry.journeys.set("branches", {
      ...t.engine.registry.journeys.get("branches")!,
      run: async (_user, ctx) => {
        await ctx.trigger({ event: "pinged" });
        await ctx.checkpoint("b0");
        await ctx.checkpoint("a");
        await ctx.guard.isSubscribed();
        await ctx.sleep(hours(1), { label: "nap" });
      },
    });
    expect(await executeRun(t.engine, run.id)).toBe("completed");
    expect(await t.events("pinged")).toHaveLength(1);
    expect((await t.engine.sql`select count(*)::int as n from journey_steps where run_id = ${run.id}`)[0].n).toBe(n);
  });

  it("a divergence the journey's code catches still stops the run, and nothing after it runs", async () => {
    const v1 = defineJourney({
      meta: { ...base, id: "catcher", name: "Catcher", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await ctx.checkpoint("a");
        await ctx.waitForEvent({ event: "x", timeout: days(1), label: "w" });
      },
    });
    t = await testEngine({ journeys: [v1] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    const [run] = await t.runs("catcher");
    const v2: typeof v1.run = async (user, ctx) => {
      try {
        await ctx.sleep(hours(1), { label: "a" }); // the stored "a" is a checkpoint
      } catch {
        await email(user, "onboarding/enterprise-welcome").catch(() => {});
      }
    };
    t.engine.registry.journeys.set("catcher", { ...t.engine.registry.journeys.get("catcher")!, run: v2 });
    expect(await executeRun(t.engine, run.id)).toBe("diverged");
    expect((await t.runs("catcher"))[0].error).toMatch(/step "a": the stored step is a checkpoint, the code now makes a sleep/);
    expect(await t.engine.sql`select 1 from email_sends`).toHaveLength(0);
  });

  it("replays that are not changes do not diverge: a step in flight as the run parked, and time read before the first step", async () => {
    const both = defineJourney({
      meta: { ...base, id: "both", name: "Both", trigger: { event: "go" } },
      run: async (user, ctx) => {
        // The wait parks the run while the email is still being sent: the email's record may not land.
        await Promise.all([email(user, "onboarding/enterprise-welcome"), ctx.waitForEvent({ event: "reply", timeout: days(1), label: "w" })]);
        await email(user, "onboarding/concierge-intro", { csmName: "x" });
      },
    });
    const byHour = defineJourney({
      meta: { ...base, id: "by-hour", name: "By hour", trigger: { event: "go" } },
      run: async (user, ctx) => {
        const label = ctx.now().getUTCHours() < 13 ? "morning" : "afternoon";
        await ctx.waitForEvent({ event: "reply", timeout: days(1), label });
        await email(user, "transactional/verify-email", { firstName: label, verifyUrl: "https://x.test/v" });
      },
    });
    t = await testEngine({ journeys: [both, byHour] }); // starts at 12:00 UTC
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    await t.advance(hours(2)); // the reply comes in the afternoon
    await t.hs.events.send({ name: "reply", userId: "u" });
    const runs = await t.engine.sql`select journey_id, status from journey_runs order by journey_id`;
    expect(runs).toEqual([{ journey_id: "both", status: "completed" }, { journey_id: "by-hour", status: "completed" }]);
    expect(t.outbox.filter((e) => e.template === "onboarding/enterprise-welcome")).toHaveLength(1);
    expect(t.outbox.find((e) => e.template === "transactional/verify-email")?.props.firstName).toBe("morning");
  });

  it("steps run concurrently take turns on the run's connection: each trigger is its own transaction", async () => {
    const fanOut = defineJourney({
      meta: { ...base, id: "fan-out", name: "Fan out", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await Promise.all([ctx.trigger({ event: "one" }), ctx.trigger({ event: "two" }), ctx.checkpoint("both")]);
        await Promise.all([ctx.trigger({ event: "three" }), ctx.sleep(hours(1), { label: "nap" })]);
        await ctx.checkpoint("woke");
      },
    });
    t = await testEngine({ journeys: [fanOut] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    await t.advance(hours(2));
    const [run] = await t.runs("fan-out");
    expect(run.status).toBe("completed");
    for (const name of ["one", "two", "three"]) expect(await t.events(name)).toHaveLength(1);
    const steps = await t.engine.sql`select step_key from journey_steps where run_id = ${run.id} order by seq`;
    expect(steps.map((r) => r.step_key)).toEqual(["trigger:0", "trigger:1", "both", "trigger:2", "nap", "woke"]);
  });

  it("a trigger of an event in the run's own exitOn exits the run: the event is stored, no later step runs", async () => {
    const selfExit = defineJourney({
      meta: { ...base, id: "self-exit", name: "Self exit", trigger: { event: "go" }, exitOn: [{ event: "done" }] },
      run: async (user, ctx) => {
        await ctx.trigger({ event: "done" });
        await email(user, "onboarding/enterprise-welcome");
      },
    });
    t = await testEngine({ journeys: [selfExit] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    await t.advance(days(1));
    const [run] = await t.runs("self-exit");
    expect(run).toMatchObject({ status: "exited", exitReason: "exitOn:done" });
    expect(await t.events("done")).toHaveLength(1);
    expect(t.outbox).toHaveLength(0);
  });

  it("an error whose text Postgres cannot store (a NUL byte) still fails the run after its attempts", async () => {
    const nul = defineJourney({
      meta: { ...base, id: "nul", name: "NUL", trigger: { event: "go" } },
      run: async (user) => {
        if (user.stateId !== "explore") throw new Error("bad byte \u0000 here");
      },
    });
    t = await testEngine({ journeys: [nul] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(hours(1));
    const [run] = await t.runs("nul");
    expect(run).toMatchObject({ status: "failed", error: "bad byte \\0 here" });
  });

  it("a worker without the journey (an older deploy) leaves its runs for one that has it; the job's last attempt fails the run", async () => {
    t = await testEngine({ journeys: [waiter] });
    const older = await createEngine({ databaseUrl: t.databaseUrl, app: {}, config: t.engine.config, clock: t.clock, log: t.engine.log });
    try {
      await ingest(t.engine, { name: "start", userId: "u1", email: "u1@example.com", source: "api" });
      const [{ id }] = await t.engine.sql`select id from journey_runs`;
      const runJob = engineTasks(older)["hogsend:run"];
      await expect(runJob({ runId: id }, { attempt: 1, maxAttempts: 50 })).rejects.toThrow('journey "waiter" is not defined in this deployment');
      expect((await t.runs("waiter"))[0].status).toBe("running");
      await t.runDue();
      expect((await t.runs("waiter"))[0].status).toBe("waiting");
      // Had no worker with the journey ever come, the job's last attempt fails the run.
      await t.engine.sql`update journey_runs set status = 'running' where id = ${id}`;
      await expect(runJob({ runId: id }, { attempt: 50, maxAttempts: 50 })).rejects.toThrow();
      const [run] = await t.runs("waiter");
      expect(run.status).toBe("failed");
      expect(run.error).toContain('journey "waiter" is not defined in this deployment');
      expect((await t.engine.sql`select status from journey_waits`).map((w) => w.status)).toEqual(["cancelled"]);
    } finally {
      await closeEngine(older);
    }
  });

  it("an event that resolves the wait while a replay is parking on it wakes the run now, not at the deadline", async () => {
    t = await testEngine({ journeys: [waiter] });
    await t.hs.events.send({ name: "start", userId: "u1", email: "u1@example.com" });
    await t.advance(hours(1));
    const [{ id }] = await t.engine.sql`select id from journey_runs`;
    let ingesting!: Promise<unknown>;
    let replaying!: Promise<unknown>;
    // Hold the run's row so the event's match waits, and a replay woken early reads the wait as pending;
    // released, the match commits first and the replay's park must not undo its wake-up.
    await t.engine.sql.begin(async (tx) => {
      await tx`select id from journey_runs where id = ${id} for update`;
      ingesting = ingest(t!.engine, { name: "reply", userId: "u1", source: "api", eventProperties: { who: "Ada" } });
      await new Promise((r) => setTimeout(r, 300));
      replaying = executeRun(t!.engine, id);
      await new Promise((r) => setTimeout(r, 300));
    });
    await Promise.all([ingesting, replaying]);
    await t.advance(hours(1));
    const [run] = await t.runs("waiter");
    expect(run.status).toBe("completed");
    expect(t.outbox.map((e) => e.template)).toEqual(["onboarding/enterprise-welcome", "onboarding/concierge-intro"]);
  });

  it("a wait registered after the run's contact was merged mid-execution listens on the merged contact", async () => {
    let identify = true;
    const mergeMid = defineJourney({
      meta: { ...base, id: "merge-mid", name: "Merge mid", trigger: { event: "start" } },
      run: async (user, ctx) => {
        await ctx.checkpoint("begin");
        // The person identifies while this execution runs: their email-only contact merges into u1's.
        if (user.stateId !== "explore" && identify) {
          identify = false;
          await ingest(t!.engine, { name: "identify", userId: "u1", email: "b@example.com", source: "api" });
        }
        const r = await ctx.waitForEvent({ event: "reply", timeout: days(1), label: "w" });
        await ctx.checkpoint(r.timedOut ? "timeout" : "replied");
      },
    });
    t = await testEngine({ journeys: [mergeMid] });
    await t.hs.events.send({ name: "hello", userId: "u1" });
    await t.advance(minutes(1));
    await t.hs.events.send({ name: "start", email: "b@example.com" });
    await t.hs.events.send({ name: "reply", userId: "u1" });
    await t.advance(days(2));
    const [run] = await t.runs("merge-mid");
    expect(run.timeline.filter((e) => e.kind === "checkpoint").map((e) => e.label)).toEqual(["begin", "replied"]);
  });

  it("a batch of step records that fails to land withholds the run's finish: the retry completes it, nothing sent twice", async () => {
    const j = defineJourney({
      meta: { ...base, id: "lossy", name: "Lossy", trigger: { event: "go" } },
      run: async (user, ctx) => {
        await email(user, "onboarding/enterprise-welcome");
        await ctx.checkpoint("flaky-record");
        await email(user, "onboarding/concierge-intro", { csmName: "A" });
      },
    });
    t = await testEngine({ journeys: [j] });
    // The database refuses the first batch holding the checkpoint's record, once.
    await t.engine.sql.unsafe(`
      create sequence lossy_once;
      create function lossy_once() returns trigger language plpgsql as $$
        begin if new.step_key = 'flaky-record' and nextval('lossy_once') = 1 then raise exception 'simulated write failure'; end if; return new; end $$;
      create trigger lossy_once before insert on journey_steps for each row execute function lossy_once();`);
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    await t.advance(hours(1));
    const [run] = await t.runs("lossy");
    expect(run.status).toBe("completed");
    expect((await t.engine.sql`select step_key from journey_steps where run_id = ${run.id} order by seq`).map((r) => r.step_key)).toEqual(["email:0", "flaky-record", "email:1"]);
    expect((await t.engine.sql`select count(*)::int as n from email_sends`)[0].n).toBe(2);
    expect(t.jobErrors.map((e) => String(e.error))).toEqual([expect.stringContaining("simulated write failure")]);
  });

  it("a label that cannot be a step key (too long, or with a NUL byte) fails the run at once, naming the rule", async () => {
    const j = defineJourney({
      meta: { ...base, id: "long-label", name: "Long label", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await ctx.checkpoint("x".repeat(5000));
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.events.send({ name: "go", userId: "u" });
    const [run] = await t.runs("long-label");
    expect(run.status).toBe("failed");
    expect(run.error).toContain("a label is a non-empty string of up to 200 characters");
  });

  it("a step still in flight when run() settles (a Promise.race loser, a call not awaited) finishes and is recorded first", async () => {
    const j = defineJourney({
      meta: { ...base, id: "racer-steps", name: "Race", trigger: { event: "go" } },
      run: async (user, ctx) => {
        await Promise.race([email(user, "onboarding/enterprise-welcome"), ctx.checkpoint("c")]);
        void ctx.trigger({ event: "fired" });
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    const [run] = await t.runs("racer-steps");
    expect(run.status).toBe("completed");
    expect((await t.engine.sql`select step_key from journey_steps where run_id = ${run.id} order by seq`).map((r) => r.step_key)).toEqual(["email:0", "c", "trigger:0"]);
    expect(await t.events("fired")).toHaveLength(1);
    const open = await t.engine.sql`select 1 from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`;
    expect(open).toHaveLength(0);
  });

  it("ctx.now() after a wait is the wait's resolution on every execution, even when the worker runs late", async () => {
    const j = defineJourney({
      meta: { ...base, id: "late-now", name: "Late now", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await ctx.waitForEvent({ event: "reply", timeout: days(1), label: "w" });
        await ctx.checkpoint(`at-${ctx.now().toISOString()}`);
        await ctx.sleep(hours(1), { label: "nap" });
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(minutes(30));
    const replyAt = t.clock.now().toISOString();
    await ingest(t.engine, { name: "reply", userId: "u", source: "api" });
    t.clock.set(new Date(t.clock.now().getTime() + hours(1))); // the worker is an hour late
    await t.runDue();
    await t.advance(hours(2));
    const [run] = await t.runs("late-now");
    expect([run.status, run.error]).toEqual(["completed", null]);
    expect(run.timeline.find((e) => e.kind === "checkpoint")?.label).toBe(`at-${replyAt}`);
  });

  it("ctx.now() after a sleepUntil in the past is the time the step was recorded, on every execution", async () => {
    const j = defineJourney({
      meta: { ...base, id: "past-now", name: "Past now", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await ctx.sleepUntil(new Date("2025-06-01T00:00:00Z"), { label: "past" });
        await ctx.checkpoint(`year-${ctx.now().getUTCFullYear()}`);
        await ctx.sleep(hours(1), { label: "nap" });
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(hours(2));
    const [run] = await t.runs("past-now");
    expect([run.status, run.error]).toEqual(["completed", null]);
    expect(run.timeline.find((e) => e.kind === "checkpoint")?.label).toBe(`year-${t.clock.now().getUTCFullYear()}`);
  });

  it("a journey that throws is retried, then failed with the error kept; other runs go on", async () => {
    let attempts = 0;
    const flaky = defineJourney({
      meta: { ...base, id: "flaky", name: "Flaky", trigger: { event: "go" } },
      run: async (user) => {
        if (user.id === "bad") {
          attempts++;
          throw new Error("boom");
        }
        await email(user, "onboarding/enterprise-welcome");
      },
    });
    t = await testEngine({ journeys: [flaky] });
    await t.hs.events.send({ name: "go", userId: "bad", email: "bad@example.com" });
    await t.hs.events.send({ name: "go", userId: "good", email: "good@example.com" });
    await t.advance(hours(1));
    const runs = await t.runs("flaky");
    const bad = runs.find((r) => r.status === "failed")!;
    expect(bad.error).toBe("boom");
    expect(bad.timeline.at(-1)).toMatchObject({ kind: "failed", detail: { error: "boom" } });
    expect(attempts).toBe(4);
    expect(runs.filter((r) => r.status === "completed")).toHaveLength(1);
  });

  it("a parked run resumes in a new engine process on the same database", async () => {
    t = await testEngine({ journeys: [waiter] });
    await t.hs.events.send({ name: "start", userId: "u1", email: "u1@example.com" });
    const { createEngine } = await import("../engine.js");
    const second = await createEngine({ databaseUrl: t.databaseUrl, app: { journeys: [waiter] }, config: t.engine.config, clock: t.clock, log: t.engine.log, publicUrl: t.engine.publicUrl });
    try {
      await ingest(second, { name: "reply", userId: "u1", source: "api", eventProperties: { who: "Restarted" } });
      const jobs = await second.sql`select key, payload, run_at from graphile_worker._private_jobs`;
      expect(jobs).toHaveLength(1);
      const [run] = await t.runs("waiter");
      await executeRun(second, run.id);
      const sends = await second.sql`select template, props from email_sends order by created_at`;
      expect(sends.map((s) => s.template)).toEqual(["onboarding/enterprise-welcome", "onboarding/concierge-intro"]);
    } finally {
      await second.sql.end();
      await second.lockSql.end();
    }
  });

  it("the journey's suppress gap holds across its enrollments", async () => {
    const nudge = defineJourney({
      meta: { ...base, id: "nudge", name: "Nudge", trigger: { event: "go" }, suppress: hours(12) },
      run: async (user) => {
        await email(user, "onboarding/enterprise-welcome");
      },
    });
    t = await testEngine({ journeys: [nudge] });
    await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
    await t.advance(hours(1));
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(hours(12));
    await t.hs.events.send({ name: "go", userId: "u" });
    const sends = await t.engine.sql`select status, reason from email_sends order by created_at`;
    expect(sends.map((s) => s.reason ?? s.status)).toEqual(["sent", "suppress_window", "sent"]);
  });

  it("the suppress gap counts a send still queued with the provider", async () => {
    const resend = await startFakeResend({ apiKey: "re_gap" });
    try {
      const nudge = defineJourney({
        meta: { ...base, id: "nudge", name: "Nudge", trigger: { event: "go" }, suppress: hours(12) },
        run: async (user) => {
          await email(user, "onboarding/enterprise-welcome");
        },
      });
      t = await testEngine({ journeys: [nudge], config: { EMAIL_FROM: "Acme <hello@acme.test>" }, transport: createResendTransport({ apiKey: "re_gap", baseUrl: resend.url, retryBaseMs: 1, maxRetries: 0 }) });
      // The provider is down: the first send stays queued, retrying.
      resend.failNext(100, 503);
      await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
      await t.hs.events.send({ name: "go", userId: "u" });
      const sends = await t.engine.sql`select status, reason from email_sends order by created_at`;
      expect(sends.map((s) => s.status)).toEqual(["queued", "skipped"]);
      expect(sends[1].reason).toBe("suppress_window");
    } finally {
      resend.recover();
      await t?.close();
      t = undefined;
      await resend.close();
    }
  });
});

describe("a journey email to someone other than the run's contact", () => {
  const csmNote = defineJourney({
    meta: { ...base, id: "csm-note", name: "CSM note", trigger: { event: "deal.won" } },
    run: async (user, ctx) => {
      await ctx.sleep(hours(1), { label: "later" });
      await sendEmail({ to: "csm@corp.test", userId: user.id, journeyStateId: user.stateId, journeyName: user.journeyName, template: "onboarding/concierge-intro", subject: "Customer won", props: { csmName: "Sarah" } });
    },
  });

  it("follows the recipient's preferences, and its unsubscribe link unsubscribes the recipient, not the customer", async () => {
    t = await testEngine({ journeys: [csmNote] });
    await t.hs.events.send({ name: "deal.won", userId: "c1", email: "cust@acme.test" });
    await t.engine.sql`update contacts set unsubscribed_at = now() where user_id = 'c1'`;
    await t.advance(hours(2));
    expect(t.outbox.map((e) => e.to)).toEqual(["csm@corp.test"]);
    const [send] = await t.engine.sql`select headers, contact_id from email_sends`;
    expect(send.contact_id).toBeNull();
    // The one-click unsubscribe of the CSM's copy leaves the customer's own state alone.
    await t.engine.sql`update contacts set unsubscribed_at = null where user_id = 'c1'`;
    const url = /<(http[^>]+\/u\/[^>]+)>/.exec(send.headers["List-Unsubscribe"])![1];
    const res = await createHttpApp(t.engine).request(url, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBeLessThan(300);
    const [customer] = await t.engine.sql`select unsubscribed_at from contacts where user_id = 'c1'`;
    expect(customer.unsubscribed_at).toBeNull();
    const [csm] = await t.engine.sql`select unsubscribed_at from contacts where email = 'csm@corp.test'`;
    expect(csm.unsubscribed_at).not.toBeNull();
  });
});

// Template props are checked by type wherever app code sends (the typecheck in `npm test` enforces these lines).
export function templatePropsAreTyped(user: { email: string; id: string; stateId: string }, emailService: EmailService) {
  void sendEmail({ to: user.email, journeyStateId: user.stateId, template: "support/followup", subject: "s", props: { ticketId: "T-1" } });
  // @ts-expect-error: ticketId is a string
  void sendEmail({ to: user.email, journeyStateId: user.stateId, template: "support/followup", subject: "s", props: { ticketId: 1 } });
  // @ts-expect-error: csmName is required
  void sendEmail({ to: user.email, journeyStateId: user.stateId, template: "onboarding/concierge-intro", subject: "s", props: {} });
  // @ts-expect-error: not a registered template
  void sendEmail({ to: user.email, journeyStateId: user.stateId, template: "onboarding/ghost", subject: "s" });
  // @ts-expect-error: ticketId is a string, through a task's emailService too
  void emailService.send({ to: "x@example.com", template: "support/followup", props: { ticketId: 1 } });
}

describe("typed journeys", () => {
  it("a journey declares its trigger's properties: where and user.properties are typed, and it runs as any other", async () => {
    type Signup = { plan: "pro" | "enterprise"; seats: number };
    const seen: number[] = [];
    const typed = defineJourney<Signup>({
      meta: { ...base, id: "typed", name: "Typed", trigger: { event: "signup", where: (b) => b.all(b.prop("plan").eq("enterprise"), b.prop("seats").gte(10)) } },
      run: async (user) => {
        if (user.stateId !== "explore") seen.push(user.properties.seats); // start-up exploration runs the code against a probe
      },
    });
    // @ts-expect-error: "team" is not a plan
    defineJourney<Signup>({ meta: { ...base, id: "x", name: "X", trigger: { event: "signup", where: (b) => b.prop("plan").eq("team") } }, run: async () => {} });
    t = await testEngine({ journeys: [typed] });
    await t.hs.events.send({ name: "signup", userId: "a", eventProperties: { plan: "pro", seats: 50 } });
    await t.hs.events.send({ name: "signup", userId: "b", eventProperties: { plan: "enterprise", seats: 40 } });
    expect(seen).toEqual([40]);
  });

  it("a journey declares its exit events' properties: each exitOn rule's event and where are checked, and exits work as any other", async () => {
    type Exits = { "meeting.booked": { source: "calendly" | "hubspot" }; "account.closed": { reason: string } };
    const typed = defineJourney<{ plan: string }, Exits>({
      meta: {
        ...base, id: "typed-exit", name: "Typed exit", trigger: { event: "signup" },
        exitOn: [{ event: "meeting.booked", where: (b) => b.prop("source").eq("calendly") }, { event: "account.closed" }],
      },
      run: async (_user, ctx) => {
        await ctx.sleep(days(1), { label: "nap" });
      },
    });
    // @ts-expect-error: "zoom" is not a source of meeting.booked
    defineJourney<{ plan: string }, Exits>({ meta: { ...base, id: "x", name: "X", trigger: { event: "signup" }, exitOn: [{ event: "meeting.booked", where: (b) => b.prop("source").eq("zoom") }] }, run: async () => {} });
    // @ts-expect-error: "meeting.cancelled" is not a declared exit event
    defineJourney<{ plan: string }, Exits>({ meta: { ...base, id: "y", name: "Y", trigger: { event: "signup" }, exitOn: [{ event: "meeting.cancelled" }] }, run: async () => {} });
    // A journey with declared exits is still a journey of any shape, as apps and helpers hold them.
    const any: JourneyDefinition<any>[] = [typed];
    t = await testEngine({ journeys: any });
    await t.hs.events.send({ name: "signup", userId: "a" });
    await t.hs.events.send({ name: "signup", userId: "b" });
    await t.hs.events.send({ name: "meeting.booked", userId: "a", eventProperties: { source: "hubspot" } });
    await t.hs.events.send({ name: "meeting.booked", userId: "b", eventProperties: { source: "calendly" } });
    const runs = await t.engine.sql`select c.user_id, r.status from journey_runs r join contacts c on c.id = r.contact_id order by c.user_id`;
    expect(runs.map((r) => `${r.user_id}:${r.status}`)).toEqual(["a:sleeping", "b:exited"]);
  });
});

describe("createTestEngine", () => {
  it("takes the app's own templates and renders them for the journeys under test", async () => {
    const receipt: TemplateDefinition<{ amount: number }> = {
      key: "billing/receipt",
      component: ({ amount }) => createElement("p", null, `You paid $${amount}.`),
      category: "transactional",
      defaultSubject: "Your receipt",
      props: z.object({ amount: z.number() }),
      sampleProps: { amount: 1 },
    };
    const billing = defineJourney({
      meta: { ...base, id: "billing", name: "Billing", trigger: { event: "paid" } },
      run: async (user) => {
        await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, journeyName: user.journeyName, template: "billing/receipt", subject: "Receipt", props: { amount: 42 } });
      },
    });
    t = await testEngine({ journeys: [billing], templates: [receipt] });
    await t.hs.events.send({ name: "paid", userId: "u", email: "u@example.com" });
    expect(t.outbox.map((e) => [e.template, e.subject, e.props])).toEqual([["billing/receipt", "Receipt", { amount: 42 }]]);
    expect(t.outbox[0].html).toContain("You paid $42.");
    await t.close();

    // A changed definition of the key, same props: the email is the new one, not a cached render of the old.
    const reworded = { ...receipt, component: ({ amount }: { amount: number }) => createElement("p", null, `Thanks for your $${amount}.`) };
    t = await testEngine({ journeys: [billing], templates: [reworded] });
    await t.hs.events.send({ name: "paid", userId: "u", email: "u@example.com" });
    expect(t.outbox[0].html).toContain("Thanks for your $42.");
    await t.close();

    // Closed engines take their templates with them: without the template, the journey fails start-up.
    t = undefined;
    await expect(testEngine({ journeys: [billing] })).rejects.toThrow(/journey "billing".*"billing\/receipt" is not a registered template/);

    // Engines open at once, closed in the order they opened: the second keeps its template until it closes.
    const first = await testEngine({ journeys: [billing], templates: [receipt] });
    const second = await testEngine({ journeys: [billing], templates: [reworded] });
    await first.close();
    await second.hs.events.send({ name: "paid", userId: "u", email: "u@example.com" });
    expect(second.outbox[0].html).toContain("Thanks for your $42.");
    await second.close();
    expect(getTemplate("billing/receipt")).toBeUndefined();
  });
});

describe("tasks", () => {
  it("runs a task once per event with the seeds' input shape, retrying on failure", async () => {
    const seen: unknown[] = [];
    let failures = 1;
    const task = defineTask({
      name: "echo",
      onEvents: ["thing.happened"],
      retries: 2,
      executionTimeout: "1m",
      fn: async (input) => {
        if (failures-- > 0) throw new Error("transient");
        seen.push(input);
      },
    });
    t = await testEngine({ tasks: [task] });
    await t.hs.events.send({ name: "thing.happened", userId: "u9", email: "u9@example.com", eventProperties: { a: 1 } });
    await t.advance(minutes(1));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ event: "thing.happened", userId: "u9", userEmail: "u9@example.com", properties: { a: 1 } });
    expect((seen[0] as { eventId: string }).eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("an attempt over executionTimeout fails, aborts fn's signal, and is retried", async () => {
    const attempts: { attempt: number; aborted: string | null }[] = [];
    const slow = defineTask({
      name: "slow",
      onEvents: ["thing.happened"],
      retries: 1,
      executionTimeout: "50ms",
      fn: async (_input, ctx) => {
        const entry = { attempt: ctx.attempt, aborted: null as string | null };
        attempts.push(entry);
        if (ctx.attempt > 1) return;
        // The first attempt hangs until its signal says the time is up.
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
        entry.aborted = (ctx.signal.reason as Error).message;
      },
    });
    t = await testEngine({ tasks: [slow] });
    await t.hs.events.send({ name: "thing.happened", userId: "u", email: "u@example.com" });
    await t.advance(minutes(5));
    expect(attempts).toEqual([
      { attempt: 1, aborted: 'task "slow" exceeded its executionTimeout' },
      { attempt: 2, aborted: null },
    ]);
    expect(t.jobErrors.map((e) => String((e.error as Error).message))).toEqual(['task "slow" exceeded its executionTimeout']);
  });
});

