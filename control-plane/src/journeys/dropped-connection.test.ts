import { afterEach, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { hours } from "../duration.js";
import { defineJourney } from "./define.js";
import { sendEmail } from "./send-email.js";
import { executeRun } from "./executor.js";
import { ingest } from "../ingest/ingest.js";
import type { EmailTransport } from "../mail/transports/types.js";

let t: TestEngine | undefined;
const uncaught: unknown[] = [];
const collect = (error: unknown) => uncaught.push(error);
process.on("uncaughtException", collect);
afterEach(async () => {
  await t?.close();
  t = undefined;
  process.off("uncaughtException", collect);
});

it("the run's connection dropped by the database mid-execution (a failover): the execution fails cleanly, the retry completes it, one email", async () => {
  const provider: string[] = [];
  const transport: EmailTransport = {
    name: "edge",
    async send(email) {
      provider.push(email.idempotencyKey);
      // While the provider call is in flight, the database drops the connection holding the run's lock.
      if (provider.length === 1)
        await t!.engine.sql`select pg_terminate_backend(pid) from pg_locks
          where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`;
      return { ok: true, providerId: `p-${email.idempotencyKey}` };
    },
  };
  const journey = defineJourney({
    meta: { id: "drop", name: "Drop", enabled: true, entryLimit: "unlimited", suppress: 0, trigger: { event: "go" } },
    run: async (user, ctx) => {
      await ctx.checkpoint("before");
      await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: "onboarding/enterprise-welcome", subject: "hi" });
      await ctx.checkpoint("after");
    },
  });
  t = await testEngine({ journeys: [journey], transport });
  await ingest(t.engine, { name: "go", userId: "u", email: "u@example.com", source: "api" });
  const [{ id }] = await t.engine.sql`select id from journey_runs`;
  const outcome = await Promise.race([
    executeRun(t.engine, id).then((o) => o, (e: Error) => `error: ${e.message}`),
    new Promise((r) => setTimeout(() => r("hung"), 10_000)),
  ]);
  expect(outcome).toMatch(/^error: .*CONNECTION_CLOSED|^error: .*terminat/);
  expect(uncaught).toEqual([]);
  // The job's retry, on a healthy connection: the run completes and the email is not sent again.
  expect(await executeRun(t.engine, id)).toBe("completed");
  expect((await t.runs("drop"))[0].timeline.map((e) => e.label ?? e.kind)).toEqual(["entry", "before", "onboarding/enterprise-welcome", "after", "completed"]);
  expect(new Set(provider).size).toBe(1);
  // The pool the lock connections come from still serves executions.
  await ingest(t.engine, { name: "go", userId: "v", email: "v@example.com", source: "api" });
  const [next] = await t.engine.sql`select r.id from journey_runs r join contacts c on c.id = r.contact_id where c.user_id = 'v'`;
  expect(await executeRun(t.engine, next.id)).toBe("completed");
}, 30_000);
