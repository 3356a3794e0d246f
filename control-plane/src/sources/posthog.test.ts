import { afterEach, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { days, hours } from "../duration.js";
import { defineJourney } from "../journeys/define.js";
import { ingest } from "../ingest/ingest.js";
import { ingestPostHogEvent } from "./posthog.js";

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const posthog = (uuid: string, event: string, distinctId: string, properties: Record<string, unknown> = {}, person: Record<string, unknown> = {}) =>
  ingestPostHogEvent(t!.engine, { event: { uuid, event, distinct_id: distinctId, properties, timestamp: t!.clock.now().toISOString() }, person: { properties: person } });

const onboarding = defineJourney({
  meta: { id: "ob", name: "OB", enabled: true, entryLimit: "unlimited", suppress: 0, trigger: { event: "go" }, exitOn: [{ event: "stop" }] },
  run: async (_user, ctx) => {
    await ctx.sleep(days(1), { label: "nap" });
    await ctx.checkpoint("after");
  },
});

it("a PostHog $identify and an API event merging the same two contacts opposite ways leave one live contact, which exits reach", async () => {
  t = await testEngine({ journeys: [onboarding] });
  await posthog("e1", "page", "anon-1"); // A, the older contact
  await t.advance(hours(1));
  await t.hs.contacts.upsert({ userId: "user-42", email: "x@example.com" }); // U
  await t.hs.events.send({ name: "go", userId: "user-42" });
  const [u] = await t.engine.sql`select id from contacts where user_id = 'user-42'`;
  // Another ingest holds U's row while both merges start, so they meet: the identify folds A into U (the
  // identified one survives), the API event U into A (the older one survives).
  const other = await t.engine.sql.reserve();
  await other`begin`;
  await other`select id from contacts where id = ${u.id} for update`;
  const identify = posthog("e2", "$identify", "user-42", { $anon_distinct_id: "anon-1" });
  await pause(300);
  const link = ingest(t.engine, { name: "seen", userId: "anon-1", email: "x@example.com", source: "api" });
  await pause(300);
  await other`commit`;
  other.release();
  await Promise.all([identify, link]);
  const live = await t.engine.sql`select id from contacts where merged_into is null and deleted_at is null`;
  expect(live.map((c) => c.id)).toEqual([u.id]);
  const stop = await t.hs.events.send({ name: "stop", userId: "user-42" });
  expect(stop.exits).toMatchObject([{ journeyId: "ob", exited: true }]);
});

it("a redelivered PostHog event (same uuid) changes nothing: it does not bring back a deleted contact", async () => {
  t = await testEngine({});
  await posthog("same", "page", "d9", {}, { email: "d9@example.com" });
  await t.hs.contacts.delete({ userId: "d9" });
  const replay = await posthog("same", "page", "d9", {}, { email: "d9@example.com" });
  expect(replay).toMatchObject({ stored: false });
  expect(await t.engine.sql`select id from contacts where deleted_at is null`).toHaveLength(0);
});
