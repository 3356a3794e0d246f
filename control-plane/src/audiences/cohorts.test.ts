import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import { startFakePostHog, type FakePostHog } from "../../test/fakes/posthog.js";
import type { TestEngine } from "../testing/index.js";
import { defineBucket } from "./buckets.js";
import { syncCohortBucket } from "./cohorts.js";

let ph: FakePostHog;
let t: TestEngine | undefined;
beforeAll(async () => {
  ph = await startFakePostHog({ personalApiKey: "phx_cohort" });
});
afterAll(() => ph.close());
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const person = (n: number) => ({ uuid: `0194f3a2-0000-7000-8000-${String(n).padStart(12, "0")}`, distinct_ids: [`user_${n}`], properties: { email: `u${n}@example.com` } });

describe("PostHog cohort buckets", () => {
  it("syncs members page by page into joins and leaves, and skips an unchanged cohort", async () => {
    const beta = defineBucket({ id: "beta", posthogCohort: 42 });
    t = await testEngine({ buckets: [beta], config: { POSTHOG_PERSONAL_API_KEY: "phx_cohort", POSTHOG_PROJECT_ID: "12345", POSTHOG_API_HOST: ph.url } });
    for (let n = 1; n <= 700; n++) await t.engine.sql`insert into contacts (user_id, email, created_at, updated_at) values (${"user_" + n}, ${"u" + n + "@example.com"}, now(), now())`;
    ph.setCohort(42, Array.from({ length: 650 }, (_, i) => person(i + 1)), "2026-01-05T10:00:00Z");
    expect(await syncCohortBucket(t.engine, beta)).toEqual({ skipped: false, entered: 650, left: 0 });
    // Two pages of 500 were read.
    expect(ph.requests.filter((r) => r.path.endsWith("/persons/")).length).toBe(2);
    expect(await syncCohortBucket(t.engine, beta)).toEqual({ skipped: "unchanged", entered: 0, left: 0 });
    ph.setCohort(42, [...Array.from({ length: 600 }, (_, i) => person(i + 1)), person(690)], "2026-01-05T11:00:00Z");
    expect(await syncCohortBucket(t.engine, beta)).toEqual({ skipped: false, entered: 1, left: 50 });
    expect(await t.events("bucket.left")).toHaveLength(50);
    expect((await t.engine.sql`select count(*)::int as n from bucket_memberships where bucket_id = 'beta'`)[0].n).toBe(601);
  });
});
