import { mkdirSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../test/harness.js";
import { defineList } from "../audiences/lists.js";
import { signId } from "./sign.js";

const ARTIFACTS = new URL("../../../test-artifacts/email/", import.meta.url).pathname;
let h: Harness;
let browser: Browser;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startHarness({ app: { lists: [defineList({ id: "product-updates", name: "Product updates", defaultOptIn: true }), defineList({ id: "restock-chair-01", name: "Back in stock — Studio chair", defaultOptIn: false })] } });
  // Links in emails point at this server.
  (h.engine as { publicUrl: string }).publicUrl = h.url;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"] });
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

async function followup() {
  await h.request("PUT", "/v1/contacts", { email: "ada@example.com", userId: "ada" }, { key: h.keys.ingest });
  const sent = await h.engine.email.send({ to: "ada@example.com", template: "support/followup", props: { ticketId: "T-1" }, category: "journey" });
  const links = await h.engine.sql`select id, action_properties from tracked_links where send_id = ${sent.id} order by position`;
  const [row] = await h.engine.sql`select headers from email_sends where id = ${sent.id}`;
  return { sent, links, headers: row.headers as Record<string, string> };
}

describe("hosted pages in a real browser", () => {
  it("answer page: click 'no', add a comment, see it recorded; a script tag shows as text", async () => {
    const { links } = await followup();
    const no = links.find((l) => l.action_properties?.answer === "no")!;
    const page = await browser.newPage();
    await page.goto(`${h.url}/t/c/${no.id}.${signId(h.engine.secrets.signing, no.id)}`);
    expect(await page.title()).toBe("Thanks for your answer");
    expect(await page.getByTestId("answer").textContent()).toBe("no");
    await page.screenshot({ path: `${ARTIFACTS}answer-page.png` });
    const hostile = "<script>window.__pwned = true</script> still broken after the update";
    await page.fill("#comment", hostile);
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-testid=comment]");
    expect(await page.getByTestId("comment").textContent()).toBe(hostile);
    expect(await page.evaluate(() => (window as { __pwned?: boolean }).__pwned)).toBeUndefined();
    await page.screenshot({ path: `${ARTIFACTS}answer-comment.png` });
    const [comment] = await h.engine.sql`select comment from answer_comments`;
    expect(comment.comment).toBe(hostile);
    const events = await h.engine.sql`select properties from events where name = 'support.followup_answered.comment'`;
    expect(events[0].properties).toMatchObject({ answer: "no", comment: hostile });
    await page.close();
  });

  it("preference center: each list is a row with its polarity; saving applies to the next send", async () => {
    const { headers } = await followup();
    const token = /\/u\/([^>]+)>/.exec(headers["List-Unsubscribe"])![1];
    const page = await browser.newPage();
    await page.goto(`${h.url}/p/${token}`);
    expect(await page.title()).toBe("Email preferences");
    await expect(page.getByText("only if you opted in")).toBeDefined();
    const productUpdates = page.locator('input[name="list:product-updates"]');
    const restock = page.locator('input[name="list:restock-chair-01"]');
    expect(await productUpdates.isChecked()).toBe(true);
    expect(await restock.isChecked()).toBe(false);
    await page.screenshot({ path: `${ARTIFACTS}preferences.png`, fullPage: true });
    await productUpdates.uncheck();
    await restock.check();
    await page.click("button[type=submit]");
    await page.waitForSelector("[role=status]");
    expect(await page.locator('input[name="list:restock-chair-01"]').isChecked()).toBe(true);
    const next = await h.engine.email.send({ to: "ada@example.com", template: "marketing/product-update", props: { headline: "h", body: "b" }, category: "product-updates" });
    expect(next).toMatchObject({ status: "skipped", reason: "category_opt_out" });
    await page.close();
  });
});
