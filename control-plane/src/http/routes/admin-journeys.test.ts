import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../test/harness.js";
import { defineJourney } from "../../journeys/define.js";
import { executeRun } from "../../journeys/executor.js";
import { days } from "../../duration.js";
import { mergeContacts, softDeleteContact } from "../../identity/contacts.js";

const journey = defineJourney({
  meta: { id: "admin-demo", name: "Admin demo", enabled: true, trigger: { event: "demo.start" }, entryLimit: "unlimited", suppress: 0 },
  run: async (_user, ctx) => {
    await ctx.checkpoint("entered");
    await ctx.waitForEvent({ event: "demo.reply", timeout: days(2), label: "await-reply" });
  },
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ app: { journeys: [journey] } });
});
afterAll(() => h.close());

async function startRun(userId: string) {
  await h.request("POST", "/v1/events", { name: "demo.start", userId, email: `${userId}@example.com` }, { key: h.keys.ingest });
  const [run] = await h.engine.sql`select r.id from journey_runs r join contacts c on c.id = r.contact_id where c.user_id = ${userId}`;
  await executeRun(h.engine, run.id);
  return run.id as string;
}

describe("journeys admin API", () => {
  it("lists journeys with run counts per status, and a journey's runs", async () => {
    const runId = await startRun("a1");
    const list = await h.request("GET", "/v1/admin/journeys", undefined, { key: h.keys.read });
    expect(list.body.journeys).toMatchObject([{ id: "admin-demo", enabled: true, runs: { waiting: 1, completed: 0 } }]);
    const runs = await h.request("GET", "/v1/admin/journeys/admin-demo/runs?status=waiting", undefined, { key: h.keys.read });
    expect(runs.body.runs.map((r: { id: string }) => r.id)).toEqual([runId]);
    expect(runs.body.runs[0]).toMatchObject({ status: "waiting", parkedAt: "await-reply", contact: { userId: "a1" } });
  });

  it("shows a run's timeline: entry, checkpoint, the wait and its outcome", async () => {
    const runId = await startRun("a2");
    await h.request("POST", "/v1/events", { name: "demo.reply", userId: "a2" }, { key: h.keys.ingest });
    await executeRun(h.engine, runId);
    const run = await h.request("GET", `/v1/admin/runs/${runId}`, undefined, { key: h.keys.read });
    expect(run.body.status).toBe("completed");
    expect(run.body.timeline.map((e: { kind: string; label: string | null }) => `${e.kind}:${e.label ?? ""}`)).toEqual([
      "entry:", "checkpoint:entered", "wait:await-reply", "completed:",
    ]);
    expect(run.body.timeline[2].detail).toMatchObject({ event: "demo.reply", outcome: "event" });
  });

  it("cancels a live run (journey-admin), refusing read keys and a second cancel", async () => {
    const runId = await startRun("a3");
    expect((await h.request("POST", `/v1/admin/runs/${runId}/cancel`, undefined, { key: h.keys.read })).status).toBe(403);
    const cancelled = await h.request("POST", `/v1/admin/runs/${runId}/cancel`, undefined, { key: h.keys["journey-admin"] });
    expect(cancelled.body).toEqual({ id: runId, status: "cancelled" });
    expect((await h.request("POST", `/v1/admin/runs/${runId}/cancel`, undefined, { key: h.keys["journey-admin"] })).status).toBe(409);
    const [job] = await h.engine.sql`select count(*)::int as n from graphile_worker._private_jobs where key = ${"run:" + runId}`;
    expect(job.n).toBe(0);
  });

  it("disables and enables a journey: disabled journeys take no new entries", async () => {
    await h.request("POST", "/v1/admin/journeys/admin-demo/disable", undefined, { key: h.keys["journey-admin"] });
    await h.request("POST", "/v1/events", { name: "demo.start", userId: "a4" }, { key: h.keys.ingest });
    const [skip] = await h.engine.sql`select reason from journey_enrollments e join contacts c on c.id = e.contact_id where c.user_id = 'a4'`;
    expect(skip.reason).toBe("disabled");
    const enabled = await h.request("POST", "/v1/admin/journeys/admin-demo/enable", undefined, { key: h.keys["journey-admin"] });
    expect(enabled.body.enabled).toBe(true);
  });

  it("a run's timeline says how a wait cut short ended: with an operator's cancel, not an exit", async () => {
    const runId = await startRun("a8");
    await h.request("POST", `/v1/admin/runs/${runId}/cancel`, undefined, { key: h.keys["journey-admin"] });
    const run = await h.request("GET", `/v1/admin/runs/${runId}`, undefined, { key: h.keys.read });
    expect(run.body.timeline.find((e: { kind: string }) => e.kind === "wait").detail).toMatchObject({ status: "cancelled", outcome: "cancelled" });
  });

  it("an operator can enroll by hand into a disabled journey, which events do not enter", async () => {
    await h.request("POST", "/v1/admin/journeys/admin-demo/disable", undefined, { key: h.keys["journey-admin"] });
    try {
      await h.request("POST", "/v1/events", { name: "demo.start", userId: "a9", email: "a9@example.com" }, { key: h.keys.ingest });
      const r = await h.request("POST", "/v1/admin/journeys/admin-demo/enroll", { userId: "a9" }, { key: h.keys["journey-admin"] });
      expect(r.status).toBe(201);
      const skips = await h.engine.sql`select reason from journey_enrollments e join contacts c on c.id = e.contact_id where c.user_id = 'a9' and decision = 'skipped'`;
      expect(skips.map((x) => x.reason)).toEqual(["disabled"]);
      const runs = await h.engine.sql`select r.id from journey_runs r join contacts c on c.id = r.contact_id where c.user_id = 'a9'`;
      expect(runs.map((x) => x.id)).toEqual([r.body.runId]);
    } finally {
      await h.request("POST", "/v1/admin/journeys/admin-demo/enable", undefined, { key: h.keys["journey-admin"] });
    }
  });

  it("enrolls a contact by hand", async () => {
    await h.request("PUT", "/v1/contacts", { userId: "a5", email: "a5@example.com" }, { key: h.keys.ingest });
    const r = await h.request("POST", "/v1/admin/journeys/admin-demo/enroll", { userId: "a5" }, { key: h.keys["journey-admin"] });
    expect(r.status).toBe(201);
    const again = await h.request("POST", "/v1/admin/journeys/admin-demo/enroll", { userId: "a5" }, { key: h.keys["journey-admin"] });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("already_running");
  });

  it("answers 404 for unknown journeys and runs", async () => {
    expect((await h.request("GET", "/v1/admin/journeys/nope", undefined, { key: h.keys.read })).status).toBe(404);
    expect((await h.request("GET", "/v1/admin/runs/not-a-uuid", undefined, { key: h.keys.read })).status).toBe(404);
    expect((await h.request("GET", "/v1/admin/runs/00000000-0000-0000-0000-000000000000", undefined, { key: h.keys.read })).status).toBe(404);
  });

  it("pages through every run, runs entered in the same millisecond included; a bad cursor is a 400 naming it", async () => {
    // Three runs with one start time, as a burst of triggers gets them.
    await h.engine.sql`
      insert into contacts (user_id, created_at, updated_at) select 'tie' || g, now(), now() from generate_series(1, 3) g`;
    await h.engine.sql`
      insert into journey_runs (journey_id, contact_id, status, trigger_properties, exit_on, started_at, updated_at)
      select 'admin-demo', id, 'completed', '{}', '[]', '2020-01-01T00:00:00Z', now() from contacts where user_id like 'tie%'`;
    const seen: string[] = [];
    let before: string | null = "2020-01-01T00:00:01Z";
    for (let page = 0; before && page < 5; page++) {
      const res = await h.request("GET", `/v1/admin/journeys/admin-demo/runs?limit=2&before=${encodeURIComponent(before)}`, undefined, { key: h.keys.read });
      expect(res.status).toBe(200);
      seen.push(...res.body.runs.map((r: { contact: { userId: string } }) => r.contact.userId));
      before = res.body.next;
    }
    expect(seen.sort()).toEqual(["tie1", "tie2", "tie3"]);
    const bad = await h.request("GET", "/v1/admin/journeys/admin-demo/runs?before=yesterday", undefined, { key: h.keys.read });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("before");
  });

  it("a manual enrollment racing a merge enrolls the survivor, and racing a delete answers 404", async () => {
    for (const id of ["m-a", "m-b", "m-c"]) await h.request("PUT", "/v1/contacts", { userId: id, email: `${id}@example.com` }, { key: h.keys.ingest });
    const [a, b, c] = await h.engine.sql`select * from contacts where user_id in ('m-a', 'm-b', 'm-c') order by user_id`;
    const enroll = (email: string) => h.request("POST", "/v1/admin/journeys/admin-demo/enroll", { email }, { key: h.keys["journey-admin"] });
    let toMerged!: ReturnType<typeof enroll>;
    let toDeleted!: ReturnType<typeof enroll>;
    // The merge and the delete hold the contacts while both enrollments wait for them.
    await h.engine.sql.begin(async (tx) => {
      await tx`select id from contacts where id in (${a.id}, ${b.id}, ${c.id}) for update`;
      toMerged = enroll("m-b@example.com");
      toDeleted = enroll("m-c@example.com");
      await new Promise((r) => setTimeout(r, 300));
      await mergeContacts(tx, a as never, b as never, new Date());
      await softDeleteContact(tx, c.id, new Date());
    });
    expect((await toMerged).status).toBe(201);
    expect((await toDeleted).status).toBe(404);
    const runs = await h.engine.sql`select c.user_id from journey_runs r join contacts c on c.id = r.contact_id where c.user_id like 'm-%'`;
    expect(runs.map((r) => r.user_id)).toEqual(["m-a"]);
  });
});
