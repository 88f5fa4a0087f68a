import { describe, expect, it } from 'vitest';
import {
  type BlueprintDefinitionInput,
  definitionForRun,
  findEntryBlueprint,
  matchesEntry,
  publishVersion,
  validateBlueprint,
} from '../../../functions/domain/blueprints/definition.js';
import { applyTransition, startRun } from '../../../functions/domain/blueprints/runtime.js';
import { SAMPLE_RETURNS_BLUEPRINT } from '../../../functions/domain/blueprints/sample-returns.js';
import { TWENTY_FOUR_SEVEN } from '../../../functions/domain/business-hours/calendar.js';
import { NotFoundError, ValidationFailed } from '../../../functions/domain/shared/errors.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');

/** triage → review → resolved → closed, with "Send back" from review to triage. */
function draft(overrides: Partial<BlueprintDefinitionInput> = {}): BlueprintDefinitionInput {
  return {
    id: 'bp-1',
    name: 'Escalated complaints',
    departmentId: 'support',
    version: 1,
    entry: { conditions: [] },
    startState: 'triage',
    states: [
      { id: 'triage', name: 'Triage', status: 'open', timeLimit: { minutes: 30, clock: 'calendar' } },
      { id: 'review', name: 'Review', status: 'on_hold' },
      { id: 'resolved', name: 'Resolved', status: 'solved' },
      { id: 'closed', name: 'Closed', status: 'closed', final: true },
    ],
    transitions: [
      {
        id: 'to-review',
        name: 'Send to review',
        from: 'triage',
        to: 'review',
        performers: { teamIds: ['tier-1'] },
      },
      {
        id: 'resolve',
        name: 'Resolve',
        from: 'review',
        to: 'resolved',
        performers: { roles: ['supervisor'] },
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
    ...overrides,
  };
}

type Def = ReturnType<typeof draft>;
const states = (def: Def = draft()) => [...def.states];
const transitions = (def: Def = draft()) => [...def.transitions];

function problemsOf(input: unknown): string {
  try {
    validateBlueprint(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailed);
    return (error as ValidationFailed).message;
  }
  throw new Error('expected the blueprint to be refused');
}

describe('validateBlueprint', () => {
  it('accepts a well-formed process', () => {
    const def = validateBlueprint(draft());
    expect(def.states.map((s) => s.id)).toEqual(['triage', 'review', 'resolved', 'closed']);
  });

  it('accepts the sample returns blueprint of the demo', () => {
    const def = validateBlueprint(SAMPLE_RETURNS_BLUEPRINT);
    expect(def.departmentId).toBe('returns');
    expect(def.states.map((s) => s.name)).toEqual([
      'Requested',
      'Approved',
      'Label sent',
      'Item received',
      'Refunded',
      'Closed',
      'Rejected',
    ]);
    const teams = new Set(def.transitions.flatMap((t) => t.performers.teamIds ?? []));
    expect([...teams].sort()).toEqual(['billing-team', 'returns-team', 'warehouse-team']);
    expect(def.transitions.find((t) => t.id === 'approve')?.requiredFields?.[0]?.fieldId).toBe(
      'order_number',
    );
    expect(def.transitions.find((t) => t.id === 'refund')?.requiredFields?.[0]?.type).toBe('number');
    expect(def.states.filter((s) => !s.final).every((s) => s.timeLimit)).toBe(true);
  });

  it('names an unreachable state', () => {
    const def = draft({
      states: [...states(), { id: 'limbo', name: 'Limbo', status: 'pending' }],
      transitions: [
        ...transitions(),
        { id: 'out', name: 'Leave limbo', from: 'limbo', to: 'review', performers: { teamIds: ['tier-1'] } },
      ],
    });
    expect(problemsOf(def)).toMatch(/the state "Limbo" \(limbo\) cannot be reached from the start state/);
  });

  it('names a dead end (a non-final state with no way out)', () => {
    const def = draft({
      states: [...states(), { id: 'stuck', name: 'Stuck', status: 'pending' }],
      transitions: [
        ...transitions(),
        { id: 'park', name: 'Park', from: 'triage', to: 'stuck', performers: { teamIds: ['tier-1'] } },
      ],
    });
    expect(problemsOf(def)).toMatch(/the state "Stuck" \(stuck\) is a dead end/);
  });

  it('refuses duplicate state ids and names, and duplicate transition ids', () => {
    expect(
      problemsOf(draft({ states: [...states(), { id: 'review', name: 'Second review', status: 'open' }] })),
    ).toMatch(/two states share the id review/);
    expect(
      problemsOf(
        draft({
          states: [...states(), { id: 'review-2', name: 'review ', status: 'open' }],
          transitions: [
            ...transitions(),
            { id: 'r2', name: 'Again', from: 'review', to: 'review-2', performers: { roles: ['admin'] } },
            { id: 'r3', name: 'Back', from: 'review-2', to: 'review', performers: { roles: ['admin'] } },
          ],
        }),
      ),
    ).toMatch(/two states share the name "review"/);
    expect(
      problemsOf(
        draft({
          transitions: [
            ...transitions(),
            { id: 'close', name: 'Reopen', from: 'resolved', to: 'triage', performers: { roles: ['admin'] } },
          ],
        }),
      ),
    ).toMatch(/two transitions share the id close/);
  });

  it('refuses two transitions with the same name out of one state, but not out of different states', () => {
    const clash = draft({
      transitions: [
        ...transitions(),
        {
          id: 'resolve-2',
          name: 'resolve',
          from: 'review',
          to: 'resolved',
          performers: { roles: ['admin'] },
        },
      ],
    });
    expect(problemsOf(clash)).toMatch(/two transitions out of "Review" \(review\) share the name "resolve"/);

    const fine = draft({
      transitions: [
        ...transitions(),
        { id: 'back-2', name: 'Send back', from: 'resolved', to: 'triage', performers: { roles: ['admin'] } },
      ],
    });
    expect(() => validateBlueprint(fine)).not.toThrow();
  });

  it('refuses a final state with transitions out of it', () => {
    const def = draft({
      states: [...states(), { id: 'archived', name: 'Archived', status: 'solved', final: true }],
      transitions: [
        ...transitions(),
        {
          id: 'archive',
          name: 'Archive',
          from: 'resolved',
          to: 'archived',
          performers: { roles: ['admin'] },
        },
        { id: 'revive', name: 'Revive', from: 'archived', to: 'triage', performers: { roles: ['admin'] } },
      ],
    });
    expect(problemsOf(def)).toMatch(
      /the final state "Archived" \(archived\) has outgoing transitions: "Revive"/,
    );
  });

  it('refuses a missing or final start state, and a process without a final state', () => {
    expect(problemsOf(draft({ startState: 'nowhere' }))).toMatch(
      /the start state nowhere is not one of the states/,
    );
    expect(problemsOf(draft({ startState: 'closed' }))).toMatch(
      /the start state "Closed" \(closed\) cannot be final/,
    );
    const noFinal = draft({
      states: states().map((s) =>
        s.id === 'closed' ? { ...s, final: false, status: 'solved' as const } : s,
      ),
      transitions: [
        ...transitions(),
        { id: 'reopen', name: 'Reopen', from: 'closed', to: 'triage', performers: { roles: ['admin'] } },
      ],
    });
    expect(problemsOf(noFinal)).toMatch(/a blueprint needs at least one final state/);
  });

  it('names transitions between unknown states', () => {
    const def = draft({
      transitions: [
        ...transitions(),
        { id: 'ghost', name: 'Ghost', from: 'triage', to: 'phantom', performers: { roles: ['admin'] } },
        { id: 'ghost-2', name: 'Ghost 2', from: 'attic', to: 'review', performers: { roles: ['admin'] } },
      ],
    });
    const message = problemsOf(def);
    expect(message).toMatch(/transition "Ghost" \(ghost\) leads to an unknown state phantom/);
    expect(message).toMatch(/transition "Ghost 2" \(ghost-2\) starts from an unknown state attic/);
  });

  it('refuses status moves the ticket lifecycle forbids, and a non-final closing state', () => {
    const def = draft({
      states: [...states(), { id: 'waiting', name: 'Waiting', status: 'pending' }],
      transitions: [
        ...transitions(),
        { id: 'wait', name: 'Wait', from: 'resolved', to: 'waiting', performers: { roles: ['admin'] } },
        { id: 'resume', name: 'Resume', from: 'waiting', to: 'review', performers: { roles: ['admin'] } },
      ],
    });
    expect(problemsOf(def)).toMatch(/"Wait" \(wait\) would move the ticket from status solved to pending/);

    const closingTooEarly = draft({
      states: states().map((s) => (s.id === 'resolved' ? { ...s, status: 'closed' as const } : s)),
    });
    expect(problemsOf(closingTooEarly)).toMatch(
      /"Resolved" \(resolved\) closes the ticket, so it must be final/,
    );
  });

  it('refuses malformed input with the path of the problem', () => {
    const def = draft({
      transitions: [
        {
          ...transitions()[0]!,
          requiredFields: [{ fieldId: 'size', label: 'Size', type: 'picklist' }],
        },
        ...transitions().slice(1),
      ],
    });
    expect(problemsOf(def)).toMatch(
      /Invalid blueprint: transitions\.0\.requiredFields\.0\.options: .*needs its options/,
    );
    expect(problemsOf(draft({ transitions: [{ ...transitions()[0]!, performers: {} }] }))).toMatch(
      /at least one performer/,
    );
  });
});

describe('publishing versions', () => {
  it('numbers versions from 1 and refuses an invalid draft or another blueprint id', () => {
    const { version: _ignored, ...unversioned } = draft();
    expect(publishVersion(null, unversioned)).toBe(1);
    const v1 = validateBlueprint({ ...unversioned, version: 1 });
    expect(publishVersion(v1, unversioned)).toBe(2);
    expect(() => publishVersion(v1, { ...unversioned, id: 'other' })).toThrow(/cannot have the id other/);
    expect(() => publishVersion(v1, { ...unversioned, startState: 'nowhere' })).toThrow(ValidationFailed);
  });

  it('keeps in-flight tickets on the version they started with', () => {
    const v1 = validateBlueprint(draft());
    const run = startRun(v1, T0, TWENTY_FOUR_SEVEN);

    // Version 2 drops the review step: triage goes straight to resolved.
    const v2Draft = draft({
      states: states().filter((s) => s.id !== 'review'),
      transitions: [
        { id: 'fix', name: 'Fix', from: 'triage', to: 'resolved', performers: { teamIds: ['tier-1'] } },
        { id: 'close', name: 'Close', from: 'resolved', to: 'closed', performers: { teamIds: ['tier-1'] } },
      ],
    });
    const v2 = validateBlueprint({ ...v2Draft, version: publishVersion(v1, v2Draft) });
    expect(v2.version).toBe(2);

    const followed = definitionForRun([v2, v1], run);
    expect(followed.version).toBe(1);
    const performer = { agentId: 'alice', role: 'agent' as const, teamIds: ['tier-1'], departmentIds: [] };
    const moved = applyTransition(
      followed,
      run,
      { transitionId: 'to-review', performer },
      T0,
      TWENTY_FOUR_SEVEN,
    );
    expect(moved.run).toMatchObject({ version: 1, stateId: 'review' });
    // A new ticket starts on version 2.
    expect(startRun(v2, T0, TWENTY_FOUR_SEVEN).version).toBe(2);
    expect(() => definitionForRun([v2], run)).toThrow(NotFoundError);
    expect(() => definitionForRun([v2], run)).toThrow('Blueprint bp-1 version 1 was not found');
  });
});

describe('entry conditions', () => {
  const ticket = {
    channel: 'email' as const,
    priority: 'high' as const,
    departmentId: 'support',
    tags: ['vip', 'complaint'],
    customFields: { region: 'EU', skus: ['A-1', 'B-2'] },
  };

  it('lets in tickets of the department whose conditions all hold', () => {
    const def = validateBlueprint(
      draft({
        entry: {
          conditions: [
            { field: 'channel', operator: 'in', value: ['email', 'web'] },
            { field: 'priority', operator: 'is', value: 'high' },
            { field: 'tags', operator: 'includes', value: 'VIP' },
            { field: 'custom.region', operator: 'is', value: 'eu' },
            { field: 'custom.skus', operator: 'includes', value: 'B-2' },
          ],
        },
      }),
    );
    expect(matchesEntry(def, ticket)).toBe(true);
    expect(matchesEntry(def, { ...ticket, departmentId: 'billing' })).toBe(false);
    expect(matchesEntry(def, { ...ticket, channel: 'chat' })).toBe(false);
    expect(matchesEntry(def, { ...ticket, tags: ['complaint'] })).toBe(false);
    expect(matchesEntry(def, { ...ticket, customFields: { skus: ['B-2'] } })).toBe(false);
  });

  it('lets every ticket of the department in when there are no conditions, and picks the first blueprint', () => {
    const open = validateBlueprint(draft({ id: 'b-open' }));
    const strict = validateBlueprint(
      draft({
        id: 'a-strict',
        entry: { conditions: [{ field: 'priority', operator: 'is', value: 'urgent' }] },
      }),
    );
    expect(findEntryBlueprint([open, strict], ticket)?.id).toBe('b-open');
    expect(findEntryBlueprint([open, strict], { ...ticket, priority: 'urgent' })?.id).toBe('a-strict');
    expect(findEntryBlueprint([open, strict], { ...ticket, departmentId: null })).toBeNull();
  });

  it('refuses conditions that cannot hold', () => {
    const bad = (condition: unknown) => draft({ entry: { conditions: [condition as never] } });
    expect(() => validateBlueprint(bad({ field: 'channel', operator: 'in', value: 'email' }))).toThrow(
      /"in" needs a list/,
    );
    expect(() => validateBlueprint(bad({ field: 'priority', operator: 'includes', value: 'high' }))).toThrow(
      /"includes" applies to tags and custom fields only/,
    );
    expect(() => validateBlueprint(bad({ field: 'channel', operator: 'is', value: 'fax' }))).toThrow(
      /fax is not a channel/,
    );
  });
});
