import { describe, expect, it } from 'vitest';
import { parseFieldDefinition } from '../../../functions/domain/fields/model.js';
import {
  type AgentLoad,
  type AssigneePick,
  parseTeamAssignmentSettings,
  pickAssignee,
  requiredSkillsFor,
} from '../../../functions/domain/routing/assignment.js';
import {
  parseRoutingRule,
  type RoutingRule,
  type RoutingRuleInput,
  routeTicket,
} from '../../../functions/domain/routing/routing.js';
import { buildFacts } from '../../../functions/domain/rules/facts.js';
import { ValidationFailed } from '../../../functions/domain/shared/errors.js';
import { openTicket, type Ticket } from '../../../functions/domain/tickets/model.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    ...openTicket({
      id: 't1',
      number: 1001,
      subject: 'Where is my order?',
      channel: 'web',
      priority: 'normal',
      departmentId: null,
      customerId: 'c1',
      requester: { name: 'Ann', email: 'ann@example.com', phone: null },
      now: T0,
    }),
    ...overrides,
  };
}

const factsOf = (t: Ticket, body = '') =>
  buildFacts(t, { latestMessage: { body }, customer: null, now: T0, resolutionDueAt: null });

function rule(overrides: Partial<RoutingRuleInput> & { id: string }): RoutingRule {
  return parseRoutingRule({
    name: overrides.id,
    position: 10,
    active: true,
    target: { departmentId: 'general' },
    ...overrides,
  });
}

describe('routeTicket', () => {
  const rules = [
    rule({
      id: 'electronics',
      position: 20,
      conditions: { all: [{ field: 'cf.product_type', operator: 'is', value: 'Electronics' }] },
      target: { departmentId: 'electronics' },
    }),
    rule({
      id: 'refunds',
      position: 10,
      conditions: { any: [{ field: 'subject', operator: 'contains', value: ['refund', 'money back'] }] },
      target: { departmentId: 'billing', teamId: 'refunds' },
    }),
    rule({
      id: 'phone-off',
      position: 5,
      active: false,
      conditions: { all: [{ field: 'channel', operator: 'is', value: 'phone' }] },
      target: { teamId: 'phones' },
    }),
    rule({
      id: 'phone',
      position: 30,
      conditions: { all: [{ field: 'channel', operator: 'is', value: 'phone' }] },
      target: { teamId: 'phone-desk' },
    }),
  ];

  it('takes the first matching rule in position order, not list order', () => {
    const t = ticket({ subject: 'I want a refund', customFields: { product_type: 'Electronics' } });
    const routed = routeTicket(rules, factsOf(t));
    expect(routed?.rule.id).toBe('refunds');
    expect(routed?.target).toEqual({ departmentId: 'billing', teamId: 'refunds' });
  });

  it('routes on a custom field the customer picked', () => {
    const routed = routeTicket(rules, factsOf(ticket({ customFields: { product_type: 'electronics' } })));
    expect(routed?.target).toEqual({ departmentId: 'electronics' });
  });

  it('skips inactive rules', () => {
    const routed = routeTicket(rules, factsOf(ticket({ channel: 'phone' })));
    expect(routed?.rule.id).toBe('phone');
    expect(routed?.target).toEqual({ teamId: 'phone-desk' });
  });

  it('returns null when no rule matches', () => {
    expect(routeTicket(rules, factsOf(ticket()))).toBeNull();
  });

  it('breaks position ties by id', () => {
    const a = rule({ id: 'b-rule', position: 1, target: { teamId: 'b' } });
    const b = rule({ id: 'a-rule', position: 1, target: { teamId: 'a' } });
    expect(routeTicket([a, b], factsOf(ticket()))?.rule.id).toBe('a-rule');
  });

  it('refuses a rule without a target and checks custom fields against their definitions', () => {
    expect(() => rule({ id: 'x', target: {} })).toThrow(
      'a routing target needs a departmentId, a teamId or both',
    );
    const fields = [
      parseFieldDefinition({
        id: 'product_type',
        label: 'Product',
        type: 'picklist',
        options: ['Books', 'Electronics'],
        active: true,
        version: 1,
      }),
    ];
    expect(() =>
      parseRoutingRule(
        {
          id: 'r',
          name: 'r',
          position: 1,
          active: true,
          conditions: { all: [{ field: 'cf.product_type', operator: 'is', value: 'Garden' }] },
          target: { teamId: 'x' },
        },
        { fields },
      ),
    ).toThrow(ValidationFailed);
    expect(
      parseRoutingRule(
        {
          id: 'r',
          name: 'r',
          position: 1,
          active: true,
          conditions: { all: [{ field: 'cf.product_type', operator: 'is', value: 'books' }] },
          target: { teamId: 'x' },
        },
        { fields },
      ).target,
    ).toEqual({ teamId: 'x' });
  });
});

function agent(agentId: string, overrides: Partial<AgentLoad> = {}): AgentLoad {
  return {
    agentId,
    availability: 'online',
    capacity: 50,
    openCount: 0,
    skills: [],
    lastAssignedAt: null,
    active: true,
    ...overrides,
  };
}

function picked(pick: AssigneePick): string {
  if (pick.agentId === null) throw new Error(`nobody picked: ${pick.message}`);
  return pick.agentId;
}

/** Assigns `n` tickets one after the other, counting up the picked agent's open tickets. */
function distribute(n: number, strategy: 'round_robin' | 'least_load', agents: AgentLoad[]) {
  const load = new Map(agents.map((a) => [a.agentId, { ...a }]));
  const counts: Record<string, number> = {};
  let cursor: string | null = null;
  for (let i = 0; i < n; i++) {
    const pick = pickAssignee({ strategy, candidates: [...load.values()], roundRobinCursor: cursor });
    if (pick.agentId === null) break;
    cursor = pick.nextCursor;
    counts[pick.agentId] = (counts[pick.agentId] ?? 0) + 1;
    const chosen = load.get(pick.agentId)!;
    chosen.openCount += 1;
  }
  return counts;
}

describe('pickAssignee', () => {
  it('round robin gives 30 tickets over 3 online agents exactly 10 each', () => {
    expect(distribute(30, 'round_robin', [agent('carol'), agent('alice'), agent('bob')])).toEqual({
      alice: 10,
      bob: 10,
      carol: 10,
    });
  });

  it('round robin goes to the agent after the cursor in id order, wrapping around', () => {
    const agents = [agent('c'), agent('a'), agent('b')];
    expect(pickAssignee({ strategy: 'round_robin', candidates: agents, roundRobinCursor: 'a' })).toEqual({
      agentId: 'b',
      nextCursor: 'b',
    });
    expect(picked(pickAssignee({ strategy: 'round_robin', candidates: agents, roundRobinCursor: 'c' }))).toBe(
      'a',
    );
    // The cursor agent left the team: the next id after it still works.
    expect(
      picked(pickAssignee({ strategy: 'round_robin', candidates: agents, roundRobinCursor: 'ab' })),
    ).toBe('b');
  });

  it('without a cursor starts after the agent assigned most recently', () => {
    const agents = [
      agent('a', { lastAssignedAt: '2026-03-02T08:00:00Z' }),
      agent('b', { lastAssignedAt: '2026-03-02T08:30:00Z' }),
      agent('c', { lastAssignedAt: null }),
    ];
    expect(
      picked(pickAssignee({ strategy: 'round_robin', candidates: agents, roundRobinCursor: null })),
    ).toBe('c');
    expect(
      picked(
        pickAssignee({
          strategy: 'round_robin',
          candidates: [agent('x'), agent('y')],
          roundRobinCursor: null,
        }),
      ),
    ).toBe('x');
  });

  it('an away agent gets none', () => {
    const counts = distribute(12, 'round_robin', [
      agent('a'),
      agent('b', { availability: 'away' }),
      agent('c'),
    ]);
    expect(counts).toEqual({ a: 6, c: 6 });
  });

  it('an agent at capacity gets none, and one who reaches capacity stops getting tickets', () => {
    const counts = distribute(9, 'round_robin', [
      agent('a', { capacity: 3, openCount: 3 }),
      agent('b', { capacity: 2, openCount: 0 }),
      agent('c', { capacity: 100 }),
    ]);
    expect(counts).toEqual({ b: 2, c: 7 });
  });

  it('inactive agents get none', () => {
    const counts = distribute(4, 'round_robin', [agent('a', { active: false }), agent('b')]);
    expect(counts).toEqual({ b: 4 });
  });

  it('least load picks the agent with the fewest open tickets', () => {
    const pick = pickAssignee({
      strategy: 'least_load',
      candidates: [agent('a', { openCount: 5 }), agent('b', { openCount: 2 }), agent('c', { openCount: 4 })],
      roundRobinCursor: 'a',
    });
    expect(pick).toEqual({ agentId: 'b', nextCursor: 'b' });
  });

  it('least load breaks ties in round-robin order and evens out the load', () => {
    const agents = [agent('a', { openCount: 1 }), agent('b', { openCount: 1 }), agent('c', { openCount: 3 })];
    expect(picked(pickAssignee({ strategy: 'least_load', candidates: agents, roundRobinCursor: 'a' }))).toBe(
      'b',
    );
    expect(picked(pickAssignee({ strategy: 'least_load', candidates: agents, roundRobinCursor: 'b' }))).toBe(
      'a',
    );
    expect(distribute(7, 'least_load', agents)).toEqual({ a: 3, b: 3, c: 1 });
  });

  it('skills picks among the agents having every required skill, then by load', () => {
    const agents = [
      agent('a', { skills: ['french'], openCount: 0 }),
      agent('b', { skills: ['French', 'laptops'], openCount: 4 }),
      agent('c', { skills: ['french', 'laptops', 'phones'], openCount: 2 }),
    ];
    const pick = pickAssignee({
      strategy: 'skills',
      candidates: agents,
      requiredSkills: ['laptops', 'FRENCH'],
      roundRobinCursor: null,
    });
    expect(pick).toEqual({ agentId: 'c', nextCursor: 'c' });
    expect(
      picked(
        pickAssignee({ strategy: 'skills', candidates: agents, requiredSkills: [], roundRobinCursor: null }),
      ),
    ).toBe('a');
  });

  it.each([
    [
      'no agent online',
      [agent('a', { availability: 'offline' }), agent('b', { availability: 'away' })],
      [],
      'no_agent_online',
    ],
    [
      'all online agents are at capacity',
      [agent('a', { capacity: 2, openCount: 2 }), agent('b', { availability: 'offline' })],
      [],
      'all_at_capacity',
    ],
    [
      'no agent with skills german, phones',
      [agent('a', { skills: ['german'] })],
      ['phones', 'german'],
      'no_agent_with_skills',
    ],
    ['the team has no active agent', [agent('a', { active: false })], [], 'no_agents'],
    ['the team has no active agent', [], [], 'no_agents'],
  ] as const)('says "%s" when nobody is eligible', (message, candidates, requiredSkills, reason) => {
    expect(
      pickAssignee({
        strategy: 'skills',
        candidates: [...candidates],
        requiredSkills: [...requiredSkills],
        roundRobinCursor: null,
      }),
    ).toEqual({ agentId: null, reason, message });
  });

  it('with skills, a skilled agent who is offline gives "no agent online"', () => {
    const pick = pickAssignee({
      strategy: 'skills',
      candidates: [agent('a', { skills: ['phones'], availability: 'offline' }), agent('b')],
      requiredSkills: ['phones'],
      roundRobinCursor: null,
    });
    expect(pick).toMatchObject({ agentId: null, reason: 'no_agent_online' });
  });
});

describe('requiredSkillsFor', () => {
  it('derives skills from custom fields, prefixed tags and the team defaults', () => {
    const settings = parseTeamAssignmentSettings({
      teamId: 'replacement',
      strategy: 'skills',
      skills: { fromFields: ['product', 'languages'], tagPrefix: 'skill:', always: ['Returns'] },
    });
    const t = ticket({
      tags: ['skill:soldering', 'vip', 'skill:'],
      customFields: { product: 'Laptops', languages: ['French', 'German'], other: 'x' },
    });
    expect(requiredSkillsFor(settings, t)).toEqual(['french', 'german', 'laptops', 'returns', 'soldering']);
  });

  it('needs none without skill settings', () => {
    const settings = parseTeamAssignmentSettings({ teamId: 't', strategy: 'round_robin' });
    expect(requiredSkillsFor(settings, ticket({ tags: ['skill:x'] }))).toEqual([]);
  });
});
