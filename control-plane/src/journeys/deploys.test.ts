import { afterEach, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { days, hours } from "../duration.js";
import { defineJourney } from "./define.js";
import { sendEmail, type SendEmailArgs } from "./send-email.js";
import type { JourneyDefinition } from "./types.js";

// A deploy that changes a journey's code under a run parked on a wait that has not resolved yet.
let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const mail = (user: { email: string; id: string; stateId: string; journeyName: string }, template: string) =>
  sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, journeyName: user.journeyName, template, subject: "s", props: { csmName: "x" } } as SendEmailArgs);

const before = defineJourney({
  meta: { enabled: true, entryLimit: "unlimited", suppress: 0, id: "dep", name: "Dep", trigger: { event: "go" } },
  run: async (user, ctx) => {
    await ctx.checkpoint("a");
    await ctx.waitForEvent({ event: "x", timeout: days(1), label: "w" });
    await mail(user, "onboarding/enterprise-welcome");
  },
});

/** Enter and park on wait "w", then deploy new code for the journey. */
async function parkThenDeploy(run: JourneyDefinition["run"]) {
  t = await testEngine({ journeys: [before] });
  await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
  t.engine.registry.journeys.set("dep", { ...t.engine.registry.journeys.get("dep")!, run });
}

async function state() {
  const [run] = await t!.runs("dep");
  const waits = await t!.engine.sql`select step_key, status from journey_waits where run_id = ${run.id} order by created_at`;
  return { status: run.status, error: run.error, sent: t!.outbox.map((e) => e.template), waits: waits.map((w) => `${w.step_key}:${w.status}`), run };
}

it("a new email put before the parked wait diverges, naming the wait, and sends nothing", async () => {
  await parkThenDeploy(async (user, ctx) => {
    await ctx.checkpoint("a");
    await mail(user, "onboarding/concierge-intro");
    await ctx.waitForEvent({ event: "x", timeout: days(1), label: "w" });
    await mail(user, "onboarding/enterprise-welcome");
  });
  await t!.advance(hours(5));
  await t!.hs.events.send({ name: "x", userId: "u" });
  expect(await state()).toMatchObject({ status: "diverged", error: expect.stringMatching(/step "w"/), sent: [] });
});

it("a parked wait's label renamed diverges, naming the stored wait, and the wait is cancelled", async () => {
  await parkThenDeploy(async (user, ctx) => {
    await ctx.checkpoint("a");
    await ctx.waitForEvent({ event: "x", timeout: days(1), label: "w2" });
    await mail(user, "onboarding/enterprise-welcome");
  });
  await t!.advance(days(1));
  expect(await state()).toMatchObject({ status: "diverged", error: expect.stringMatching(/step "w"/), sent: [], waits: ["w:cancelled"] });
});

it("a parked wait dropped from the code diverges (the code ends before reaching it)", async () => {
  await parkThenDeploy(async (user, ctx) => {
    await ctx.checkpoint("a");
    await mail(user, "onboarding/enterprise-welcome");
  });
  await t!.advance(days(1));
  expect(await state()).toMatchObject({ status: "diverged", sent: [], waits: ["w:cancelled"] });
});

it("a run that diverges while parked on a wait has the wait cancelled, and the timeline says so", async () => {
  await parkThenDeploy(async (_user, ctx) => {
    await ctx.checkpoint("a");
    await ctx.waitForEvent({ event: "y", timeout: days(1), label: "w" });
  });
  await t!.advance(days(1));
  const { run, ...rest } = await state();
  expect(rest).toMatchObject({ status: "diverged", waits: ["w:cancelled"] });
  expect(run.timeline.find((e) => e.kind === "wait")?.detail.outcome).toBe("diverged");
});

it("steps added after the parked wait are allowed: the run goes on with them", async () => {
  await parkThenDeploy(async (user, ctx) => {
    await ctx.checkpoint("a");
    await ctx.waitForEvent({ event: "x", timeout: days(1), label: "w" });
    await mail(user, "onboarding/enterprise-welcome");
    await ctx.checkpoint("new-at-the-end");
  });
  await t!.hs.events.send({ name: "x", userId: "u" });
  const { run, ...rest } = await state();
  expect(t!.jobErrors.map((e) => String(e.error))).toEqual([]);
  expect(rest).toMatchObject({ status: "completed", sent: ["onboarding/enterprise-welcome"], waits: ["w:matched"] });
  expect(run.timeline.some((e) => e.label === "new-at-the-end")).toBe(true);
  expect(t!.jobErrors).toEqual([]);
});

it("unchanged code with a wait in one Promise.all branch replays without diverging, however the branches interleaved live", async () => {
  const branches = defineJourney({
    meta: { enabled: true, entryLimit: "unlimited", suppress: 0, id: "p", name: "P", trigger: { event: "go" } },
    run: async (user, ctx) => {
      await Promise.all([
        (async () => {
          await mail(user, "onboarding/enterprise-welcome");
          await ctx.waitForEvent({ event: "x", timeout: days(1), label: "w" });
          await ctx.checkpoint("a2");
        })(),
        (async () => {
          await ctx.checkpoint("b1");
          await ctx.checkpoint("b2");
          await mail(user, "onboarding/concierge-intro");
          await ctx.checkpoint("b3");
        })(),
      ]);
    },
  });
  t = await testEngine({ journeys: [branches] });
  await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
  await t.advance(hours(1));
  await t.hs.events.send({ name: "x", userId: "u" });
  const [run] = await t.runs("p");
  expect({ status: run.status, error: run.error }).toEqual({ status: "completed", error: null });
});
