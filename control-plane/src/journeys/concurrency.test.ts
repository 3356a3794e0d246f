import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { days, hours, minutes } from "../duration.js";
import { defineJourney } from "./define.js";
import { executeRun } from "./executor.js";
import { sendEmail, type SendEmailArgs } from "./send-email.js";
import { ingest } from "../ingest/ingest.js";
import { resolveContact } from "../identity/contacts.js";
import { createHttpApp } from "../http/app.js";

// Races inside one run's code (Promise.all / Promise.race) and between an execution and the rest of the engine.
let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const base = { enabled: true, entryLimit: "unlimited" as const, suppress: 0 };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const checkpoints = async (journeyId: string) => {
  const [run] = await t!.runs(journeyId);
  return { status: run.status, error: run.error, checkpoints: run.timeline.filter((e) => e.kind === "checkpoint").map((e) => e.label) };
};

describe("one execution at a time", () => {
  it("the run's lock is held until its final status is written: a second execution meanwhile is turned away", async () => {
    let executions = 0;
    const j = defineJourney({
      meta: { ...base, id: "unlock", name: "Unlock", trigger: { event: "go" } },
      run: async (user, ctx) => {
        if (user.stateId !== "explore") executions++;
        await ctx.checkpoint("a");
        await ctx.guard.isSubscribed(); // sends the batch holding "a": the final status then waits for it
        await sendEmail({ to: user.email, journeyStateId: user.stateId, template: "onboarding/enterprise-welcome", subject: "s" });
      },
    });
    t = await testEngine({ journeys: [j] });
    await ingest(t.engine, { name: "go", userId: "u", email: "u@example.com", source: "api" });
    const [{ id }] = await t.engine.sql`select id from journey_runs`;
    let first!: Promise<unknown>;
    let second!: Promise<unknown>;
    // Holding the run's row holds its final status back; nothing else the execution writes waits for it.
    await t.engine.sql.begin(async (tx) => {
      await tx`select id from journey_runs where id = ${id} for update`;
      first = executeRun(t!.engine, id);
      await pause(400);
      second = executeRun(t!.engine, id);
      await pause(400);
    });
    // Whichever took the lock first completes the run; the other is turned away.
    expect((await Promise.all([first, second])).sort()).toEqual(["busy", "completed"]);
    expect(executions).toBe(1);
  });

  it("an exit and a replay woken early parking on its wait do not deadlock", async () => {
    const j = defineJourney({
      meta: { ...base, id: "dl", name: "Deadlock", trigger: { event: "go" }, exitOn: [{ event: "stop" }] },
      run: async (_user, ctx) => {
        await ctx.waitForEvent({ event: "reply", timeout: days(1), label: "w" });
        await ctx.checkpoint("after");
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(hours(1));
    const [{ id }] = await t.engine.sql`select id from journey_runs`;
    let ingesting!: Promise<unknown>;
    let replaying!: Promise<unknown>;
    await t.engine.sql.begin(async (tx) => {
      await tx`select id from journey_runs where id = ${id} for update`;
      ingesting = ingest(t!.engine, { name: "stop", userId: "u", source: "api" });
      await pause(300);
      replaying = executeRun(t!.engine, id);
      await pause(1500);
    });
    const [ingested, replayed] = await Promise.all([ingesting, replaying]);
    expect(ingested).toMatchObject({ exits: [{ runId: id, exited: true }] });
    // The replay saw the exit ("stopped"), or parked just before it landed; either way the run ended exited.
    expect(["stopped", "parked"]).toContain(replayed);
    expect((await t.runs("dl"))[0].status).toBe("exited");
  });
});

describe("steps racing each other in one run", () => {
  it("ctx.now() after concurrent steps is the same on every execution", async () => {
    const j = defineJourney({
      meta: { ...base, id: "now-all", name: "Now all", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await Promise.all([ctx.waitForEvent({ event: "reply", timeout: hours(1), label: "w" }), ctx.checkpoint("c")]);
        await ctx.checkpoint(`at-${ctx.now().toISOString()}`);
        await ctx.sleep(hours(1), { label: "nap" });
      },
    });
    t = await testEngine({ journeys: [j] });
    const start = t.clock.now().getTime();
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(hours(3));
    expect(await checkpoints("now-all")).toEqual({ status: "completed", error: null, checkpoints: ["c", `at-${new Date(start + hours(1)).toISOString()}`] });
  });

  it("Promise.race of two sleeps, or of a wait and a later sleep, wakes at the earlier one", async () => {
    const twoSleeps = defineJourney({
      meta: { ...base, id: "two-sleeps", name: "Two sleeps", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await Promise.race([ctx.sleep(hours(1), { label: "short" }), ctx.sleep(hours(2), { label: "long" })]);
        await ctx.checkpoint("after");
      },
    });
    const waitThenSleep = defineJourney({
      meta: { ...base, id: "wait-sleep", name: "Wait sleep", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await Promise.race([ctx.waitForEvent({ event: "reply", timeout: hours(1), label: "w" }), ctx.sleep(hours(2), { label: "long" })]);
        await ctx.checkpoint("after");
      },
    });
    t = await testEngine({ journeys: [twoSleeps, waitThenSleep] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(minutes(90));
    expect((await checkpoints("two-sleeps")).checkpoints).toEqual(["after"]);
    expect((await checkpoints("wait-sleep")).checkpoints).toEqual(["after"]);
  });

  it("a race won by a sleep completes the run: the losing wait is cancelled, not left to park it until its deadline", async () => {
    const j = defineJourney({
      meta: { ...base, id: "race-loser", name: "Race loser", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await Promise.race([ctx.sleep(hours(1), { label: "nap" }), ctx.waitForEvent({ event: "reply", timeout: days(1), label: "w" })]);
        await ctx.checkpoint("after");
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.events.send({ name: "go", userId: "u" });
    await t.advance(hours(2));
    expect(await checkpoints("race-loser")).toEqual({ status: "completed", error: null, checkpoints: ["after"] });
    expect((await t.engine.sql`select status from journey_waits`).map((w) => w.status)).toEqual(["cancelled"]);
  });

  it("code that catches a park and goes on stays parked, and finishes when the sleep ends", async () => {
    const j = defineJourney({
      meta: { ...base, id: "swallow", name: "Swallow", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        try {
          await ctx.sleep(hours(1), { label: "nap" });
        } catch {
          // A journey that swallows errors: the park is one of them.
        }
        await ctx.checkpoint("after").catch(() => {});
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.events.send({ name: "go", userId: "u" });
    expect((await checkpoints("swallow")).status).toBe("sleeping");
    await t.advance(hours(2));
    expect(await checkpoints("swallow")).toEqual({ status: "completed", error: null, checkpoints: ["after"] });
  });

  it("a sendEmail refused after the execution ended raises no unhandled rejection", async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on("unhandledRejection", onRejection);
    try {
      const j = defineJourney({
        meta: { ...base, id: "late-mail", name: "Late mail", trigger: { event: "go" } },
        run: async (user, ctx) => {
          await ctx.checkpoint("a");
          if (user.stateId === "explore") return;
          setTimeout(() => {
            void ctx.checkpoint("late");
            void sendEmail({ to: user.email, journeyStateId: user.stateId, template: "onboarding/enterprise-welcome", subject: "s" } as SendEmailArgs);
          }, 50);
        },
      });
      t = await testEngine({ journeys: [j] });
      await t.hs.events.send({ name: "go", userId: "u", email: "u@example.com" });
      await pause(300);
      expect(rejections).toEqual([]);
      expect((await checkpoints("late-mail")).checkpoints).toEqual(["a"]);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });
});

describe("merges and identity racing a run", () => {
  it("a replay woken early whose contact is merged while it awaits the contact's lock parks on the merged contact", async () => {
    const j = defineJourney({
      meta: { ...base, id: "mv", name: "Moved", trigger: { event: "go" } },
      run: async (_user, ctx) => {
        await ctx.waitForEvent({ event: "reply", timeout: days(1), label: "w" });
        await ctx.checkpoint("after");
      },
    });
    t = await testEngine({ journeys: [j] });
    await t.hs.contacts.upsert({ email: "b@example.com" }); // older: the survivor
    await t.advance(minutes(1));
    await t.hs.events.send({ name: "go", userId: "a" });
    await t.advance(hours(1));
    const [{ id, contact_id }] = await t.engine.sql`select id, contact_id from journey_runs`;
    let replaying!: Promise<unknown>;
    await t.engine.sql.begin(async (tx) => {
      await tx`select id from contacts where id = ${contact_id} for update`;
      replaying = executeRun(t!.engine, id);
      await pause(400);
      await resolveContact(tx as never, { userId: "a", email: "b@example.com" }, t!.clock.now());
    });
    expect(await replaying).toBe("parked");
    const [run] = await t.engine.sql`select status, error from journey_runs where id = ${id}`;
    expect(run).toEqual({ status: "waiting", error: null });
    await t.hs.events.send({ name: "reply", email: "b@example.com" });
    expect((await checkpoints("mv")).checkpoints).toEqual(["after"]);
  });

  it("a two-key identify linking a contact, racing a one-key create of the same email, merges the two instead of failing", async () => {
    t = await testEngine({ journeys: [] });
    await t.hs.contacts.upsert({ userId: "u" });
    const [{ id }] = await t.engine.sql`select id from contacts where user_id = 'u'`;
    let identify!: Promise<unknown>;
    await t.engine.sql.begin(async (tx) => {
      await tx`select id from contacts where id = ${id} for update`;
      identify = ingest(t!.engine, { name: "identify", userId: "u", email: "e@example.com", source: "api" });
      await pause(300);
      await tx`insert into contacts (email, created_at, updated_at) values ('e@example.com', now(), now())`;
    });
    expect(await identify).toMatchObject({ stored: true });
    const live = await t.engine.sql`select user_id, email from contacts where merged_into is null and deleted_at is null`;
    expect(live).toEqual([{ user_id: "u", email: "e@example.com" }]);
  });

  it("a one-click unsubscribe from a mail sent before the contact merged unsubscribes the contact it became", async () => {
    t = await testEngine({ journeys: [] });
    await t.hs.contacts.upsert({ userId: "s" });
    await t.advance(minutes(1));
    await t.hs.contacts.upsert({ email: "m@example.com" });
    const sent = await t.engine.email.send({ to: "m@example.com", template: "marketing/product-update", props: { headline: "New", body: "x" } });
    const [row] = await t.engine.sql`select headers from email_sends where id = ${sent.id}`;
    const url = new URL(/<(http[^>]+)>/.exec(row.headers["List-Unsubscribe"])![1]);
    await t.hs.contacts.upsert({ userId: "s", email: "m@example.com" });
    await createHttpApp(t.engine).request(url.pathname, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect((await t.hs.contacts.find({ email: "m@example.com" }))[0].unsubscribed).toBe(true);
    const next = await t.engine.email.send({ to: "m@example.com", template: "marketing/product-update", props: { headline: "Again", body: "x" } });
    expect(next).toMatchObject({ status: "skipped" });
  });
});
