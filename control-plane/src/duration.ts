/** Durations are plain milliseconds, written with these helpers: `days(2)`, `hours(12)`. */
export type Duration = number;

export const seconds = (n: number): Duration => n * 1000;
export const minutes = (n: number): Duration => n * 60_000;
export const hours = (n: number): Duration => n * 3_600_000;
export const days = (n: number): Duration => n * 86_400_000;

/** Waits, sleeps and lookbacks are capped at 30 days each. */
export const MAX_WAIT: Duration = days(30);
/** A run's waits and sleeps must end within 30 days of its start. */
export const MAX_RUN: Duration = days(30);
