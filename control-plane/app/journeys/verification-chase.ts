import { days, defineJourney, hours, minutes, sendEmail } from "../../src/index.js";
import { Events, Templates } from "../constants.js";

/** Chase an unverified signup: wait a day, re-send, wait two more, re-send once more, stop. */
export const verificationChase = defineJourney({
  meta: {
    id: "verification-chase",
    name: "Onboarding — verification chase",
    description: "Up to two verify-email reminders until user.email_verified.",
    enabled: true,
    trigger: { event: Events.USER_SIGNED_UP },
    entryLimit: "once",
    suppress: hours(12),
    exitOn: [{ event: Events.USER_EMAIL_VERIFIED }, { event: Events.USER_DELETED }],
    templates: [Templates.VERIFY_EMAIL],
  },
  run: async (user, ctx) => {
    const props = { firstName: String(user.properties.first_name ?? ""), verifyUrl: String(user.properties.verify_url ?? "") };
    const remind = (subject: string) =>
      sendEmail({
        to: user.email, userId: user.id, journeyStateId: user.stateId, journeyName: user.journeyName,
        template: Templates.VERIFY_EMAIL, subject, props,
      });

    const first = await ctx.waitForEvent({ event: Events.USER_EMAIL_VERIFIED, timeout: hours(24), label: "await-verification", lookback: minutes(30) });
    if (!first.timedOut) return;
    if (!(await ctx.guard.isSubscribed())) return;
    await remind("Reminder: verify your email address");

    const second = await ctx.waitForEvent({ event: Events.USER_EMAIL_VERIFIED, timeout: days(2), label: "await-verification-2" });
    if (!second.timedOut) return;
    if (!(await ctx.guard.isSubscribed())) return;
    await remind("Last reminder — your account isn't active yet");
  },
});
