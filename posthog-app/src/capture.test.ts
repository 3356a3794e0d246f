import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostHog } from "posthog-node";
import { startFakePostHog, type FakePostHog } from "../../control-plane/test/fakes/posthog.js";

let ph: FakePostHog;
beforeAll(async () => {
  ph = await startFakePostHog();
});
afterAll(() => ph.close());

describe("the fake PostHog's capture endpoint", () => {
  for (const disableCompression of [false, true]) {
    it(`receives posthog-node batches (${disableCompression ? "plain" : "gzipped"}) with distinct_id, uuid and properties`, async () => {
      const client = new PostHog("phc_test", { host: ph.url, flushAt: 1, flushInterval: 0, disableCompression });
      const uuid = crypto.randomUUID();
      client.capture({ distinctId: "user_8f3k2", event: "email.sent", properties: { template: "support/followup" }, uuid });
      await client.shutdown();
      const event = ph.captured.find((e) => e.uuid === uuid);
      expect(event).toMatchObject({ event: "email.sent", distinct_id: "user_8f3k2", api_key: "phc_test", properties: { template: "support/followup" } });
    });
  }
});
