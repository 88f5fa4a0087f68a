/**
 * Desk management by admins (departments, teams, agents) on the in-memory
 * ports: the rules of each change, and the audit entry written with it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import type { AgentAccounts } from '../../../functions/domain/agents/accounts.js';
import { AgentSchema, type Principal, TeamSchema } from '../../../functions/domain/agents/model.js';
import {
  createAgent,
  createDepartment,
  createTeam,
  type DeskMailSetup,
  updateAgent,
  updateDepartment,
  updateTeam,
} from '../../../functions/domain/agents/use-cases.js';
import { auditChanges, capValue } from '../../../functions/domain/audit/model.js';
import { listAuditEntries } from '../../../functions/domain/audit/use-cases.js';
import {
  Conflict,
  Forbidden,
  NotFoundError,
  ValidationFailed,
  VersionConflict,
} from '../../../functions/domain/shared/errors.js';
import { createTicket } from '../../../functions/domain/tickets/use-cases.js';

const at = '2026-03-01T00:00:00.000Z';
const admin: Principal = {
  agentId: 'boss',
  email: 'boss@x.test',
  name: 'Boss',
  role: 'admin',
  departmentIds: [],
};
const supervisor: Principal = { ...admin, agentId: 'sue', email: 'sue@x.test', role: 'supervisor' };
const agentPrincipal: Principal = { ...admin, agentId: 'amy', email: 'amy@x.test', role: 'agent' };
const mail: DeskMailSetup = { configuredAddresses: ['support@desk.test', 'billing@other.test'] };

let deps: ReturnType<typeof memoryDeps>;

function addAgent(id: string, extra: Record<string, unknown> = {}) {
  deps.state.agents.set(
    id,
    AgentSchema.parse({
      id,
      email: `${id}@x.test`,
      name: `Agent ${id}`,
      role: 'agent',
      departmentIds: ['tech'],
      teamIds: [],
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
      ...extra,
    }),
  );
}

/** Captures what an error carries, to assert on its field details. */
async function failure(promise: Promise<unknown>): Promise<Error & { details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { details?: unknown };
  }
  throw new Error('expected a failure');
}

beforeEach(() => {
  deps = memoryDeps();
  for (const id of ['tech', 'sales']) {
    deps.state.departments.set(id, {
      id,
      name: id.toUpperCase(),
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    });
  }
  deps.state.teams.set(
    'phones',
    TeamSchema.parse({
      id: 'phones',
      name: 'Phones',
      departmentId: 'tech',
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    }),
  );
  addAgent('boss', { role: 'admin', email: 'boss@x.test' });
});

describe('departments', () => {
  it('creates, renames and disables a department, version-checked, each change audited with what changed', async () => {
    const created = await createDepartment(deps, admin, { name: 'Field Service' });
    expect(created).toMatchObject({ id: 'field-service', active: true, version: 1, supportAddresses: [] });
    await expect(createDepartment(deps, admin, { name: 'Field service!' })).rejects.toThrow(Conflict);

    const renamed = await updateDepartment(deps, admin, 'field-service', { name: 'Field work' }, 1, mail);
    expect(renamed).toMatchObject({ name: 'Field work', version: 2, updatedBy: 'boss@x.test' });
    await expect(updateDepartment(deps, admin, 'field-service', { active: false }, 1, mail)).rejects.toThrow(
      VersionConflict,
    );
    const disabled = await updateDepartment(deps, admin, 'field-service', { active: false }, 2, mail);
    expect(disabled.active).toBe(false);

    expect(deps.state.audit.map((e) => [e.type, e.id, e.action, e.version, e.by])).toEqual([
      ['department', 'field-service', 'created', 1, 'boss@x.test'],
      ['department', 'field-service', 'updated', 2, 'boss@x.test'],
      ['department', 'field-service', 'updated', 3, 'boss@x.test'],
    ]);
    expect(deps.state.audit[1]?.changes).toEqual([
      { field: 'name', from: 'Field Service', to: 'Field work' },
    ]);
    expect(deps.state.audit[2]?.changes).toEqual([{ field: 'active', from: true, to: false }]);
  });

  it('changing nothing writes nothing', async () => {
    const same = await updateDepartment(deps, admin, 'tech', { name: 'TECH' }, 1, mail);
    expect(same.version).toBe(1);
    expect(deps.state.audit).toEqual([]);
  });

  it('a disabled department takes no new tickets, and keeps those it has', async () => {
    const { ticket } = await createTicket(deps, {
      subject: 'Old one',
      description: 'x',
      customer: { email: 'ann@example.com' },
      channel: 'web',
      departmentId: 'sales',
      createdBy: 'customer',
    });
    await updateDepartment(deps, admin, 'sales', { active: false }, 1, mail);
    await expect(
      createTicket(deps, {
        subject: 'New one',
        description: 'x',
        customer: { email: 'ann@example.com' },
        channel: 'web',
        departmentId: 'sales',
        createdBy: 'customer',
      }),
    ).rejects.toThrow(ValidationFailed);
    expect((await deps.tickets.get(ticket.id))?.departmentId).toBe('sales');
  });

  it('support addresses: on the desk’s mail domains, without plus, one department each, never a configured one', async () => {
    const saved = await updateDepartment(
      deps,
      admin,
      'sales',
      { supportAddresses: ['Sales@Desk.test', 'sales@desk.test', 'deals@other.test'] },
      1,
      mail,
    );
    expect(saved.supportAddresses).toEqual(['sales@desk.test', 'deals@other.test']);
    expect(await deps.directory.departmentAddresses()).toEqual([
      { address: 'sales@desk.test', departmentId: 'sales' },
      { address: 'deals@other.test', departmentId: 'sales' },
    ]);

    const foreign = await failure(
      updateDepartment(
        deps,
        admin,
        'tech',
        { supportAddresses: ['ok@desk.test', 'x@elsewhere.test', 'a+b@desk.test'] },
        1,
        mail,
      ),
    );
    expect(foreign).toBeInstanceOf(ValidationFailed);
    expect(foreign.details).toEqual([
      { field: 'supportAddresses.1', message: expect.stringContaining('desk.test, other.test') },
      { field: 'supportAddresses.2', message: expect.stringContaining('"+"') },
    ]);
    await expect(
      updateDepartment(deps, admin, 'tech', { supportAddresses: ['sales@desk.test'] }, 1, mail),
    ).rejects.toThrow(/already belongs to the department SALES/);
    await expect(
      updateDepartment(deps, admin, 'tech', { supportAddresses: ['support@desk.test'] }, 1, mail),
    ).rejects.toThrow(Conflict);
    // Giving an address up frees it for another department.
    await updateDepartment(deps, admin, 'sales', { supportAddresses: ['deals@other.test'] }, 2, mail);
    const tech = await updateDepartment(
      deps,
      admin,
      'tech',
      { supportAddresses: ['sales@desk.test'] },
      1,
      mail,
    );
    expect(tech.supportAddresses).toEqual(['sales@desk.test']);
  });

  it('the store refuses an address another department claimed meanwhile (a lost race)', async () => {
    const sales = (await deps.directory.getDepartment('sales'))!;
    const entry = { at, by: 'x', type: 'department', id: 'sales', version: 2, action: 'updated' as const };
    await deps.directory.saveDepartment(
      { ...sales, supportAddresses: ['race@desk.test'], version: 2 },
      sales,
      entry,
    );
    const tech = (await deps.directory.getDepartment('tech'))!;
    await expect(
      deps.directory.saveDepartment(
        { ...tech, supportAddresses: ['race@desk.test'], version: 2 },
        tech,
        entry,
      ),
    ).rejects.toThrow(Conflict);
  });

  it('only admins change departments; unknown ones are 404', async () => {
    await expect(updateDepartment(deps, supervisor, 'tech', { name: 'x' }, null, mail)).rejects.toThrow(
      Forbidden,
    );
    await expect(createDepartment(deps, agentPrincipal, { name: 'x' })).rejects.toThrow(Forbidden);
    await expect(updateDepartment(deps, admin, 'ghost', { name: 'x' }, null, mail)).rejects.toThrow(
      NotFoundError,
    );
  });

  it('an acknowledgement can be set and taken back to the desk default', async () => {
    const ack = { enabled: true, subject: 'Got it: {{ticket.number}}', body: 'Thanks' };
    expect(
      (await updateDepartment(deps, admin, 'tech', { autoAcknowledgement: ack }, 1, mail))
        .autoAcknowledgement,
    ).toEqual(ack);
    const back = await updateDepartment(deps, admin, 'tech', { autoAcknowledgement: null }, 2, mail);
    expect(back).not.toHaveProperty('autoAcknowledgement');
  });
});

describe('teams', () => {
  it('are created in an enabled department only, with unique ids', async () => {
    const team = await createTeam(deps, admin, { name: 'Field Crew', departmentId: 'tech' });
    expect(team).toMatchObject({
      id: 'field-crew',
      departmentId: 'tech',
      assignment: { strategy: 'manual' },
      version: 1,
    });
    await expect(createTeam(deps, admin, { name: 'Field crew', departmentId: 'tech' })).rejects.toThrow(
      Conflict,
    );
    await expect(createTeam(deps, admin, { name: 'Lost', departmentId: 'ghost' })).rejects.toThrow(
      ValidationFailed,
    );
    await updateDepartment(deps, admin, 'sales', { active: false }, 1, mail);
    const disabled = await failure(createTeam(deps, admin, { name: 'Closers', departmentId: 'sales' }));
    expect(disabled.details).toEqual([
      { field: 'departmentId', message: 'the department SALES is disabled' },
    ]);
    await expect(createTeam(deps, supervisor, { name: 'x', departmentId: 'tech' })).rejects.toThrow(
      Forbidden,
    );
    expect(deps.state.audit.filter((e) => e.type === 'team').map((e) => e.action)).toEqual(['created']);
  });

  it('move to another department only when all members are in it', async () => {
    addAgent('amy', { teamIds: ['phones'], departmentIds: ['tech'] });
    const blocked = await failure(updateTeam(deps, admin, 'phones', { departmentId: 'sales' }, 1));
    expect(blocked).toBeInstanceOf(ValidationFailed);
    expect(blocked.details).toEqual([
      { field: 'departmentId', message: expect.stringContaining('Agent amy') },
    ]);
    await updateAgent(deps, admin, 'amy', { departmentIds: ['tech', 'sales'] }, 1);
    const moved = await updateTeam(deps, admin, 'phones', { departmentId: 'sales', name: 'Phone sales' }, 1);
    expect(moved).toMatchObject({ departmentId: 'sales', name: 'Phone sales', version: 2 });
    expect(deps.state.audit.at(-1)?.changes).toEqual([
      { field: 'departmentId', from: 'tech', to: 'sales' },
      { field: 'name', from: 'Phones', to: 'Phone sales' },
    ]);
  });
});

describe('agents', () => {
  const accounts = (passwords: 'local' | 'invited'): AgentAccounts & { roles: string[] } => {
    const roles: string[] = [];
    return {
      passwords,
      roles,
      async create(input) {
        return {
          agentId: `id-${input.email}`,
          ...(input.password ? { credential: `hash:${input.password}` } : {}),
        };
      },
      async setRole(account, role) {
        roles.push(`${account.id}:${role}`);
      },
    };
  };

  it('memberships: departments and teams must exist and each team’s department be the agent’s, all problems at once', async () => {
    addAgent('amy');
    const problem = await failure(
      updateAgent(deps, admin, 'amy', { departmentIds: ['sales', 'ghost'], teamIds: ['phones', 'nope'] }, 1),
    );
    expect(problem).toBeInstanceOf(ValidationFailed);
    expect(problem.details).toEqual([
      { field: 'departmentIds', message: 'no department ghost' },
      { field: 'teamIds', message: 'no team nope' },
      { field: 'teamIds', message: expect.stringContaining('team Phones belongs to TECH') },
    ]);
    const ok = await updateAgent(deps, admin, 'amy', { departmentIds: ['tech'], teamIds: ['phones'] }, 1);
    expect(ok).toMatchObject({ teamIds: ['phones'], version: 2 });
    // Leaving the department of one of their teams is refused too.
    await expect(updateAgent(deps, admin, 'amy', { departmentIds: ['sales'] }, 2)).rejects.toThrow(
      ValidationFailed,
    );
  });

  it('renames, changes role and disables, audited; the role moves the sign-in group', async () => {
    addAgent('amy');
    const ids = accounts('invited');
    const changed = await updateAgent(deps, admin, 'amy', { name: 'Amy Pond', role: 'supervisor' }, 1, ids);
    expect(changed).toMatchObject({
      name: 'Amy Pond',
      role: 'supervisor',
      version: 2,
      updatedBy: 'boss@x.test',
    });
    expect(ids.roles).toEqual(['amy:supervisor']);
    const disabled = await updateAgent(deps, admin, 'amy', { active: false }, 2, ids);
    expect(disabled.active).toBe(false);
    expect(ids.roles).toEqual(['amy:supervisor']);
    expect(deps.state.audit.map((e) => e.changes)).toEqual([
      [
        { field: 'name', from: 'Agent amy', to: 'Amy Pond' },
        { field: 'role', from: 'agent', to: 'supervisor' },
      ],
      [{ field: 'active', from: true, to: false }],
    ]);
    await expect(updateAgent(deps, supervisor, 'amy', { name: 'x' }, null)).rejects.toThrow(Forbidden);
  });

  it('the last active admin cannot be demoted or disabled (409); with a second admin they can', async () => {
    await expect(updateAgent(deps, admin, 'boss', { role: 'agent' }, 1)).rejects.toThrow(/last active admin/);
    await expect(updateAgent(deps, admin, 'boss', { active: false }, 1)).rejects.toThrow(Conflict);
    addAgent('ada', { role: 'admin', active: false });
    await expect(updateAgent(deps, admin, 'boss', { role: 'agent' }, 1)).rejects.toThrow(Conflict);
    await updateAgent(deps, admin, 'ada', { active: true }, 1);
    expect((await updateAgent(deps, admin, 'boss', { role: 'supervisor' }, 1)).role).toBe('supervisor');
  });

  it('creates an agent with account, memberships and audit; 409 for a taken email', async () => {
    const local = accounts('local');
    const agent = await createAgent(deps, local, admin, {
      email: 'New@X.test',
      name: ' Nia ',
      role: 'agent',
      departmentIds: ['tech'],
      teamIds: ['phones'],
      skills: ['b', 'a'],
      password: 'secret',
    });
    expect(agent).toMatchObject({
      id: 'id-new@x.test',
      email: 'new@x.test',
      name: 'Nia',
      capacity: 20,
      skills: ['a', 'b'],
      active: true,
      version: 1,
    });
    expect(deps.state.credentials.get(agent.id)).toBe('hash:secret');
    expect(deps.state.audit.at(-1)).toMatchObject({
      type: 'agent',
      id: agent.id,
      action: 'created',
      by: 'boss@x.test',
    });
    expect(deps.state.audit.at(-1)?.changes).toContainEqual({ field: 'email', to: 'new@x.test' });
    await expect(
      createAgent(deps, local, admin, {
        email: 'new@x.test',
        name: 'Again',
        role: 'agent',
        departmentIds: [],
        teamIds: [],
        password: 'x1234',
      }),
    ).rejects.toThrow(Conflict);
  });

  it('checks password rules per sign-in kind and memberships before creating any account', async () => {
    const created: string[] = [];
    const local = {
      ...accounts('local'),
      create: async (i: { email: string }) => {
        created.push(i.email);
        return { agentId: i.email };
      },
    };
    const base = {
      email: 'p@x.test',
      name: 'P',
      role: 'agent' as const,
      departmentIds: ['tech'],
      teamIds: [],
    };
    expect((await failure(createAgent(deps, local, admin, base))).details).toEqual([
      { field: 'password', message: expect.stringContaining('required') },
    ]);
    expect(
      (await failure(createAgent(deps, accounts('invited'), admin, { ...base, password: 'pw12' }))).details,
    ).toEqual([{ field: 'password', message: expect.stringContaining('not accepted') }]);
    await expect(
      createAgent(deps, local, admin, {
        ...base,
        teamIds: ['phones'],
        departmentIds: ['sales'],
        password: 'pw12',
      }),
    ).rejects.toThrow(ValidationFailed);
    await expect(createAgent(deps, local, supervisor, { ...base, password: 'pw12' })).rejects.toThrow(
      Forbidden,
    );
    expect(created).toEqual([]);
  });
});

describe('audit log', () => {
  it('is read by supervisors and admins only', async () => {
    const log = { list: async () => ({ items: [], nextCursor: null }) };
    await expect(listAuditEntries(log, supervisor, { limit: 10 })).resolves.toEqual({
      items: [],
      nextCursor: null,
    });
    await expect(listAuditEntries(log, agentPrincipal, { limit: 10 })).rejects.toThrow(Forbidden);
  });

  it('reports top-level differences, one level down into objects, skipping bookkeeping, cutting long values', () => {
    const before = {
      pk: 'ORG',
      version: 1,
      updatedAt: 'a',
      policy: { name: 'A', targets: { x: 1 } },
      tags: ['a'],
    };
    const after = {
      pk: 'ORG',
      version: 2,
      updatedAt: 'b',
      policy: { name: 'B', targets: { x: 1 } },
      tags: ['a', 'b'],
      note: 'x'.repeat(1000),
    };
    const changes = auditChanges(before, after);
    expect(changes.map((c) => c.field)).toEqual(['note', 'policy.name', 'tags']);
    expect(changes[0]?.to).toMatch(/^"x+… \(1002 characters\)$/);
    expect(changes[1]).toEqual({ field: 'policy.name', from: 'A', to: 'B' });
    expect(auditChanges({ a: { b: 1, c: 2 } }, { a: { c: 2, b: 1 } })).toEqual([]);
    expect(capValue('short')).toBe('short');
    const many = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`f${String(i).padStart(2, '0')}`, i]),
    );
    const capped = auditChanges(null, many);
    expect(capped).toHaveLength(41);
    expect(capped.at(-1)).toEqual({ field: '…', to: '10 more changes' });
  });
});
