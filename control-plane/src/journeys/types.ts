import type { Duration } from "../duration.js";
import type { Condition, EventProperties, Where } from "./conditions.js";
import type { WhenBuilder } from "./when.js";

export type EntryLimit = "once" | "once_per_period" | "unlimited";

/** Exit events' properties by event name, when declared: `{ "meeting.booked": { source: string } }` (undeclared: any event, any key). */
export type ExitEvents = Record<string, EventProperties>;

/** An exitOn rule; with declared exit events, `event` is one of them and its `where` is checked against its properties. */
export type ExitRule<XP extends ExitEvents = any> = { [E in keyof XP & string]: { event: E; where?: Where<XP[E]> } }[keyof XP & string];

/**
 * TP: the trigger event's properties, when declared (`defineJourney<{ plan: string }>(…)`);
 * XP: the exit events' properties by name.
 */
export interface JourneyMeta<TP extends EventProperties = EventProperties, XP extends ExitEvents = any> {
  /** Stable id: runs, entries and step history are keyed by it. */
  id: string;
  name: string;
  description?: string;
  enabled: boolean;
  trigger: { event: string; where?: Where<TP> };
  entryLimit: EntryLimit;
  /** Required with `once_per_period`: how long after an entry the contact may enter again. */
  entryPeriod?: Duration;
  /** The minimum gap between two emails of this journey to one recipient, across enrollments. */
  suppress: Duration;
  exitOn?: ExitRule<XP>[];
  /** The email category of this journey's sends (default "journey"). */
  category?: string;
  /** Templates this journey sends; optional, since start-up exploration of the code finds them (journeys/explore.ts). */
  templates?: string[];
}

export interface JourneyUser<TP extends EventProperties = EventProperties> {
  /** The contact's userId (or its contact id when it has none). */
  id: string;
  email: string;
  /** The trigger event's eventProperties. */
  properties: TP;
  /** The contact's properties. */
  contact: Record<string, unknown>;
  /** The run id: pass it to sendEmail as journeyStateId. */
  stateId: string;
  journeyName: string;
  contactId: string;
}

/** P: the awaited event's properties, when declared (`ctx.waitForEvent<{ answer: "yes" | "no" }>(…)`). */
export interface WaitOptions<P extends EventProperties = EventProperties> {
  event: string;
  timeout: Duration;
  label?: string;
  /** Also take a matching event from up to this long before the wait began. */
  lookback?: Duration;
  where?: Where<P>;
}

export interface WaitResult<P extends EventProperties = EventProperties> {
  timedOut: boolean;
  /** The matching event's properties; null when the wait timed out. */
  properties: P | null;
}

export interface TriggerOptions {
  event: string;
  userId?: string;
  email?: string;
  properties?: Record<string, unknown>;
}

export interface JourneyContext {
  /** Park until `event` arrives for this contact, or `timeout` passes. */
  waitForEvent<P extends EventProperties = EventProperties>(options: WaitOptions<P>): Promise<WaitResult<P>>;
  sleep(duration: Duration, options?: { label?: string }): Promise<void>;
  sleepUntil(date: Date, options?: { label?: string }): Promise<void>;
  /** Ingest a real event through the pipeline, exactly once for this step. */
  trigger(options: TriggerOptions): Promise<void>;
  /** A named mark in the run's timeline (and Studio's funnel). */
  checkpoint(label: string): Promise<void>;
  guard: { isSubscribed(category?: string): Promise<boolean> };
  /** Times in the contact's timezone: `ctx.when.tomorrow().at("09:00")`. */
  when: WhenBuilder;
  /** The engine clock's time as of this point of the run (stable on replay). */
  now(): Date;
}

export interface JourneyDefinition<TP extends EventProperties = EventProperties, XP extends ExitEvents = any> {
  meta: JourneyMeta<TP, XP>;
  run: (user: JourneyUser<TP>, ctx: JourneyContext) => Promise<void>;
}

/** A journey with its conditions compiled to JSON. */
export interface CompiledJourney extends JourneyDefinition<any, any> {
  triggerCondition: Condition | null;
  exitOn: { event: string; condition: Condition | null }[];
}
