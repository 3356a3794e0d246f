import { JourneyUsageError } from "./errors.js";
import { DateTime, IANAZone } from "luxon";
import type { Duration } from "../duration.js";

const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A calendar day in a timezone; `.at("09:00")` turns it into an absolute Date (DST-correct). */
export interface DayPoint {
  at(time: string): Date;
  tz(zone: string): DayPoint;
}

export interface WhenBuilder {
  today(): DayPoint;
  tomorrow(): DayPoint;
  next(weekday: Weekday): DayPoint;
  in(duration: Duration): DayPoint;
  tz(zone: string): WhenBuilder;
  /** The timezone used: the contact's, else the configured default, else UTC. */
  readonly zone: string;
}

const zoneValidity = new Map<string, boolean>();
/** Memoized: luxon checks a zone by building an Intl formatter, which is slow on a hot path. */
export function isValidZone(zone: unknown): zone is string {
  if (typeof zone !== "string" || zone.length === 0 || zone.length > 64) return false;
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size < 1000) zoneValidity.set(zone, valid);
  }
  return valid;
}

/**
 * The contact's timezone: PostHog `$timezone`, then `$geoip_time_zone`, then the contact property
 * `timezone`, then the configured default, then UTC.
 */
export function contactTimezone(
  personProperties: Record<string, unknown>,
  contactProperties: Record<string, unknown>,
  fallback: string,
): string {
  for (const candidate of [personProperties.$timezone, personProperties.$geoip_time_zone, contactProperties.timezone, fallback]) {
    if (isValidZone(candidate)) return candidate;
  }
  return "UTC";
}

function parseTime(time: string): { hour: number; minute: number } {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new JourneyUsageError(`when: invalid time "${time}", expected "HH:MM"`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

const DAY = 86_400_000;

/**
 * A wall-clock time on a calendar day in the day's zone. A time the clocks pass twice (the night they go
 * back) is the earlier instant; a time they skip (the night they go forward) moves forward by the gap.
 */
function wallTime(day: DateTime, hour: number, minute: number): Date {
  const zone = day.zone;
  const asUtc = Date.UTC(day.year, day.month - 1, day.day, hour, minute);
  const offsets = new Set([zone.offset(asUtc - DAY), zone.offset(asUtc), zone.offset(asUtc + DAY)]);
  const instants = [...offsets].map((o) => asUtc - o * 60_000).filter((ts) => zone.offset(ts) * 60_000 === asUtc - ts);
  if (instants.length) return new Date(Math.min(...instants));
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone }).toJSDate();
}

function dayPoint(nowUtc: Date, zone: string, pick: (today: DateTime) => DateTime): DayPoint {
  return {
    at(time) {
      const { hour, minute } = parseTime(time);
      return wallTime(pick(DateTime.fromJSDate(nowUtc, { zone })), hour, minute);
    },
    tz(other) {
      if (!isValidZone(other)) throw new JourneyUsageError(`when: unknown timezone "${other}"`);
      return dayPoint(nowUtc, other, pick);
    },
  };
}

export function createWhen(now: () => Date, zone: string): WhenBuilder {
  return {
    zone,
    today: () => dayPoint(now(), zone, (d) => d),
    tomorrow: () => dayPoint(now(), zone, (d) => d.plus({ days: 1 })),
    next: (weekday) => {
      const target = WEEKDAYS.indexOf(weekday) + 1;
      if (target === 0) throw new JourneyUsageError(`when: unknown weekday "${weekday}"`);
      return dayPoint(now(), zone, (d) => d.plus({ days: ((target - d.weekday + 7) % 7) || 7 }));
    },
    in: (duration) => {
      if (typeof duration !== "number" || !Number.isFinite(duration) || duration < 0) throw new JourneyUsageError("when.in: needs a duration (e.g. days(2))");
      // Whole days are calendar days in the zone (a DST night is 23 or 25 hours); anything else is elapsed time.
      return dayPoint(now(), zone, (d) => (duration % DAY === 0 ? d.plus({ days: duration / DAY }) : d.plus({ milliseconds: duration })));
    },
    tz: (other) => {
      if (!isValidZone(other)) throw new JourneyUsageError(`when: unknown timezone "${other}"`);
      return createWhen(now, other);
    },
  };
}
