/**
 * Routing and automatic assignment, run by the events handler:
 * - a new ticket goes through the routing rules (the first match sets its
 *   department and/or team, and may raise its priority or tag it);
 * - a ticket of a team whose strategy is not manual, still without an
 *   assignee, gets one by `pickAssignee` over the team's agents
 *   (availability, capacity against their open tickets, skills), the team's
 *   round-robin cursor moved by compare-and-set so two concurrent
 *   assignments never start from the same cursor;
 * - when an agent comes online, the oldest unassigned tickets of their teams
 *   are assigned (at most their free capacity);
 * - when an agent, a macro or a workflow rule moves a ticket to another
 *   department and its team does not belong there (or it has none), it is
 *   routed again within the new department: what belonged to the old one is
 *   left (its team; its assignee when not a member of the new department,
 *   unless the same change named one), the routing rules that target the new
 *   department apply, then its team's strategy assigns (or it waits in the
 *   queue), once per stream record.
 * Every change is an `applySystemChange` authored by a system actor naming
 * the rule or the strategy, followed by a `system` entry saying what
 * happened (or why nobody was assigned).
 */
import type { Agent, Team } from '../domain/agents/model.js';
import type { Deps } from '../domain/ports.js';
import {
  type AgentLoad,
  type AssignmentStrategy,
  pickAssignee,
  requiredSkillsFor,
} from '../domain/routing/assignment.js';
import type { DeskRoutingRule } from '../domain/routing/desk-rules.js';
import type { RoutingStore } from '../domain/routing/ports.js';
import { departmentMove, describeRoutingLeftovers } from '../domain/routing/reroute.js';
import { routeTicket } from '../domain/routing/routing.js';
import { buildFacts } from '../domain/rules/facts.js';
import { planActions } from '../domain/rules/plan.js';
import { DomainError } from '../domain/shared/errors.js';
import type { Actor, Ticket, TicketPatch, TimelineEntry } from '../domain/tickets/model.js';
import { applySystemChange } from '../domain/tickets/use-cases.js';

export interface RoutingContext {
  deps: Deps;
  store: RoutingStore;
  log?: (event: Record<string, unknown>) => void;
  /**
   * Tickets given to agents during this run and not yet in their counters
   * (the counters follow the stream, which brings those changes later).
   */
  pending?: Map<string, number>;
}

/** Most tickets handed out at once when an agent comes online. */
export const MAX_CATCH_UP = 25;
const CURSOR_ATTEMPTS = 10;

const STRATEGY_LABEL: Record<AssignmentStrategy, string> = {
  round_robin: 'round robin',
  least_load: 'least load',
  skills: 'skills',
};

export type AssignOutcome =
  | { type: 'assigned'; agentId: string }
  | { type: 'waiting'; reason: string }
  | { type: 'skipped' };

/** The reaction to a new ticket: routing rules, then automatic assignment. Domain errors are logged, not thrown. */
export async function routeNewTicket(context: RoutingContext, ticketId: string): Promise<AssignOutcome> {
  try {
    let ticket = await context.deps.tickets.get(ticketId);
    if (!ticket) return { type: 'skipped' };
    const routed = await applyRoutingRules(context, ticket);
    ticket = routed.ticket;
    return await autoAssign(context, ticket, { ruleName: routed.rule?.name ?? null });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    context.log?.({ message: 'routing skipped', ticketId, error: error.message });
    return { type: 'skipped' };
  }
}

/**
 * Applies the first matching routing rule to `ticket`; returns the ticket as
 * it is afterwards. With `withinDepartment`, only rules whose target lies in
 * that department (its id, or a team of it) are considered.
 */
export async function applyRoutingRules(
  context: RoutingContext,
  ticket: Ticket,
  options: { withinDepartment?: string } = {},
): Promise<{ ticket: Ticket; rule: DeskRoutingRule | null }> {
  const { deps } = context;
  let rules = (await context.store.listRules()).map((stored) => stored.rule);
  const within = options.withinDepartment;
  if (within !== undefined && rules.length > 0) {
    const teamDepartment = new Map((await deps.directory.listTeams()).map((t) => [t.id, t.departmentId]));
    rules = rules.filter(({ target }) =>
      target.teamId !== undefined
        ? teamDepartment.get(target.teamId) === within &&
          (target.departmentId === undefined || target.departmentId === within)
        : target.departmentId === within,
    );
  }
  if (rules.length === 0) return { ticket, rule: null };
  const first = (await deps.tickets.timeline(ticket.id, { limit: 1, includeNotes: false })).items[0];
  const facts = buildFacts(ticket, {
    latestMessage: first ? { body: first.body, createdAt: first.createdAt, author: first.author } : null,
    customer: null,
    now: deps.clock.now(),
    resolutionDueAt: null,
  });
  const match = routeTicket(rules, facts);
  const rule = match ? rules.find((r) => r.id === match.rule.id) : undefined;
  if (!match || !rule) return { ticket, rule: null };

  const patch: TicketPatch = {};
  if (match.target.teamId) {
    const team = await deps.directory.getTeam(match.target.teamId);
    if (team?.active) {
      patch.teamId = team.id;
      patch.departmentId = match.target.departmentId ?? team.departmentId;
    } else {
      await appendSystem(
        context,
        ticket.id,
        `Routing rule "${rule.name}": team ${match.target.teamId} does not exist or is inactive.`,
      );
      if (match.target.departmentId) patch.departmentId = match.target.departmentId;
    }
  } else if (match.target.departmentId) {
    patch.departmentId = match.target.departmentId;
    if (ticket.teamId !== null && match.target.departmentId !== ticket.departmentId) patch.teamId = null;
  }
  const plan = planActions(ticket, rule.actions);
  if (plan.patch.priority !== undefined) patch.priority = plan.patch.priority;
  if (plan.patch.tags !== undefined) patch.tags = plan.patch.tags;

  const actor: Actor = { type: 'system', id: `routing-rule:${rule.id}`, name: `Routing rule "${rule.name}"` };
  try {
    const routed = await applySystemChange(deps, ticket.id, patch, actor);
    context.log?.({ message: 'ticket routed', ticketId: ticket.id, rule: rule.id });
    return { ticket: routed, rule };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await appendSystem(
      context,
      ticket.id,
      `Routing rule "${rule.name}" could not be applied: ${error.message}`,
    );
    return { ticket, rule: null };
  }
}

/** The team whose strategy assigns `ticket`: its own team, else its department's first automatic team. */
async function assigningTeam(deps: Deps, ticket: Ticket): Promise<Team | null> {
  if (ticket.teamId) {
    const team = await deps.directory.getTeam(ticket.teamId);
    return team?.active ? team : null;
  }
  if (!ticket.departmentId) return null;
  const teams = (await deps.directory.listTeams())
    .filter((t) => t.active && t.departmentId === ticket.departmentId && t.assignment.strategy !== 'manual')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return teams[0] ?? null;
}

function candidateOf(
  agent: Agent,
  load: { openCount: number; lastAssignedAt: string | null } | undefined,
  pending: number,
): AgentLoad {
  return {
    agentId: agent.id,
    availability: agent.availability,
    capacity: agent.capacity,
    openCount: (load?.openCount ?? 0) + pending,
    skills: agent.skills,
    lastAssignedAt: load?.lastAssignedAt ?? null,
    active: agent.active,
  };
}

/**
 * Gives `ticket` an assignee by its team's strategy, if it has none yet and
 * the strategy is not manual. When nobody can take it, the ticket stays
 * unassigned (in the team's queue) with a system entry saying why, unless
 * `quiet` (catching up when an agent comes online).
 */
export async function autoAssign(
  context: RoutingContext,
  ticket: Ticket,
  options: { ruleName?: string | null; quiet?: boolean } = {},
): Promise<AssignOutcome> {
  const { deps, store } = context;
  if (ticket.assigneeId !== null || (ticket.status !== 'new' && ticket.status !== 'open')) {
    return { type: 'skipped' };
  }
  const team = await assigningTeam(deps, ticket);
  if (!team || team.assignment.strategy === 'manual') return { type: 'skipped' };
  const strategy = team.assignment.strategy;
  const label = STRATEGY_LABEL[strategy];
  const agents = (await deps.directory.listAgents()).filter((a) => a.teamIds.includes(team.id));
  const loads = await store.getLoads(agents.map((a) => a.id));
  const pending = context.pending ?? new Map<string, number>();
  const candidates = agents.map((a) => candidateOf(a, loads.get(a.id), pending.get(a.id) ?? 0));
  const requiredSkills =
    strategy === 'skills'
      ? requiredSkillsFor({ teamId: team.id, strategy, skills: team.assignment.skills }, ticket)
      : [];
  const actor: Actor = { type: 'system', id: `assignment:${team.id}`, name: `Assignment (${label})` };
  const because = options.ruleName ? `, after routing rule "${options.ruleName}"` : '';

  for (let attempt = 0; attempt < CURSOR_ATTEMPTS; attempt++) {
    const cursor = await store.getCursor(team.id);
    const pick = pickAssignee({
      strategy,
      candidates,
      requiredSkills,
      roundRobinCursor: cursor?.cursor ?? null,
    });
    if (pick.agentId === null) {
      if (ticket.teamId !== team.id) await applySystemChange(deps, ticket.id, { teamId: team.id }, actor);
      if (!options.quiet) {
        await appendSystem(
          context,
          ticket.id,
          `Not assigned automatically: ${pick.message} (team ${team.name}, ${label}${because}). It waits in the team's queue.`,
        );
      }
      context.log?.({ message: 'ticket waits for an agent', ticketId: ticket.id, reason: pick.reason });
      return { type: 'waiting', reason: pick.reason };
    }
    // Compare-and-set: a concurrent assignment that moved the cursor first makes us pick again.
    if (!(await store.advanceCursor(team.id, cursor?.seq ?? null, pick.agentId))) continue;
    await applySystemChange(deps, ticket.id, { teamId: team.id, assigneeId: pick.agentId }, actor);
    pending.set(pick.agentId, (pending.get(pick.agentId) ?? 0) + 1);
    context.pending = pending;
    const agent = agents.find((a) => a.id === pick.agentId);
    await appendSystem(
      context,
      ticket.id,
      `Assigned to ${agent?.name ?? pick.agentId} by ${label} (team ${team.name}${because}).`,
    );
    context.log?.({ message: 'ticket assigned', ticketId: ticket.id, agentId: pick.agentId, strategy });
    return { type: 'assigned', agentId: pick.agentId };
  }
  throw new Error(`the round-robin cursor of team ${team.id} kept moving`);
}

/**
 * An agent came online: the oldest unassigned tickets of their automatic
 * teams are assigned, at most the agent's free capacity (and MAX_CATCH_UP).
 * Returns how many tickets were assigned (to this agent or a team mate the
 * strategy picked).
 */
export async function assignWaitingTickets(context: RoutingContext, agentId: string): Promise<number> {
  const { deps, store } = context;
  const agent = await deps.directory.getAgent(agentId);
  if (!agent?.active || agent.availability !== 'online') return 0;
  const teams = (await deps.directory.listTeams()).filter(
    (t) => t.active && agent.teamIds.includes(t.id) && t.assignment.strategy !== 'manual',
  );
  if (teams.length === 0) return 0;
  const open = (await store.getLoads([agentId])).get(agentId)?.openCount ?? 0;
  const room = Math.min(MAX_CATCH_UP, agent.capacity - open - (context.pending?.get(agentId) ?? 0));
  if (room <= 0) return 0;
  const waiting = await store.oldestUnassigned(
    teams.map((t) => t.id),
    room,
  );
  let assigned = 0;
  for (const queued of waiting) {
    try {
      const ticket = await deps.tickets.get(queued.id);
      if (!ticket) continue;
      const outcome = await autoAssign(context, ticket, { quiet: true });
      if (outcome.type === 'assigned') assigned++;
      if (outcome.type === 'waiting') break;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      context.log?.({ message: 'catch-up assignment skipped', ticketId: queued.id, error: error.message });
    }
  }
  context.log?.({ message: 'agent online: waiting tickets assigned', agentId, assigned });
  return assigned;
}

/**
 * Routes a ticket again after an agent, a macro or a rule moved it to another
 * department (the stream record of that change's `event` entry), once per
 * record: claimed first, given back when anything but a domain error stops
 * it. Domain errors are logged, not thrown.
 */
export async function rerouteAfterDepartmentChange(
  context: RoutingContext,
  entry: TimelineEntry,
  eventId: string,
): Promise<AssignOutcome> {
  const move = departmentMove(entry);
  if (!move?.to) return { type: 'skipped' };
  if (!(await context.store.claimRecord(eventId))) return { type: 'skipped' };
  try {
    return await reroute(context, entry.ticketId, move.to, move.assigneeChanged);
  } catch (error) {
    if (error instanceof DomainError) {
      context.log?.({ message: 're-routing skipped', ticketId: entry.ticketId, error: error.message });
      return { type: 'skipped' };
    }
    await context.store.releaseRecord(eventId);
    throw error;
  }
}

async function reroute(
  context: RoutingContext,
  ticketId: string,
  departmentId: string,
  assigneeChanged: boolean,
): Promise<AssignOutcome> {
  const { deps } = context;
  let ticket = await deps.tickets.get(ticketId);
  // Moved again since (that move's own record routes it), or done with.
  if (!ticket || ticket.departmentId !== departmentId) return { type: 'skipped' };
  if (ticket.status === 'solved' || ticket.status === 'closed') return { type: 'skipped' };
  const team = ticket.teamId ? await deps.directory.getTeam(ticket.teamId) : null;
  if (team && team.departmentId === departmentId) return { type: 'skipped' };

  // What belonged to the old department: its team, and an assignee who is not a member here.
  const patch: TicketPatch = {};
  if (ticket.teamId !== null) patch.teamId = null;
  let leftAssignee: string | null = null;
  if (ticket.assigneeId && !assigneeChanged) {
    const assignee = await deps.directory.getAgent(ticket.assigneeId);
    if (!assignee?.departmentIds.includes(departmentId)) {
      patch.assigneeId = null;
      leftAssignee = assignee?.name ?? ticket.assigneeId;
    }
  }
  if (Object.keys(patch).length > 0) {
    const department = await deps.directory.getDepartment(departmentId);
    ticket = await applySystemChange(deps, ticket.id, patch, {
      type: 'system',
      id: 'routing',
      name: 'Routing',
    });
    await appendSystem(
      context,
      ticket.id,
      describeRoutingLeftovers({
        department: department?.name ?? departmentId,
        team: patch.teamId === null ? (team?.name ?? null) : null,
        assignee: leftAssignee,
      }),
    );
  }
  const routed = await applyRoutingRules(context, ticket, { withinDepartment: departmentId });
  return autoAssign(context, routed.ticket, { ruleName: routed.rule?.name ?? null });
}

async function appendSystem(context: RoutingContext, ticketId: string, body: string): Promise<void> {
  const { deps } = context;
  const entry: TimelineEntry = {
    id: deps.ids.newId(),
    ticketId,
    kind: 'system',
    createdAt: deps.clock.now().toISOString(),
    author: { type: 'system', id: 'routing', name: 'Routing' },
    body,
    channel: null,
    changes: [],
  };
  await deps.tickets.appendEntries([entry]);
}
