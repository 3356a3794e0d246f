import type { EventProperties } from "./conditions.js";
import type { ExitEvents, JourneyDefinition } from "./types.js";

/**
 * Define a journey: a trigger, entry rules, exits, and an ordinary async function that the engine runs
 * durably (each ctx call is a memoized step, so the run survives restarts and never repeats a side effect).
 *
 * @example
 * export const welcome = defineJourney({
 *   meta: { id: "welcome", name: "Welcome", enabled: true, trigger: { event: "user.signed_up" },
 *           entryLimit: "once", suppress: hours(12) },
 *   run: async (user, ctx) => {
 *     await ctx.sleep(days(1), { label: "a-day-later" });
 *     await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId,
 *                       template: "onboarding/enterprise-welcome", subject: "Welcome", journeyName: user.journeyName });
 *   },
 * });
 *
 * Declare the trigger event's properties to type `user.properties` and check the trigger's `where`:
 * `defineJourney<{ plan: "pro" | "enterprise"; seats: number }>({ … })`. A second type argument declares the
 * exit events' properties by name and checks each exitOn rule's event and `where`:
 * `defineJourney<{ plan: string }, { "meeting.booked": { source: "calendly" | "hubspot" } }>({ … })`.
 */
export function defineJourney<TP extends EventProperties = EventProperties, XP extends ExitEvents = any>(
  definition: JourneyDefinition<TP, XP>,
): JourneyDefinition<TP, XP> {
  return definition;
}
