import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryRoutingStore, memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import { AgentSchema, type Principal, TeamSchema } from '../../../functions/domain/agents/model.js';
import { updateAgent, updateTeam } from '../../../functions/domain/agents/use-cases.js';
import { parseDeskRoutingRule } from '../../../functions/domain/routing/desk-rules.js';
import { loadChangesFor } from '../../../functions/domain/routing/load.js';
import { Forbidden, ValidationFailed, VersionConflict } from '../../../functions/domain/shared/errors.js';
import type { Ticket } from '../../../functions/domain/tickets/model.js';
import { createTicket } from '../../../functions/domain/tickets/use-cases.js';
import { saveRoutingRule, setAvailability } from '../../../functions/routing/admin.js';
import {
  assignWaitingTickets,
  type RoutingContext,
  routeNewTicket,
} from '../../../functions/routing/engine.js';

const at = '2026-03-01T00:00:00.000Z';
let deps: ReturnType<typeof memoryDeps>;
let store: MemoryRoutingStore;
let context: RoutingContext;

const admin: Principal = {
  agentId: 'boss',
  email: 'boss@x.test',
  name: 'Boss',
  role: 'admin',
  departmentIds: [],
};
const agentPrincipal = (id: string): Principal => ({
  agentId: id,
  email: `${id}@x.test`,
  name: id,
  role: 'agent',
  departmentIds: ['tech'],
});

function addAgent(id: string, extra: Record<string, unknown> = {}) {
  deps.state.agents.set(
    id,
    AgentSchema.parse({
      id,
      email: `${id}@x.test`,
      name: `Agent ${id}`,
      role: 'agent',
      departmentIds: ['tech'],
      teamIds: ['phones'],
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
      ...extra,
    }),
  );
}

async function newTicket(subject = 'Screen cracked', departmentId: string | null = 'tech'): Promise<Ticket> {
  const { ticket } = await createTicket(deps, {
    subject,
    description: 'Please help',
    customer: { email: 'ann@example.com', name: 'Ann' },
    channel: 'web',
    departmentId,
    createdBy: 'customer',
  });
  return ticket;
}

/** What the events handler does with the stream: counters follow every ticket change. */
async function syncLoads(): Promise<void> {
  store.loads.clear();
  for (const t of deps.state.tickets.values()) {
    for (const c of loadChangesFor(undefined, t)) {
      const load = store.loads.get(c.agentId) ?? { openCount: 0, lastAssignedAt: null };
      store.loads.set(c.agentId, {
        openCount: load.openCount + c.delta,
        lastAssignedAt: load.lastAssignedAt,
      });
    }
  }
}

beforeEach(() => {
  deps = memoryDeps();
  store = new MemoryRoutingStore(deps.state);
  context = { deps, store };
  deps.state.departments.set('tech', {
    id: 'tech',
    name: 'Tech',
    active: true,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  deps.state.teams.set(
    'phones',
    TeamSchema.parse({
      id: 'phones',
      name: 'Phones',
      departmentId: 'tech',
      active: true,
      assignment: { strategy: 'round_robin' },
      version: 1,
      createdAt: at,
      updatedAt: at,
    }),
  );
  addAgent('a');
  addAgent('b');
  addAgent('c');
});

describe('open-ticket counts', () => {
  it('move with the assignee and with statuses into and out of open ones', () => {
    expect(loadChangesFor(undefined, { status: 'new', assigneeId: null })).toEqual([]);
    expect(
      loadChangesFor(
        { status: 'new', assigneeId: null },
        { status: 'open', assigneeId: 'a', updatedAt: 't1' },
      ),
    ).toEqual([{ agentId: 'a', delta: 1, assignedAt: 't1' }]);
    expect(
      loadChangesFor(
        { status: 'open', assigneeId: 'a' },
        { status: 'open', assigneeId: 'b', updatedAt: 't2' },
      ),
    ).toEqual([
      { agentId: 'a', delta: -1 },
      { agentId: 'b', delta: 1, assignedAt: 't2' },
    ]);
    expect(
      loadChangesFor({ status: 'pending', assigneeId: 'a' }, { status: 'solved', assigneeId: 'a' }),
    ).toEqual([{ agentId: 'a', delta: -1 }]);
    expect(
      loadChangesFor({ status: 'solved', assigneeId: 'a' }, { status: 'open', assigneeId: 'a' }),
    ).toEqual([{ agentId: 'a', delta: 1 }]);
    expect(loadChangesFor({ status: 'on_hold', assigneeId: 'a' }, undefined)).toEqual([
      { agentId: 'a', delta: -1 },
    ]);
  });

  it('are applied once per stream record', async () => {
    expect(await store.applyLoadChanges('e1', [{ agentId: 'a', delta: 1 }])).toBe(true);
    expect(await store.applyLoadChanges('e1', [{ agentId: 'a', delta: 1 }])).toBe(false);
    expect((await store.getLoads(['a'])).get('a')?.openCount).toBe(1);
  });
});

describe('automatic assignment of new tickets', () => {
  it('round robin takes turns over online agents with room, skipping away and full ones', async () => {
    deps.state.agents.get('b')!.availability = 'away';
    addAgent('d', { capacity: 0 });
    const picked: string[] = [];
    for (let i = 0; i < 6; i++) {
      const ticket = await newTicket();
      const outcome = await routeNewTicket(context, ticket.id);
      if (outcome.type === 'assigned') picked.push(outcome.agentId);
    }
    expect(picked).toEqual(['a', 'c', 'a', 'c', 'a', 'c']);
    const last = [...deps.state.tickets.values()].at(-1)!;
    expect(last).toMatchObject({ assigneeId: 'c', teamId: 'phones', status: 'open' });
    const entries = deps.state.entries.get(last.id)!;
    expect(entries.find((e) => e.kind === 'event')?.author).toMatchObject({
      type: 'system',
      name: 'Assignment (round robin)',
    });
    expect(entries.find((e) => e.kind === 'system')?.body).toBe(
      'Assigned to Agent c by round robin (team Phones).',
    );
  });

  it('never starts two assignments from the same cursor (compare-and-set)', async () => {
    const ticket = await newTicket();
    const original = store.advanceCursor.bind(store);
    let raced = false;
    store.advanceCursor = async (teamId, expected, agentId) => {
      if (!raced) {
        raced = true;
        await original(teamId, expected, 'a'); // a concurrent assignment moves the cursor first
      }
      return original(teamId, expected, agentId);
    };
    const outcome = await routeNewTicket(context, ticket.id);
    expect(outcome).toEqual({ type: 'assigned', agentId: 'b' });
    expect(store.cursors.get('phones')).toEqual({ cursor: 'b', seq: 2 });
  });

  it('least load picks the agent with the fewest open tickets', async () => {
    deps.state.teams.get('phones')!.assignment = { strategy: 'least_load' };
    store.loads.set('a', { openCount: 3, lastAssignedAt: null });
    store.loads.set('b', { openCount: 1, lastAssignedAt: null });
    store.loads.set('c', { openCount: 2, lastAssignedAt: null });
    const outcome = await routeNewTicket(context, (await newTicket()).id);
    expect(outcome).toEqual({ type: 'assigned', agentId: 'b' });
  });

  it('leaves the ticket in the team queue with a reason when nobody is online, and catches up when someone comes online', async () => {
    for (const id of ['a', 'b', 'c']) deps.state.agents.get(id)!.availability = 'offline';
    const first = await newTicket('First');
    const second = await newTicket('Second');
    expect(await routeNewTicket(context, first.id)).toEqual({ type: 'waiting', reason: 'no_agent_online' });
    await routeNewTicket(context, second.id);
    const waiting = deps.state.tickets.get(first.id)!;
    expect(waiting).toMatchObject({ assigneeId: null, teamId: 'phones' });
    expect(
      deps.state.entries
        .get(first.id)!
        .some((e) => e.kind === 'system' && /no agent online/.test(e.body ?? '')),
    ).toBe(true);

    await setAvailability(deps, agentPrincipal('b'), 'b', 'online', null);
    await syncLoads();
    expect(await assignWaitingTickets({ deps, store }, 'b')).toBe(2);
    expect(deps.state.tickets.get(first.id)!.assigneeId).toBe('b');
    expect(deps.state.tickets.get(second.id)!.assigneeId).toBe('b');
  });

  it('catching up stops at the agent’s free capacity', async () => {
    for (const id of ['a', 'b', 'c']) deps.state.agents.get(id)!.availability = 'away';
    const tickets = [await newTicket('1'), await newTicket('2'), await newTicket('3')];
    for (const t of tickets) await routeNewTicket(context, t.id);
    deps.state.agents.get('a')!.availability = 'online';
    deps.state.agents.get('a')!.capacity = 2;
    expect(await assignWaitingTickets({ deps, store }, 'a')).toBe(2);
    expect(tickets.map((t) => deps.state.tickets.get(t.id)!.assigneeId)).toEqual(['a', 'a', null]);
  });

  it('the skills strategy gives a ticket to an agent with the required skills', async () => {
    deps.state.teams.get('phones')!.assignment = {
      strategy: 'skills',
      skills: { fromFields: [], tagPrefix: 'skill:', always: ['phones'] },
    };
    deps.state.agents.get('c')!.skills = ['phones'];
    expect(await routeNewTicket(context, (await newTicket()).id)).toEqual({ type: 'assigned', agentId: 'c' });
    deps.state.agents.get('c')!.availability = 'away';
    expect(await routeNewTicket(context, (await newTicket()).id)).toEqual({
      type: 'waiting',
      reason: 'no_agent_online',
    });
  });

  it('does nothing for manual teams and tickets without a team or department', async () => {
    expect(await routeNewTicket(context, (await newTicket('x', null)).id)).toEqual({ type: 'skipped' });
    deps.state.teams.get('phones')!.assignment = { strategy: 'manual' };
    expect(await routeNewTicket(context, (await newTicket()).id)).toEqual({ type: 'skipped' });
  });
});

describe('routing rules', () => {
  it('the first matching rule sets team, department and priority, then the team assigns', async () => {
    await saveRoutingRule(
      deps,
      store,
      admin,
      'hot',
      {
        name: 'Overheating',
        position: 1,
        active: true,
        conditions: { any: [{ field: 'body', operator: 'contains', value: 'phone overheating' }] },
        target: { teamId: 'phones' },
        actions: [{ type: 'set_priority', priority: 'high' }],
      },
      null,
    );
    const ticket = await newTicket('Help', null);
    // The first timeline entry carries the description; make it mention the phrase.
    deps.state.entries.get(ticket.id)![0]!.body = 'my phone overheating again';
    const outcome = await routeNewTicket(context, ticket.id);
    expect(outcome).toEqual({ type: 'assigned', agentId: 'a' });
    expect(deps.state.tickets.get(ticket.id)).toMatchObject({
      departmentId: 'tech',
      teamId: 'phones',
      priority: 'high',
    });
    const authors = deps.state.entries.get(ticket.id)!.map((e) => e.author.name);
    expect(authors).toContain('Routing rule "Overheating"');
  });

  it('are validated and version-checked, admins only', async () => {
    const rule = { name: 'R', position: 0, active: true, target: { departmentId: 'tech' } };
    await expect(saveRoutingRule(deps, store, agentPrincipal('a'), 'r', rule, null)).rejects.toThrow(
      Forbidden,
    );
    await expect(saveRoutingRule(deps, store, admin, 'r', { ...rule, target: {} }, null)).rejects.toThrow(
      ValidationFailed,
    );
    await expect(
      saveRoutingRule(deps, store, admin, 'r', { ...rule, target: { teamId: 'nope' } }, null),
    ).rejects.toThrow(ValidationFailed);
    await expect(
      saveRoutingRule(
        deps,
        store,
        admin,
        'r',
        { ...rule, actions: [{ type: 'set_status', status: 'solved' }] },
        null,
      ),
    ).rejects.toThrow(ValidationFailed);
    expect((await saveRoutingRule(deps, store, admin, 'r', rule, null)).rule.version).toBe(1);
    expect((await saveRoutingRule(deps, store, admin, 'r', rule, 1)).rule.version).toBe(2);
    await expect(saveRoutingRule(deps, store, admin, 'r', rule, 1)).rejects.toThrow(VersionConflict);
    expect(parseDeskRoutingRule({ id: 'x', ...rule }).actions).toEqual([]);
  });
});

describe('agent and team settings', () => {
  it('availability: the agent themself or a supervisor; capacity and skills: admins, version-checked and audited', async () => {
    await expect(setAvailability(deps, agentPrincipal('a'), 'b', 'away', null)).rejects.toThrow(Forbidden);
    expect((await setAvailability(deps, agentPrincipal('b'), 'b', 'away', 1)).availability).toBe('away');
    await expect(updateAgent(deps, agentPrincipal('a'), 'a', { capacity: 3 }, null)).rejects.toThrow(
      Forbidden,
    );
    const changed = await updateAgent(deps, admin, 'a', { capacity: 3, skills: ['b', 'a', 'a'] }, 1);
    expect(changed).toMatchObject({ capacity: 3, skills: ['a', 'b'], version: 2, updatedBy: 'boss@x.test' });
    await expect(updateAgent(deps, admin, 'a', { capacity: 4 }, 1)).rejects.toThrow(VersionConflict);
    await expect(updateAgent(deps, admin, 'a', { teamIds: ['ghost'] }, null)).rejects.toThrow(
      ValidationFailed,
    );
    const team = await updateTeam(deps, admin, 'phones', { assignment: { strategy: 'least_load' } }, 1);
    expect(team).toMatchObject({
      assignment: { strategy: 'least_load' },
      version: 2,
      updatedBy: 'boss@x.test',
    });
  });

  it('old items without routing settings still parse, with defaults', () => {
    const agent = AgentSchema.parse({
      id: 'x',
      email: 'x@x.test',
      name: 'X',
      role: 'agent',
      departmentIds: [],
      teamIds: [],
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    });
    expect(agent).toMatchObject({ availability: 'online', capacity: 20, skills: [], updatedBy: null });
    const team = TeamSchema.parse({
      id: 't',
      name: 'T',
      departmentId: 'd',
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    });
    expect(team.assignment).toEqual({ strategy: 'manual' });
  });
});
