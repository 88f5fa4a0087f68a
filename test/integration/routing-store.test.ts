import { beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../functions/composition/deps.js';
import { parseDeskRoutingRule } from '../../functions/domain/routing/desk-rules.js';
import { VersionConflict } from '../../functions/domain/shared/errors.js';
import { createTicket, updateTicket } from '../../functions/domain/tickets/use-cases.js';
import { freshTable, seedOrg } from './support.js';

const at = new Date('2026-03-02T09:00:00.000Z');
const admin = {
  agentId: 'boss',
  email: 'boss@x.test',
  name: 'Boss',
  role: 'admin' as const,
  departmentIds: [],
};

let app: AppContext;
beforeEach(async () => {
  app = await freshTable();
  await seedOrg(app);
  await app.directory.putTeam({
    id: 'payments',
    name: 'Payments',
    departmentId: 'billing',
    active: true,
    version: 1,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  });
});

describe('routing storage on DynamoDB', () => {
  it('saves routing rules version-checked and lists them', async () => {
    const rule = parseDeskRoutingRule({
      id: 'r1',
      name: 'Invoices',
      position: 1,
      active: true,
      conditions: { all: [{ field: 'subject', operator: 'contains', value: 'invoice' }] },
      target: { teamId: 'payments' },
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    expect(await app.routing.putRule(rule, null, 'boss@x.test', at)).toBe(1);
    await expect(app.routing.putRule(rule, null, 'boss@x.test', at)).rejects.toThrow(VersionConflict);
    expect(await app.routing.putRule(rule, 1, 'boss@x.test', at)).toBe(2);
    const [stored] = await app.routing.listRules();
    expect(stored).toMatchObject({
      rule: { id: 'r1', version: 2, actions: [{ type: 'set_priority' }] },
      updatedBy: 'boss@x.test',
    });
  });

  it('moves a round-robin cursor only from the sequence it was read at', async () => {
    expect(await app.routing.getCursor('payments')).toBeNull();
    expect(await app.routing.advanceCursor('payments', null, 'a')).toBe(true);
    expect(await app.routing.advanceCursor('payments', null, 'b')).toBe(false);
    const results = await Promise.all([
      app.routing.advanceCursor('payments', 1, 'b'),
      app.routing.advanceCursor('payments', 1, 'c'),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await app.routing.getCursor('payments'))?.seq).toBe(2);
    // The team item is untouched by cursor writes.
    expect((await app.directory.getTeam('payments'))?.version).toBe(1);
  });

  it('applies load changes once per record and reads them in one batch', async () => {
    expect(
      await app.routing.applyLoadChanges('ev-1', [
        { agentId: 'a', delta: 1, assignedAt: 't1' },
        { agentId: 'b', delta: 1 },
      ]),
    ).toBe(true);
    expect(await app.routing.applyLoadChanges('ev-1', [{ agentId: 'a', delta: 1 }])).toBe(false);
    expect(await app.routing.applyLoadChanges('ev-2', [{ agentId: 'b', delta: -1 }])).toBe(true);
    const loads = await app.routing.getLoads(['a', 'b', 'nobody']);
    expect(loads.get('a')).toEqual({ openCount: 1, lastAssignedAt: 't1' });
    expect(loads.get('b')).toEqual({ openCount: 0, lastAssignedAt: null });
    expect(loads.has('nobody')).toBe(false);
  });

  it('lists the unassigned tickets of some teams, oldest first', async () => {
    const ids: string[] = [];
    for (const subject of ['first', 'second', 'third']) {
      const { ticket } = await createTicket(app.deps, {
        subject,
        description: 'x',
        customer: { email: 'c@example.com' },
        channel: 'web',
        departmentId: 'billing',
        createdBy: 'customer',
      });
      await updateTicket(app.deps, admin, ticket.id, { teamId: 'payments' });
      ids.push(ticket.id);
    }
    await updateTicket(app.deps, admin, ids[1]!, { assigneeId: 'a-bill' });
    const waiting = await app.routing.oldestUnassigned(['payments'], 10);
    expect(waiting.map((t) => t.subject)).toEqual(['first', 'third']);
    expect((await app.routing.oldestUnassigned(['payments'], 1)).map((t) => t.subject)).toEqual(['first']);
    expect(await app.routing.oldestUnassigned(['other'], 10)).toEqual([]);
  });

  it('saves agents and teams version-checked', async () => {
    const agent = (await app.directory.getAgent('a-bill'))!;
    expect(agent).toMatchObject({ availability: 'online', capacity: 20, skills: [] });
    await app.directory.saveAgent({ ...agent, availability: 'away', version: 2 }, 1);
    await expect(app.directory.saveAgent({ ...agent, version: 2 }, 1)).rejects.toThrow(VersionConflict);
    expect((await app.directory.getAgent('a-bill'))?.availability).toBe('away');
    expect((await app.directory.findAgentByEmail('bill@x.test'))?.availability).toBe('away');
    const team = (await app.directory.getTeam('payments'))!;
    await app.directory.saveTeam({ ...team, assignment: { strategy: 'round_robin' }, version: 2 }, 1);
    expect((await app.directory.getTeam('payments'))?.assignment.strategy).toBe('round_robin');
  });
});
