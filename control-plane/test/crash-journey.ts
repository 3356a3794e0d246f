import { defineJourney, sendEmail } from "../src/index.js";
import { seconds } from "../src/duration.js";

/** Several side effects with parks between them: a run crosses many worker lifetimes. */
export const crashJourney = defineJourney({
  meta: { id: "crash", name: "Crash", enabled: true, trigger: { event: "crash.start" }, entryLimit: "once", suppress: 0 },
  run: async (user, ctx) => {
    await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: "onboarding/enterprise-welcome", subject: "first" });
    await ctx.trigger({ event: "crash.side", properties: { n: 1 } });
    await ctx.sleep(seconds(1), { label: "nap" });
    await ctx.checkpoint("woke");
    await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId, template: "onboarding/concierge-intro", subject: "second", props: { csmName: "C" } });
  },
});
