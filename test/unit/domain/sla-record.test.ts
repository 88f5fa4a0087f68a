import { describe, expect, it } from 'vitest';
import { parseBusinessCalendar } from '../../../functions/domain/business-hours/calendar.js';
import { parseSlaPolicy, type SlaPolicy, type SlaPolicyInput } from '../../../functions/domain/sla/policy.js';
import {
  reconcileSla,
  type SlaEvent,
  type SlaRecord,
  type SlaSetup,
  type TimerChanges,
  tickTimer,
} from '../../../functions/domain/sla/record.js';
import type { SlaTimerInput } from '../../../functions/domain/sla/timer-port.js';
import type { Ticket } from '../../../functions/domain/tickets/model.js';
import { ticketOpenedAt } from '../../support/tickets.js';

const T0 = new Date('2026-03-02T09:00:00.000Z'); // a Monday (10:00 in Berlin)
const mins = (minutes: number, from: Date = T0) => new Date(from.getTime() + minutes * 60_000);
const iso = (d: Date) => d.toISOString();

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return ticketOpenedAt(T0, overrides);
}

function policy(overrides: Partial<SlaPolicyInput> = {}): SlaPolicy {
  return parseSlaPolicy({
    id: 'std',
    name: 'Standard',
    position: 10,
    active: true,
    conditions: {},
    calendarId: null,
    targets: {
      normal: { firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 240 },
      high: { firstResponseMinutes: 15, nextResponseMinutes: 10, resolutionMinutes: 120 },
    },
    ...overrides,
  });
}

const escalating = policy({
  escalations: {
    first_response: [
      { atPercent: 100, actions: [{ type: 'notify_supervisor' }] },
      { atPercent: 50, actions: [{ type: 'notify_assignee' }] },
      { atPercent: 150, actions: [{ type: 'set_priority', priority: 'urgent' }] },
    ],
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
const office = policy({
  id: 'office',
  calendarId: 'berlin',
  targets: { normal: { firstResponseMinutes: 120, resolutionMinutes: 480 } },
  escalations: { first_response: [{ atPercent: 50, actions: [{ type: 'notify_assignee' }] }] },
});

const arnOf = (input: SlaTimerInput) => `arn:timer:${input.ticketId}-${input.target}-g${input.generation}`;

/**
 * A ticket's life as the events handler sees it: each step reconciles the
 * record and, like the engine, stores the ARN of every timer it starts.
 */
class Story {
  record: SlaRecord | null = null;
  timers: TimerChanges = { start: [], stop: [] };
  constructor(
    public setup: SlaSetup,
    public ticket: Ticket,
  ) {}

  private apply(event: SlaEvent, now: Date): this {
    const out = reconcileSla(this.record, this.setup, event, now);
    if (out.record) for (const start of out.timers.start) out.record.executions[start.target] = arnOf(start);
    this.record = out.record;
    this.timers = out.timers;
    return this;
  }

  create(now: Date = T0): this {
    return this.apply({ type: 'ticket', before: null, after: this.ticket }, now);
  }

  change(patch: Partial<Ticket>, now: Date): this {
    const before = this.ticket;
    this.ticket = { ...before, ...patch, version: before.version + 1, updatedAt: iso(now) };
    return this.apply({ type: 'ticket', before, after: this.ticket }, now);
  }

  agentReply(now: Date): this {
    if (this.ticket.firstRespondedAt === null) {
      this.change(
        { firstRespondedAt: iso(now), status: this.ticket.status === 'new' ? 'open' : this.ticket.status },
        now,
      );
    }
    return this.apply({ type: 'agent-reply', ticket: this.ticket }, now);
  }

  customerMessage(now: Date): this {
    return this.apply({ type: 'customer-message', ticket: this.ticket }, now);
  }

  target(kind: 'first_response' | 'next_response' | 'resolution') {
    return this.record?.applied.targets.find((t) => t.kind === kind);
  }

  tick(target: SlaTimerInput['target'], now: Date) {
    const input = { ticketId: this.ticket.id, target, generation: this.record?.generations[target] ?? 0 };
    const out = tickTimer(this.record, this.setup, input, now);
    if (out.record) this.record = out.record;
    return out;
  }
}

const standard: SlaSetup = { policies: [policy()], calendars: [] };

describe('reconcileSla: applying a policy', () => {
  it('applies the first matching active policy on creation, targets measured from createdAt', () => {
    const vip = policy({ id: 'vip', position: 0, conditions: { tags: ['vip'] } });
    const retired = policy({ id: 'aaa-retired', position: 0, active: false });
    const setup: SlaSetup = { policies: [policy(), retired, vip], calendars: [] };
    // The stream delivers the new ticket a few minutes late: the clock started at creation.
    const story = new Story(setup, ticket({ tags: ['vip'] })).create(mins(5));
    const record = story.record!;
    expect(record.applied.policyId).toBe('vip');
    expect(story.target('first_response')?.dueAt).toBe(iso(mins(60)));
    expect(story.target('resolution')?.dueAt).toBe(iso(mins(240)));
    expect(record.nextDueAt).toBe(iso(mins(60)));
    expect(record.generations).toEqual({ first_response: 1, resolution: 1 });
    expect(story.timers).toEqual({
      start: [
        { ticketId: 't1', target: 'first_response', generation: 1 },
        { ticketId: 't1', target: 'resolution', generation: 1 },
      ],
      stop: [],
    });
    expect(record.ticketVersion).toBe(1);
    expect(record.version).toBe(1);

    const plain = new Story(setup, ticket()).create();
    expect(plain.record?.applied.policyId).toBe('std');
  });

  it('keeps no record and starts nothing when no policy matches', () => {
    const setup: SlaSetup = { policies: [policy({ conditions: { channels: ['phone'] } })], calendars: [] };
    const story = new Story(setup, ticket()).create();
    expect(story.record).toBeNull();
    expect(story.timers).toEqual({ start: [], stop: [] });
    expect(new Story({ policies: [], calendars: [] }, ticket()).create().record).toBeNull();
  });

  it('measures in business hours: Friday 16:00 Berlin, 2 h first response → Monday 10:00', () => {
    const friday = new Date('2026-03-06T15:00:00.000Z'); // 16:00 CET
    const setup: SlaSetup = { policies: [office], calendars: [berlin] };
    const story = new Story(setup, ticket({ createdAt: iso(friday) })).create(friday);
    expect(story.target('first_response')?.dueAt).toBe('2026-03-09T09:00:00.000Z');
    // 8 business hours: 1 on Friday, 7 on Monday → Monday 16:00 CET.
    expect(story.target('resolution')?.dueAt).toBe('2026-03-09T15:00:00.000Z');
    expect(story.record?.nextDueAt).toBe('2026-03-09T09:00:00.000Z');
  });

  it('re-targets on a priority change: new generation, the old timers stopped and new ones started', () => {
    const story = new Story(standard, ticket()).create();
    story.change({ priority: 'high' }, mins(5));
    const record = story.record!;
    expect(story.target('first_response')?.dueAt).toBe(iso(mins(15)));
    expect(story.target('resolution')?.dueAt).toBe(iso(mins(120)));
    expect(record.generations).toEqual({ first_response: 2, resolution: 2 });
    expect(story.timers.stop.sort()).toEqual([
      'arn:timer:t1-first_response-g1',
      'arn:timer:t1-resolution-g1',
    ]);
    expect(story.timers.start).toEqual([
      { ticketId: 't1', target: 'first_response', generation: 2 },
      { ticketId: 't1', target: 'resolution', generation: 2 },
    ]);
    expect(record.ticketVersion).toBe(2);
    expect(record.nextDueAt).toBe(iso(mins(15)));
  });

  it('a raised priority can be due already: the target is breached at once and its timer still runs', () => {
    const story = new Story({ policies: [escalating], calendars: [] }, ticket()).create();
    story.change({ priority: 'high' }, mins(20));
    expect(story.target('first_response')).toMatchObject({
      status: 'breached',
      breachedAt: iso(mins(15)),
    });
    expect(story.timers.start.map((s) => s.target)).toContain('first_response');
  });

  it('changes nothing when a field the policy does not look at changes', () => {
    const story = new Story(standard, ticket()).create();
    const before = story.record!;
    story.change({ assigneeId: 'a-sam', status: 'open' }, mins(5));
    expect(story.timers).toEqual({ start: [], stop: [] });
    expect(story.record?.applied).toEqual(before.applied);
    expect(story.record?.generations).toEqual(before.generations);
    expect(story.record?.executions).toEqual(before.executions);
    // Tags are a condition field, but the same policy still matches at the same priority.
    story.change({ tags: ['printer'] }, mins(6));
    expect(story.timers).toEqual({ start: [], stop: [] });
    expect(story.record?.applied).toEqual(before.applied);
  });

  it('stops every timer when the policy that applied is gone or switched off', () => {
    const story = new Story(standard, ticket()).create();
    story.setup = { policies: [], calendars: [] };
    story.change({ tags: ['x'] }, mins(5));
    expect(story.record).toBeNull();
    expect(story.timers.start).toEqual([]);
    expect(story.timers.stop.sort()).toEqual([
      'arn:timer:t1-first_response-g1',
      'arn:timer:t1-resolution-g1',
    ]);

    const off = new Story(standard, ticket()).create();
    off.setup = { policies: [policy({ active: false })], calendars: [] };
    off.change({ assigneeId: 'a-sam' }, mins(5));
    expect(off.record).toBeNull();
    expect(off.timers.stop).toHaveLength(2);
  });
});

describe('reconcileSla: clocks', () => {
  it('pending pauses resolution (its timer stopped, none started while paused); open resumes with the time left', () => {
    const story = new Story(standard, ticket({ status: 'open' })).create();
    story.change({ status: 'pending' }, mins(50));
    expect(story.target('resolution')).toMatchObject({ status: 'paused', remainingMinutes: 190 });
    expect(story.timers).toEqual({ start: [], stop: ['arn:timer:t1-resolution-g1'] });
    expect(story.record?.executions.resolution).toBeNull();
    // The first response keeps running.
    expect(story.target('first_response')?.status).toBe('active');
    expect(story.record?.nextDueAt).toBe(iso(mins(60)));

    story.change({ status: 'on_hold' }, mins(90));
    expect(story.timers).toEqual({ start: [], stop: [] });
    story.change({ priority: 'normal', assigneeId: 'a-sam' }, mins(100));
    expect(story.timers).toEqual({ start: [], stop: [] });

    story.change({ status: 'open' }, mins(180));
    expect(story.target('resolution')).toMatchObject({ status: 'active', dueAt: iso(mins(180 + 190)) });
    expect(story.record?.generations.resolution).toBe(2);
    expect(story.timers).toEqual({
      start: [{ ticketId: 't1', target: 'resolution', generation: 2 }],
      stop: [],
    });
  });

  it('on a business calendar, resumes with the remaining business minutes', () => {
    const setup: SlaSetup = { policies: [office], calendars: [berlin] };
    // Monday 10:00 CET; pending at 12:00 (2 of 8 business hours used), open again Tuesday 15:00.
    const story = new Story(setup, ticket({ status: 'open' })).create();
    story.change({ status: 'pending' }, new Date('2026-03-02T11:00:00.000Z'));
    expect(story.target('resolution')?.remainingMinutes).toBe(360);
    story.change({ status: 'open' }, new Date('2026-03-03T14:00:00.000Z'));
    // 2 h left on Tuesday (15:00–17:00), 4 h on Wednesday → Wednesday 13:00 CET.
    expect(story.target('resolution')?.dueAt).toBe('2026-03-04T12:00:00.000Z');
    expect(story.timers.start).toEqual([{ ticketId: 't1', target: 'resolution', generation: 2 }]);
  });

  it('solving meets resolution and stops its timer; reopening restarts it with the time that was left', () => {
    const story = new Story(standard, ticket({ status: 'open', firstRespondedAt: iso(T0) })).create();
    expect(story.target('first_response')).toBeUndefined();
    story.change({ status: 'solved', solvedAt: iso(mins(100)) }, mins(100));
    expect(story.target('resolution')).toMatchObject({ status: 'met', metAt: iso(mins(100)) });
    expect(story.timers).toEqual({ start: [], stop: ['arn:timer:t1-resolution-g1'] });
    expect(story.record?.nextDueAt).toBeNull();

    story.change({ status: 'open', solvedAt: null }, mins(1000));
    expect(story.target('resolution')).toMatchObject({ status: 'active', dueAt: iso(mins(1000 + 140)) });
    expect(story.timers).toEqual({
      start: [{ ticketId: 't1', target: 'resolution', generation: 2 }],
      stop: [],
    });
    expect(story.record?.nextDueAt).toBe(iso(mins(1140)));
  });

  it('a priority change on a solved ticket starts no resolution clock', () => {
    const story = new Story(standard, ticket({ status: 'open', firstRespondedAt: iso(T0) })).create();
    story.change({ status: 'solved', solvedAt: iso(mins(100)) }, mins(100));
    story.change({ priority: 'high' }, mins(110));
    const resolution = story.target('resolution');
    expect(resolution?.metAt).not.toBeNull();
    expect(story.timers.start).toEqual([]);
    expect(story.record?.nextDueAt).toBeNull();
  });

  it('an agent reply meets the first response and stops its timer', () => {
    const story = new Story(standard, ticket()).create();
    story.agentReply(mins(20));
    expect(story.target('first_response')).toMatchObject({ status: 'met', metAt: iso(mins(20)) });
    expect(story.timers.stop).toEqual(['arn:timer:t1-first_response-g1']);
    expect(story.timers.start).toEqual([]);
    expect(story.record?.executions.first_response).toBeNull();
    expect(story.target('resolution')?.status).toBe('active');
    expect(story.record?.nextDueAt).toBe(iso(mins(240)));
  });

  it('a customer message starts next response only after the first response; the next reply meets it', () => {
    const story = new Story(standard, ticket()).create();
    story.customerMessage(mins(5));
    expect(story.target('next_response')).toBeUndefined();
    expect(story.timers).toEqual({ start: [], stop: [] });

    story.agentReply(mins(20));
    story.customerMessage(mins(30));
    expect(story.target('next_response')).toMatchObject({ status: 'active', dueAt: iso(mins(60)) });
    expect(story.timers.start).toEqual([{ ticketId: 't1', target: 'next_response', generation: 1 }]);
    expect(story.record?.nextDueAt).toBe(iso(mins(60)));

    // A second message while waiting does not move the clock.
    story.customerMessage(mins(40));
    expect(story.timers).toEqual({ start: [], stop: [] });

    story.agentReply(mins(50));
    expect(story.target('next_response')?.status).toBe('met');
    expect(story.timers.stop).toEqual(['arn:timer:t1-next_response-g1']);
  });

  it('nextDueAt is the earliest running due time, and null when nothing runs', () => {
    const story = new Story(standard, ticket()).create();
    expect(story.record?.nextDueAt).toBe(iso(mins(60)));
    story.agentReply(mins(10));
    expect(story.record?.nextDueAt).toBe(iso(mins(240)));
    story.customerMessage(mins(100));
    expect(story.record?.nextDueAt).toBe(iso(mins(130)));
    story.change({ status: 'pending' }, mins(110));
    expect(story.record?.nextDueAt).toBe(iso(mins(130)));
    story.agentReply(mins(120));
    expect(story.record?.nextDueAt).toBeNull();
    expect(story.record?.applied.targets.map((t) => t.status).sort()).toEqual(['met', 'met', 'paused']);
  });

  it('a reply or message event does not move the ticket version the record has seen', () => {
    const story = new Story(standard, ticket()).create();
    // The handler read the ticket for the entry, and it is already at a later version.
    const out = reconcileSla(
      story.record,
      standard,
      { type: 'agent-reply', ticket: { ...story.ticket, version: 7 } },
      mins(5),
    );
    expect(out.record?.ticketVersion).toBe(1);
  });
});

describe('tickTimer', () => {
  it('stops a timer whose ticket has no record, or whose generation was superseded', () => {
    const story = new Story(standard, ticket()).create();
    const input = { ticketId: 't1', target: 'first_response' as const, generation: 1 };
    expect(tickTimer(null, standard, input, mins(1)).result).toEqual({
      next: 'stop',
      wakeAt: null,
      reason: 'not-found',
    });
    story.change({ priority: 'high' }, mins(2));
    const out = tickTimer(story.record, standard, input, mins(3));
    expect(out).toEqual({
      record: null,
      fired: [],
      breached: [],
      result: { next: 'stop', wakeAt: null, reason: 'superseded' },
    });
  });

  it('stops the timer of a paused or met target', () => {
    const story = new Story(standard, ticket({ status: 'open' })).create();
    story.change({ status: 'pending' }, mins(10));
    expect(story.tick('resolution', mins(11)).result).toMatchObject({ next: 'stop', reason: 'paused' });
    story.agentReply(mins(12));
    expect(story.tick('first_response', mins(13)).result).toMatchObject({ next: 'stop', reason: 'met' });
  });

  it('stops with no-policy when the policy is gone', () => {
    const story = new Story(standard, ticket()).create();
    story.setup = { policies: [], calendars: [] };
    expect(story.tick('first_response', mins(1)).result).toMatchObject({
      next: 'stop',
      reason: 'no-policy',
    });
  });

  it('fires 50 %, 100 %, 150 % once each, in order, across ticks; reports the breach once; then done', () => {
    const story = new Story({ policies: [escalating], calendars: [] }, ticket()).create();
    const first = story.tick('first_response', T0);
    expect(first.record).toBeNull();
    expect(first.fired).toEqual([]);
    expect(first.result).toEqual({ next: 'wait', wakeAt: iso(mins(30)), reason: 'waiting' });

    const at50 = story.tick('first_response', mins(30));
    expect(at50.fired.map((f) => [f.level, f.atPercent, f.actions[0]?.type])).toEqual([
      [0, 50, 'notify_assignee'],
    ]);
    expect(at50.breached).toEqual([]);
    expect(at50.result).toEqual({ next: 'wait', wakeAt: iso(mins(60)), reason: 'levels-fired' });
    expect(at50.record?.version).toBe(2);

    const again = story.tick('first_response', mins(31));
    expect(again.fired).toEqual([]);
    expect(again.record).toBeNull();
    expect(again.result.wakeAt).toBe(iso(mins(60)));

    const at100 = story.tick('first_response', mins(60));
    expect(at100.fired.map((f) => f.atPercent)).toEqual([100]);
    expect(at100.breached).toEqual(['first_response']);
    expect(story.target('first_response')).toMatchObject({ status: 'breached', breachedAt: iso(mins(60)) });
    expect(at100.result).toEqual({ next: 'wait', wakeAt: iso(mins(90)), reason: 'levels-fired' });

    const late = story.tick('first_response', mins(61));
    expect(late.fired).toEqual([]);
    expect(late.breached).toEqual([]);

    const at150 = story.tick('first_response', mins(90));
    expect(at150.fired.map((f) => f.atPercent)).toEqual([150]);
    expect(at150.breached).toEqual([]);
    expect(at150.result).toEqual({ next: 'stop', wakeAt: null, reason: 'done' });
    expect(story.target('first_response')?.levelsFired).toEqual([0, 1, 2]);
  });

  it('a late timer fires every overdue level at once, in order, and the breach with them', () => {
    const story = new Story({ policies: [escalating], calendars: [] }, ticket()).create();
    const out = story.tick('first_response', mins(500));
    expect(out.fired.map((f) => f.atPercent)).toEqual([50, 100, 150]);
    expect(out.breached).toEqual(['first_response']);
    expect(out.result).toMatchObject({ next: 'stop', reason: 'done' });
    // Still running, breached: first in the at-risk order.
    expect(out.record?.nextDueAt).toBe(iso(mins(60)));
  });

  it('on a business calendar, wakes at the next level instant across the weekend', () => {
    const friday = new Date('2026-03-06T15:30:00.000Z'); // 16:30 CET
    const story = new Story(
      { policies: [office], calendars: [berlin] },
      ticket({ createdAt: iso(friday) }),
    ).create(friday);
    // 50 % of 2 h = 1 h: 30 min on Friday, 30 min on Monday → 09:30 CET.
    expect(story.tick('first_response', friday).result.wakeAt).toBe('2026-03-09T08:30:00.000Z');
    const monday = story.tick('first_response', new Date('2026-03-09T08:30:00.000Z'));
    expect(monday.fired.map((f) => f.atPercent)).toEqual([50]);
    // Next: the due time (10:30 CET) to record the breach.
    expect(monday.result.wakeAt).toBe('2026-03-09T09:30:00.000Z');
    const due = story.tick('first_response', new Date('2026-03-09T09:30:00.000Z'));
    expect(due.breached).toEqual(['first_response']);
    expect(due.result).toMatchObject({ next: 'stop', reason: 'done' });
  });

  it('reports a breach that a ticket event recorded first, and only once', () => {
    const story = new Story({ policies: [escalating], calendars: [] }, ticket()).create();
    story.tick('first_response', mins(30));
    // An unrelated change just after the due time, before the timer woke up, records the breach.
    story.change({ assigneeId: 'a-sam' }, mins(60.01));
    expect(story.target('first_response')?.status).toBe('breached');
    const tick = story.tick('first_response', mins(60.02));
    expect(tick.fired.map((f) => f.atPercent)).toEqual([100]);
    expect(tick.breached).toEqual(['first_response']);
    expect(story.tick('first_response', mins(61)).breached).toEqual([]);
  });

  it('reports the breach of another target on that target’s own tick', () => {
    const setup: SlaSetup = {
      policies: [policy({ targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 30 } } })],
      calendars: [],
    };
    const story = new Story(setup, ticket()).create();
    // The first-response timer wakes at its due time, after the resolution was due.
    const first = story.tick('first_response', mins(60));
    expect(first.breached).toEqual(['first_response']);
    const resolution = story.tick('resolution', mins(60));
    expect(resolution.breached).toEqual(['resolution']);
  });

  it('a breach reported before solving is not reported again after reopening', () => {
    const setup: SlaSetup = {
      policies: [policy({ targets: { normal: { resolutionMinutes: 30 } } })],
      calendars: [],
    };
    const story = new Story(setup, ticket({ status: 'open' })).create();
    expect(story.tick('resolution', mins(30)).breached).toEqual(['resolution']);
    story.change({ status: 'solved', solvedAt: iso(mins(40)) }, mins(40));
    story.change({ status: 'open', solvedAt: null }, mins(50));
    expect(story.target('resolution')).toMatchObject({ status: 'breached', metAt: null });
    expect(story.timers.start).toEqual([]);
    expect(story.tick('resolution', mins(51)).breached).toEqual([]);
  });

  it('a target breached on re-targeting gets a timer that reports the breach, even without levels', () => {
    const story = new Story(standard, ticket()).create();
    story.change({ priority: 'high' }, mins(20));
    expect(story.target('first_response')?.status).toBe('breached');
    expect(story.timers.start.map((s) => s.target)).toContain('first_response');
    const tick = story.tick('first_response', mins(20));
    expect(tick.breached).toEqual(['first_response']);
    expect(tick.result).toMatchObject({ next: 'stop', reason: 'done' });
  });
});
