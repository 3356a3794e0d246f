import { currentRun } from "./send-email.js";
import type { CompiledJourney, JourneyContext, WaitOptions, WaitResult } from "./types.js";
import { createWhen } from "./when.js";

/** What a journey's code can reach, found without running anything real. */
export interface JourneyShape {
  templates: Set<string>;
  waits: Set<string>;
  /** Step labels in first-seen order (waits, sleeps, checkpoints): Studio's funnel rows. */
  labels: { label: string; kind: string }[];
  /** Events in exitOn that a wait receives on some path whose code then goes on: the exit would cut it short. */
  stepsAfterExitEvent: Set<string>;
}

const MAX_PATHS = 64;
const MAX_STEPS = 200;

class PathEnd extends Error {}

/**
 * Explore a journey at start-up: run its code against a probe ctx (no database, no clock), once per
 * combination of wait outcomes (event / timeout) and guard results, recording the templates it sends and
 * the events it waits for. Catches an unknown template or an awaited exit event in any branch, even when
 * keys are constants. Branches that depend on event properties are explored with empty properties.
 */
export async function exploreJourney(journey: CompiledJourney): Promise<JourneyShape> {
  const shape: JourneyShape = { templates: new Set(), waits: new Set(), labels: [], stepsAfterExitEvent: new Set() };
  const exitEvents = new Set(journey.exitOn.map((e) => e.event));
  const seenLabels = new Set<string>();
  const label = (name: string | undefined, kind: string) => {
    if (name && !seenLabels.has(name)) {
      seenLabels.add(name);
      shape.labels.push({ label: name, kind });
    }
  };
  // Each path is a list of choices for the branching calls met in order; explore breadth-first.
  const queue: boolean[][] = [[]];
  let explored = 0;
  while (queue.length && explored < MAX_PATHS) {
    const choices = queue.shift()!;
    explored++;
    let index = 0;
    let steps = 0;
    // Set once this path received an exit event in a wait: any later step is one the exit would skip.
    let receivedExitEvent: string | null = null;
    const step = () => {
      if (++steps > MAX_STEPS) throw new PathEnd();
      if (receivedExitEvent) shape.stepsAfterExitEvent.add(receivedExitEvent);
    };
    const choose = (): boolean => {
      step();
      if (index < choices.length) return choices[index++];
      queue.push([...choices, false]);
      index++;
      choices.push(true);
      return true;
    };
    const now = new Date(0);
    const ctx: JourneyContext = {
      waitForEvent: (async (o: WaitOptions) => {
        shape.waits.add(o.event);
        label(o.label, "wait");
        const timedOut = choose();
        if (!timedOut && exitEvents.has(o.event)) receivedExitEvent ??= o.event;
        return (timedOut ? { timedOut: true, properties: null } : { timedOut: false, properties: {} }) as WaitResult;
      }) as JourneyContext["waitForEvent"],
      sleep: async (_d, o) => (step(), label(o?.label, "sleep")),
      sleepUntil: async (_d, o) => (step(), label(o?.label, "sleepUntil")),
      trigger: async () => step(),
      checkpoint: async (l) => (step(), label(l, "checkpoint")),
      guard: { isSubscribed: async () => choose() },
      when: createWhen(() => now, "UTC"),
      now: () => now,
    };
    const probe = {
      runId: "explore",
      sendEmail: async (args: { template: string }) => {
        step();
        shape.templates.add(args.template);
        label(args.template, "email");
        return { id: null, status: "sent" as const };
      },
    };
    const user = { id: "explore", email: "explore@hogsend.invalid", properties: {}, contact: {}, stateId: "explore", journeyName: journey.meta.name, contactId: "explore" };
    try {
      await currentRun.run(probe, () => journey.run(user, ctx));
    } catch {
      // A path that throws (code expecting real properties) still told us what it reached.
    }
  }
  return shape;
}
