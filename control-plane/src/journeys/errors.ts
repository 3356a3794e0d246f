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

/** Replay met a different step than the one stored at this key: code changed under a live run. */
export class Diverged extends Error {
  constructor(readonly stepKey: string, expected: string, found: string) {
    super(`diverged at step "${stepKey}": the stored step is a ${expected}, the code now makes a ${found}`);
    this.name = "Diverged";
  }
}

/** A journey used the API wrongly (a wait without a timeout…): the run fails at once, without retries. */
export class JourneyUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JourneyUsageError";
  }
}
