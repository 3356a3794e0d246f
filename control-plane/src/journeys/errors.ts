/** Control flow: the run parked on a sleep or wait; its job is rescheduled. Never caught by journey code that rethrows. */
export class Parked extends Error {
  constructor() {
    super("run parked");
    this.name = "Parked";
  }
}

/** The run is no longer live (exited, cancelled): no further step may run. */
export class RunStopped extends Error {
  constructor() {
    super("run stopped");
    this.name = "RunStopped";
  }
}

/** Replay met other steps than the stored ones, or in another order: code changed under a live run. */
export class Diverged extends Error {
  constructor(readonly stepKey: string, detail: string) {
    super(`diverged at step "${stepKey}": ${detail}`);
    this.name = "Diverged";
  }
}

/** The message of a step stored as one thing and now made as another. */
export const changedStep = (stepKey: string, stored: string, now: string) => new Diverged(stepKey, `the stored step is a ${stored}, the code now makes a ${now}`);

/** A journey used the API wrongly (a wait without a timeout…): the run fails at once, without retries. */
export class JourneyUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JourneyUsageError";
  }
}
