import { createElement } from "react";
import { render } from "@react-email/render";
import { describe, expect, it } from "vitest";
import {
  HOSTED_ANSWER_HREF,
  PREFERENCES_HREF,
  UNSUBSCRIBE_HREF,
  getTemplate,
  renderTemplate,
  templates,
  type TemplateKey,
} from "@hogsend/email";

interface Case {
  props: Record<string, unknown>;
  /** Fragments of the HTML, with React's `<!-- -->` text separators removed. */
  expect: string[];
  category: string;
}

const builtIn: Record<string, Case> = {
  "transactional/verify-email": {
    props: { firstName: "Ada", verifyUrl: "https://app.example.com/verify?token=abc&x=1" },
    expect: ["Hi Ada,", "Verify email address", 'href="https://app.example.com/verify?token=abc&amp;x=1"'],
    category: "transactional",
  },
  "onboarding/concierge-intro": {
    props: { csmName: "Sarah" },
    expect: ["Sarah will be your point of contact", "Next steps for your rollout"],
    category: "journey",
  },
  "onboarding/enterprise-welcome": {
    props: {},
    expect: ["Hi there,", "Getting your team set up", "Connect single sign-on"],
    category: "journey",
  },
  "transactional/csm-alert": {
    props: {
      customerEmail: "ada@example.com",
      customerId: "user_123",
      seats: 250,
      reminder: true,
      requestedAt: "2026-06-17T09:30:00.000Z",
    },
    expect: ["Reminder: an enterprise signup is still waiting", "ada@example.com", "user_123", "250", "2026-06-17 09:30 UTC"],
    category: "transactional",
  },
  "support/followup": {
    props: { ticketId: "4821" },
    expect: ["ticket #4821", "Yes, all sorted", "No, still broken", 'data-hs-event="support.followup_answered"'],
    category: "journey",
  },
  "transactional/support-alert": {
    props: { ticketId: "4821", customerEmail: "ada@example.com", answeredAt: "2026-06-18T09:12:00Z" },
    expect: ["Reopen requested: ticket #4821", "ada@example.com", "2026-06-18 09:12 UTC"],
    category: "transactional",
  },
  "ecommerce/back-in-stock": {
    props: { sku: "chair-01", productName: "Studio chair", productUrl: "https://shop.example.com/p/chair-01" },
    expect: ["Studio chair is back in stock", "chair-01", 'href="https://shop.example.com/p/chair-01"'],
    category: "marketing",
  },
  "marketing/product-update": {
    props: { headline: "Scheduled exports", body: "First paragraph.\n\nSecond paragraph.", ctaUrl: "https://example.com/c" },
    expect: ["Scheduled exports", ">First paragraph.</p>", ">Second paragraph.</p>", "Read more"],
    category: "marketing",
  },
};

describe("built-in templates", () => {
  it("are all registered, with their categories", () => {
    expect(Object.keys(templates).sort()).toEqual(expect.arrayContaining(Object.keys(builtIn).sort()));
    for (const [key, spec] of Object.entries(builtIn)) expect(getTemplate(key)?.category, key).toBe(spec.category);
  });

  for (const [key, spec] of Object.entries(builtIn) as [TemplateKey, Case][]) {
    it(`${key} renders HTML and plain text`, async () => {
      const { html, text } = await renderTemplate(key, spec.props as never);
      expect(html.startsWith("<!DOCTYPE html")).toBe(true);
      const visible = html.replaceAll("<!-- -->", "");
      for (const fragment of spec.expect) expect(visible).toContain(fragment);
      expect(text.trim().length).toBeGreaterThan(20);
      // No sentinel address ever reaches a text-only reader.
      expect(text).not.toContain("hogsend.invalid");
    });

    it(`${key} renders its sample props`, async () => {
      const definition = getTemplate(key)!;
      const { html } = await renderTemplate(key, definition.sampleProps as never);
      expect(html).toContain("</html>");
    });

    it(`${key}'s plain text matches render(el, { plainText: true }) apart from sentinel URLs`, async () => {
      const definition = getTemplate(key)!;
      const { text } = await renderTemplate(key, spec.props as never);
      const reference = await render(createElement(definition.component as never, spec.props as never), { plainText: true });
      const withoutSentinels = reference.replace(/ ?https:\/\/hogsend\.invalid\/[a-z]+/g, "");
      expect(text).toBe(withoutSentinels);
    });
  }

  it("journey and marketing mail carry the unsubscribe and preferences sentinels; transactional mail does not", async () => {
    for (const [key, spec] of Object.entries(builtIn) as [TemplateKey, Case][]) {
      const { html } = await renderTemplate(key, spec.props as never);
      const transactional = spec.category === "transactional";
      expect(html.includes(UNSUBSCRIBE_HREF), key).toBe(!transactional);
      expect(html.includes(PREFERENCES_HREF), key).toBe(!transactional);
    }
  });

  it("support/followup carries two answer actions pointing at the hosted answer page", async () => {
    const { html } = await renderTemplate("support/followup", { ticketId: "7" });
    const anchors = html.match(/<a [^>]*data-hs-event[^>]*>/g) ?? [];
    expect(anchors).toHaveLength(2);
    expect(anchors[0]).toContain(`href="${HOSTED_ANSWER_HREF}"`);
    expect(anchors[0]).toContain('data-hs-properties="{&quot;answer&quot;:&quot;yes&quot;}"');
    expect(anchors[1]).toContain('data-hs-properties="{&quot;answer&quot;:&quot;no&quot;}"');
  });

  it("optional props switch parts of a template off", async () => {
    const stock = await renderTemplate("ecommerce/back-in-stock", { sku: "desk-02", productName: "Standing desk" });
    expect(stock.html).not.toContain("View ");
    const update = await renderTemplate("marketing/product-update", {
      headline: "H",
      body: "B",
      ctaUrl: "https://example.com/x",
      ctaLabel: "Try it",
    });
    expect(update.html).toContain("Try it");
    const csm = await renderTemplate("transactional/csm-alert", {
      customerEmail: "user_9",
      customerId: "user_9",
      seats: 0,
      reminder: false,
      requestedAt: "not a date",
    });
    expect(csm.html).toContain("New enterprise signup");
    expect(csm.html).toContain("not a date");
  });
});
