import { describe, expect, it } from 'vitest';
import {
  parseBusinessCalendar,
  TWENTY_FOUR_SEVEN,
} from '../../../functions/domain/business-hours/calendar.js';
import { ValidationFailed } from '../../../functions/domain/shared/errors.js';
import {
  type AppliedSla,
  applySla,
  dueEscalations,
  findTarget,
  markLevelsFired,
  nextWakeUp,
  pauseResolution,
  recordAgentReply,
  recordCustomerMessage,
  recordFirstResponse,
  recordReopened,
  recordSolved,
  resumeResolution,
} from '../../../functions/domain/sla/applied-sla.js';
import {
  matchPolicy,
  parseSlaPolicy,
  resolvePolicyCalendar,
  type SlaPolicy,
  type SlaPolicyInput,
} from '../../../functions/domain/sla/policy.js';
import type { Ticket } from '../../../functions/domain/tickets/model.js';
import { ticketOpenedAt } from '../../support/tickets.js';

const T0 = new Date('2026-03-02T09:00:00.000Z'); // a Monday
const at = (iso: string) => new Date(iso);
const minutesAfter = (start: Date, minutes: number) => new Date(start.getTime() + minutes * 60_000);

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return ticketOpenedAt(T0, overrides);
}

function policy(overrides: Partial<SlaPolicyInput> = {}): SlaPolicy {
  return parseSlaPolicy({
    id: 'p1',
    name: 'Standard',
    position: 10,
    active: true,
    conditions: {},
    calendarId: null,
    targets: { normal: { firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 240 } },
    ...overrides,
  });
}

const escalating = policy({
  escalations: {
    first_response: [
      {
        atPercent: 150,
        actions: [
          { type: 'set_team', teamId: 'tier2' },
          { type: 'set_priority', priority: 'high' },
        ],
      },
      { atPercent: 75, actions: [{ type: 'notify_assignee' }] },
      {
        atPercent: 100,
        actions: [{ type: 'notify_supervisor' }, { type: 'add_note', body: 'SLA breached' }],
      },
    ],
    resolution: [{ atPercent: 75, actions: [{ type: 'notify_team' }] }],
  },
});

const berlin = parseBusinessCalendar({
  id: 'berlin',
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weekly: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]]),
  ),
});

describe('SLA policy schema', () => {
  it('fills defaults and sorts escalation levels by percentage', () => {
    expect(escalating.escalations.first_response.map((l) => l.atPercent)).toEqual([75, 100, 150]);
    expect(policy().escalations).toEqual({ first_response: [], next_response: [], resolution: [] });
    expect(policy().conditions).toEqual({});
  });

  it('refuses bad policies with ValidationFailed', () => {
    expect(() => policy({ targets: { normal: { firstResponseMinutes: 0 } } })).toThrow(ValidationFailed);
    expect(() =>
      policy({
        escalations: {
          resolution: [
            { atPercent: 75, actions: [{ type: 'notify_assignee' }] },
            { atPercent: 75, actions: [{ type: 'notify_team' }] },
          ],
        },
      }),
    ).toThrow(/same percentage/);
    expect(() =>
      policy({ escalations: { resolution: [{ atPercent: 100, actions: [{ type: 'set_team' }] }] } } as never),
    ).toThrow(ValidationFailed);
  });

  it('resolves the calendar: null means 24/7, a missing id is refused', () => {
    expect(resolvePolicyCalendar(policy(), [berlin])).toBe(TWENTY_FOUR_SEVEN);
    expect(resolvePolicyCalendar(policy({ calendarId: 'berlin' }), [berlin])).toBe(berlin);
    expect(() => resolvePolicyCalendar(policy({ calendarId: 'paris' }), [berlin])).toThrow(ValidationFailed);
  });
});

describe('matchPolicy', () => {
  const fallback = policy({ id: 'fallback', position: 100 });
  const urgent = policy({ id: 'urgent', position: 1, conditions: { priorities: ['urgent', 'high'] } });
  const billing = policy({ id: 'billing', position: 2, conditions: { departmentIds: ['billing'] } });
  const phone = policy({ id: 'phone', position: 3, conditions: { channels: ['phone'] } });
  const vip = policy({ id: 'vip', position: 4, conditions: { tags: ['VIP', 'gold'] } });
  const enterprise = policy({
    id: 'enterprise',
    position: 5,
    conditions: { customField: { key: 'plan', values: ['enterprise', 3] } },
  });
  const group = policy({ id: 'group', position: 6, conditions: { customerGroupIds: ['partners'] } });
  const all = [fallback, group, enterprise, vip, phone, billing, urgent];

  it('takes the first matching policy by position', () => {
    expect(matchPolicy(all, ticket({ priority: 'urgent', departmentId: 'billing' }))?.id).toBe('urgent');
    expect(matchPolicy(all, ticket({ departmentId: 'billing', channel: 'phone' }))?.id).toBe('billing');
    expect(matchPolicy(all, ticket())?.id).toBe('fallback');
  });

  it('checks priority, department, channel, tags, custom field and customer group', () => {
    expect(matchPolicy(all, ticket({ priority: 'high' }))?.id).toBe('urgent');
    expect(matchPolicy(all, ticket({ departmentId: null }))?.id).toBe('fallback');
    expect(matchPolicy(all, ticket({ channel: 'phone' }))?.id).toBe('phone');
    expect(matchPolicy(all, ticket({ tags: ['gold'] }))?.id).toBe('vip');
    expect(matchPolicy(all, ticket({ tags: ['vip'] }))?.id).toBe('vip');
    expect(matchPolicy(all, ticket({ tags: ['silver'] }))?.id).toBe('fallback');
    expect(matchPolicy(all, ticket({ customFields: { plan: 'enterprise' } }))?.id).toBe('enterprise');
    expect(matchPolicy(all, ticket({ customFields: { plan: 3 } }))?.id).toBe('enterprise');
    expect(matchPolicy(all, ticket({ customFields: { plan: ['basic', 'enterprise'] } }))?.id).toBe(
      'enterprise',
    );
    expect(matchPolicy(all, ticket({ customFields: { plan: 'basic' } }))?.id).toBe('fallback');
    expect(matchPolicy(all, ticket({ customFields: { plan: null } }))?.id).toBe('fallback');
    expect(matchPolicy(all, ticket(), ['partners'])?.id).toBe('group');
    expect(matchPolicy(all, ticket(), ['others'])?.id).toBe('fallback');
  });

  it('requires every given condition to hold', () => {
    const both = policy({ id: 'both', position: 0, conditions: { priorities: ['low'], channels: ['chat'] } });
    expect(matchPolicy([both], ticket({ priority: 'low', channel: 'chat' }))?.id).toBe('both');
    expect(matchPolicy([both], ticket({ priority: 'low', channel: 'email' }))).toBeNull();
    expect(matchPolicy([both], ticket({ priority: 'normal', channel: 'chat' }))).toBeNull();
  });

  it('skips inactive policies, breaks position ties by id, returns null without a match', () => {
    const inactive = policy({ id: 'a-off', position: 0, active: false });
    const b = policy({ id: 'b', position: 5 });
    const a = policy({ id: 'a', position: 5 });
    expect(matchPolicy([b, inactive, a], ticket())?.id).toBe('a');
    expect(matchPolicy([inactive], ticket())).toBeNull();
    expect(matchPolicy([urgent, billing], ticket())).toBeNull();
    expect(matchPolicy([], ticket())).toBeNull();
  });
});

describe('applySla', () => {
  it('creates first response and resolution targets for the ticket priority', () => {
    const applied = applySla(policy(), TWENTY_FOUR_SEVEN, ticket(), T0);
    expect(applied.policyId).toBe('p1');
    expect(applied.targets.map((t) => [t.kind, t.status, t.startedAt, t.dueAt])).toEqual([
      ['first_response', 'active', '2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z'],
      ['resolution', 'active', '2026-03-02T09:00:00.000Z', '2026-03-02T13:00:00.000Z'],
    ]);
  });

  it('creates nothing for a priority without targets, and no first response for an answered ticket', () => {
    expect(applySla(policy(), TWENTY_FOUR_SEVEN, ticket({ priority: 'low' }), T0).targets).toEqual([]);
    const answered = applySla(
      policy(),
      TWENTY_FOUR_SEVEN,
      ticket({ firstRespondedAt: T0.toISOString() }),
      T0,
    );
    expect(answered.targets.map((t) => t.kind)).toEqual(['resolution']);
  });

  it('starts a pending ticket with its resolution clock paused', () => {
    const applied = applySla(policy(), TWENTY_FOUR_SEVEN, ticket({ status: 'pending' }), T0);
    expect(findTarget(applied, 'resolution')).toMatchObject({ status: 'paused', remainingMinutes: 240 });
  });

  it('business hours: Friday 16:00 Berlin with a 4h resolution target is due Monday 12:00', () => {
    const friday4pm = at('2026-03-06T15:00:00.000Z'); // 16:00 CET
    const p = policy({ calendarId: 'berlin', targets: { normal: { resolutionMinutes: 240 } } });
    const applied = applySla(p, resolvePolicyCalendar(p, [berlin]), ticket(), friday4pm);
    expect(findTarget(applied, 'resolution')?.dueAt).toBe('2026-03-09T11:00:00.000Z'); // Monday 12:00 CET
  });
});

describe('first response and escalations', () => {
  it('met before due: nothing escalates, ever', () => {
    let applied = applySla(escalating, TWENTY_FOUR_SEVEN, ticket(), T0);
    applied = recordFirstResponse(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 20));
    expect(findTarget(applied, 'first_response')).toMatchObject({
      status: 'met',
      metAt: '2026-03-02T09:20:00.000Z',
      breachedAt: null,
    });
    const later = minutesAfter(T0, 1000);
    expect(
      dueEscalations(applied, escalating, TWENTY_FOUR_SEVEN, later).filter((e) => e.kind !== 'resolution'),
    ).toEqual([]);
  });

  it('unanswered: 75% reminder, then 100% breach, then 150% level, each once and in order', () => {
    const cal = TWENTY_FOUR_SEVEN;
    let applied: AppliedSla = applySla(escalating, cal, ticket(), T0);
    const fire = (now: Date) => {
      const due = dueEscalations(applied, escalating, cal, now).filter((e) => e.kind === 'first_response');
      applied = markLevelsFired(applied, due, now);
      return due;
    };

    expect(fire(minutesAfter(T0, 44))).toEqual([]);
    const reminder = fire(minutesAfter(T0, 45));
    expect(reminder).toEqual([
      {
        kind: 'first_response',
        level: 0,
        atPercent: 75,
        dueAt: '2026-03-02T09:45:00.000Z',
        actions: [{ type: 'notify_assignee' }],
      },
    ]);
    expect(fire(minutesAfter(T0, 50))).toEqual([]);
    expect(findTarget(applied, 'first_response')?.status).toBe('active');

    const breach = fire(minutesAfter(T0, 61));
    expect(breach.map((e) => [e.level, e.atPercent, e.dueAt])).toEqual([
      [1, 100, '2026-03-02T10:00:00.000Z'],
    ]);
    expect(breach[0]?.actions).toEqual([
      { type: 'notify_supervisor' },
      { type: 'add_note', body: 'SLA breached' },
    ]);
    expect(findTarget(applied, 'first_response')).toMatchObject({
      status: 'breached',
      breachedAt: '2026-03-02T10:00:00.000Z',
    });

    expect(fire(minutesAfter(T0, 89))).toEqual([]);
    const tier2 = fire(minutesAfter(T0, 90));
    expect(tier2.map((e) => [e.level, e.atPercent, e.dueAt])).toEqual([[2, 150, '2026-03-02T10:30:00.000Z']]);
    expect(fire(minutesAfter(T0, 500))).toEqual([]);
    expect(findTarget(applied, 'first_response')?.levelsFired).toEqual([0, 1, 2]);
  });

  it('returns every overdue level at once, in order, when the timer was late', () => {
    const applied = applySla(escalating, TWENTY_FOUR_SEVEN, ticket(), T0);
    const due = dueEscalations(applied, escalating, TWENTY_FOUR_SEVEN, minutesAfter(T0, 200));
    expect(due.map((e) => `${e.kind}@${e.atPercent}`)).toEqual([
      'first_response@75',
      'first_response@100',
      'first_response@150',
      'resolution@75',
    ]);
  });

  it('a late reply finds the target breached, and it stops escalating', () => {
    let applied = applySla(escalating, TWENTY_FOUR_SEVEN, ticket(), T0);
    applied = recordAgentReply(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 70));
    expect(findTarget(applied, 'first_response')).toMatchObject({
      status: 'breached',
      breachedAt: '2026-03-02T10:00:00.000Z',
      metAt: '2026-03-02T10:10:00.000Z',
    });
    const due = dueEscalations(applied, escalating, TWENTY_FOUR_SEVEN, minutesAfter(T0, 100));
    expect(due.filter((e) => e.kind === 'first_response')).toEqual([]);
  });

  it('refuses to escalate with another policy than the applied one', () => {
    const applied = applySla(escalating, TWENTY_FOUR_SEVEN, ticket(), T0);
    expect(() => dueEscalations(applied, policy({ id: 'other' }), TWENTY_FOUR_SEVEN, T0)).toThrow(
      ValidationFailed,
    );
  });
});

describe('next response', () => {
  it('starts on a customer message after the first reply and is met by the next agent reply', () => {
    const p = policy();
    let applied = applySla(p, TWENTY_FOUR_SEVEN, ticket(), T0);
    // Before the first response, the first-response target covers the customer.
    applied = recordCustomerMessage(applied, p, TWENTY_FOUR_SEVEN, 'normal', minutesAfter(T0, 5));
    expect(findTarget(applied, 'next_response')).toBeUndefined();

    applied = recordAgentReply(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 10));
    applied = recordCustomerMessage(applied, p, TWENTY_FOUR_SEVEN, 'normal', minutesAfter(T0, 20));
    expect(findTarget(applied, 'next_response')).toMatchObject({
      status: 'active',
      startedAt: '2026-03-02T09:20:00.000Z',
      dueAt: '2026-03-02T09:50:00.000Z',
    });
    // A second message before the reply does not push the due time out.
    applied = recordCustomerMessage(applied, p, TWENTY_FOUR_SEVEN, 'normal', minutesAfter(T0, 25));
    expect(findTarget(applied, 'next_response')?.dueAt).toBe('2026-03-02T09:50:00.000Z');

    applied = recordAgentReply(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 30));
    expect(findTarget(applied, 'next_response')?.status).toBe('met');

    applied = recordCustomerMessage(applied, p, TWENTY_FOUR_SEVEN, 'normal', minutesAfter(T0, 60));
    expect(applied.targets.filter((t) => t.kind === 'next_response')).toHaveLength(1);
    expect(findTarget(applied, 'next_response')).toMatchObject({
      status: 'active',
      dueAt: '2026-03-02T10:30:00.000Z',
    });
  });

  it('does nothing when the policy sets no next-response target for the priority', () => {
    const p = policy({ targets: { normal: { resolutionMinutes: 60 } } });
    const applied = applySla(p, TWENTY_FOUR_SEVEN, ticket(), T0);
    expect(recordCustomerMessage(applied, p, TWENTY_FOUR_SEVEN, 'normal', T0)).toEqual(applied);
  });
});

describe('pausing the resolution clock', () => {
  it('keeps the remaining minutes while pending and moves the due time by exactly the paused time', () => {
    let applied = applySla(policy(), TWENTY_FOUR_SEVEN, ticket(), T0); // due 13:00
    applied = pauseResolution(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 60));
    expect(findTarget(applied, 'resolution')).toMatchObject({
      status: 'paused',
      pausedAt: '2026-03-02T10:00:00.000Z',
      remainingMinutes: 180,
    });
    applied = resumeResolution(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 180));
    expect(findTarget(applied, 'resolution')).toMatchObject({
      status: 'active',
      pausedAt: null,
      remainingMinutes: null,
      dueAt: '2026-03-02T15:00:00.000Z', // 13:00 + 2h paused
    });
  });

  it('on a business calendar, moves the due time by the paused business minutes only', () => {
    const friday4pm = at('2026-03-06T15:00:00.000Z');
    let applied = applySla(
      policy({ targets: { normal: { resolutionMinutes: 240 } } }),
      berlin,
      ticket(),
      friday4pm,
    );
    applied = pauseResolution(applied, berlin, at('2026-03-06T15:30:00.000Z')); // Fri 16:30
    expect(findTarget(applied, 'resolution')?.remainingMinutes).toBe(210);
    applied = resumeResolution(applied, berlin, at('2026-03-09T09:00:00.000Z')); // Mon 10:00
    // Paused business time: Fri 16:30–17:00 + Mon 09:00–10:00 = 90 min; 12:00 + 90 min = 13:30.
    expect(findTarget(applied, 'resolution')?.dueAt).toBe('2026-03-09T12:30:00.000Z');
  });

  it('measures escalation percentages on active time only, and a paused target does not escalate', () => {
    const p = escalating; // resolution 240 min, level at 75% = 180 active minutes
    let applied = applySla(p, TWENTY_FOUR_SEVEN, ticket({ firstRespondedAt: T0.toISOString() }), T0);
    applied = pauseResolution(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 60));
    expect(dueEscalations(applied, p, TWENTY_FOUR_SEVEN, minutesAfter(T0, 1000))).toEqual([]);
    expect(nextWakeUp(applied, p, TWENTY_FOUR_SEVEN)).toBeNull();
    applied = resumeResolution(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 180));
    expect(nextWakeUp(applied, p, TWENTY_FOUR_SEVEN)?.toISOString()).toBe('2026-03-02T14:00:00.000Z');
    expect(dueEscalations(applied, p, TWENTY_FOUR_SEVEN, minutesAfter(T0, 299))).toEqual([]);
    expect(dueEscalations(applied, p, TWENTY_FOUR_SEVEN, minutesAfter(T0, 300)).map((e) => e.dueAt)).toEqual([
      '2026-03-02T14:00:00.000Z',
    ]);
  });

  it('pausing after the due time records the breach and keeps it on resume', () => {
    let applied = applySla(policy(), TWENTY_FOUR_SEVEN, ticket(), T0);
    applied = pauseResolution(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 300));
    expect(findTarget(applied, 'resolution')).toMatchObject({
      status: 'paused',
      remainingMinutes: 0,
      breachedAt: '2026-03-02T13:00:00.000Z',
    });
    applied = resumeResolution(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 400));
    expect(findTarget(applied, 'resolution')).toMatchObject({
      status: 'breached',
      dueAt: '2026-03-02T13:00:00.000Z',
    });
  });

  it('solving meets resolution; reopening restarts it with the time that was left', () => {
    let applied = applySla(policy(), TWENTY_FOUR_SEVEN, ticket(), T0);
    applied = recordSolved(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 100));
    expect(findTarget(applied, 'resolution')).toMatchObject({
      status: 'met',
      metAt: '2026-03-02T10:40:00.000Z',
    });
    applied = recordReopened(applied, TWENTY_FOUR_SEVEN, at('2026-03-03T09:00:00.000Z'));
    expect(findTarget(applied, 'resolution')).toMatchObject({
      status: 'active',
      metAt: null,
      dueAt: '2026-03-03T11:20:00.000Z', // 140 minutes left
    });
  });

  it('solving while pending meets the paused target', () => {
    let applied = applySla(policy(), TWENTY_FOUR_SEVEN, ticket(), T0);
    applied = pauseResolution(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 30));
    applied = recordSolved(applied, TWENTY_FOUR_SEVEN, minutesAfter(T0, 500));
    expect(findTarget(applied, 'resolution')).toMatchObject({
      status: 'met',
      breachedAt: null,
      elapsedMinutes: 30,
    });
  });
});

describe('nextWakeUp', () => {
  it('returns the next level instant, then the next, and null when all targets are met', () => {
    const cal = TWENTY_FOUR_SEVEN;
    let applied = applySla(escalating, cal, ticket(), T0);
    expect(nextWakeUp(applied, escalating, cal)?.toISOString()).toBe('2026-03-02T09:45:00.000Z');
    applied = markLevelsFired(applied, [{ kind: 'first_response', level: 0 }], minutesAfter(T0, 45));
    expect(nextWakeUp(applied, escalating, cal)?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    applied = recordFirstResponse(applied, cal, minutesAfter(T0, 50));
    // Only resolution is left: its 75% level at 12:00.
    expect(nextWakeUp(applied, escalating, cal)?.toISOString()).toBe('2026-03-02T12:00:00.000Z');
    applied = recordSolved(applied, cal, minutesAfter(T0, 60));
    expect(nextWakeUp(applied, escalating, cal)).toBeNull();
  });

  it('wakes up at the due time to record a breach even without a 100% level', () => {
    const p = policy();
    const applied = applySla(p, TWENTY_FOUR_SEVEN, ticket(), T0);
    expect(nextWakeUp(applied, p, TWENTY_FOUR_SEVEN)?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
  });
});
