import { days, defineJourney, hours, minutes, sendEmail } from "../../src/index.js";
import { Events, Templates } from "../constants.js";

/**
 * "Did this fix it?" at 09:00 the next morning in the customer's timezone; a "no" pages support.
 * A ticket reopened through normal channels exits the run before the question goes out.
 */
export const supportFollowup = defineJourney({
  meta: {
    id: "support-followup",
    name: "Support — resolution follow-up",
    description: "Asks whether a resolved ticket is fixed, and reopens it on a no.",
    enabled: true,
    trigger: { event: Events.TICKET_RESOLVED },
    entryLimit: "once_per_period",
    entryPeriod: days(7),
    suppress: hours(12),
    exitOn: [{ event: Events.TICKET_REOPENED }],
    templates: [Templates.SUPPORT_FOLLOWUP],
  },
  run: async (user, ctx) => {
    const ticketId = String(user.properties.ticket_id ?? "");
    await ctx.sleepUntil(ctx.when.tomorrow().at("09:00"), { label: "next-morning" });
    if (!(await ctx.guard.isSubscribed())) return;

    await sendEmail({
      to: user.email, userId: user.id, journeyStateId: user.stateId, journeyName: user.journeyName,
      template: Templates.SUPPORT_FOLLOWUP, subject: "Did that fix it?", props: { ticketId },
    });

    const answer = await ctx.waitForEvent({ event: Events.SUPPORT_FOLLOWUP_ANSWERED, timeout: days(4), label: "await-answer", lookback: minutes(30) });
    if (answer.timedOut) return;
    if (answer.properties?.answer === "no") {
      await ctx.trigger({
        event: Events.SUPPORT_REOPEN_REQUESTED,
        userId: user.id,
        properties: { ticket_id: ticketId, source: "followup-email", answeredAt: ctx.now().toISOString() },
      });
    }
  },
});
