import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "../../test/engine.js";
import type { TestEngine } from "../testing/index.js";
import { createHttpApp } from "../http/app.js";
import { app as defaultApp } from "../../app/index.js";
import { days, seconds } from "../duration.js";
import { signId } from "./sign.js";

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function followupSent(t: TestEngine) {
  await t.hs.events.send({ name: "ticket.resolved", userId: "cust_1", email: "cust@example.com", eventProperties: { ticket_id: "T-9" } });
  await t.advance(days(1));
  const [send] = t.outbox;
  expect(send.template).toBe("support/followup");
  const links = await t.engine.sql`select id, url, action_event, action_properties from tracked_links where send_id = ${send.sendId} order by position`;
  return { send, links, http: createHttpApp(t.engine) };
}
const path = (t: TestEngine, id: string, kind: "c" | "o") => `/t/${kind}/${id}.${signId(t.engine.secrets.signing, id)}`;

describe("tracking and semantic links", () => {
  it("lifts EmailAction metadata into link rows, strips it from the HTML, and signs every URL", async () => {
    t = await testEngine(defaultApp);
    const { send, links } = await followupSent(t);
    const actions = links.filter((l) => l.action_event);
    expect(actions.map((l) => l.action_properties)).toEqual([{ answer: "yes" }, { answer: "no" }]);
    expect(actions.every((l) => l.action_event === "support.followup_answered")).toBe(true);
    expect(send.html).not.toContain("data-hs-");
    expect(send.html).toContain(`/t/o/${send.sendId}.`);
    expect(send.html).not.toContain("hogsend.invalid");
  });

  it("a click redirects only to the sent link; a tampered or unknown id is 404", async () => {
    t = await testEngine(defaultApp);
    const { links, http } = await followupSent(t);
    const answer = links.find((l) => l.action_event)!;
    const ok = await http.request(path(t, answer.id, "c"));
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toMatch(/^http:\/\/hogsend\.test\/a\//);
    expect((await http.request(`/t/c/${answer.id}.AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await http.request(path(t, "00000000-0000-0000-0000-000000000000.0", "c"))).status).toBe(404);
    expect((await http.request(`/t/c/${answer.id}`)).status).toBe(404);
  });

  it("a 'no' click is confirmed after the window, ingested as the app's event and email.action, and the journey pages support", async () => {
    t = await testEngine(defaultApp);
    const { send, links, http } = await followupSent(t);
    const no = links.find((l) => l.action_properties?.answer === "no")!;
    await http.request(path(t, no.id, "c"));
    expect(await t.events("support.followup_answered")).toHaveLength(0);
    await t.advance(seconds(31));
    const answers = await t.events("support.followup_answered");
    expect(answers).toHaveLength(1);
    expect(answers[0].properties).toMatchObject({ answer: "no", send_id: send.sendId });
    expect(await t.events("email.action")).toHaveLength(1);
    expect(t.outbox.map((e) => e.template)).toContain("transactional/support-alert");
  });

  it("first confirmed answer per (send, event) wins", async () => {
    t = await testEngine(defaultApp);
    const { links, http } = await followupSent(t);
    const [yes, no] = links.filter((l) => l.action_event);
    await http.request(path(t, yes.id, "c"));
    await t.advance(seconds(31));
    await http.request(path(t, no.id, "c"));
    await t.advance(seconds(31));
    const answers = await t.events("support.followup_answered");
    expect(answers.map((a) => a.properties.answer)).toEqual(["yes"]);
    const statuses = await t.engine.sql`select status from link_answers order by clicked_at`;
    expect(statuses.map((s) => s.status)).toEqual(["confirmed", "superseded"]);
  });

  it("three distinct links clicked inside the window are a scanner: no answer is recorded", async () => {
    t = await testEngine(defaultApp);
    const { send, links, http } = await followupSent(t);
    // A third link of the same email (the template's two answers plus, say, a "view your ticket" link).
    await t.engine.sql`insert into tracked_links (id, send_id, position, url) values (${send.sendId + ".9"}, ${send.sendId}, 9, 'https://help.example.com/t/9')`;
    for (const id of [...links.map((l) => l.id), send.sendId + ".9"]) await http.request(path(t, id, "c"));
    await t.advance(seconds(31));
    expect(await t.events("support.followup_answered")).toHaveLength(0);
    expect((await t.engine.sql`select distinct status from link_answers`).map((r) => r.status)).toEqual(["scanner"]);
  });

  it("a gateway clicking both buttons records no answer; the person's own click later on is recorded", async () => {
    t = await testEngine(defaultApp);
    const { links, http } = await followupSent(t);
    const [yes, no] = links.filter((l) => l.action_event);
    await http.request(path(t, yes.id, "c"));
    await http.request(path(t, no.id, "c"));
    await t.advance(seconds(31));
    expect(await t.events("support.followup_answered")).toHaveLength(0);
    expect(t.outbox.map((e) => e.template)).not.toContain("transactional/support-alert");
    // An hour later the customer opens the email and answers.
    await t.advance(days(1) / 24);
    const landing = (await http.request(path(t, no.id, "c"))).headers.get("location")!;
    expect(await (await http.request(new URL(landing).pathname)).text()).toContain("your answer is recorded");
    await t.advance(seconds(31));
    expect((await t.events("support.followup_answered")).map((a) => a.properties.answer)).toEqual(["no"]);
    expect(t.outbox.map((e) => e.template)).toContain("transactional/support-alert");
  });

  it("after an answer is confirmed, another answer's page and comment carry the answer on record", async () => {
    t = await testEngine(defaultApp);
    const { links, http } = await followupSent(t);
    const [yes, no] = links.filter((l) => l.action_event);
    await http.request(path(t, no.id, "c"));
    await t.advance(seconds(31));
    const pagePath = new URL((await http.request(path(t, yes.id, "c"))).headers.get("location")!).pathname;
    const pageHtml = await (await http.request(pagePath)).text();
    expect(pageHtml).toContain("we already have your answer");
    expect(pageHtml).toMatch(/data-testid="answer">no</);
    await http.request(`${pagePath}/comment`, { method: "POST", body: new URLSearchParams({ comment: "still broken" }), headers: { "content-type": "application/x-www-form-urlencoded" } });
    const [comment] = await t.events("support.followup_answered.comment");
    expect(comment.properties).toMatchObject({ answer: "no", comment: "still broken" });
    await t.advance(seconds(31));
    expect((await t.events("support.followup_answered")).map((a) => a.properties.answer)).toEqual(["no"]);
  });

  it("the first open is ingested as email.opened with its count; later opens only count", async () => {
    t = await testEngine(defaultApp);
    const { send, http } = await followupSent(t);
    for (let i = 0; i < 3; i++) {
      const r = await http.request(path(t, send.sendId, "o"));
      expect(r.headers.get("content-type")).toBe("image/gif");
    }
    const opened = await t.events("email.opened");
    expect(opened).toHaveLength(1);
    expect(opened[0].properties).toMatchObject({ send_id: send.sendId, template: "support/followup", open_count: 1 });
    const [row] = await t.engine.sql`select open_count from email_sends where id = ${send.sendId}`;
    expect(row.open_count).toBe(3);
  });

  it("a comment from the hosted page is ingested once per (send, event) as <event>.comment", async () => {
    t = await testEngine(defaultApp);
    const { links, http } = await followupSent(t);
    const no = links.find((l) => l.action_properties?.answer === "no")!;
    const landing = (await http.request(path(t, no.id, "c"))).headers.get("location")!;
    const pagePath = new URL(landing).pathname;
    const pageHtml = await (await http.request(pagePath)).text();
    expect(pageHtml).toContain("no");
    const post = (comment: string) => http.request(`${pagePath}/comment`, { method: "POST", body: new URLSearchParams({ comment }), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect((await post("<script>alert(1)</script> still broken")).status).toBe(200);
    await post("second try");
    const comments = await t.events("support.followup_answered.comment");
    expect(comments).toHaveLength(1);
    expect(comments[0].properties).toMatchObject({ answer: "no", comment: "<script>alert(1)</script> still broken" });
    expect((await post("x".repeat(2001))).status).toBe(400);
  });
});
