import { mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../test/harness.js";
import { defineJourney } from "../journeys/define.js";
import { sendEmail } from "../journeys/send-email.js";
import { executeRun } from "../journeys/executor.js";
import { defineList } from "../audiences/lists.js";
import { createCampaign } from "../audiences/campaigns.js";
import { days } from "../duration.js";

const ARTIFACTS = new URL("../../../test-artifacts/studio/", import.meta.url).pathname;

const demo = defineJourney({
  meta: { id: "studio-demo", name: "Studio demo", enabled: true, trigger: { event: "demo.start" }, entryLimit: "unlimited", suppress: 0 },
  run: async (user, ctx) => {
    await ctx.checkpoint("started");
    await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: "onboarding/enterprise-welcome", subject: "Welcome aboard" });
    await ctx.waitForEvent({ event: "demo.reply", timeout: days(2), label: "await-reply" });
  },
});

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startHarness({ app: { journeys: [demo], lists: [defineList({ id: "product-updates", name: "Product updates", defaultOptIn: true })] } });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"] });
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

async function signIn(key: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${h.url}/studio`);
  expect(page.url()).toContain("/studio/login");
  await page.fill("#key", key);
  await page.click("button[type=submit]");
  return page;
}

async function startRun(userId: string, props: Record<string, unknown> = {}) {
  await h.request("POST", "/v1/events", { name: "demo.start", userId, email: `${userId}@example.com`, contactProperties: props }, { key: h.keys.ingest });
  const [run] = await h.engine.sql`select r.id from journey_runs r join contacts c on c.id = r.contact_id where c.user_id = ${userId}`;
  await executeRun(h.engine, run.id);
  return run.id as string;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

describe("Studio in a real browser", () => {
  it("a wrong key shows a clear sign-in error", async () => {
    const page = await signIn("hsk_not_a_real_key");
    expect(await page.getByRole("alert").textContent()).toContain("not valid");
    await shot(page, "sign-in-error");
    await page.close();
  });

  it("signs in, sees a journey's funnel fill as runs progress, opens a run's timeline", async () => {
    const page = await signIn(h.keys["journey-admin"]);
    expect(await page.title()).toBe("Overview · Hogsend Studio");
    await shot(page, "overview");
    await page.goto(`${h.url}/studio/journeys/studio-demo`);
    expect(await page.locator('[data-label="entered"]').textContent()).toBe("0");
    const runId = await startRun("fan1");
    await startRun("fan2");
    await page.reload();
    expect(await page.locator('[data-label="entered"]').textContent()).toBe("2");
    expect(await page.locator('[data-label="onboarding/enterprise-welcome"]').textContent()).toBe("2");
    expect(await page.locator('[data-label="await-reply"]').textContent()).toBe("2");
    await shot(page, "journey-funnel");
    await page.goto(`${h.url}/studio/journeys`);
    await shot(page, "journeys");
    await page.goto(`${h.url}/studio/runs/${runId}`);
    const timeline = await page.getByTestId("timeline").textContent();
    expect(timeline).toContain("started");
    expect(timeline).toContain("onboarding/enterprise-welcome");
    expect(timeline).toContain("await-reply");
    await shot(page, "run");
    await page.click("text=Cancel run");
    await page.waitForURL(`**/studio/runs/${runId}`);
    expect(await page.textContent("main")).toContain("cancelled");
    await page.close();
  });

  it("finds a contact; a property holding <script> renders as text", async () => {
    await startRun("xss", { nickname: "<script>window.__pwned=1</script>" });
    const page = await signIn(h.keys.read);
    await page.goto(`${h.url}/studio/contacts`);
    await page.fill("#q", "xss@example.com");
    await page.press("#q", "Enter");
    await page.click("text=xss@example.com");
    expect(await page.getByTestId("properties").textContent()).toContain("<script>window.__pwned=1</script>");
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot(page, "contact");
    await page.close();
  });

  it("previews an outbox email in a sandboxed iframe without tracking", async () => {
    const page = await signIn(h.keys.read);
    await page.goto(`${h.url}/studio/sends?outbox=1`);
    await shot(page, "outbox");
    await page.click("text=onboarding/enterprise-welcome >> nth=0");
    const frame = page.locator("iframe[title='Rendered email']");
    expect(await frame.getAttribute("sandbox")).toBe("");
    expect(await frame.getAttribute("srcdoc")).not.toMatch(/\/t\/o\//);
    const opens = await h.engine.sql`select sum(open_count)::int as n from email_sends`;
    expect(opens[0].n).toBe(0);
    await shot(page, "send");
    for (const path of ["events", "templates", "templates/preview?key=support%2Ffollowup", "audiences", "destinations", "settings"]) {
      await page.goto(`${h.url}/studio/${path}`);
      expect(await page.locator("h1").count()).toBeGreaterThan(0);
      await shot(page, path.split("?")[0].replace("/", "-"));
    }
    await page.close();
  });

  it("cancels a campaign; a read-scope key cannot press an action and its POST is refused", async () => {
    await h.request("PUT", "/v1/contacts", { email: "reader@example.com", userId: "reader" }, { key: h.keys.ingest });
    const { campaignId } = await createCampaign(h.engine, { list: "product-updates", template: "marketing/product-update", props: { headline: "h", body: "b" }, idempotencyKey: "studio-c1", sendAt: new Date(Date.now() + 3_600_000) });
    const reader = await signIn(h.keys.read);
    await reader.goto(`${h.url}/studio/campaigns`);
    expect(await reader.locator("button:has-text('Cancel')").isDisabled()).toBe(true);
    const csrf = await reader.locator("input[name=csrf]").first().inputValue();
    const refused = await reader.request.post(`${h.url}/studio/campaigns/${campaignId}/cancel`, { form: { csrf } });
    expect(refused.status()).toBe(403);
    await reader.close();
    const admin = await signIn(h.keys["journey-admin"]);
    await admin.goto(`${h.url}/studio/campaigns`);
    await admin.click("button:has-text('Cancel')");
    await admin.waitForURL("**/studio/campaigns");
    expect(await admin.getByTestId(`progress-${campaignId}`).isVisible()).toBe(true);
    expect(await admin.textContent("main")).toContain("cancelled");
    await shot(admin, "campaigns");
    // A form without the session's CSRF token is refused.
    const forged = await admin.request.post(`${h.url}/studio/journeys/studio-demo/disable`, { form: { csrf: "forged" } });
    expect(forged.status()).toBe(403);
    await admin.close();
  });

  it("an unknown id shows a 404 page; an expired session returns to sign-in and then to the page asked for", async () => {
    const page = await signIn(h.keys.read);
    const missing = await page.goto(`${h.url}/studio/runs/00000000-0000-0000-0000-000000000000`);
    expect(missing!.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toBe("Not found");
    await page.context().clearCookies();
    await page.goto(`${h.url}/studio/events?name=demo.start`);
    expect(page.url()).toContain("/studio/login?next=");
    await page.fill("#key", h.keys.read);
    await page.click("button[type=submit]");
    await page.waitForURL("**/studio/events?name=demo.start");
    expect(await page.title()).toBe("Events · Hogsend Studio");
    await page.close();
  });
});
