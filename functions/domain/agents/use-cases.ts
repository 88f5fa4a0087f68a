/**
 * The desk's directory, managed by admins: departments (name, enabled,
 * acknowledgement, support addresses), teams (name, enabled, department,
 * assignment) and agents (name, role, memberships, enabled, routing
 * settings). Every change is version-checked (If-Match) and written with an
 * audit entry naming who changed which fields.
 */
import { auditEntryFor } from '../audit/model.js';
import type { Deps } from '../ports.js';
import type { TeamAssignment } from '../routing/assignment.js';
import { Conflict, Forbidden, NotFoundError, ValidationFailed, VersionConflict } from '../shared/errors.js';
import type { AgentAccounts } from './accounts.js';
import {
  type Agent,
  type AutoAcknowledgement,
  canChangeSettings,
  type Department,
  type Principal,
  type Role,
  type Team,
} from './model.js';

export interface FieldProblem {
  field: string;
  message: string;
}

function checkVersion(what: string, current: number, expected: number | null): void {
  if (expected !== null && expected !== current) throw new VersionConflict(what, expected, current);
}

function requireAdmin(principal: Principal, what: string): void {
  if (!canChangeSettings(principal)) throw new Forbidden(`Only admins change ${what}`);
}

function invalid(problems: FieldProblem[]): ValidationFailed {
  return new ValidationFailed(problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
}

const samePlain = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Creates a department (admins only). The id is a slug of the name unless given. */
export async function createDepartment(
  deps: Deps,
  principal: Principal,
  input: { id?: string; name: string },
): Promise<Department> {
  requireAdmin(principal, 'departments');
  const id = input.id ?? slugify(input.name);
  if (!id) throw invalid([{ field: 'name', message: 'needs at least one letter or digit' }]);
  const at = deps.clock.now().toISOString();
  const department: Department = {
    id,
    name: input.name.trim(),
    active: true,
    supportAddresses: [],
    version: 1,
    createdAt: at,
    updatedAt: at,
    updatedBy: principal.email,
  };
  await deps.directory.createDepartment(
    department,
    auditEntryFor({ type: 'department', id, version: 1 }, null, department, principal.email, at),
  );
  return department;
}

/** The desk's mail setup, for checking support addresses admins give departments. */
export interface DeskMailSetup {
  /** The deployment's configured support addresses (SES receipt rules cover their domains only). */
  configuredAddresses: readonly string[];
}

export function mailDomainsOf(setup: DeskMailSetup): string[] {
  return [...new Set(setup.configuredAddresses.map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase()))];
}

export interface DepartmentPatch {
  name?: string;
  /** False disables the department: no new tickets go into it; its tickets stay. */
  active?: boolean;
  /** Null: back to the desk's default acknowledgement. */
  autoAcknowledgement?: AutoAcknowledgement | null;
  supportAddresses?: string[];
}

const MAX_DEPARTMENT_ADDRESSES = 20;

/** Checks and normalises the support addresses a department is to have; throws 400/409 errors. */
async function checkSupportAddresses(
  deps: Deps,
  departmentId: string,
  addresses: string[],
  mail: DeskMailSetup,
): Promise<string[]> {
  const normalised = [...new Set(addresses.map((a) => a.trim().toLowerCase()))];
  const problems: FieldProblem[] = [];
  const domains = mailDomainsOf(mail);
  if (normalised.length > MAX_DEPARTMENT_ADDRESSES) {
    problems.push({ field: 'supportAddresses', message: `at most ${MAX_DEPARTMENT_ADDRESSES} addresses` });
  }
  normalised.forEach((address, index) => {
    const at = address.lastIndexOf('@');
    const local = address.slice(0, at);
    const domain = address.slice(at + 1);
    if (at <= 0 || !domain) {
      problems.push({ field: `supportAddresses.${index}`, message: 'must be an email address' });
    } else if (local.includes('+')) {
      problems.push({
        field: `supportAddresses.${index}`,
        message: 'must not contain "+": the desk uses plus-addressing for reply addresses',
      });
    } else if (!domains.includes(domain)) {
      problems.push({
        field: `supportAddresses.${index}`,
        message: domains.length
          ? `must be on one of the desk's mail domains (${domains.join(', ')}): only they receive mail`
          : 'this desk has no mail domain configured (supportAddresses in the deployment settings)',
      });
    }
  });
  if (problems.length) throw invalid(problems);
  const configured = new Set(mail.configuredAddresses.map((a) => a.toLowerCase()));
  const clash = normalised.find((a) => configured.has(a));
  if (clash) throw new Conflict(`${clash} is one of the desk's configured support addresses`);
  for (const other of await deps.directory.listDepartments()) {
    if (other.id === departmentId) continue;
    const taken = normalised.find((a) => other.supportAddresses.includes(a));
    if (taken) throw new Conflict(`${taken} already belongs to the department ${other.name}`);
  }
  return normalised;
}

/** Renames, disables/enables a department, sets its acknowledgement and support addresses (admins). */
export async function updateDepartment(
  deps: Deps,
  principal: Principal,
  departmentId: string,
  patch: DepartmentPatch,
  expectedVersion: number | null,
  mail: DeskMailSetup,
): Promise<Department> {
  requireAdmin(principal, 'departments');
  const current = await deps.directory.getDepartment(departmentId);
  if (!current) throw new NotFoundError('Department', departmentId);
  checkVersion('Department', current.version, expectedVersion);
  const supportAddresses =
    patch.supportAddresses !== undefined
      ? await checkSupportAddresses(deps, departmentId, patch.supportAddresses, mail)
      : current.supportAddresses;
  const { autoAcknowledgement: _previousAck, ...rest } = current;
  const acknowledgement =
    patch.autoAcknowledgement === undefined ? current.autoAcknowledgement : patch.autoAcknowledgement;
  const changed: Department = {
    ...rest,
    ...(acknowledgement ? { autoAcknowledgement: acknowledgement } : {}),
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    supportAddresses,
  };
  if (samePlain(sortKeys(changed), sortKeys(current))) return current;
  const at = deps.clock.now().toISOString();
  const department: Department = {
    ...changed,
    version: current.version + 1,
    updatedAt: at,
    updatedBy: principal.email,
  };
  await deps.directory.saveDepartment(
    department,
    current,
    auditEntryFor(
      { type: 'department', id: departmentId, version: department.version },
      current,
      department,
      principal.email,
      at,
    ),
  );
  return department;
}

function sortKeys(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

/** Creates a team in an enabled department (admins). The id is a slug of the name unless given. */
export async function createTeam(
  deps: Deps,
  principal: Principal,
  input: { id?: string; name: string; departmentId: string },
): Promise<Team> {
  requireAdmin(principal, 'teams');
  const id = input.id ?? slugify(input.name);
  if (!id) throw invalid([{ field: 'name', message: 'needs at least one letter or digit' }]);
  await requireEnabledDepartment(deps, input.departmentId);
  const at = deps.clock.now().toISOString();
  const team: Team = {
    id,
    name: input.name.trim(),
    departmentId: input.departmentId,
    active: true,
    assignment: { strategy: 'manual' },
    version: 1,
    createdAt: at,
    updatedAt: at,
    updatedBy: principal.email,
  };
  await deps.directory.createTeam(
    team,
    auditEntryFor({ type: 'team', id, version: 1 }, null, team, principal.email, at),
  );
  return team;
}

async function requireEnabledDepartment(deps: Deps, departmentId: string): Promise<Department> {
  const department = await deps.directory.getDepartment(departmentId);
  if (!department) throw invalid([{ field: 'departmentId', message: `no department ${departmentId}` }]);
  if (!department.active) {
    throw invalid([{ field: 'departmentId', message: `the department ${department.name} is disabled` }]);
  }
  return department;
}

export interface TeamPatch {
  name?: string;
  active?: boolean;
  /** Moving a team: its members must be in the new department already. */
  departmentId?: string;
  assignment?: TeamAssignment;
}

/** A team's name, activity, department and assignment strategy (admins). */
export async function updateTeam(
  deps: Deps,
  principal: Principal,
  teamId: string,
  patch: TeamPatch,
  expectedVersion: number | null,
): Promise<Team> {
  requireAdmin(principal, 'teams');
  const current = await deps.directory.getTeam(teamId);
  if (!current) throw new NotFoundError('Team', teamId);
  checkVersion('Team', current.version, expectedVersion);
  if (patch.departmentId !== undefined && patch.departmentId !== current.departmentId) {
    const department = await requireEnabledDepartment(deps, patch.departmentId);
    const outside = (await deps.directory.listAgents()).filter(
      (a) => a.teamIds.includes(teamId) && !a.departmentIds.includes(department.id),
    );
    if (outside.length) {
      throw invalid([
        {
          field: 'departmentId',
          message: `members not in ${department.name}: ${outside.map((a) => a.name).join(', ')}; add them to the department or remove them from the team first`,
        },
      ]);
    }
  }
  const changed: Team = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    ...(patch.departmentId !== undefined ? { departmentId: patch.departmentId } : {}),
    ...(patch.assignment !== undefined ? { assignment: patch.assignment } : {}),
  };
  if (samePlain(sortKeys(changed), sortKeys(current))) return current;
  const at = deps.clock.now().toISOString();
  const team: Team = { ...changed, version: current.version + 1, updatedAt: at, updatedBy: principal.email };
  await deps.directory.saveTeam(
    team,
    current.version,
    auditEntryFor({ type: 'team', id: teamId, version: team.version }, current, team, principal.email, at),
  );
  return team;
}

/**
 * Departments and teams an agent is to be in: each must exist, and each
 * team's department must be one of the agent's departments. Every problem is
 * reported at once, by field.
 */
export async function checkMembership(
  deps: Deps,
  departmentIds: readonly string[],
  teamIds: readonly string[],
): Promise<void> {
  const problems: FieldProblem[] = [];
  const departments = new Map((await deps.directory.listDepartments()).map((d) => [d.id, d]));
  const teams = new Map((await deps.directory.listTeams()).map((t) => [t.id, t]));
  const unknownDepartments = departmentIds.filter((id) => !departments.has(id));
  if (unknownDepartments.length) {
    problems.push({ field: 'departmentIds', message: `no department ${unknownDepartments.join(', ')}` });
  }
  const unknownTeams = teamIds.filter((id) => !teams.has(id));
  if (unknownTeams.length) problems.push({ field: 'teamIds', message: `no team ${unknownTeams.join(', ')}` });
  for (const id of teamIds) {
    const team = teams.get(id);
    if (team && !departmentIds.includes(team.departmentId)) {
      const department = departments.get(team.departmentId);
      problems.push({
        field: 'teamIds',
        message: `team ${team.name} belongs to ${department?.name ?? team.departmentId}, which is not one of the agent's departments`,
      });
    }
  }
  if (problems.length) throw invalid(problems);
}

export interface AgentPatch {
  name?: string;
  role?: Role;
  departmentIds?: string[];
  teamIds?: string[];
  /** False disables the agent: they can no longer sign in or use the API. */
  active?: boolean;
  capacity?: number;
  skills?: string[];
}

/** Refuses a change that would leave the desk without an active admin. */
async function keepAnAdmin(deps: Deps, current: Agent, next: Agent): Promise<void> {
  const wasAdmin = current.active && current.role === 'admin';
  const staysAdmin = next.active && next.role === 'admin';
  if (!wasAdmin || staysAdmin) return;
  const others = (await deps.directory.listAgents()).filter(
    (a) => a.id !== current.id && a.active && a.role === 'admin',
  );
  if (others.length === 0) {
    throw new Conflict(
      `${current.name} is the last active admin: make someone else an admin before demoting or disabling them`,
    );
  }
}

/**
 * Changes an agent (admins): name, role, departments, teams, enabled,
 * capacity, skills. Memberships are checked together; the last active admin
 * cannot be demoted or disabled (409). A role change also moves the sign-in
 * account's group when `accounts` is given.
 */
export async function updateAgent(
  deps: Deps,
  principal: Principal,
  agentId: string,
  patch: AgentPatch,
  expectedVersion: number | null,
  accounts?: AgentAccounts,
): Promise<Agent> {
  requireAdmin(principal, 'agents’ settings');
  const current = await deps.directory.getAgent(agentId);
  if (!current) throw new NotFoundError('Agent', agentId);
  checkVersion('Agent', current.version, expectedVersion);
  const changed: Agent = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.role !== undefined ? { role: patch.role } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
    ...(patch.skills !== undefined ? { skills: [...new Set(patch.skills)].sort() } : {}),
    ...(patch.teamIds !== undefined ? { teamIds: [...new Set(patch.teamIds)] } : {}),
    ...(patch.departmentIds !== undefined ? { departmentIds: [...new Set(patch.departmentIds)] } : {}),
  };
  if (patch.teamIds !== undefined || patch.departmentIds !== undefined) {
    await checkMembership(deps, changed.departmentIds, changed.teamIds);
  }
  await keepAnAdmin(deps, current, changed);
  let agent = current;
  if (!samePlain(sortKeys(changed), sortKeys(current))) {
    const at = deps.clock.now().toISOString();
    agent = { ...changed, version: current.version + 1, updatedAt: at, updatedBy: principal.email };
    await deps.directory.saveAgent(
      agent,
      current.version,
      auditEntryFor(
        { type: 'agent', id: agentId, version: agent.version },
        current,
        agent,
        principal.email,
        at,
      ),
    );
  }
  // Idempotent, so a PATCH naming the role again repairs a group move that failed after the save.
  if (patch.role !== undefined && accounts) await accounts.setRole(agent, agent.role);
  return agent;
}

export interface NewAgent {
  email: string;
  name: string;
  role: Role;
  departmentIds: string[];
  teamIds: string[];
  capacity?: number;
  skills?: string[];
  /** Local runtime only: the new agent's password for the local sign-in. */
  password?: string;
}

/**
 * Creates an agent (admins): their sign-in account (Cognito invites them on
 * AWS; locally they sign in with the given password) and their directory
 * record, with memberships checked. 409 when the email is taken.
 */
export async function createAgent(
  deps: Deps,
  accounts: AgentAccounts,
  principal: Principal,
  input: NewAgent,
): Promise<Agent> {
  requireAdmin(principal, 'agents');
  const email = input.email.trim().toLowerCase();
  if (accounts.passwords === 'local' && !input.password) {
    throw invalid([{ field: 'password', message: 'is required: the local desk signs agents in with it' }]);
  }
  if (accounts.passwords === 'invited' && input.password !== undefined) {
    throw invalid([
      {
        field: 'password',
        message: 'is not accepted here: the new agent is mailed a temporary password by the sign-in service',
      },
    ]);
  }
  const departmentIds = [...new Set(input.departmentIds)];
  const teamIds = [...new Set(input.teamIds)];
  await checkMembership(deps, departmentIds, teamIds);
  if (await deps.directory.findAgentByEmail(email)) {
    throw new Conflict(`An agent with email ${email} already exists`);
  }
  const account = await accounts.create({
    email,
    name: input.name.trim(),
    role: input.role,
    ...(input.password !== undefined ? { password: input.password } : {}),
  });
  const at = deps.clock.now().toISOString();
  const agent: Agent = {
    id: account.agentId,
    email,
    name: input.name.trim(),
    role: input.role,
    departmentIds,
    teamIds,
    active: true,
    availability: 'online',
    capacity: input.capacity ?? 20,
    skills: [...new Set(input.skills ?? [])].sort(),
    version: 1,
    createdAt: at,
    updatedAt: at,
    updatedBy: principal.email,
  };
  await deps.directory.createAgent(
    agent,
    account.credential,
    auditEntryFor({ type: 'agent', id: agent.id, version: 1 }, null, agent, principal.email, at),
  );
  return agent;
}

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
}
