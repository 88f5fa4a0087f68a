import { z } from 'zod';
import { ValidationFailed } from '../shared/errors.js';
import { parseOrFail } from '../shared/validation.js';

/**
 * Business-hours calendars: weekly opening hours in an IANA time zone plus
 * holidays, and the business-time maths SLA targets are built on
 * ("due = start + N business minutes", "business minutes elapsed").
 *
 * Everything is computed in the calendar's local wall-clock time: we walk over
 * local days, turn each opening interval into a pair of UTC instants and work
 * with those instants, so DST days have 23 or 25 hours automatically.
 *
 * Wall times that do not map to exactly one instant are resolved like this
 * (the wall-time → instant map stays monotonic, so intervals never invert or
 * overlap after conversion):
 * - a wall time inside a spring-forward gap (e.g. 02:30 on 29 March 2026 in
 *   Europe/Berlin) maps forward to the instant the gap ends (03:00 CEST): an
 *   office "opening at 02:30" opens as soon as the clocks allow, and an
 *   interval lying entirely inside the gap is empty that day;
 * - a wall time repeated by a fall-back (e.g. 02:30 on 25 October 2026 in
 *   Europe/Berlin) uses its first occurrence (02:30 CEST). An interval
 *   00:00–06:00 therefore covers the repeated hour and lasts 7 hours.
 *
 * Pure: no clock, no I/O. Every function takes the instants it needs.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** How far ahead we look for an opening or a due time before giving up. */
export const MAX_SEARCH_DAYS = 3 * 366;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** True when the runtime's time-zone database knows `zone` (an IANA name such as `Europe/Berlin`). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** 'HH:MM' → minutes after local midnight ('24:00' → 1440). */
function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function isRealDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export const TimeOfDaySchema = z.string().regex(TIME_OF_DAY, 'times are HH:MM between 00:00 and 24:00');

export const OpeningIntervalSchema = z
  .object({ start: TimeOfDaySchema, end: TimeOfDaySchema })
  .refine((i) => minutesOfDay(i.start) < minutesOfDay(i.end), {
    message: 'an opening interval must end after it starts',
    path: ['end'],
  });
export type OpeningInterval = z.infer<typeof OpeningIntervalSchema>;

export const DayHoursSchema = z
  .array(OpeningIntervalSchema)
  .max(12, 'at most 12 opening intervals per day')
  .superRefine((intervals, ctx) => {
    const sorted = [...intervals].sort((a, b) => minutesOfDay(a.start) - minutesOfDay(b.start));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const cur = sorted[i];
      if (prev && cur && minutesOfDay(cur.start) < minutesOfDay(prev.end)) {
        ctx.addIssue({
          code: 'custom',
          message: `opening intervals overlap: ${prev.start}–${prev.end} and ${cur.start}–${cur.end}`,
        });
      }
    }
  });

export const WeeklyHoursSchema = z.object({
  mon: DayHoursSchema.default([]),
  tue: DayHoursSchema.default([]),
  wed: DayHoursSchema.default([]),
  thu: DayHoursSchema.default([]),
  fri: DayHoursSchema.default([]),
  sat: DayHoursSchema.default([]),
  sun: DayHoursSchema.default([]),
});
export type WeeklyHours = z.infer<typeof WeeklyHoursSchema>;

export const HolidaySchema = z.object({
  date: z.string().refine(isRealDate, 'holiday dates are real YYYY-MM-DD dates'),
  name: z.string().trim().min(1).max(200),
});
export type Holiday = z.infer<typeof HolidaySchema>;

export const BusinessCalendarSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    timeZone: z.string().refine(isKnownTimeZone, 'not a known IANA time zone (e.g. Europe/Berlin)'),
    weekly: WeeklyHoursSchema,
    holidays: z.array(HolidaySchema).max(1000, 'at most 1000 holidays').default([]),
  })
  .refine((c) => WEEKDAYS.some((d) => c.weekly[d].length > 0), {
    message: 'a business calendar needs at least one opening interval in the week',
    path: ['weekly'],
  });
export type BusinessCalendar = z.infer<typeof BusinessCalendarSchema>;

/** Validates untrusted input as a calendar, throwing ValidationFailed (with the zod issues as details) when it is not one. */
export function parseBusinessCalendar(input: unknown): BusinessCalendar {
  return parseOrFail(BusinessCalendarSchema, input, 'business calendar');
}

/** A calendar that is always open (no holidays), for SLA targets measured in calendar time. */
export function createAlwaysOpenCalendar(timeZone = 'UTC', id = '24x7', name = '24/7'): BusinessCalendar {
  const allDay = (): OpeningInterval[] => [{ start: '00:00', end: '24:00' }];
  return parseBusinessCalendar({
    id,
    name,
    timeZone,
    weekly: {
      mon: allDay(),
      tue: allDay(),
      wed: allDay(),
      thu: allDay(),
      fri: allDay(),
      sat: allDay(),
      sun: allDay(),
    },
    holidays: [],
  });
}

/** Open around the clock, every day, in UTC. */
export const TWENTY_FOUR_SEVEN: BusinessCalendar = createAlwaysOpenCalendar();

// ---------------------------------------------------------------------------
// Time-zone arithmetic (instants are epoch milliseconds; a "wall" value is the
// local wall-clock reading encoded as if it were UTC epoch milliseconds).
// ---------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Offset (local − UTC, in ms) of `zone` at the instant `t`. We read it from
 * Intl directly rather than date-fns-tz's `getTimezoneOffset`, which reads its
 * argument as a wall time in the machine's zone; and we resolve wall times
 * ourselves rather than with `fromZonedTime`, which maps a gap time backwards
 * (02:30 → 01:30 CET) and a repeated time to its second occurrence.
 */
function offsetAt(zone: string, t: number): number {
  const parts = formatterFor(zone).formatToParts(new Date(t));
  const get = (type: Intl.DateTimeFormatPartTypes): number => {
    const part = parts.find((p) => p.type === type);
    return part ? Number(part.value) : 0;
  };
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const wholeSecond = Math.floor(t / 1000) * 1000;
  return wall - wholeSecond;
}

/** Resolves a wall-clock reading to an instant: gaps map to the end of the gap, repeats to the first occurrence. */
function resolveWallTime(zone: string, wall: number): number {
  const offBefore = offsetAt(zone, wall - DAY_MS);
  const offAfter = offsetAt(zone, wall + DAY_MS);
  const t1 = wall - offBefore;
  const t2 = wall - offAfter;
  const v1 = offsetAt(zone, t1) === offBefore;
  const v2 = offsetAt(zone, t2) === offAfter;
  if (v1 && v2) return Math.min(t1, t2);
  if (v1) return t1;
  if (v2) return t2;
  // Spring-forward gap: the transition instant lies in (min, max]; find it.
  let lo = Math.min(t1, t2);
  let hi = Math.max(t1, t2);
  const offLo = offsetAt(zone, lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid) === offLo) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Index of the local day (days since 1970-01-01 in wall-clock terms) that instant `t` falls on. */
function localDayOf(zone: string, t: number): number {
  return Math.floor((t + offsetAt(zone, t)) / DAY_MS);
}

interface CompiledCalendar {
  zone: string;
  /** Opening intervals in minutes after local midnight, sorted, indexed by getUTCDay(). */
  days: Array<Array<[number, number]>>;
  holidays: Set<string>;
}

const compiled = new WeakMap<BusinessCalendar, CompiledCalendar>();

function compileCalendar(calendar: BusinessCalendar): CompiledCalendar {
  const cached = compiled.get(calendar);
  if (cached) return cached;
  const valid = parseBusinessCalendar(calendar);
  const result: CompiledCalendar = {
    zone: valid.timeZone,
    days: WEEKDAYS.map((d) =>
      valid.weekly[d]
        .map((i): [number, number] => [minutesOfDay(i.start), minutesOfDay(i.end)])
        .sort((a, b) => a[0] - b[0]),
    ),
    holidays: new Set(valid.holidays.map((h) => h.date)),
  };
  compiled.set(calendar, result);
  return result;
}

/** Open spans (UTC instants, [start, end), sorted, non-overlapping) of local day `day`. */
function openSpansOn(cal: CompiledCalendar, day: number): Array<[number, number]> {
  const midnight = day * DAY_MS;
  const date = new Date(midnight);
  if (cal.holidays.has(date.toISOString().slice(0, 10))) return [];
  const intervals = cal.days[date.getUTCDay()] ?? [];
  if (intervals.length === 0) return [];
  // Fast path: no offset change anywhere near this day (true on all but ~2 days a year).
  const off = offsetAt(cal.zone, midnight - DAY_MS);
  const steady = off === offsetAt(cal.zone, midnight + 2 * DAY_MS);
  const toInstant = (minutes: number): number => {
    const wall = midnight + minutes * MINUTE_MS;
    return steady ? wall - off : resolveWallTime(cal.zone, wall);
  };
  const spans: Array<[number, number]> = [];
  for (const [start, end] of intervals) {
    const s = toInstant(start);
    const e = toInstant(end);
    if (e > s) spans.push([s, e]);
  }
  return spans;
}

function toTime(value: Date, what: string): number {
  const t = value.getTime();
  if (Number.isNaN(t)) throw new ValidationFailed(`${what} is not a valid date`);
  return t;
}

/**
 * The instant at which `minutes` of business time have elapsed after `start`:
 * the SLA due time. Counting begins at the next opening when `start` is outside
 * business hours; `minutes = 0` therefore returns the next opening (or `start`
 * itself while open). When the budget runs out exactly at closing time the
 * closing instant is returned, not the next morning. Throws ValidationFailed
 * for a negative amount, a calendar without hours, or a due time more than
 * MAX_SEARCH_DAYS days ahead.
 */
export function addBusinessMinutes(calendar: BusinessCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new ValidationFailed(`Business minutes must be a finite number ≥ 0, got ${minutes}`);
  }
  const cal = compileCalendar(calendar);
  const from = toTime(start, 'start');
  let remaining = Math.round(minutes * MINUTE_MS);
  const firstDay = localDayOf(cal.zone, from) - 1;
  for (let day = firstDay; day <= firstDay + MAX_SEARCH_DAYS; day++) {
    for (const [s, e] of openSpansOn(cal, day)) {
      if (e <= from) continue;
      const begin = Math.max(s, from);
      const available = e - begin;
      if (remaining <= available) return new Date(begin + remaining);
      remaining -= available;
    }
  }
  throw new ValidationFailed(
    minutes === 0
      ? `Calendar ${calendar.id} has no opening within ${MAX_SEARCH_DAYS} days of ${start.toISOString()}`
      : `Calendar ${calendar.id} does not reach ${minutes} business minutes within ${MAX_SEARCH_DAYS} days of ${start.toISOString()}`,
    { calendarId: calendar.id, start: start.toISOString(), minutes },
  );
}

/**
 * Business minutes in the half-open range [from, to): the SLA clock's elapsed
 * time. 0 when `to` is not after `from`. Fractional when the instants are not
 * whole minutes apart inside open hours.
 */
export function businessMinutesBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const cal = compileCalendar(calendar);
  const a = toTime(from, 'from');
  const b = toTime(to, 'to');
  if (b <= a) return 0;
  let total = 0;
  const lastDay = localDayOf(cal.zone, b) + 1;
  for (let day = localDayOf(cal.zone, a) - 1; day <= lastDay; day++) {
    for (const [s, e] of openSpansOn(cal, day)) {
      const overlap = Math.min(e, b) - Math.max(s, a);
      if (overlap > 0) total += overlap;
    }
  }
  return total / MINUTE_MS;
}

/** Whether the desk is open at instant `at` (opening instants are inside, closing instants outside). */
export function isWithinBusinessHours(calendar: BusinessCalendar, at: Date): boolean {
  const cal = compileCalendar(calendar);
  const t = toTime(at, 'at');
  const day = localDayOf(cal.zone, t);
  for (let d = day - 1; d <= day + 1; d++) {
    for (const [s, e] of openSpansOn(cal, d)) {
      if (s <= t && t < e) return true;
    }
  }
  return false;
}

/**
 * The first instant at or after `at` when the desk is open (`at` itself while
 * open). Throws ValidationFailed when holidays leave no opening within
 * MAX_SEARCH_DAYS days.
 */
export function nextOpening(calendar: BusinessCalendar, at: Date): Date {
  return addBusinessMinutes(calendar, at, 0);
}
