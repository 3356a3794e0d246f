import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePostHog, type FakePostHog } from "../../control-plane/test/fakes/posthog.js";
import { installDestination } from "./install.js";
import { createDashboard } from "./dashboard.js";
import { PostHogApiError } from "./api.js";

let ph: FakePostHog;
beforeAll(async () => {
  ph = await startFakePostHog({ personalApiKey: "phx_test" });
});
afterAll(() => ph.close());

const options = () => ({ host: ph.url, projectId: "12345", personalApiKey: "phx_test", controlPlaneUrl: "https://hogsend.example.com/v1/webhooks/posthog", secret: "whatever-secret-1234" });

describe("installDestination", () => {
  it("creates the destination, then updates the same one on a second run", async () => {
    const first = await installDestination(options());
    expect(first.action).toBe("created");
    expect(ph.hogFunctions).toHaveLength(1);
    expect(ph.hogFunctions[0]).toMatchObject({ type: "destination", enabled: true, inputs: { url: { value: "https://hogsend.example.com/v1/webhooks/posthog" }, secret: { secret: true } } });
    expect(ph.hogFunctions[0].hog).toContain("X-Hogsend-Secret");
    expect(ph.hogFunctions[0]._rawInputs.secret.value).toBe("whatever-secret-1234");

    const second = await installDestination({ ...options(), secret: "rotated-secret-5678" });
    expect(second).toMatchObject({ action: "updated", id: first.id });
    expect(ph.hogFunctions).toHaveLength(1);
    expect(ph.hogFunctions[0]._rawInputs.secret.value).toBe("rotated-secret-5678");
    expect(JSON.stringify(second.request)).not.toContain("rotated-secret-5678");
  });

  it("dry-run makes no request and redacts the secret", async () => {
    const before = ph.requests.length;
    const result = await installDestination({ ...options(), dryRun: true });
    expect(result.action).toBe("dry-run");
    expect(ph.requests.length).toBe(before);
    expect(JSON.stringify(result)).not.toContain("whatever-secret-1234");
    expect(JSON.stringify(result)).not.toContain("phx_test");
  });

  it("surfaces PostHog's error with its status and detail", async () => {
    const error = await installDestination({ ...options(), personalApiKey: "phx_wrong" }).catch((e) => e);
    expect(error).toBeInstanceOf(PostHogApiError);
    expect(error).toMatchObject({ status: 401, detail: "Incorrect authentication credentials." });
  });
});

describe("createDashboard", () => {
  it("creates the dashboard and its insights once", async () => {
    const created = await createDashboard({ host: ph.url, projectId: "12345", personalApiKey: "phx_test" });
    expect(created.created).toBe(true);
    expect(ph.insights.map((i) => i.name)).toEqual(["Emails sent by template", "Email funnel: sent → opened → clicked", "Answers by value"]);
    expect(ph.insights[1].query.source.series.map((s: { event: string }) => s.event)).toEqual(["email.sent", "email.opened", "email.link_clicked"]);
    expect(ph.insights.every((i) => i.dashboards[0] === created.dashboardId)).toBe(true);
    const again = await createDashboard({ host: ph.url, projectId: "12345", personalApiKey: "phx_test" });
    expect(again).toEqual({ dashboardId: created.dashboardId, created: false, insightIds: [] });
  });
});
