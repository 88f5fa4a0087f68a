/**
 * Settings of routing and assignment: agents' availability (themselves, or
 * supervisors) and routing rules (admins). Agents' capacity, skills and
 * memberships and teams' assignment strategy are changed with the rest of
 * their settings by `updateAgent` / `updateTeam` (domain/agents/use-cases.ts).
 * Every change is version-checked (If-Match) and records who made it and when.
 */

import { type Agent, canChangeSettings, canSuperviseDesk, type Principal } from '../domain/agents/model.js';
import { auditEntryFor } from '../domain/audit/model.js';
import type { Deps } from '../domain/ports.js';
import type { Availability } from '../domain/routing/assignment.js';
import { parseDeskRoutingRule } from '../domain/routing/desk-rules.js';
import type { RoutingStore, StoredRoutingRule } from '../domain/routing/ports.js';
import { Forbidden, NotFoundError, ValidationFailed, VersionConflict } from '../domain/shared/errors.js';
import { expectedVersionFor } from '../domain/shared/versions.js';

const AgentNotFound = (id: string) => new NotFoundError('Agent', id);

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
  const at = deps.clock.now().toISOString();
  const agent: Agent = {
    ...current,
    availability,
    version: current.version + 1,
    updatedAt: at,
    updatedBy: principal.email,
  };
  // An agent switching themself online or away is routine; someone else doing it is audited.
  const audit =
    principal.agentId === agentId
      ? undefined
      : auditEntryFor(
          { type: 'agent', id: agentId, version: agent.version },
          current,
          agent,
          principal.email,
          at,
        );
  await deps.directory.saveAgent(agent, current.version, audit);
  return agent;
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
  const expected = expectedVersionFor(expectedVersion, existing?.rule.version);
  const now = deps.clock.now();
  const version = await store.putRule(rule, expected, principal.email, now);
  return { rule: { ...rule, version }, updatedAt: now.toISOString(), updatedBy: principal.email };
}
