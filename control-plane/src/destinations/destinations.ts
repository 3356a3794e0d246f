import type { Engine } from "../engine.js";
import { isReservedName } from "../ingest/types.js";

export type DestinationName = "posthog" | "webhook";

/** Which destinations receive an event: engine events go to every configured one; app events to PostHog by configuration. */
export function destinationsFor(engine: Engine, eventName: string, source: string): DestinationName[] {
  const out: DestinationName[] = [];
  const engineEvent = isReservedName(eventName);
  // An event that came from PostHog is never sent back to it.
  if (engine.config.POSTHOG_API_KEY && source !== "posthog" && (engineEvent || engine.config.POSTHOG_FORWARD_APP_EVENTS)) out.push("posthog");
  if (engine.config.WEBHOOK_DESTINATION_URL && engineEvent) out.push("webhook");
  return out;
}
