import { createHmac } from "node:crypto";
import { createElement } from "react";
import { describe, expect, it, vi } from "vitest";
import {
  EmailAction,
  HOSTED_ANSWER_HREF,
  Layout,
  PREFERENCES_HREF,
  UNSUBSCRIBE_HREF,
  renderElement,
  renderTemplate,
} from "@hogsend/email";
import { decodeEntities, rewriteForTracking, type RewriteOptions } from "./rewrite.js";

const SEND = "3f0c1d2e-4b5a-6978-8a9b-0c1d2e3f4a5b";
const BASE = "https://mail.example.com";

function options(overrides: Partial<RewriteOptions> = {}): RewriteOptions {
  return {
    sendId: SEND,
    baseUrl: BASE,
    sign: (id) => createHmac("sha256", "test-secret").update(id).digest("base64url").slice(0, 22),
    hostedAnswerHref: HOSTED_ANSWER_HREF,
    unsubscribeUrl: `${BASE}/u/tok-123?x=1&y=2`,
    preferencesUrl: `${BASE}/p/tok-123`,
    ...overrides,
  };
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*?\shref="([^"]*)"/g)].map((m) => decodeEntities(m[1]!));
}

describe("rewriteForTracking on the rendered support/followup template", () => {
  it("rewrites the answer links, lifts both actions and strips their metadata", async () => {
    const { html: rendered } = await renderTemplate("support/followup", { ticketId: "4821" });
    expect(rendered).toContain("data-hs-properties=\"{&quot;answer&quot;");
    const sign = vi.fn(options().sign);
    const { html, links } = rewriteForTracking(rendered, options({ sign }));

    expect(links).toEqual([
      {
        id: `${SEND}.0`,
        position: 0,
        url: HOSTED_ANSWER_HREF,
        actionEvent: "support.followup_answered",
        actionProperties: { answer: "yes" },
      },
      {
        id: `${SEND}.1`,
        position: 1,
        url: HOSTED_ANSWER_HREF,
        actionEvent: "support.followup_answered",
        actionProperties: { answer: "no" },
      },
    ]);

    // The signature covers each link id, and the send id for the pixel.
    expect(sign).toHaveBeenCalledWith(`${SEND}.0`);
    expect(sign).toHaveBeenCalledWith(`${SEND}.1`);
    expect(sign).toHaveBeenCalledWith(SEND);
    expect(sign).toHaveBeenCalledTimes(3);

    // Metadata and sentinels never reach the inbox.
    expect(html).not.toContain("data-hs-");
    expect(html).not.toContain("hogsend.invalid");

    const all = hrefs(html);
    const sig = options().sign;
    expect(all).toEqual([
      `${BASE}/t/c/${SEND}.0.${sig(`${SEND}.0`)}`,
      `${BASE}/t/c/${SEND}.1.${sig(`${SEND}.1`)}`,
      `${BASE}/u/tok-123?x=1&y=2`,
      `${BASE}/p/tok-123`,
    ]);
    // The unsubscribe URL's & is escaped in the attribute.
    expect(html).toContain(`href="${BASE}/u/tok-123?x=1&amp;y=2"`);
    // Everything else about the buttons survives.
    expect(html).toContain(">Yes, all sorted</a>");
    expect(html).toContain(">No, still broken</a>");
    expect(html.match(/display:inline-block/g)?.length).toBe(2);

    // One open pixel, just before </body>.
    const pixel = `<img src="${BASE}/t/o/${SEND}.${sig(SEND)}" width="1" height="1" alt=""`;
    expect(html.split(pixel)).toHaveLength(2);
    expect(html).toMatch(/<img src="[^"]+\/t\/o\/[^"]+"[^>]*\/><\/body><\/html>$/);
  });

  it("is stable per send: the same input yields the same ids and HTML", async () => {
    const { html: rendered } = await renderTemplate("support/followup", { ticketId: "1" });
    const a = rewriteForTracking(rendered, options());
    const b = rewriteForTracking(rendered, options());
    expect(b).toEqual(a);
  });

  it("removes the footer links when the send carries no unsubscribe/preferences URLs", async () => {
    const { html: rendered } = await renderTemplate("support/followup", { ticketId: "1" });
    const { html, links } = rewriteForTracking(rendered, options({ unsubscribeUrl: undefined, preferencesUrl: undefined }));
    expect(html).not.toContain("hogsend.invalid");
    expect(html).not.toContain(">Unsubscribe</a>");
    expect(html).not.toContain(">manage preferences</a>");
    expect(links).toHaveLength(2);
  });
});

describe("rewriteForTracking on other markup", () => {
  it("leaves mailto:, tel:, fragment and relative links untouched", async () => {
    const element = createElement(Layout, {
      preview: "p",
      children: [
        createElement("a", { key: 1, href: "mailto:help@example.com?subject=Hi%20there&body=x" }, "Email us"),
        createElement("a", { key: 2, href: "tel:+15555550100" }, "Call"),
        createElement("a", { key: 3, href: "#top" }, "Top"),
        createElement("a", { key: 4, href: "/relative" }, "Relative"),
        createElement("a", { key: 5, href: "https://example.com/docs?a=1&b=2" }, "Docs"),
      ],
    });
    const { html: rendered } = await renderElement(() => element, {});
    const { html, links } = rewriteForTracking(rendered, options());
    expect(html).toContain('<a href="mailto:help@example.com?subject=Hi%20there&amp;body=x">Email us</a>');
    expect(html).toContain('<a href="tel:+15555550100">Call</a>');
    expect(html).toContain('<a href="#top">Top</a>');
    expect(html).toContain('<a href="/relative">Relative</a>');
    // The tracked link keeps the decoded URL.
    expect(links).toEqual([{ id: `${SEND}.0`, position: 0, url: "https://example.com/docs?a=1&b=2" }]);
  });

  it("strips action metadata even from links it does not track", async () => {
    const element = createElement(
      EmailAction,
      { event: "x.clicked", properties: { n: 1 }, href: "mailto:a@example.com" },
      "Mail",
    );
    const { html: rendered } = await renderElement(() => createElement(Layout, { preview: "p", children: element }), {});
    const { html, links } = rewriteForTracking(rendered, options());
    expect(html).toContain('<a href="mailto:a@example.com">Mail</a>');
    expect(html).not.toContain("data-hs-");
    expect(links).toEqual([]);
  });

  it("lifts typed scalar properties, escaped by React, into the link row", async () => {
    const element = createElement(
      EmailAction,
      {
        event: "nps.answered",
        properties: { score: 9, promoter: true, note: null, label: `"quoted" <b> & 'apos' — ü` },
        href: "https://example.com/thanks",
        className: "btn",
      },
      "9",
    );
    const { html: rendered } = await renderElement(() => createElement(Layout, { preview: "p", children: element }), {});
    expect(rendered).toContain("&quot;");
    const { html, links } = rewriteForTracking(rendered, options());
    expect(links).toEqual([
      {
        id: `${SEND}.0`,
        position: 0,
        url: "https://example.com/thanks",
        actionEvent: "nps.answered",
        actionProperties: { score: 9, promoter: true, note: null, label: `"quoted" <b> & 'apos' — ü` },
      },
    ]);
    expect(html).toContain(`<a class="btn" href="${BASE}/t/c/${SEND}.0.`);
  });

  it("tokenizes attributes carefully", () => {
    const raw = [
      "<html><body>",
      `<A HREF='https://example.com/one' TITLE="a > b">One</A>`,
      `<a title='say "hi"' href=https://example.com/two>Two</a>`,
      `<a href = "https://example.com/three" data-hs-event = "e" data-hs-properties='{"k":"v"}'>Three</a>`,
      `<a data-hs-event="first"href="https://example.com/four">Four</a>`,
      `<abbr title="x">abbr</abbr><area href="https://example.com/area">`,
      `<!-- <a href="https://example.com/in-comment">c</a> -->`,
      `<!--[if mso]><a href="https://example.com/mso">mso</a><![endif]-->`,
      `<a href="https://example.com/five?q=&amp;x&lt=3&#38;y&#x26;z">Five</a>`,
      `<a href="HTTPS://EXAMPLE.COM/six">Six</a>`,
      `<a name="anchor">no href</a><a href>bare</a>`,
      "</BODY></html>",
    ].join("");
    const { html, links } = rewriteForTracking(raw, options({ sign: () => "S" }));
    expect(links.map((l) => l.url)).toEqual([
      "https://example.com/one",
      "https://example.com/two",
      "https://example.com/three",
      "https://example.com/four",
      "https://example.com/mso",
      "https://example.com/five?q=&x&lt=3&y&z",
      "HTTPS://EXAMPLE.COM/six",
    ]);
    expect(links[2]).toMatchObject({ actionEvent: "e", actionProperties: { k: "v" } });
    expect(links[3]).toMatchObject({ actionEvent: "first", actionProperties: {} });
    expect(html).toContain(`<A href="${BASE}/t/c/${SEND}.0.S" TITLE="a > b">One</A>`);
    expect(html).toContain(`<a title='say "hi"' href="${BASE}/t/c/${SEND}.1.S">Two</a>`);
    expect(html).toContain(`<a href="${BASE}/t/c/${SEND}.2.S">Three</a>`);
    expect(html).toContain(`<a href="${BASE}/t/c/${SEND}.3.S">Four</a>`);
    expect(html).toContain(`<area href="https://example.com/area">`);
    expect(html).toContain(`<!-- <a href="https://example.com/in-comment">c</a> -->`);
    expect(html).toContain(`<a name="anchor">no href</a><a href>bare</a>`);
    expect(html).not.toContain("data-hs-");
    expect(html).toMatch(/\/t\/o\/[^"]+"[^>]*\/><\/BODY><\/html>$/);
  });

  it("appends the pixel when there is no </body>, and survives an unterminated tag", () => {
    const { html } = rewriteForTracking(`<p>hi</p><a href="https://example.com`, options({ sign: () => "S" }));
    expect(html).toBe(
      `<p>hi</p><a href="https://example.com<img src="${BASE}/t/o/${SEND}.S" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0"/>`,
    );
  });

  it("ignores malformed or non-scalar action properties", () => {
    const raw = `<body><a href="https://e.com/a" data-hs-event="e" data-hs-properties="{not json">a</a><a href="https://e.com/b" data-hs-event="e" data-hs-properties='{"ok":1,"nested":{"x":1},"list":[1]}'>b</a></body>`;
    const { links, html } = rewriteForTracking(raw, options());
    expect(links[0]!.actionProperties).toEqual({});
    expect(links[1]!.actionProperties).toEqual({ ok: 1 });
    expect(html).not.toContain("data-hs-");
  });

  it("uses a trailing-slash base URL without doubling the slash", () => {
    const { html } = rewriteForTracking(`<body><a href="https://e.com">x</a></body>`, options({ baseUrl: `${BASE}/`, sign: () => "S" }));
    expect(html).toContain(`href="${BASE}/t/c/${SEND}.0.S"`);
    expect(html).toContain(`src="${BASE}/t/o/${SEND}.S"`);
  });

  it("replaces sentinels whatever their quoting or entity encoding", () => {
    const raw = `<body><a href='${UNSUBSCRIBE_HREF}'>u</a><a href="${PREFERENCES_HREF.replace("https", "&#104;ttps")}">p</a></body>`;
    const { html, links } = rewriteForTracking(raw, options());
    expect(links).toEqual([]);
    expect(hrefs(html)).toEqual([`${BASE}/u/tok-123?x=1&y=2`, `${BASE}/p/tok-123`]);
  });
});

describe("decodeEntities", () => {
  it("decodes named, decimal and hex references as an attribute value would", () => {
    expect(decodeEntities("{&quot;a&quot;:&quot;b&quot;}")).toBe('{"a":"b"}');
    expect(decodeEntities("&#x27;&#39;&apos;&lt;&gt;&amp;&nbsp;")).toBe("'''<>&\u00a0");
    expect(decodeEntities("a&amp=b&ampx&unknown;&#0;")).toBe("a&amp=b&ampx&unknown;\ufffd");
    expect(decodeEntities("&amp")).toBe("&");
  });
});
