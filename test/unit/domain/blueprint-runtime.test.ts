import { describe, expect, it } from 'vitest';
import {
  type BlueprintDefinition,
  validateBlueprint,
} from '../../../functions/domain/blueprints/definition.js';
import {
  applyTransition,
  assertStatusChangeAllowed,
  availableTransitions,
  type BlueprintRun,
  checkDeadline,
  checkTransition,
  isStatusChangeAllowed,
  MAX_RUN_HISTORY,
  markOverdue,
  nextTimeSlice,
  type Performer,
  startRun,
  stateDeadline,
  type TransitionInput,
} from '../../../functions/domain/blueprints/runtime.js';
import { SAMPLE_RETURNS_BLUEPRINT } from '../../../functions/domain/blueprints/sample-returns.js';
import {
  acceptTaskToken,
  deadlineTaskResult,
  parseBlueprintTaskRequest,
} from '../../../functions/domain/blueprints/task-contract.js';
import {
  parseBusinessCalendar,
  TWENTY_FOUR_SEVEN,
} from '../../../functions/domain/business-hours/calendar.js';
import {
  Forbidden,
  TransitionNotAllowed,
  ValidationFailed,
} from '../../../functions/domain/shared/errors.js';

const T0 = new Date('2026-03-02T09:00:00.000Z'); // a Monday
const minutesAfter = (start: Date, minutes: number) => new Date(start.getTime() + minutes * 60_000);

const alice: Performer = { agentId: 'alice', role: 'agent', teamIds: ['tier-1'], departmentIds: ['support'] };
const bob: Performer = {
  agentId: 'bob',
  role: 'agent',
  teamIds: ['billing-team'],
  departmentIds: ['billing'],
};
const sue: Performer = { agentId: 'sue', role: 'supervisor', teamIds: [], departmentIds: ['support'] };
const dana: Performer = { agentId: 'dana', role: 'agent', teamIds: [], departmentIds: ['legal'] };
const mallory: Performer = {
  agentId: 'mallory',
  role: 'agent',
  teamIds: ['tier-2'],
  departmentIds: ['support'],
};

/**
 * triage (30 calendar minutes) → review (120 business minutes) → resolved → closed;
 * review can also go back to triage.
 */
const def: BlueprintDefinition = validateBlueprint({
  id: 'bp-1',
  name: 'Complaints',
  departmentId: 'support',
  version: 1,
  entry: { conditions: [] },
  startState: 'triage',
  states: [
    { id: 'triage', name: 'Triage', status: 'open', timeLimit: { minutes: 30, clock: 'calendar' } },
    { id: 'review', name: 'Review', status: 'on_hold', timeLimit: { minutes: 120, clock: 'business' } },
    { id: 'resolved', name: 'Resolved', status: 'solved' },
    { id: 'closed', name: 'Closed', status: 'closed', final: true },
  ],
  transitions: [
    {
      id: 'to-review',
      name: 'Send to review',
      from: 'triage',
      to: 'review',
      performers: { teamIds: ['tier-1'], agentIds: ['dana'] },
      requiredFields: [
        { fieldId: 'order_ref', label: 'Order reference', type: 'text' },
        { fieldId: 'amount', label: 'Amount', type: 'number' },
        { fieldId: 'bought_on', label: 'Bought on', type: 'date' },
        { fieldId: 'terms_ok', label: 'Terms checked', type: 'checkbox' },
        { fieldId: 'reason', label: 'Reason', type: 'picklist', options: ['Broken', 'Late'] },
      ],
      actions: [
        { type: 'set_field', fieldId: 'stage', value: 'review' },
        { type: 'set_priority', priority: 'high' },
        { type: 'notify', to: 'performer_team', template: { subject: 'Sent', body: 'Sent to review' } },
        {
          type: 'notify',
          to: { teamId: 'billing-team' },
          template: { subject: 'Review', body: 'Please review' },
        },
      ],
    },
    {
      id: 'resolve',
      name: 'Resolve',
      from: 'review',
      to: 'resolved',
      performers: { departmentIds: ['billing'] },
      requireNote: true,
      actions: [{ type: 'notify', to: 'customer', template: { subject: 'Resolved', body: 'Done' } }],
    },
    {
      id: 'send-back',
      name: 'Send back',
      from: 'review',
      to: 'triage',
      performers: { roles: ['supervisor'] },
    },
    { id: 'close', name: 'Close', from: 'resolved', to: 'closed', performers: { teamIds: ['tier-1'] } },
  ],
});

const reviewFields = {
  order_ref: '  ORD-42 ',
  amount: 19.99,
  bought_on: '2026-02-27',
  terms_ok: true,
  reason: 'broken',
};

/** Berlin office hours, Monday to Friday 09:00–17:00. */
const office = parseBusinessCalendar({
  id: 'office',
  name: 'Office',
  timeZone: 'Europe/Berlin',
  weekly: {
    mon: [{ start: '09:00', end: '17:00' }],
    tue: [{ start: '09:00', end: '17:00' }],
    wed: [{ start: '09:00', end: '17:00' }],
    thu: [{ start: '09:00', end: '17:00' }],
    fri: [{ start: '09:00', end: '17:00' }],
  },
});

function inReview(at = T0): BlueprintRun {
  return applyTransition(
    def,
    startRun(def, at, TWENTY_FOUR_SEVEN),
    { transitionId: 'to-review', performer: alice, fields: reviewFields },
    at,
    office,
  ).run;
}

function refusal(run: BlueprintRun, input: TransitionInput): Error {
  const check = checkTransition(def, run, input);
  if (check.ok) throw new Error('expected a refusal');
  return check.error;
}

describe('starting a run', () => {
  it('enters the start state with its deadline, no token and no history', () => {
    expect(startRun(def, T0, TWENTY_FOUR_SEVEN)).toEqual({
      blueprintId: 'bp-1',
      version: 1,
      stateId: 'triage',
      enteredAt: T0.toISOString(),
      deadlineAt: minutesAfter(T0, 30).toISOString(),
      overdue: false,
      taskToken: null,
      history: [],
      completedAt: null,
    });
  });
});

describe('who may perform a transition', () => {
  const run = startRun(def, T0, TWENTY_FOUR_SEVEN);

  it('lists the transitions a performer may take from the current state', () => {
    expect(availableTransitions(def, run, alice).map((t) => t.id)).toEqual(['to-review']);
    expect(availableTransitions(def, run, mallory)).toEqual([]);
    const review = inReview();
    expect(availableTransitions(def, review, sue).map((t) => t.id)).toEqual(['send-back']);
    expect(availableTransitions(def, review, bob).map((t) => t.id)).toEqual(['resolve']);
  });

  it('accepts an agent by id, a team member, a role and a colleague of another department', () => {
    const fields = reviewFields;
    expect(checkTransition(def, run, { transitionId: 'to-review', performer: alice, fields }).ok).toBe(true);
    expect(checkTransition(def, run, { transitionId: 'to-review', performer: dana, fields }).ok).toBe(true);
    const review = inReview();
    expect(checkTransition(def, review, { transitionId: 'send-back', performer: sue }).ok).toBe(true);
    // bob is in billing, not in the blueprint's support department.
    expect(
      checkTransition(def, review, { transitionId: 'resolve', performer: bob, note: 'Refunded' }).ok,
    ).toBe(true);
  });

  it('refuses anyone else with Forbidden naming the transition', () => {
    const error = refusal(run, { transitionId: 'to-review', performer: mallory, fields: reviewFields });
    expect(error).toBeInstanceOf(Forbidden);
    expect(error.message).toBe('You are not among the performers of "Send to review"');
    expect(refusal(inReview(), { transitionId: 'send-back', performer: alice })).toBeInstanceOf(Forbidden);
  });
});

describe('required fields and notes', () => {
  const run = startRun(def, T0, TWENTY_FOUR_SEVEN);
  const attempt = (fields: Record<string, unknown>) =>
    refusal(run, { transitionId: 'to-review', performer: alice, fields });

  it('names every missing required field', () => {
    const error = attempt({ amount: 5, terms_ok: true, reason: 'Late', bought_on: '2026-01-01' });
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error.message).toBe(
      '"Send to review" cannot be done yet: "Order reference" (order_ref) is required',
    );
    expect((error as ValidationFailed).details).toMatchObject({ fields: [{ field: 'order_ref' }] });
    expect(attempt({}).message).toMatch(/order_ref.*amount.*bought_on.*terms_ok.*reason/);
  });

  it('checks each value against its type', () => {
    const with_ = (patch: Record<string, unknown>) => attempt({ ...reviewFields, ...patch }).message;
    expect(with_({ amount: '19.99' })).toMatch(/"Amount" \(amount\) must be a number/);
    expect(with_({ bought_on: '2026-02-30' })).toMatch(
      /"Bought on" \(bought_on\) must be a date written YYYY-MM-DD/,
    );
    expect(with_({ terms_ok: false })).toMatch(/"Terms checked" \(terms_ok\) must be ticked/);
    expect(with_({ reason: 'Bored' })).toMatch(/"Reason" \(reason\) must be one of "Broken", "Late"/);
    expect(with_({ order_ref: '   ' })).toMatch(/"Order reference" \(order_ref\) is required/);
    expect(with_({ colour: 'red' })).toBe('"Send to review" does not ask for colour');
  });

  it('normalises the values it accepts', () => {
    const check = checkTransition(def, run, {
      transitionId: 'to-review',
      performer: alice,
      fields: reviewFields,
    });
    expect(check).toMatchObject({
      ok: true,
      values: {
        order_ref: 'ORD-42',
        amount: 19.99,
        bought_on: '2026-02-27',
        terms_ok: true,
        reason: 'Broken',
      },
    });
  });

  it('requires a note where the transition says so', () => {
    const review = inReview();
    for (const note of [undefined, null, '  ']) {
      const error = refusal(review, { transitionId: 'resolve', performer: bob, note });
      expect(error).toBeInstanceOf(ValidationFailed);
      expect(error.message).toBe('"Resolve" needs a note explaining it');
    }
  });
});

describe('the current state', () => {
  it('refuses a transition that does not leave the current state', () => {
    const run = startRun(def, T0, TWENTY_FOUR_SEVEN);
    const error = refusal(run, { transitionId: 'resolve', performer: bob, note: 'x' });
    expect(error).toBeInstanceOf(TransitionNotAllowed);
    expect(error.message).toBe('"Resolve" leaves the state "Review", but the ticket is in "Triage"');
    expect(refusal(run, { transitionId: 'teleport', performer: alice }).message).toBe(
      'The blueprint "Complaints" has no transition teleport',
    );
  });

  it('refuses when the ticket moved on since the performer looked (expected state)', () => {
    const error = refusal(inReview(), {
      transitionId: 'to-review',
      performer: alice,
      fields: reviewFields,
      expectedStateId: 'triage',
    });
    expect(error).toBeInstanceOf(TransitionNotAllowed);
    expect(error.message).toMatch(/no longer in the state "Triage"; it is now in "Review"/);
  });

  it('refuses every transition once the run is complete', () => {
    let run = inReview();
    run = applyTransition(def, run, { transitionId: 'resolve', performer: bob, note: 'ok' }, T0, office).run;
    run = applyTransition(def, run, { transitionId: 'close', performer: alice }, T0, office).run;
    expect(run.completedAt).toBe(T0.toISOString());
    expect(refusal(run, { transitionId: 'close', performer: alice }).message).toMatch(/already complete/);
    expect(availableTransitions(def, run, alice)).toEqual([]);
  });

  it('refuses a run of another blueprint version', () => {
    const run = { ...startRun(def, T0, TWENTY_FOUR_SEVEN), version: 2 };
    expect(() => checkTransition(def, run, { transitionId: 'to-review', performer: alice })).toThrow(
      /follows blueprint bp-1 version 2, not bp-1 version 1/,
    );
  });
});

describe('applying a transition', () => {
  it('moves the run, patches the ticket and plans the notifications', () => {
    const start = { ...startRun(def, T0, TWENTY_FOUR_SEVEN), taskToken: 'token-1' };
    const at = minutesAfter(T0, 10);
    const result = applyTransition(
      def,
      start,
      { transitionId: 'to-review', performer: alice, fields: reviewFields },
      at,
      office,
    );
    expect(result.run).toMatchObject({
      stateId: 'review',
      enteredAt: at.toISOString(),
      // 120 business minutes of the Berlin office from 10:10 CET on Monday.
      deadlineAt: '2026-03-02T11:10:00.000Z',
      overdue: false,
      taskToken: null,
      completedAt: null,
      history: [
        {
          stateId: 'triage',
          enteredAt: T0.toISOString(),
          leftAt: at.toISOString(),
          transitionId: 'to-review',
          performerId: 'alice',
          overdue: false,
        },
      ],
    });
    expect(result.ticketPatch).toEqual({
      status: 'on_hold',
      customFields: {
        order_ref: 'ORD-42',
        amount: 19.99,
        bought_on: '2026-02-27',
        terms_ok: true,
        reason: 'Broken',
        stage: 'review',
      },
      priority: 'high',
    });
    expect(result.actions.map((a) => a.recipients)).toEqual([
      [{ teamId: 'tier-1' }],
      [{ teamId: 'billing-team' }],
    ]);
    expect(result.actions[0]).toMatchObject({
      type: 'notify',
      reason: 'transition',
      transitionId: 'to-review',
    });
    expect(result.completed).toBe(false);
    expect(result.output).toEqual({ transitionId: 'to-review', toStateId: 'review', final: false });
  });

  it('throws the refusal of checkTransition', () => {
    const run = startRun(def, T0, TWENTY_FOUR_SEVEN);
    expect(() =>
      applyTransition(def, run, { transitionId: 'to-review', performer: mallory }, T0, TWENTY_FOUR_SEVEN),
    ).toThrow(Forbidden);
  });

  it('completes the run on a final state', () => {
    let run = inReview();
    run = applyTransition(
      def,
      run,
      { transitionId: 'resolve', performer: bob, note: 'Refunded' },
      T0,
      office,
    ).run;
    const last = applyTransition(
      def,
      run,
      { transitionId: 'close', performer: alice },
      minutesAfter(T0, 5),
      office,
    );
    expect(last.completed).toBe(true);
    expect(last.output).toEqual({ transitionId: 'close', toStateId: 'closed', final: true });
    expect(last.run).toMatchObject({
      stateId: 'closed',
      deadlineAt: null,
      completedAt: minutesAfter(T0, 5).toISOString(),
    });
    expect(last.ticketPatch).toEqual({ status: 'closed', customFields: {} });
  });

  it('records an overdue stay in the history and keeps only the last entries', () => {
    let run = inReview();
    let at = T0;
    for (let i = 0; i < MAX_RUN_HISTORY + 10; i++) {
      at = minutesAfter(at, 600);
      const transitionId = run.stateId === 'review' ? 'send-back' : 'to-review';
      const performer = run.stateId === 'review' ? sue : alice;
      run = applyTransition(
        def,
        run,
        { transitionId, performer, fields: transitionId === 'to-review' ? reviewFields : {} },
        at,
        office,
      ).run;
    }
    expect(run.history).toHaveLength(MAX_RUN_HISTORY);
    expect(run.history.at(-1)).toMatchObject({ leftAt: at.toISOString(), overdue: true });
  });
});

describe('time limits', () => {
  it('computes deadlines in business minutes or calendar minutes', () => {
    const review = def.states.find((s) => s.id === 'review')!;
    const triage = def.states.find((s) => s.id === 'triage')!;
    // Friday 16:00 in Berlin (15:00Z): one business hour on Friday, one on Monday morning.
    const friday = new Date('2026-03-06T15:00:00.000Z');
    expect(stateDeadline(review, friday, office)?.toISOString()).toBe('2026-03-09T09:00:00.000Z');
    expect(stateDeadline(triage, friday, office)?.toISOString()).toBe('2026-03-06T15:30:00.000Z');
    expect(stateDeadline(def.states.find((s) => s.id === 'resolved')!, friday, office)).toBeNull();
  });

  it('marks a run overdue once, at or after its deadline', () => {
    const run = startRun(def, T0, TWENTY_FOUR_SEVEN);
    expect(markOverdue(run, minutesAfter(T0, 29)).escalate).toBe(false);
    const first = markOverdue(run, minutesAfter(T0, 30));
    expect(first).toMatchObject({ escalate: true, run: { overdue: true } });
    expect(markOverdue(first.run, minutesAfter(T0, 90))).toEqual({ run: first.run, escalate: false });
  });

  it('sizes the next wait until the deadline, between 1 second and the maximum slice', () => {
    const run = startRun(def, T0, TWENTY_FOUR_SEVEN);
    expect(nextTimeSlice(run, T0)).toBe(1800);
    expect(nextTimeSlice(run, new Date(T0.getTime() + 1_799_500))).toBe(1);
    expect(nextTimeSlice(run, minutesAfter(T0, 40))).toBe(1);
    expect(nextTimeSlice(run, T0, 60)).toBe(60);
    expect(nextTimeSlice({ ...run, deadlineAt: null }, T0)).toBe(86_400);
    expect(nextTimeSlice({ ...run, overdue: true }, T0, 120)).toBe(120);
  });

  it('escalates exactly once to the transition owners and the supervisors', () => {
    const run = startRun(def, T0, TWENTY_FOUR_SEVEN);
    const early = checkDeadline(def, run, minutesAfter(T0, 10));
    expect(early).toMatchObject({ escalation: null, completed: false, timeSliceSeconds: 1200, run });

    const late = checkDeadline(def, run, minutesAfter(T0, 31), { maxSliceSeconds: 600 });
    expect(late.run.overdue).toBe(true);
    expect(late.timeSliceSeconds).toBe(600);
    expect(late.escalation).toMatchObject({
      type: 'notify',
      reason: 'overdue',
      stateId: 'triage',
      transitionId: null,
      recipients: [{ agentId: 'dana' }, { teamId: 'tier-1' }, 'supervisor'],
    });
    expect(late.escalation?.template.subject).toBe('Overdue: ticket in "Triage" of blueprint "Complaints"');
    expect(deadlineTaskResult(late)).toEqual({
      stateId: 'triage',
      completed: false,
      overdue: true,
      escalated: true,
      timeSliceSeconds: 600,
    });

    const again = checkDeadline(def, late.run, minutesAfter(T0, 60));
    expect(again.escalation).toBeNull();
    expect(again.run).toBe(late.run);
  });

  it('starts the clock again in the next state', () => {
    const overdue = checkDeadline(def, startRun(def, T0, TWENTY_FOUR_SEVEN), minutesAfter(T0, 45)).run;
    const at = minutesAfter(T0, 50);
    const moved = applyTransition(
      def,
      overdue,
      { transitionId: 'to-review', performer: alice, fields: reviewFields },
      at,
      office,
    ).run;
    expect(moved.overdue).toBe(false);
    expect(moved.history[0]?.overdue).toBe(true);
    expect(checkDeadline(def, moved, at).escalation).toBeNull();
  });
});

describe('status changes outside the blueprint', () => {
  it('are refused while the run is under way, with the message the API returns', () => {
    const run = inReview();
    expect(isStatusChangeAllowed(run, def)).toEqual({
      allowed: false,
      message:
        'This ticket follows the blueprint "Complaints" and is in the state "Review": its status changes only through the blueprint\'s transitions ("Resolve", "Send back")',
    });
    expect(isStatusChangeAllowed(run)).toMatchObject({
      allowed: false,
      message: expect.stringMatching(/blueprint/),
    });
    expect(() => assertStatusChangeAllowed(run, def)).toThrow(TransitionNotAllowed);
  });

  it('are free without a run or once it is complete', () => {
    expect(isStatusChangeAllowed(null)).toEqual({ allowed: true });
    expect(isStatusChangeAllowed({ ...inReview(), completedAt: T0.toISOString() }, def)).toEqual({
      allowed: true,
    });
  });
});

describe('the task contract', () => {
  it('parses the requests of the state machine', () => {
    expect(
      parseBlueprintTaskRequest({ action: 'deadline', ticketId: 't1', blueprintId: 'bp-1', version: 1 }),
    ).toEqual({ action: 'deadline', ticketId: 't1', blueprintId: 'bp-1', version: 1 });
    expect(() => parseBlueprintTaskRequest({ action: 'await', ticketId: 't1' })).toThrow(
      /Invalid blueprint task request/,
    );
  });

  it('stores the token of a wait for the planned state, and answers at once when the run moved on', () => {
    const run = startRun(def, T0, TWENTY_FOUR_SEVEN);
    const request = {
      action: 'await' as const,
      ticketId: 't1',
      blueprintId: 'bp-1',
      version: 1,
      stateId: 'triage',
      taskToken: 'tok-2',
    };
    expect(acceptTaskToken({ ...run, taskToken: 'tok-1' }, request)).toEqual({
      kind: 'store',
      run: { ...run, taskToken: 'tok-2' },
    });
    expect(acceptTaskToken(inReview(), request)).toEqual({
      kind: 'resync',
      output: { transitionId: null, toStateId: 'review', final: false },
    });
    expect(acceptTaskToken({ ...run, completedAt: T0.toISOString() }, request)).toMatchObject({
      kind: 'resync',
      output: { final: true },
    });
    expect(() => acceptTaskToken(run, { ...request, version: 3 })).toThrow(ValidationFailed);
  });
});

describe('the sample returns blueprint', () => {
  it('runs from request to refund across the Returns, Warehouse and Billing teams', () => {
    const returns = validateBlueprint(SAMPLE_RETURNS_BLUEPRINT);
    const agent = (agentId: string, teamId: string, departmentId: string): Performer => ({
      agentId,
      role: 'agent',
      teamIds: [teamId],
      departmentIds: [departmentId],
    });
    const returnsAgent = agent('r', 'returns-team', 'returns');
    const warehouse = agent('w', 'warehouse-team', 'warehouse');
    const billing = agent('b', 'billing-team', 'billing');
    let run = startRun(returns, T0, office);
    const steps: Array<[string, Performer, Record<string, unknown>?]> = [
      ['approve', returnsAgent, { order_number: 'ORD-1' }],
      ['send-label', returnsAgent],
      ['receive-item', warehouse, { item_condition: 'as new' }],
      ['refund', billing, { refund_amount: 49.5 }],
      ['close', returnsAgent],
    ];
    const statuses: string[] = [];
    for (const [transitionId, performer, fields] of steps) {
      expect(checkTransition(returns, run, { transitionId, performer: warehouse, fields }).ok).toBe(
        performer === warehouse,
      );
      const result = applyTransition(returns, run, { transitionId, performer, fields }, T0, office);
      statuses.push(result.ticketPatch.status);
      run = result.run;
    }
    expect(statuses).toEqual(['open', 'pending', 'open', 'solved', 'closed']);
    expect(run.completedAt).not.toBeNull();
  });
});
