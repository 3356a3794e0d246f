/** The engine's only source of time. Engine code never reads the wall clock directly. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told to: createTestEngine drives journeys over weeks in milliseconds. */
export class VirtualClock implements Clock {
  private current: number;
  constructor(start: Date) {
    this.current = start.getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date): void {
    if (to.getTime() > this.current) this.current = to.getTime();
  }
}
