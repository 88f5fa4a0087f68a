import { formatInTimeZone } from 'date-fns-tz';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  BusinessCalendarSchema,
  businessMinutesBetween,
  createAlwaysOpenCalendar,
  isWithinBusinessHours,
  nextOpening,
  parseBusinessCalendar,
  TWENTY_FOUR_SEVEN,
  type WeeklyHours,
} from '../../../functions/domain/business-hours/calendar.js';
import { ValidationFailed } from '../../../functions/domain/shared/errors.js';
import { seededRandom } from '../../support/seeded-random.js';

type Day = WeeklyHours['mon'];
const nineToFive: Day = [{ start: '09:00', end: '17:00' }];

function calendar(
  timeZone: string,
  weekly: Partial<WeeklyHours>,
  holidays: BusinessCalendar['holidays'] = [],
) {
  return parseBusinessCalendar({ id: `cal-${timeZone}`, name: 'Support', timeZone, weekly, holidays });
}

function weekdays(day: Day, extra: Partial<WeeklyHours> = {}): Partial<WeeklyHours> {
  return { mon: day, tue: day, wed: day, thu: day, fri: day, ...extra };
}

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();
const local = (d: Date, zone: string) => formatInTimeZone(d, zone, 'EEE yyyy-MM-dd HH:mm:ss zzz');

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const berlinOffice = calendar(BERLIN, weekdays(nineToFive));
const newYorkOffice = calendar(NEW_YORK, weekdays(nineToFive));

describe('addBusinessMinutes on a Mon–Fri 09:00–17:00 Europe/Berlin calendar', () => {
  it('carries a Friday 16:30 ticket + 60 minutes over the weekend to Monday 09:30', () => {
    const due = addBusinessMinutes(berlinOffice, at('2026-03-06T15:30:00Z'), 60); // Fri 16:30 CET
    expect(iso(due)).toBe('2026-03-09T08:30:00.000Z');
    expect(local(due, BERLIN)).toBe('Mon 2026-03-09 09:30:00 GMT+1');
  });

  it('carries over the night', () => {
    // Tue 16:00 CET + 120 → Wed 10:00 CET
    expect(iso(addBusinessMinutes(berlinOffice, at('2026-03-03T15:00:00Z'), 120))).toBe(
      '2026-03-04T09:00:00.000Z',
    );
  });

  it('starts counting at the next opening when the ticket arrives at the weekend', () => {
    const saturday = at('2026-03-07T10:00:00Z'); // Sat 11:00 CET
    expect(iso(addBusinessMinutes(berlinOffice, saturday, 30))).toBe('2026-03-09T08:30:00.000Z');
    expect(iso(addBusinessMinutes(berlinOffice, saturday, 0))).toBe('2026-03-09T08:00:00.000Z');
  });

  it('starts counting at opening time when the ticket arrives before hours', () => {
    // Wed 07:12 CET + 15 → Wed 09:15 CET
    expect(iso(addBusinessMinutes(berlinOffice, at('2026-03-04T06:12:00Z'), 15))).toBe(
      '2026-03-04T08:15:00.000Z',
    );
  });

  it('returns start itself for 0 minutes while open', () => {
    const open = at('2026-03-04T10:17:23.456Z');
    expect(iso(addBusinessMinutes(berlinOffice, open, 0))).toBe(iso(open));
  });

  it('ends at closing time, not the next morning, when the budget runs out exactly then', () => {
    // Wed 16:00 CET + 60 → Wed 17:00 CET; + 61 → Thu 09:01 CET
    expect(iso(addBusinessMinutes(berlinOffice, at('2026-03-04T15:00:00Z'), 60))).toBe(
      '2026-03-04T16:00:00.000Z',
    );
    expect(iso(addBusinessMinutes(berlinOffice, at('2026-03-04T15:00:00Z'), 61))).toBe(
      '2026-03-05T08:01:00.000Z',
    );
  });

  it('spans whole weeks for large budgets', () => {
    // 5 weeks of 40 hours from Mon 09:00 CET → five weeks later, Fri 17:00 CEST (DST started in between)
    const due = addBusinessMinutes(berlinOffice, at('2026-03-02T08:00:00Z'), 5 * 5 * 8 * 60);
    expect(local(due, BERLIN)).toBe('Fri 2026-04-03 17:00:00 GMT+2');
    expect(iso(due)).toBe('2026-04-03T15:00:00.000Z');
  });

  it('skips holidays as whole local days closed', () => {
    const christmas = calendar(BERLIN, weekdays(nineToFive), [
      { date: '2026-12-25', name: 'Christmas Day' }, // Friday
      { date: '2026-12-28', name: 'Bridge day' }, // Monday
    ]);
    const thursday1600 = at('2026-12-24T15:00:00Z');
    const due = addBusinessMinutes(christmas, thursday1600, 120);
    expect(local(due, BERLIN)).toBe('Tue 2026-12-29 10:00:00 GMT+1');
    expect(iso(due)).toBe('2026-12-29T09:00:00.000Z');
    expect(businessMinutesBetween(christmas, thursday1600, due)).toBe(120);
    expect(isWithinBusinessHours(christmas, at('2026-12-25T10:00:00Z'))).toBe(false);
    expect(iso(nextOpening(christmas, at('2026-12-24T16:00:00Z')))).toBe('2026-12-29T08:00:00.000Z');
  });

  it('splits around a lunch break', () => {
    const lunch = calendar(
      BERLIN,
      weekdays([
        { start: '13:00', end: '17:00' },
        { start: '09:00', end: '12:00' },
      ]),
    );
    // Mon 11:30 CET + 60 → Mon 13:30 CET
    expect(iso(addBusinessMinutes(lunch, at('2026-03-02T10:30:00Z'), 60))).toBe('2026-03-02T12:30:00.000Z');
    expect(isWithinBusinessHours(lunch, at('2026-03-02T11:30:00Z'))).toBe(false); // 12:30 CET
    expect(iso(nextOpening(lunch, at('2026-03-02T11:15:00Z')))).toBe('2026-03-02T12:00:00.000Z');
    expect(businessMinutesBetween(lunch, at('2026-03-02T00:00:00Z'), at('2026-03-03T00:00:00Z'))).toBe(
      7 * 60,
    );
  });

  it('accepts touching intervals and overnight shifts across midnight', () => {
    const lateShift = calendar(BERLIN, {
      mon: [
        { start: '09:00', end: '12:00' },
        { start: '12:00', end: '24:00' },
      ],
      tue: [{ start: '00:00', end: '06:00' }],
    });
    // Mon 23:00 CET + 120 → Tue 01:00 CET, no gap at midnight
    expect(iso(addBusinessMinutes(lateShift, at('2026-03-02T22:00:00Z'), 120))).toBe(
      '2026-03-03T00:00:00.000Z',
    );
    expect(isWithinBusinessHours(lateShift, at('2026-03-02T23:00:00Z'))).toBe(true); // Tue 00:00 CET
    expect(iso(nextOpening(lateShift, at('2026-03-02T11:00:00Z')))).toBe('2026-03-02T11:00:00.000Z'); // 12:00 CET
  });
});

describe('isWithinBusinessHours and nextOpening', () => {
  it('treats opening as inside and closing as outside', () => {
    expect(isWithinBusinessHours(berlinOffice, at('2026-03-04T08:00:00.000Z'))).toBe(true);
    expect(isWithinBusinessHours(berlinOffice, at('2026-03-04T07:59:59.999Z'))).toBe(false);
    expect(isWithinBusinessHours(berlinOffice, at('2026-03-04T15:59:59.999Z'))).toBe(true);
    expect(isWithinBusinessHours(berlinOffice, at('2026-03-04T16:00:00.000Z'))).toBe(false);
    expect(iso(nextOpening(berlinOffice, at('2026-03-04T16:00:00Z')))).toBe('2026-03-05T08:00:00.000Z');
  });

  it('knows the 24/7 calendar is always open', () => {
    const t = at('2026-07-04T03:21:00Z');
    expect(isWithinBusinessHours(TWENTY_FOUR_SEVEN, t)).toBe(true);
    expect(iso(nextOpening(TWENTY_FOUR_SEVEN, t))).toBe(iso(t));
    expect(iso(addBusinessMinutes(TWENTY_FOUR_SEVEN, t, 10_000))).toBe(
      iso(new Date(t.getTime() + 10_000 * 60_000)),
    );
  });
});

describe('businessMinutesBetween', () => {
  it('is 0 when to is not after from', () => {
    expect(businessMinutesBetween(berlinOffice, at('2026-03-04T10:00:00Z'), at('2026-03-04T10:00:00Z'))).toBe(
      0,
    );
    expect(businessMinutesBetween(berlinOffice, at('2026-03-04T10:00:00Z'), at('2026-03-04T09:00:00Z'))).toBe(
      0,
    );
  });

  it('counts a whole week as 40 hours and excludes the weekend', () => {
    expect(businessMinutesBetween(berlinOffice, at('2026-03-01T00:00:00Z'), at('2026-03-08T00:00:00Z'))).toBe(
      2400,
    );
    expect(businessMinutesBetween(berlinOffice, at('2026-03-06T15:30:00Z'), at('2026-03-09T08:30:00Z'))).toBe(
      60,
    );
  });

  it('returns fractional minutes for instants that are not whole minutes apart', () => {
    expect(businessMinutesBetween(berlinOffice, at('2026-03-04T10:00:00Z'), at('2026-03-04T10:00:30Z'))).toBe(
      0.5,
    );
  });
});

describe('DST spring-forward', () => {
  // Europe/Berlin: Sun 29 March 2026, 02:00 CET → 03:00 CEST (01:00 UTC).
  // America/New_York: Sun 8 March 2026, 02:00 EST → 03:00 EDT (07:00 UTC).
  const sundayNight: Partial<WeeklyHours> = weekdays(nineToFive, { sun: [{ start: '00:00', end: '06:00' }] });

  it('24/7 in Europe/Berlin: a local day of 23 hours', () => {
    const cal = createAlwaysOpenCalendar(BERLIN);
    const due = addBusinessMinutes(cal, at('2026-03-28T11:00:00Z'), 24 * 60); // Sat 12:00 CET
    expect(iso(due)).toBe('2026-03-29T11:00:00.000Z');
    expect(local(due, BERLIN)).toBe('Sun 2026-03-29 13:00:00 GMT+2');
    // Sat 00:00 CET → Mon 00:00 CEST is 47 hours
    expect(businessMinutesBetween(cal, at('2026-03-27T23:00:00Z'), at('2026-03-29T22:00:00Z'))).toBe(47 * 60);
  });

  it('24/7 in America/New_York', () => {
    const cal = createAlwaysOpenCalendar(NEW_YORK);
    const due = addBusinessMinutes(cal, at('2026-03-07T17:00:00Z'), 24 * 60); // Sat 12:00 EST
    expect(iso(due)).toBe('2026-03-08T17:00:00.000Z');
    expect(local(due, NEW_YORK)).toBe('Sun 2026-03-08 13:00:00 EDT');
    expect(businessMinutesBetween(cal, at('2026-03-07T05:00:00Z'), at('2026-03-09T04:00:00Z'))).toBe(47 * 60);
  });

  it('Europe/Berlin: hours 00:00–06:00 on the switch Sunday last 5 real hours', () => {
    const cal = calendar(BERLIN, sundayNight);
    const saturdayNoon = at('2026-03-28T11:00:00Z');
    expect(iso(nextOpening(cal, saturdayNoon))).toBe('2026-03-28T23:00:00.000Z'); // Sun 00:00 CET
    expect(iso(addBusinessMinutes(cal, saturdayNoon, 120))).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(local(addBusinessMinutes(cal, saturdayNoon, 120), BERLIN)).toBe('Sun 2026-03-29 03:00:00 GMT+2');
    expect(iso(addBusinessMinutes(cal, saturdayNoon, 300))).toBe('2026-03-29T04:00:00.000Z'); // 06:00 CEST
    expect(iso(addBusinessMinutes(cal, saturdayNoon, 301))).toBe('2026-03-30T07:01:00.000Z'); // Mon 09:01 CEST
    expect(businessMinutesBetween(cal, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(300);
    expect(isWithinBusinessHours(cal, at('2026-03-29T00:59:00Z'))).toBe(true); // 01:59 CET
    expect(isWithinBusinessHours(cal, at('2026-03-29T01:00:00Z'))).toBe(true); // 03:00 CEST
  });

  it('America/New_York: hours 00:00–06:00 on the switch Sunday last 5 real hours', () => {
    const cal = calendar(NEW_YORK, sundayNight);
    const saturdayNoon = at('2026-03-07T17:00:00Z');
    expect(iso(nextOpening(cal, saturdayNoon))).toBe('2026-03-08T05:00:00.000Z'); // Sun 00:00 EST
    expect(iso(addBusinessMinutes(cal, saturdayNoon, 180))).toBe('2026-03-08T08:00:00.000Z'); // 04:00 EDT
    expect(iso(addBusinessMinutes(cal, saturdayNoon, 300))).toBe('2026-03-08T10:00:00.000Z'); // 06:00 EDT
    expect(businessMinutesBetween(cal, at('2026-03-07T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(300);
  });

  it('moves office hours with the clocks: 09:00 is 08:00 UTC before and 07:00 UTC after (Berlin)', () => {
    const due = addBusinessMinutes(berlinOffice, at('2026-03-27T15:30:00Z'), 60); // Fri 16:30 CET
    expect(iso(due)).toBe('2026-03-30T07:30:00.000Z'); // Mon 09:30 CEST
    expect(businessMinutesBetween(berlinOffice, at('2026-03-23T00:00:00Z'), at('2026-04-06T00:00:00Z'))).toBe(
      2 * 2400,
    );
  });

  it('moves office hours with the clocks (New York)', () => {
    const due = addBusinessMinutes(newYorkOffice, at('2026-03-06T21:30:00Z'), 60); // Fri 16:30 EST
    expect(iso(due)).toBe('2026-03-09T13:30:00.000Z'); // Mon 09:30 EDT
    expect(local(due, NEW_YORK)).toBe('Mon 2026-03-09 09:30:00 EDT');
  });

  it('maps a wall time inside the gap forward to the end of the gap', () => {
    const cal = calendar(BERLIN, {
      sun: [
        { start: '01:30', end: '01:45' }, // before the gap: 15 minutes
        { start: '02:10', end: '02:40' }, // entirely inside the gap: no time that day
        { start: '02:50', end: '04:00' }, // opens at 03:00 CEST: 60 minutes
      ],
    });
    expect(iso(nextOpening(cal, at('2026-03-29T00:45:00Z')))).toBe('2026-03-29T01:00:00.000Z'); // after 01:45 CET → 03:00 CEST
    expect(businessMinutesBetween(cal, at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'))).toBe(75);
    // On a normal Sunday the same calendar is open 15 + 30 + 70 minutes
    expect(businessMinutesBetween(cal, at('2026-03-22T00:00:00Z'), at('2026-03-23T00:00:00Z'))).toBe(115);
  });
});

describe('DST fall-back', () => {
  // Europe/Berlin: Sun 25 October 2026, 03:00 CEST → 02:00 CET (01:00 UTC).
  // America/New_York: Sun 1 November 2026, 02:00 EDT → 01:00 EST (06:00 UTC).
  const sundayNight: Partial<WeeklyHours> = weekdays(nineToFive, { sun: [{ start: '00:00', end: '06:00' }] });

  it('24/7 in Europe/Berlin: a local day of 25 hours', () => {
    const cal = createAlwaysOpenCalendar(BERLIN);
    const due = addBusinessMinutes(cal, at('2026-10-24T10:00:00Z'), 24 * 60); // Sat 12:00 CEST
    expect(iso(due)).toBe('2026-10-25T10:00:00.000Z');
    expect(local(due, BERLIN)).toBe('Sun 2026-10-25 11:00:00 GMT+1');
    expect(businessMinutesBetween(cal, at('2026-10-23T22:00:00Z'), at('2026-10-25T23:00:00Z'))).toBe(49 * 60);
  });

  it('24/7 in America/New_York', () => {
    const cal = createAlwaysOpenCalendar(NEW_YORK);
    expect(iso(addBusinessMinutes(cal, at('2026-10-31T16:00:00Z'), 24 * 60))).toBe(
      '2026-11-01T16:00:00.000Z',
    );
  });

  it('Europe/Berlin: hours 00:00–06:00 on the switch Sunday last 7 real hours', () => {
    const cal = calendar(BERLIN, sundayNight);
    const saturdayNoon = at('2026-10-24T10:00:00Z');
    expect(iso(nextOpening(cal, saturdayNoon))).toBe('2026-10-24T22:00:00.000Z'); // Sun 00:00 CEST
    expect(iso(addBusinessMinutes(cal, saturdayNoon, 180))).toBe('2026-10-25T01:00:00.000Z'); // 02:00 CET (second time)
    expect(iso(addBusinessMinutes(cal, saturdayNoon, 420))).toBe('2026-10-25T05:00:00.000Z'); // 06:00 CET
    expect(iso(addBusinessMinutes(cal, saturdayNoon, 421))).toBe('2026-10-26T08:01:00.000Z'); // Mon 09:01 CET
    expect(businessMinutesBetween(cal, at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z'))).toBe(420);
  });

  it('America/New_York: hours 00:00–06:00 on the switch Sunday last 7 real hours', () => {
    const cal = calendar(NEW_YORK, sundayNight);
    const saturdayNoon = at('2026-10-31T16:00:00Z');
    expect(iso(nextOpening(cal, saturdayNoon))).toBe('2026-11-01T04:00:00.000Z'); // Sun 00:00 EDT
    expect(iso(addBusinessMinutes(cal, saturdayNoon, 420))).toBe('2026-11-01T11:00:00.000Z'); // 06:00 EST
    expect(businessMinutesBetween(cal, at('2026-10-31T00:00:00Z'), at('2026-11-02T00:00:00Z'))).toBe(420);
    // Mon–Fri: Fri 16:30 EDT + 60 → Mon 09:30 EST
    expect(iso(addBusinessMinutes(newYorkOffice, at('2026-10-30T20:30:00Z'), 60))).toBe(
      '2026-11-02T14:30:00.000Z',
    );
  });

  it('uses the first occurrence of a repeated wall time', () => {
    const berlin = calendar(BERLIN, { sun: [{ start: '02:30', end: '02:45' }] });
    expect(iso(nextOpening(berlin, at('2026-10-24T12:00:00Z')))).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect(businessMinutesBetween(berlin, at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'))).toBe(15);
    expect(isWithinBusinessHours(berlin, at('2026-10-25T01:35:00Z'))).toBe(false); // 02:35 CET, the second time

    const newYork = calendar(NEW_YORK, { sun: [{ start: '01:30', end: '03:00' }] });
    // 01:30 EDT (05:30 UTC) → 03:00 EST (08:00 UTC): the repeated hour is inside, 2.5 real hours
    expect(iso(nextOpening(newYork, at('2026-10-31T12:00:00Z')))).toBe('2026-11-01T05:30:00.000Z');
    expect(businessMinutesBetween(newYork, at('2026-10-31T12:00:00Z'), at('2026-11-01T12:00:00Z'))).toBe(150);
  });
});

describe('properties', () => {
  const calendars: BusinessCalendar[] = [
    berlinOffice,
    newYorkOffice,
    createAlwaysOpenCalendar(BERLIN),
    calendar(
      BERLIN,
      weekdays(
        [
          { start: '09:00', end: '12:00' },
          { start: '13:00', end: '17:00' },
        ],
        { sun: [{ start: '00:00', end: '06:00' }] },
      ),
      [
        { date: '2026-04-03', name: 'Good Friday' },
        { date: '2026-12-25', name: 'Christmas Day' },
      ],
    ),
    calendar(NEW_YORK, {
      sat: [{ start: '02:30', end: '05:00' }],
      sun: [
        { start: '01:00', end: '02:30' },
        { start: '22:00', end: '24:00' },
      ],
      mon: [{ start: '00:00', end: '08:00' }],
    }),
  ];
  // Fixed anchors, including both DST weekends in both zones.
  const anchors = [
    '2026-01-05T00:00:00Z',
    '2026-03-06T12:00:00Z',
    '2026-03-27T12:00:00Z',
    '2026-10-23T12:00:00Z',
    '2026-10-30T12:00:00Z',
    '2026-12-20T00:00:00Z',
  ].map((s) => at(s).getTime());

  const random = seededRandom(20260329);
  const cases = Array.from({ length: 200 }, (_, i) => {
    const anchor = anchors[i % anchors.length] ?? 0;
    const start = new Date(
      anchor + Math.floor(random() * 10 * 24 * 60) * 60_000 + Math.floor(random() * 60) * 1000,
    );
    const minutes = random() < 0.1 ? 0 : Math.floor(random() * (random() < 0.5 ? 600 : 20_000));
    const cal = calendars[i % calendars.length] as BusinessCalendar;
    return { cal, start, minutes };
  });

  it('businessMinutesBetween(nextOpening(start), addBusinessMinutes(start, N)) === N for 200 seeded cases', () => {
    for (const { cal, start, minutes } of cases) {
      const due = addBusinessMinutes(cal, start, minutes);
      const opened = nextOpening(cal, start);
      const label = `${cal.timeZone} ${iso(start)} + ${minutes}`;
      expect(due.getTime(), label).toBeGreaterThanOrEqual(opened.getTime());
      expect(businessMinutesBetween(cal, opened, due), label).toBe(minutes);
      expect(businessMinutesBetween(cal, start, due), label).toBe(minutes);
      if (minutes > 0) {
        // The due time is the earliest such instant: the last millisecond before it is open.
        expect(isWithinBusinessHours(cal, new Date(due.getTime() - 1)), label).toBe(true);
      } else {
        expect(isWithinBusinessHours(cal, due), label).toBe(true);
      }
    }
  });

  it('businessMinutesBetween is additive over a split point', () => {
    for (const { cal, start, minutes } of cases.slice(0, 60)) {
      const mid = new Date(start.getTime() + minutes * 37_000);
      const end = new Date(start.getTime() + minutes * 90_000);
      expect(businessMinutesBetween(cal, start, mid) + businessMinutesBetween(cal, mid, end)).toBeCloseTo(
        businessMinutesBetween(cal, start, end),
        9,
      );
    }
  });

  it('agrees with a minute-by-minute wall-clock oracle over the DST weeks', () => {
    // Oracle: an instant is open when its local wall time (formatted by date-fns-tz) falls in an interval and is
    // no holiday. It agrees with the calendar whenever no interval boundary is a missing or repeated wall time.
    const weeks = [
      ['2026-03-23T00:00:00Z', BERLIN],
      ['2026-03-02T00:00:00Z', NEW_YORK],
      ['2026-10-19T00:00:00Z', BERLIN],
      ['2026-10-26T00:00:00Z', NEW_YORK],
    ] as const;
    for (const [weekStart, zone] of weeks) {
      const cal = calendar(zone, weekdays(nineToFive, { sun: [{ start: '00:00', end: '06:00' }] }));
      const from = at(weekStart).getTime();
      let open = 0;
      for (let t = from; t < from + 7 * 86_400_000; t += 60_000) {
        const [dow, hh, mm] = formatInTimeZone(new Date(t), zone, 'i HH mm').split(' ').map(Number);
        const minute = (hh ?? 0) * 60 + (mm ?? 0);
        const isOpen = dow === 7 ? minute < 360 : (dow ?? 0) <= 5 && minute >= 540 && minute < 1020;
        if (isOpen) open++;
        if (t % (15 * 60_000) === 0) {
          expect(isWithinBusinessHours(cal, new Date(t)), `${zone} ${new Date(t).toISOString()}`).toBe(
            isOpen,
          );
        }
      }
      expect(businessMinutesBetween(cal, new Date(from), new Date(from + 7 * 86_400_000))).toBe(open);
    }
  });
});

describe('calendar validation', () => {
  const valid = {
    id: 'cal-1',
    name: 'Support',
    timeZone: BERLIN,
    weekly: { mon: nineToFive },
    holidays: [{ date: '2026-12-25', name: 'Christmas Day' }],
  };

  it('accepts a valid calendar and fills missing days with no hours', () => {
    const cal = BusinessCalendarSchema.parse(valid);
    expect(cal.weekly.tue).toEqual([]);
    expect(cal.weekly.mon).toEqual(nineToFive);
  });

  it('accepts 24:00 as an end time', () => {
    expect(
      BusinessCalendarSchema.safeParse({ ...valid, weekly: { mon: [{ start: '18:00', end: '24:00' }] } })
        .success,
    ).toBe(true);
  });

  it.each([
    [
      'overlapping intervals',
      {
        mon: [
          { start: '09:00', end: '12:30' },
          { start: '12:00', end: '17:00' },
        ],
      },
    ],
    ['an end before the start', { mon: [{ start: '17:00', end: '09:00' }] }],
    ['an empty interval', { mon: [{ start: '09:00', end: '09:00' }] }],
    ['24:00 as a start', { mon: [{ start: '24:00', end: '24:00' }] }],
    ['a malformed time', { mon: [{ start: '9:00', end: '17:00' }] }],
    ['an impossible time', { mon: [{ start: '09:00', end: '25:00' }] }],
  ])('rejects %s', (_label, weekly) => {
    expect(BusinessCalendarSchema.safeParse({ ...valid, weekly }).success).toBe(false);
  });

  it('rejects an unknown time zone', () => {
    expect(BusinessCalendarSchema.safeParse({ ...valid, timeZone: 'Europe/Atlantis' }).success).toBe(false);
    expect(BusinessCalendarSchema.safeParse({ ...valid, timeZone: '' }).success).toBe(false);
  });

  it('rejects impossible holiday dates', () => {
    expect(
      BusinessCalendarSchema.safeParse({ ...valid, holidays: [{ date: '2026-02-30', name: 'x' }] }).success,
    ).toBe(false);
  });

  it('throws ValidationFailed from parseBusinessCalendar', () => {
    expect(() => parseBusinessCalendar({ ...valid, timeZone: 'Mars/Olympus' })).toThrow(ValidationFailed);
  });

  it('refuses a calendar without any hours instead of looping forever', () => {
    expect(() => parseBusinessCalendar({ ...valid, weekly: {} })).toThrow(ValidationFailed);
    const noHours = { ...valid, weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } };
    const t = at('2026-03-04T10:00:00Z');
    expect(() => addBusinessMinutes(noHours as BusinessCalendar, t, 60)).toThrow(ValidationFailed);
    expect(() => nextOpening(noHours as BusinessCalendar, t)).toThrow(ValidationFailed);
    expect(() => isWithinBusinessHours(noHours as BusinessCalendar, t)).toThrow(ValidationFailed);
    expect(() => businessMinutesBetween(noHours as BusinessCalendar, t, at('2026-03-05T10:00:00Z'))).toThrow(
      ValidationFailed,
    );
  });

  it('gives up with ValidationFailed when holidays close every open day for years', () => {
    const mondays = Array.from({ length: 170 }, (_, i) => ({
      date: new Date(Date.UTC(2026, 2, 2 + 7 * i)).toISOString().slice(0, 10),
      name: 'Closed Monday',
    }));
    const cal = calendar(BERLIN, { mon: nineToFive }, mondays);
    expect(() => nextOpening(cal, at('2026-03-01T00:00:00Z'))).toThrow(ValidationFailed);
  });

  it('refuses negative or non-finite budgets', () => {
    const t = at('2026-03-04T10:00:00Z');
    expect(() => addBusinessMinutes(berlinOffice, t, -1)).toThrow(ValidationFailed);
    expect(() => addBusinessMinutes(berlinOffice, t, Number.NaN)).toThrow(ValidationFailed);
  });
});
