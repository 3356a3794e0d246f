import { days, defineJourney, sendEmail } from "../../control-plane/src/index.js";

/** The benchmark journey: email, wait up to a day for a reply, email again, complete. */
export const benchJourney = defineJourney({
  meta: {
    id: "bench",
    name: "Bench",
    enabled: true,
    trigger: { event: "bench.start" },
    entryLimit: "unlimited",
    suppress: 0,
  },
  run: async (user, ctx) => {
    await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: "onboarding/enterprise-welcome", subject: "one" });
    await ctx.waitForEvent({ event: "bench.reply", timeout: days(1), label: "await-reply" });
    await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: "onboarding/concierge-intro", subject: "two", props: { csmName: "Bench" } });
  },
});
