import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/db.js";
import { closeEngine, createEngine, registerApp, type Engine } from "../engine.js";
import { loadConfig } from "../config.js";
import { silentLogger } from "../log.js";
import { ingest } from "../ingest/ingest.js";
import { defineJourney, defineTask, getContainer, sendEmail } from "../index.js";
import { createWorker } from "./create-worker.js";

const welcome = defineJourney({
  meta: { id: "worker-welcome", name: "Worker welcome", enabled: true, trigger: { event: "worker.signed_up" }, entryLimit: "once", suppress: 0 },
  run: async (user, ctx) => {
    await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, journeyName: user.journeyName, template: "onboarding/enterprise-welcome", subject: "Welcome" });
    await ctx.checkpoint("welcomed");
  },
});

// Written as the seeds write their Hatchet tasks: the email service comes from the process-wide container.
const alert = defineTask({
  name: "worker-alert",
  onEvents: ["worker.reopen_requested"],
  retries: 2,
  executionTimeout: "1m",
  fn: async (input: { userId: string; userEmail: string; properties: Record<string, unknown> }) => {
    const { emailService } = getContainer();
    const ticketId = String(input.properties.ticket_id);
    const result = await emailService.send({
      template: "transactional/support-alert",
      to: "support@example.com",
      subject: `[Reopen requested] #${ticketId}`,
      props: { ticketId, customerEmail: input.userEmail, answeredAt: "2026-11-30T09:00:00.000Z" },
      skipPreferenceCheck: true,
      idempotencyKey: `worker-alert:${input.userId}:${ticketId}`,
    });
    return { status: result.status };
  },
});

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
const config = { ...loadConfig({}), LOG_LEVEL: "silent" as const };

beforeAll(async () => {
  db = await createTestDatabase();
  // The container knows no journeys or tasks: createWorker brings them, as in the seeds.
  engine = await createEngine({ databaseUrl: db.url, app: {}, config, log: silentLogger });
});
afterAll(async () => {
  await closeEngine(engine);
  await db.drop();
});

async function until(check: () => Promise<boolean>) {
  const end = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("createWorker({ container, journeys, extraWorkflows })", () => {
  it("registers the journeys and tasks with the container's engine and runs them on the real worker", async () => {
    const worker = await createWorker({ container: { engine }, journeys: [welcome], extraWorkflows: [alert], pollInterval: 100 });
    try {
      await ingest(engine, { name: "worker.signed_up", userId: "u1", email: "ada@example.com", source: "api" });
      await ingest(engine, { name: "worker.reopen_requested", userId: "u1", source: "api", eventProperties: { ticket_id: "42" } });
      await until(async () => {
        const [{ n }] = await engine.sql`select count(*)::int as n from email_sends where status = 'sent'`;
        const [run] = await engine.sql`select status from journey_runs where journey_id = 'worker-welcome'`;
        return n === 2 && run?.status === "completed";
      });
      const sends = await engine.sql`select template, to_address, subject from email_sends order by template`;
      expect(sends).toEqual([
        { template: "onboarding/enterprise-welcome", to_address: "ada@example.com", subject: "Welcome" },
        { template: "transactional/support-alert", to_address: "support@example.com", subject: "[Reopen requested] #42" },
      ]);
    } finally {
      await worker.stop();
    }
  });

  it("a second worker given the same definitions adds nothing; another journey under a taken id fails start-up naming it", async () => {
    const again = await createWorker({ container: engine, journeys: [welcome], extraWorkflows: [alert], pollInterval: 100 });
    await again.stop();
    expect([...engine.registry.journeys.keys()]).toEqual(["worker-welcome"]);
    const impostor = defineJourney({ ...welcome, meta: { ...welcome.meta, name: "Impostor" } });
    await expect(createWorker({ container: engine, journeys: [impostor] })).rejects.toThrow('journey "worker-welcome": meta.id is defined twice');
  });

  it("registrations made at the same time are all kept, and a taken id still fails", async () => {
    const journey = (id: string) => defineJourney({ ...welcome, meta: { ...welcome.meta, id, name: id } });
    const task = (name: string) => defineTask({ ...alert, name });
    const impostor = defineJourney({ ...welcome, meta: { ...welcome.meta, name: "Impostor" } });
    const results = await Promise.allSettled([
      registerApp(engine, { journeys: [journey("a")], tasks: [task("t1")] }),
      registerApp(engine, { journeys: [journey("b")], tasks: [task("t2")] }),
      registerApp(engine, { journeys: [impostor] }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect([...engine.registry.journeys.keys()].sort()).toEqual(["a", "b", "worker-welcome"]);
    expect([...engine.registry.tasks.keys()].sort()).toEqual(["t1", "t2", "worker-alert"]);
    expect(engine.registry.journeys.get("worker-welcome")!.meta.name).toBe("Worker welcome");
  });
  it("a task throwing a non-Error with a NUL byte fails its attempt, and the worker goes on with other jobs", async () => {
    const ran: string[] = [];
    // As a task rethrowing a provider SDK's { error } object would.
    const throwsObject = defineTask({ name: "throws-object", onEvents: ["worker.bad"], retries: 1, fn: async () => {
      throw { message: "provider said: \u0000binary" };
    } });
    const fine = defineTask({ name: "fine", onEvents: ["worker.good"], fn: async (input: { eventId: string }) => void ran.push(input.eventId) });
    const worker = await createWorker({ container: engine, extraWorkflows: [throwsObject, fine], pollInterval: 100 });
    try {
      await ingest(engine, { name: "worker.bad", userId: "u2", source: "api" });
      await until(async () => (await engine.sql`select 1 from graphile_worker.jobs where key like 'task:throws-object:%' and attempts = 1 and locked_by is null`).length === 1);
      await ingest(engine, { name: "worker.good", userId: "u2", source: "api" });
      await until(async () => ran.length === 1);
      const [job] = await engine.sql`select last_error from graphile_worker.jobs where key like 'task:throws-object:%'`;
      expect(job.last_error).toMatch(/^provider said: .+binary$/);
      expect(job.last_error).not.toContain("\u0000");
    } finally {
      await worker.stop();
    }
  });

});
