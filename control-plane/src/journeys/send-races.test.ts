import { afterEach, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { days, hours } from "../duration.js";
import { defineJourney } from "./define.js";
import { sendEmail, type SendEmailArgs } from "./send-email.js";
import { executeRun } from "./executor.js";
import { ingest } from "../ingest/ingest.js";

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const base = { enabled: true, entryLimit: "unlimited" as const, suppress: 0, trigger: { event: "go" } };

it("an exit that lands while an email step is on its way to being recorded: no email after the exit", async () => {
  const late = defineJourney({
    meta: { ...base, id: "late", name: "Late", exitOn: [{ event: "stop" }] },
    run: async (user, ctx) => {
      await ctx.sleep(hours(1), { label: "nap" });
      await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: "onboarding/enterprise-welcome", subject: "hi" });
    },
  });
  t = await testEngine({ journeys: [late] });
  await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
  const [run] = await t.runs("late");
  t.clock.set(new Date(t.clock.now().getTime() + hours(1)));
  let execution!: Promise<unknown>;
  let exiting!: ReturnType<typeof ingest>;
  let exitSettledMidSend = false;
  await t.engine.sql.begin(async (tx) => {
    // Holds the send's insert (not its reads) past the step's first liveness check, as a slow render would.
    await tx`lock table email_sends in share mode`;
    execution = executeRun(t!.engine, run.id);
    for (let i = 0; i < 200; i++) {
      const waiting = await t!.engine.sql`select 1 from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'email_sends' and not l.granted`;
      if (waiting.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    exiting = ingest(t!.engine, { name: "stop", userId: "u", source: "api" });
    exiting.then(() => (exitSettledMidSend = true), () => (exitSettledMidSend = true));
    await new Promise((r) => setTimeout(r, 300));
  });
  // The send held the contact's lock from its check to its record, so the exit waited for it: the email was
  // recorded while the run was live, never after an exit.
  expect(exitSettledMidSend).toBe(false);
  const exit = await exiting;
  await execution;
  await t.advance(days(1));
  expect(t.outbox.map((e) => e.template)).toEqual(["onboarding/enterprise-welcome"]);
  // Then the exit and the run's completion race, and either order is consistent.
  const exited = exit.exits.some((e) => e.exited);
  expect((await t.runs("late"))[0].status).toBe(exited ? "exited" : "completed");
});

it("the suppress gap holds per recipient when runs of the journey send to it at once", async () => {
  // Each signup's run copies the CSM; suppress: hours(12) allows one of this journey's emails to the CSM per 12 hours.
  const csmCopy = defineJourney({
    meta: { ...base, id: "csm-copy", name: "CSM copy", suppress: hours(12) },
    run: async (user) => {
      await sendEmail({ to: "csm@example.com", journeyStateId: user.stateId, journeyName: user.journeyName, template: "onboarding/enterprise-welcome", subject: `signup ${user.id}` } as SendEmailArgs);
    },
  });
  t = await testEngine({ journeys: [csmCopy] });
  const sentPerRound: number[] = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 8; i++) await ingest(t.engine, { name: "go", userId: `r${round}u${i}`, source: "api" });
    const runs = await t.engine.sql`select id from journey_runs where status = 'running'`;
    // A worker with concurrency above one.
    expect(await Promise.all(runs.map((r) => executeRun(t!.engine, r.id)))).toEqual(runs.map(() => "completed"));
    const [{ n }] = await t.engine.sql`select count(*)::int as n from email_sends where status <> 'skipped' and created_at >= ${t.clock.now()}`;
    sentPerRound.push(n);
    t.clock.set(new Date(t.clock.now().getTime() + hours(13)));
  }
  expect(sentPerRound).toEqual([1, 1, 1, 1]);
  const skipped = await t.engine.sql`select reason from email_sends where status = 'skipped'`;
  expect(skipped.map((s) => s.reason)).toEqual(Array(28).fill("suppress_window"));
});

it("ctx.guard.isSubscribed with a category that is not a list fails the run, as sendEmail would", async () => {
  const typo = defineJourney({
    meta: { ...base, id: "typo", name: "Typo" },
    run: async (_user, ctx) => {
      if (await ctx.guard.isSubscribed("product-update")) await ctx.checkpoint("guard-passed");
    },
  });
  t = await testEngine({ journeys: [typo] });
  await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
  const [run] = await t.runs("typo");
  expect(run.status).toBe("failed");
  expect(run.error).toBe('guard.isSubscribed: "product-update" is not a list or category');
});
