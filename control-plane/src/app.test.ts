import { describe, expect, it } from "vitest";
import { AppDefinitionError, checkJourneyCode, compileApp } from "./app.js";
import { defineJourney } from "./journeys/define.js";
import { sendEmail } from "./journeys/send-email.js";
import { defineList } from "./audiences/lists.js";
import { days, hours } from "./duration.js";
import { templateKeys } from "./mail/templates.js";
import { app as defaultApp } from "../app/index.js";

const meta = { id: "j", name: "J", enabled: true, trigger: { event: "go" }, entryLimit: "once" as const, suppress: hours(1) };
const run = async () => {};
const compile = (journeys: any[], lists: any[] = []) => compileApp({ journeys, lists }, templateKeys());

describe("start-up checks of app definitions", () => {
  it("names the journey and the field of an invalid definition", () => {
    expect(() => compile([{ meta, run }, { meta, run }])).toThrow('journey "j": meta.id is defined twice');
    expect(() => compile([{ meta: { ...meta, suppress: undefined }, run }])).toThrow('journey "j": meta.suppress is required');
    // hours(Number(process.env.UNSET)) is NaN: it would turn the gap off without a word.
    expect(() => compile([{ meta: { ...meta, suppress: hours(Number(undefined)) }, run }])).toThrow('journey "j": meta.suppress is required');
    expect(() => compile([{ meta: { ...meta, entryLimit: "once_per_period" }, run }])).toThrow('journey "j": meta.entryPeriod is required');
    expect(() => compile([{ meta: { ...meta, trigger: {} }, run }])).toThrow('journey "j": meta.trigger.event is required');
    expect(() => compile([{ meta: { ...meta, templates: ["nope/missing"] }, run }])).toThrow(AppDefinitionError);
  });

  it("names the task and the field of an invalid task: options that would fail every attempt fail start-up", () => {
    const task = { name: "t", onEvents: ["go"], fn: async () => {} };
    const tasks = (t: any) => compileApp({ tasks: [t] }, templateKeys());
    expect(() => tasks({ ...task, executionTimeout: "1d" })).toThrow('task "t": executionTimeout "1d" must look like "30s", "15m", "1h" or "1h30m"');
    expect(() => tasks({ ...task, executionTimeout: 0 })).toThrow('task "t": executionTimeout 0 must be a positive number of milliseconds');
    // Past 4 hours graphile-worker takes the job back and runs it again (and Node's timers cap near 596 hours).
    expect(() => tasks({ ...task, executionTimeout: "600h" })).toThrow('task "t": executionTimeout "600h" is over 4h');
    expect(() => tasks({ ...task, executionTimeout: 5 * 3_600_000 })).toThrow('task "t": executionTimeout 18000000 is over 4h');
    expect(tasks({ ...task, executionTimeout: "4h" }).tasks.get("t")).toBeDefined();
    expect(() => tasks({ ...task, retries: -1 })).toThrow('task "t": retries must be a whole number from 0 to 100');
    expect(() => tasks({ ...task, retries: 1.5 })).toThrow('task "t": retries must be a whole number');
    expect(() => tasks({ ...task, onEvents: [""] })).toThrow('task "t": onEvents must be event names');
    expect(() => compileApp({ tasks: [task, task] }, templateKeys())).toThrow('task "t": name is defined twice');
    expect(tasks({ ...task, executionTimeout: "1h30m", retries: 3 }).tasks.get("t")).toBeDefined();
  });

  it("finds an unknown template in any branch, even behind a constant", async () => {
    const Templates = { GHOST: "onboarding/ghost" };
    const journey = defineJourney({
      meta,
      run: async (user, ctx) => {
        const r = await ctx.waitForEvent({ event: "x", timeout: days(1) });
        if (r.timedOut) return;
        await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: Templates.GHOST as never, subject: "s" });
      },
    });
    const registry = compile([journey]);
    await expect(checkJourneyCode(registry, templateKeys())).rejects.toThrow('journey "j": template "onboarding/ghost" is not a registered template');
  });

  it("warns when a journey does something after receiving an event it also exits on, not when that branch returns", async () => {
    const Events = { VERIFIED: "user.email_verified" };
    const goesOn = defineJourney({
      meta: { ...meta, id: "goes-on", exitOn: [{ event: Events.VERIFIED }] },
      run: async (_user, ctx) => {
        const r = await ctx.waitForEvent({ event: Events.VERIFIED, timeout: days(1) });
        if (!r.timedOut) await ctx.checkpoint("verified");
      },
    });
    const returns = defineJourney({
      meta: { ...meta, id: "returns", exitOn: [{ event: Events.VERIFIED }] },
      run: async (_user, ctx) => {
        const r = await ctx.waitForEvent({ event: Events.VERIFIED, timeout: days(1) });
        if (!r.timedOut) return;
        await ctx.checkpoint("timed out");
      },
    });
    const registry = compile([goesOn, returns]);
    await checkJourneyCode(registry, templateKeys());
    expect(registry.warnings).toEqual([expect.stringMatching(/journey "goes-on" waits for "user.email_verified", also exits on it, and has steps after/)]);
  });

  it("the default app passes without warnings (its verification chase returns when the exit event arrives)", async () => {
    const registry = compileApp(defaultApp, templateKeys());
    await checkJourneyCode(registry, templateKeys());
    expect(registry.warnings).toEqual([]);
    expect(registry.shapes.get("concierge-onboarding")!.labels.map((l) => l.label)).toEqual(
      ["csm-paged", "await-csm", "csm-repaged", "await-csm-2", "onboarding/enterprise-welcome", "onboarding/concierge-intro"],
    );
  });

  it("refuses bad list ids at start-up", () => {
    expect(() => compile([], [defineList({ id: "Bad List", name: "x", defaultOptIn: true })])).toThrow('list "Bad List": id must match');
    expect(() => compile([], [defineList({ id: "transactional", name: "x", defaultOptIn: true })])).toThrow("reserved");
  });
});
