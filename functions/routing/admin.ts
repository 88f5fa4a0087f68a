/**
 * Settings of routing and assignment: agents' availability (themselves, or
 * supervisors), capacity, skills and memberships (admins), teams' assignment
 * strategy (admins), routing rules (admins). Every change is version-checked
 * (If-Match) and records who made it and when.
 */
import {
  type Agent,
  canChangeSettings,
  canSuperviseDesk,
  type Principal,
  type Team,
} from '../domain/agents/model.js';
import type { Deps } from '../domain/ports.js';
import type { Availability, TeamAssignment } from '../domain/routing/assignment.js';
import { parseDeskRoutingRule } from '../domain/routing/desk-rules.js';
import type { RoutingStore, StoredRoutingRule } from '../domain/routing/ports.js';
import { Forbidden, NotFoundError, ValidationFailed, VersionConflict } from '../domain/shared/errors.js';

const AgentNotFound = (id: string) => new NotFoundError('Agent', id);
const TeamNotFound = (id: string) => new NotFoundError('Team', id);

function checkVersion(what: string, current: number, expected: number | null): void {
  if (expected !== null && expected !== current) throw new VersionConflict(what, expected, current);
}

/** An agent's availability: the agent themself, supervisors and admins may set it. */
export async function setAvailability(
  deps: Deps,
  principal: Principal,
  agentId: string,
  availability: Availability,
  expectedVersion: number | null,
): Promise<Agent> {
  if (principal.agentId !== agentId && !canSuperviseDesk(principal)) {
    throw new Forbidden('Only the agent themself, supervisors and admins set an agent’s availability');
  }
  const current = await deps.directory.getAgent(agentId);
  if (!current) throw AgentNotFound(agentId);
  checkVersion('Agent', current.version, expectedVersion);
  if (current.availability === availability) return current;
  const agent: Agent = {
    ...current,
    availability,
    version: current.version + 1,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: principal.email,
  };
  await deps.directory.saveAgent(agent, current.version);
  return agent;
}

export interface AgentSettingsPatch {
  capacity?: number;
  skills?: string[];
  teamIds?: string[];
  departmentIds?: string[];
}

/** Capacity, skills, teams and departments of an agent (admins). */
export async function updateAgentSettings(
  deps: Deps,
  principal: Principal,
  agentId: string,
  patch: AgentSettingsPatch,
  expectedVersion: number | null,
): Promise<Agent> {
  if (!canChangeSettings(principal)) throw new Forbidden('Only admins change agents’ settings');
  const current = await deps.directory.getAgent(agentId);
  if (!current) throw AgentNotFound(agentId);
  checkVersion('Agent', current.version, expectedVersion);
  if (patch.teamIds) {
    const known = new Set((await deps.directory.listTeams()).map((t) => t.id));
    const unknown = patch.teamIds.filter((id) => !known.has(id));
    if (unknown.length) throw new ValidationFailed(`No team ${unknown.join(', ')}`, { field: 'teamIds' });
  }
  if (patch.departmentIds) {
    const known = new Set((await deps.directory.listDepartments()).map((d) => d.id));
    const unknown = patch.departmentIds.filter((id) => !known.has(id));
    if (unknown.length)
      throw new ValidationFailed(`No department ${unknown.join(', ')}`, { field: 'departmentIds' });
  }
  const agent: Agent = {
    ...current,
    ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
    ...(patch.skills !== undefined ? { skills: [...new Set(patch.skills)].sort() } : {}),
    ...(patch.teamIds !== undefined ? { teamIds: [...new Set(patch.teamIds)] } : {}),
    ...(patch.departmentIds !== undefined ? { departmentIds: [...new Set(patch.departmentIds)] } : {}),
    version: current.version + 1,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: principal.email,
  };
  await deps.directory.saveAgent(agent, current.version);
  return agent;
}

/** A team's name, activity and assignment strategy (admins). */
export async function updateTeamSettings(
  deps: Deps,
  principal: Principal,
  teamId: string,
  patch: { name?: string; active?: boolean; assignment?: TeamAssignment },
  expectedVersion: number | null,
): Promise<Team> {
  if (!canChangeSettings(principal)) throw new Forbidden('Only admins change teams');
  const current = await deps.directory.getTeam(teamId);
  if (!current) throw TeamNotFound(teamId);
  checkVersion('Team', current.version, expectedVersion);
  const team: Team = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    ...(patch.assignment !== undefined ? { assignment: patch.assignment } : {}),
    version: current.version + 1,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: principal.email,
  };
  await deps.directory.saveTeam(team, current.version);
  return team;
}

export async function listRoutingRules(
  store: RoutingStore,
  principal: Principal,
): Promise<StoredRoutingRule[]> {
  if (!canSuperviseDesk(principal)) throw new Forbidden('Only supervisors and admins see routing rules');
  return (await store.listRules()).sort(
    (a, b) => a.rule.position - b.rule.position || a.rule.id.localeCompare(b.rule.id),
  );
}

/** Creates or changes a routing rule (admins): validated with the domain schema, its targets checked. */
export async function saveRoutingRule(
  deps: Deps,
  store: RoutingStore,
  principal: Principal,
  id: string,
  input: unknown,
  expectedVersion: number | null,
): Promise<StoredRoutingRule> {
  if (!canChangeSettings(principal)) throw new Forbidden('Only admins change routing rules');
  const rule = parseDeskRoutingRule({ ...(input as object), id });
  const { departmentId, teamId } = rule.target;
  if (teamId) {
    const team = await deps.directory.getTeam(teamId);
    if (!team) throw new ValidationFailed(`Team ${teamId} does not exist`, { field: 'target.teamId' });
    if (departmentId && team.departmentId !== departmentId) {
      throw new ValidationFailed(`Team ${team.name} belongs to another department`, {
        field: 'target.teamId',
      });
    }
  }
  if (departmentId && !(await deps.directory.getDepartment(departmentId))) {
    throw new ValidationFailed(`Department ${departmentId} does not exist`, { field: 'target.departmentId' });
  }
  const existing = (await store.listRules()).find((r) => r.rule.id === id);
  const expected = expectedVersion ?? existing?.rule.version ?? null;
  const now = deps.clock.now();
  const version = await store.putRule(rule, expected, principal.email, now);
  return { rule: { ...rule, version }, updatedAt: now.toISOString(), updatedBy: principal.email };
}
