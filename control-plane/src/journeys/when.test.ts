import { describe, expect, it } from "vitest";
import { contactTimezone, createWhen } from "./when.js";

const at = (iso: string) => () => new Date(iso);

describe("ctx.when", () => {
  it("tomorrow at 09:00 is the customer's wall clock", () => {
    // 16:40 in New York on 2026-03-03 (UTC-5) → 09:00 New York next day = 14:00 UTC
    expect(createWhen(at("2026-03-03T21:40:00Z"), "America/New_York").tomorrow().at("09:00").toISOString()).toBe("2026-03-04T14:00:00.000Z");
  });

  it("is DST-correct across the spring-forward night", () => {
    // New York moves to UTC-4 on 2026-03-08: 09:00 that morning is 13:00 UTC, not 14:00
    expect(createWhen(at("2026-03-07T20:00:00Z"), "America/New_York").tomorrow().at("09:00").toISOString()).toBe("2026-03-08T13:00:00.000Z");
    // Europe/Berlin moves on 2026-03-29: the day before is UTC+1, that day UTC+2
    expect(createWhen(at("2026-03-28T12:00:00Z"), "Europe/Berlin").tomorrow().at("09:00").toISOString()).toBe("2026-03-29T07:00:00.000Z");
  });

  it("a time the clocks pass twice is the earlier instant; a skipped time moves forward by the gap", () => {
    // New York falls back on 2026-11-01: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST)
    expect(createWhen(at("2026-10-31T16:00:00Z"), "America/New_York").tomorrow().at("01:30").toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(createWhen(at("2026-10-31T16:00:00Z"), "America/New_York").next("sunday").at("01:30").toISOString()).toBe("2026-11-01T05:30:00.000Z");
    // Berlin falls back on 2026-10-25: 02:30 CEST is 00:30Z
    expect(createWhen(at("2026-10-24T12:00:00Z"), "Europe/Berlin").tomorrow().at("02:30").toISOString()).toBe("2026-10-25T00:30:00.000Z");
    // New York springs forward on 2026-03-08: 02:30 does not exist and becomes 03:30 EDT
    expect(createWhen(at("2026-03-07T20:00:00Z"), "America/New_York").tomorrow().at("02:30").toISOString()).toBe("2026-03-08T07:30:00.000Z");
  });

  it("in(days(n)) counts calendar days in the zone, across a DST night either way", () => {
    // Sat 2026-03-07 23:30 EST + 2 days = Mon 2026-03-09, 09:00 EDT = 13:00Z (48 elapsed hours would reach Tuesday)
    expect(createWhen(at("2026-03-08T04:30:00Z"), "America/New_York").in(2 * 86_400_000).at("09:00").toISOString()).toBe("2026-03-09T13:00:00.000Z");
    // Sat 2026-10-31 00:30 EDT + 2 days = Mon 2026-11-02, 09:00 EST = 14:00Z (48 elapsed hours would stay on Sunday)
    expect(createWhen(at("2026-10-31T04:30:00Z"), "America/New_York").in(2 * 86_400_000).at("09:00").toISOString()).toBe("2026-11-02T14:00:00.000Z");
    // A duration that is not whole days is elapsed time: 36 hours from Sat 12:00 UTC is Mon 00:00 UTC
    expect(createWhen(at("2026-01-03T12:00:00Z"), "UTC").in(36 * 3_600_000).at("09:00").toISOString()).toBe("2026-01-05T09:00:00.000Z");
  });

  it("next(weekday) is the coming one, never today", () => {
    // 2026-01-05 is a Monday
    const when = createWhen(at("2026-01-05T08:00:00Z"), "UTC");
    expect(when.next("monday").at("10:00").toISOString()).toBe("2026-01-12T10:00:00.000Z");
    expect(when.next("wednesday").at("10:00").toISOString()).toBe("2026-01-07T10:00:00.000Z");
  });

  it("in(duration).at() and .tz() override the zone", () => {
    const when = createWhen(at("2026-01-05T08:00:00Z"), "UTC");
    expect(when.in(2 * 86_400_000).at("09:30").toISOString()).toBe("2026-01-07T09:30:00.000Z");
    expect(when.tz("Asia/Tokyo").tomorrow().at("09:00").toISOString()).toBe("2026-01-06T00:00:00.000Z");
    expect(when.tomorrow().tz("Asia/Tokyo").at("09:00").toISOString()).toBe("2026-01-06T00:00:00.000Z");
    expect(() => when.tz("Mars/Olympus")).toThrow(/unknown timezone/);
    expect(() => when.today().at("25:00")).toThrow(/invalid time/);
  });

  it("resolves the contact's timezone: $timezone, $geoip_time_zone, contact timezone, default, UTC", () => {
    expect(contactTimezone({ $timezone: "Europe/Paris", $geoip_time_zone: "Asia/Tokyo" }, { timezone: "America/Denver" }, "UTC")).toBe("Europe/Paris");
    expect(contactTimezone({ $geoip_time_zone: "Asia/Tokyo" }, { timezone: "America/Denver" }, "UTC")).toBe("Asia/Tokyo");
    expect(contactTimezone({}, { timezone: "America/Denver" }, "UTC")).toBe("America/Denver");
    expect(contactTimezone({}, { timezone: "nowhere" }, "Europe/London")).toBe("Europe/London");
    expect(contactTimezone({}, {}, "bogus")).toBe("UTC");
  });
});
