/**
 * The directory's admin writes and the audit log on DynamoDB Local: each
 * change and its audit entry are one transaction (a refused change leaves no
 * entry), support addresses are unique across departments, and the log
 * reads newest first in pages.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../functions/composition/deps.js';
import type { Principal } from '../../functions/domain/agents/model.js';
import {
  createDepartment,
  createTeam,
  updateAgent,
  updateDepartment,
} from '../../functions/domain/agents/use-cases.js';
import type { AuditEntry } from '../../functions/domain/audit/model.js';
import { parseDeskRoutingRule } from '../../functions/domain/routing/desk-rules.js';
import { Conflict, VersionConflict } from '../../functions/domain/shared/errors.js';
import { freshTable, seedOrg } from './support.js';

const admin: Principal = {
  agentId: 'boss',
  email: 'boss@x.test',
  name: 'Boss',
  role: 'admin',
  departmentIds: [],
};
const mail = { configuredAddresses: ['support@desk.test'] };

let app: AppContext;
beforeEach(async () => {
  app = await freshTable();
  await seedOrg(app);
});

async function allEntries(): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await app.audit.list({ limit: 2, ...(cursor ? { cursor } : {}) });
    entries.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return entries;
}

describe('audited settings on DynamoDB', () => {
  it('writes a setting and its audit entry together, with the fields that changed; a stale version writes neither', async () => {
    const rule = (name: string) =>
      parseDeskRoutingRule({
        id: 'r1',
        name,
        position: 1,
        active: true,
        conditions: { all: [{ field: 'subject', operator: 'contains', value: 'invoice' }] },
        target: { departmentId: 'billing' },
        actions: [],
      });
    expect(
      await app.routing.putRule(rule('Invoices'), null, 'boss@x.test', new Date('2026-03-02T09:00:00Z')),
    ).toBe(1);
    expect(await app.routing.putRule(rule('Bills'), 1, 'ann@x.test', new Date('2026-03-02T10:00:00Z'))).toBe(
      2,
    );
    await expect(
      app.routing.putRule(rule('Stale'), 1, 'bob@x.test', new Date('2026-03-02T11:00:00Z')),
    ).rejects.toThrow(VersionConflict);

    const entries = await allEntries();
    expect(entries.map((e) => [e.by, e.type, e.id, e.version, e.action])).toEqual([
      ['ann@x.test', 'routingRule', 'r1', 2, 'updated'],
      ['boss@x.test', 'routingRule', 'r1', 1, 'created'],
    ]);
    expect(entries[0]?.changes).toEqual([{ field: 'rule.name', from: 'Invoices', to: 'Bills' }]);
    expect(entries[1]?.changes).toContainEqual({
      field: 'rule',
      to: expect.objectContaining({ name: 'Invoices' }),
    });
  });

  it('pages the log newest first and refuses a cursor of another list', async () => {
    for (const name of ['One', 'Two', 'Three']) await createDepartment(app.deps, admin, { name });
    const first = await app.audit.list({ limit: 2 });
    expect(first.items.map((e) => e.id)).toEqual(['three', 'two']);
    const second = await app.audit.list({ limit: 2, cursor: first.nextCursor ?? '' });
    expect(second.items.map((e) => e.id)).toEqual(['one']);
    const foreign = Buffer.from(JSON.stringify({ pk: 'ORG', sk: 'DEPT#one' })).toString('base64url');
    await expect(app.audit.list({ limit: 2, cursor: foreign })).rejects.toThrow(/cursor/);
  });

  it('keeps each support address in one department, even when two saves race', async () => {
    await updateDepartment(app.deps, admin, 'billing', { supportAddresses: ['pay@desk.test'] }, 1, mail);
    expect(await app.directory.departmentAddresses()).toEqual([
      { address: 'pay@desk.test', departmentId: 'billing' },
    ]);
    // The use case checks the other departments first; the store's unique address items decide races.
    const returns = (await app.directory.getDepartment('returns'))!;
    const entry: AuditEntry = {
      at: 'x',
      by: 'x',
      type: 'department',
      id: 'returns',
      version: 2,
      action: 'updated',
    };
    await expect(
      app.directory.saveDepartment(
        { ...returns, supportAddresses: ['pay@desk.test'], version: 2 },
        returns,
        entry,
      ),
    ).rejects.toThrow(Conflict);
    expect((await app.directory.getDepartment('returns'))?.version).toBe(1);

    await updateDepartment(app.deps, admin, 'billing', { supportAddresses: [] }, 2, mail);
    expect(await app.directory.departmentAddresses()).toEqual([]);
    const taken = await updateDepartment(
      app.deps,
      admin,
      'returns',
      { supportAddresses: ['pay@desk.test'] },
      1,
      mail,
    );
    expect(taken.supportAddresses).toEqual(['pay@desk.test']);
    await expect(updateDepartment(app.deps, admin, 'returns', { name: 'Stale' }, 1, mail)).rejects.toThrow(
      VersionConflict,
    );
    const departmentEntries = (await allEntries()).filter((e) => e.type === 'department');
    expect(departmentEntries.map((e) => [e.id, e.version])).toEqual([
      ['returns', 2],
      ['billing', 3],
      ['billing', 2],
    ]);
  });

  it('creates teams once and audits agent changes in the same write', async () => {
    await createTeam(app.deps, admin, { id: 'payments', name: 'Payments', departmentId: 'billing' });
    await expect(
      createTeam(app.deps, admin, { id: 'payments', name: 'Again', departmentId: 'billing' }),
    ).rejects.toThrow(Conflict);
    const agent = await updateAgent(app.deps, admin, 'a-bill', { teamIds: ['payments'], capacity: 5 }, 1);
    expect(agent).toMatchObject({ teamIds: ['payments'], capacity: 5, version: 2 });
    await expect(updateAgent(app.deps, admin, 'a-bill', { capacity: 6 }, 1)).rejects.toThrow(VersionConflict);
    const [latest] = await allEntries();
    expect(latest).toMatchObject({ type: 'agent', id: 'a-bill', version: 2, by: 'boss@x.test' });
    expect(latest?.changes).toEqual([
      { field: 'capacity', from: 20, to: 5 },
      { field: 'teamIds', from: [], to: ['payments'] },
    ]);
  });
});
