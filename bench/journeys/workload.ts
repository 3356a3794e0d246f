import { days, defineJourney, sendEmail } from "../../control-plane/src/index.js";
import type { JourneyContext } from "../../control-plane/src/journeys/types.js";

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

/** The parked phase's journey: a one-day sleep, then a checkpoint that records when it woke. */
const sleeperRun = async (_user: unknown, ctx: JourneyContext) => {
  await ctx.sleep(days(1), { label: "nap" });
  await ctx.checkpoint("woke");
};
export const sleeper = defineJourney({
  meta: { id: "parked", name: "Parked", enabled: true, trigger: { event: "park" }, entryLimit: "unlimited", suppress: 0 },
  run: sleeperRun,
});
/** The same journey, for the runs that warm the worker up before the measured minute. */
export const warmup = defineJourney({
  meta: { id: "warmup", name: "Warm-up", enabled: true, trigger: { event: "warmup" }, entryLimit: "unlimited", suppress: 0 },
  run: sleeperRun,
});

