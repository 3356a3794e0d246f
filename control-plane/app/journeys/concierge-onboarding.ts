import { days, defineJourney, hours, sendEmail } from "../../src/index.js";
import { Events, Templates } from "../constants.js";

/**
 * Enterprise signups get a human: page the CSM, wait a day for contact, page again, and after two
 * silent days send the automated welcome. A booked meeting ends it all.
 */
export const conciergeOnboarding = defineJourney({
  meta: {
    id: "concierge-onboarding",
    name: "Onboarding — enterprise concierge",
    description: "Pages a CSM for enterprise signups and falls back to an automated welcome.",
    enabled: true,
    trigger: { event: Events.USER_SIGNED_UP, where: (b) => b.prop("plan").eq("enterprise") },
    entryLimit: "once",
    suppress: hours(12),
    exitOn: [{ event: Events.MEETING_BOOKED }],
    templates: [Templates.CONCIERGE_INTRO, Templates.ENTERPRISE_WELCOME],
  },
  run: async (user, ctx) => {
    const seats = Number(user.properties.seats ?? 0);
    const page = (reminder: boolean) =>
      ctx.trigger({
        event: Events.CSM_ASSIGNMENT_REQUESTED,
        userId: user.id,
        properties: { plan: "enterprise", seats, requestedAt: ctx.now().toISOString(), ...(reminder ? { reminder: true } : {}) },
      });

    await page(false);
    await ctx.checkpoint("csm-paged");
    let contact = await ctx.waitForEvent({ event: Events.CSM_CONTACTED, timeout: days(1), label: "await-csm" });

    if (contact.timedOut) {
      // A fresh requestedAt gives the alert task a new idempotency key: the reminder is not deduped.
      await page(true);
      await ctx.checkpoint("csm-repaged");
      contact = await ctx.waitForEvent({ event: Events.CSM_CONTACTED, timeout: days(1), label: "await-csm-2", lookback: hours(1) });
    }

    if (!(await ctx.guard.isSubscribed())) return;

    if (contact.timedOut) {
      await sendEmail({
        to: user.email, userId: user.id, journeyStateId: user.stateId, journeyName: user.journeyName,
        template: Templates.ENTERPRISE_WELCOME, subject: "Getting your team set up",
      });
      return;
    }
    await sendEmail({
      to: user.email, userId: user.id, journeyStateId: user.stateId, journeyName: user.journeyName,
      template: Templates.CONCIERGE_INTRO, subject: "Next steps for your rollout",
      props: { csmName: String(contact.properties?.csm_name ?? "your account team") },
    });
  },
});
