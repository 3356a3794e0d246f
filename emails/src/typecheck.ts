/**
 * Type-level checks, verified by `tsc` (never executed): each `@ts-expect-error` line must fail to
 * compile, or tsc reports the directive as unused.
 */
import { getTemplate, renderTemplate, validateTemplateProps, type TemplateProps } from "./index.js";

export async function typeChecks(): Promise<void> {
  // Correct calls compile.
  await renderTemplate("support/followup", { ticketId: "4821" });
  await renderTemplate("onboarding/enterprise-welcome"); // every prop optional: props may be omitted
  await renderTemplate("ecommerce/back-in-stock", { sku: "chair-01", productName: "Studio chair" });

  // @ts-expect-error ticketId must be a string
  await renderTemplate("support/followup", { ticketId: 1 });

  // @ts-expect-error ticketId is required
  await renderTemplate("support/followup", {});

  // @ts-expect-error props are required when any prop is
  await renderTemplate("support/followup");

  // @ts-expect-error unknown prop
  await renderTemplate("support/followup", { ticketId: "1", ticket: "1" });

  // @ts-expect-error seats must be a number
  await renderTemplate("transactional/csm-alert", { customerEmail: "a", customerId: "b", seats: "3", reminder: false, requestedAt: "x" });

  // @ts-expect-error not a registered template key
  await renderTemplate("support/follow-up", { ticketId: "1" });

  const verdict = validateTemplateProps("support/followup", {});
  if (verdict.ok) {
    const id: string = verdict.props.ticketId;
    // @ts-expect-error the parsed props are typed
    const wrong: number = verdict.props.ticketId;
    void id;
    void wrong;
  }

  const followup = getTemplate("support/followup");
  const sample: TemplateProps["support/followup"] | undefined = followup?.sampleProps;
  void sample;
}
