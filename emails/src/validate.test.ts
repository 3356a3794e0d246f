import { describe, expect, it } from "vitest";
import { TemplatePropsError, renderTemplate, validateTemplateProps } from "@hogsend/email";

describe("validateTemplateProps", () => {
  it("accepts valid props and returns the parsed value", () => {
    expect(validateTemplateProps("support/followup", { ticketId: " 4821 " })).toEqual({ ok: true, props: { ticketId: "4821" } });
    expect(validateTemplateProps("onboarding/enterprise-welcome", {})).toEqual({ ok: true, props: {} });
  });

  it("names a missing field", () => {
    const verdict = validateTemplateProps("support/followup", {});
    expect(verdict).toEqual({ ok: false, issues: [{ path: "ticketId", message: "Required" }] });
  });

  it("names a wrongly typed field", () => {
    const verdict = validateTemplateProps("support/followup", { ticketId: 1 });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.issues).toHaveLength(1);
    expect(verdict.issues[0]!.path).toBe("ticketId");
    expect(verdict.issues[0]!.message).toMatch(/expected string, received number/);
  });

  it("reports every bad field", () => {
    const verdict = validateTemplateProps("transactional/csm-alert", {
      customerEmail: "a@example.com",
      customerId: "u1",
      seats: "ten",
      requestedAt: "2026-06-17T09:30:00Z",
    });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.issues.map((i) => i.path).sort()).toEqual(["reminder", "seats"]);
  });

  it("checks URLs and optional fields", () => {
    const bad = validateTemplateProps("transactional/verify-email", { firstName: "", verifyUrl: "javascript:alert(1)" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]!.path).toBe("verifyUrl");
    const optional = validateTemplateProps("ecommerce/back-in-stock", { sku: "s", productName: "P", productUrl: 5 });
    expect(optional.ok).toBe(false);
    if (!optional.ok) expect(optional.issues[0]!.path).toBe("productUrl");
  });

  it("refuses a non-object and an unknown template", () => {
    const notObject = validateTemplateProps("support/followup", null);
    expect(notObject.ok).toBe(false);
    if (!notObject.ok) expect(notObject.issues[0]!.path).toBe("");
    const unknown = validateTemplateProps("nope/never" as never, {});
    expect(unknown.ok).toBe(false);
  });
});

describe("renderTemplate", () => {
  it("throws TemplatePropsError naming the field for invalid props", async () => {
    const attempt = renderTemplate("support/followup", { ticketId: 1 } as never);
    await expect(attempt).rejects.toBeInstanceOf(TemplatePropsError);
    await expect(renderTemplate("support/followup", {} as never)).rejects.toThrow(/ticketId: Required/);
  });

  it("throws for an unknown template", async () => {
    await expect(renderTemplate("nope/never" as never, {} as never)).rejects.toBeInstanceOf(TemplatePropsError);
  });
});
