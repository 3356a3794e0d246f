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

/**
 * Start each call 300 ms apart while another transaction holds the contact's row (an ingest in flight), so
 * they meet on it; then let go and wait for them all.
 */
async function whileRowHeld(contactId: string, calls: (() => Promise<unknown>)[]) {
  const holder = await t!.engine.sql.reserve();
  await holder`begin`;
  await holder`select id from contacts where id = ${contactId} for update`;
  const started: Promise<unknown>[] = [];
  for (const call of calls) {
    started.push(call());
    await pause(300);
  }
  await holder`commit`;
  holder.release();
  await Promise.all(started);
}

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
  // The identify folds A into U (the identified one survives), the API event U into A (the older one survives).
  await whileRowHeld(u.id, [
    () => posthog("e2", "$identify", "user-42", { $anon_distinct_id: "anon-1" }),
    () => ingest(t!.engine, { name: "seen", userId: "anon-1", email: "x@example.com", source: "api" }),
  ]);
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

it("an API event linking an email to a contact that a PostHog $identify merges away meanwhile: the email and the event go to the survivor", async () => {
  t = await testEngine({});
  await posthog("e1", "page", "anon");
  await t.advance(hours(1));
  await t.hs.contacts.upsert({ userId: "u2" });
  const [anonymous] = await t.engine.sql`select id from contacts where user_id = 'anon'`;
  await whileRowHeld(anonymous.id, [
    () => posthog("e2", "$identify", "u2", { $anon_distinct_id: "anon" }),
    () => ingest(t!.engine, { name: "seen", userId: "anon", email: "e@example.com", source: "api" }),
  ]);
  const withEmail = await t.engine.sql`select user_id from contacts where email = 'e@example.com' and merged_into is null and deleted_at is null`;
  expect(withEmail.map((c) => c.user_id)).toEqual(["u2"]);
  const [seen] = await t.engine.sql`select c.user_id, c.merged_into from events e join contacts c on c.id = e.contact_id where e.name = 'seen'`;
  expect(seen).toEqual({ user_id: "u2", merged_into: null });
});

it("a merge keeps an unsubscribe the merged-away contact committed while the merge waited for its lock", async () => {
  t = await testEngine({});
  await t.hs.contacts.upsert({ userId: "u1" });
  await t.advance(hours(1));
  await t.hs.contacts.upsert({ email: "n@example.com" });
  const [loser] = await t.engine.sql`select id from contacts where email = 'n@example.com'`;
  const unsubscribing = await t.engine.sql.reserve();
  await unsubscribing`begin`;
  await unsubscribing`update contacts set unsubscribed_at = now(), updated_at = now() where id = ${loser.id}`;
  const merging = ingest(t.engine, { name: "seen", userId: "u1", email: "n@example.com", source: "api" });
  await pause(300);
  await unsubscribing`commit`;
  unsubscribing.release();
  await merging;
  const [person] = await t.engine.sql`select unsubscribed_at from contacts where user_id = 'u1' and merged_into is null`;
  expect(person.unsubscribed_at).not.toBeNull();
});
