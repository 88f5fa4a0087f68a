import { z } from 'zod';
import { FieldIdSchema } from '../fields/model.js';
import { parseOrFail } from '../shared/validation.js';
import type { Ticket } from '../tickets/model.js';

/**
 * Picking the agent of a team who gets a ticket (load balancing).
 *
 * Eligible agents are active, online and under their capacity (open tickets
 * below `capacity`). Among them:
 * - round_robin: the next agent after the cursor in agent-id order, wrapping
 *   around; the cursor is the id of the last agent picked, so N tickets over
 *   k agents that stay eligible give each N/k;
 * - least_load: the fewest open tickets; ties go in round-robin order;
 * - skills: agents having every required skill, then least load.
 *
 * The caller keeps the team's cursor (e.g. on the team item) and saves
 * `nextCursor` in the same write as the assignment. A null cursor starts
 * after the agent assigned most recently (`lastAssignedAt`), else at the
 * first agent.
 */

export const ASSIGNMENT_STRATEGIES = ['round_robin', 'least_load', 'skills'] as const;
export const AssignmentStrategySchema = z.enum(ASSIGNMENT_STRATEGIES);
export type AssignmentStrategy = z.infer<typeof AssignmentStrategySchema>;

export const AVAILABILITIES = ['online', 'away', 'offline'] as const;
export const AvailabilitySchema = z.enum(AVAILABILITIES);
export type Availability = (typeof AVAILABILITIES)[number];

export const SkillSchema = z.string().trim().toLowerCase().min(1).max(50);

/**
 * A team's assignment settings. `skills` says where a ticket's required skills
 * come from: the values of some custom fields (a picklist "Product" whose
 * value "Laptops" requires skill "laptops"), tags with a prefix
 * (`skill:french` → "french"), and skills every ticket of the team needs.
 */
export const TeamAssignmentSettingsSchema = z.object({
  teamId: z.string().trim().min(1).max(100),
  strategy: AssignmentStrategySchema,
  skills: z
    .object({
      fromFields: z.array(FieldIdSchema).max(10).default([]),
      tagPrefix: z.string().trim().toLowerCase().min(1).max(20).optional(),
      always: z.array(SkillSchema).max(20).default([]),
    })
    .optional(),
});
export type TeamAssignmentSettings = z.infer<typeof TeamAssignmentSettingsSchema>;

/** Where a ticket's required skills come from (see `TeamAssignmentSettingsSchema`). */
export const SkillSourcesSchema = z.object({
  fromFields: z.array(FieldIdSchema).max(10).default([]),
  tagPrefix: z.string().trim().toLowerCase().min(1).max(20).optional(),
  always: z.array(SkillSchema).max(20).default([]),
});

/**
 * A team's assignment as stored on the team: a strategy, or `manual` (nobody
 * is picked automatically; the default).
 */
export const TEAM_STRATEGIES = [...ASSIGNMENT_STRATEGIES, 'manual'] as const;
export const TeamAssignmentSchema = z.object({
  strategy: z.enum(TEAM_STRATEGIES).default('manual'),
  skills: SkillSourcesSchema.optional(),
});
export type TeamAssignment = z.infer<typeof TeamAssignmentSchema>;

export function parseTeamAssignmentSettings(input: unknown): TeamAssignmentSettings {
  return parseOrFail(TeamAssignmentSettingsSchema, input, 'team assignment settings');
}

/** The skills a ticket requires under a team's settings: lower-case, unique, sorted. */
export function requiredSkillsFor(
  settings: TeamAssignmentSettings,
  ticket: Pick<Ticket, 'tags' | 'customFields'>,
): string[] {
  const skills = new Set<string>(settings.skills?.always ?? []);
  for (const fieldId of settings.skills?.fromFields ?? []) {
    const value = ticket.customFields[fieldId];
    const values = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    for (const v of values) if (v.trim()) skills.add(v.trim().toLowerCase());
  }
  const prefix = settings.skills?.tagPrefix;
  if (prefix) {
    for (const tag of ticket.tags) {
      if (tag.startsWith(prefix) && tag.length > prefix.length)
        skills.add(tag.slice(prefix.length).toLowerCase());
    }
  }
  return [...skills].sort();
}

/** What the assignment needs to know about one agent of the team. */
export interface AgentLoad {
  agentId: string;
  availability: Availability;
  /** Most open tickets the agent should hold. */
  capacity: number;
  /** Open (unsolved) tickets assigned to the agent now. */
  openCount: number;
  skills: readonly string[];
  lastAssignedAt: string | null;
  active: boolean;
}

export type NoAssigneeReason = 'no_agents' | 'no_agent_with_skills' | 'no_agent_online' | 'all_at_capacity';

export type AssigneePick =
  | { agentId: string; nextCursor: string }
  | { agentId: null; reason: NoAssigneeReason; message: string };

export interface PickAssigneeInput {
  strategy: AssignmentStrategy;
  candidates: readonly AgentLoad[];
  /** Used by the `skills` strategy (see `requiredSkillsFor`); other strategies ignore it. */
  requiredSkills?: readonly string[];
  /** Id of the agent picked last in this team; null when unknown. */
  roundRobinCursor: string | null;
}

const byId = (a: AgentLoad, b: AgentLoad) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);

/** The agent after `cursor` in id order among `agents` (sorted), wrapping around. */
function nextAfter(agents: readonly AgentLoad[], cursor: string | null): AgentLoad | undefined {
  if (cursor === null) return agents[0];
  return agents.find((a) => a.agentId > cursor) ?? agents[0];
}

/** Picks the assignee, or says why nobody can take the ticket. Pure. */
export function pickAssignee(input: PickAssigneeInput): AssigneePick {
  const active = input.candidates.filter((a) => a.active).sort(byId);
  if (active.length === 0) {
    return { agentId: null, reason: 'no_agents', message: 'the team has no active agent' };
  }
  let pool = active;
  if (input.strategy === 'skills') {
    const required = [...new Set((input.requiredSkills ?? []).map((s) => s.trim().toLowerCase()))]
      .filter(Boolean)
      .sort();
    if (required.length > 0) {
      pool = pool.filter((a) => {
        const has = new Set(a.skills.map((s) => s.trim().toLowerCase()));
        return required.every((s) => has.has(s));
      });
      if (pool.length === 0) {
        return {
          agentId: null,
          reason: 'no_agent_with_skills',
          message: `no agent with skills ${required.join(', ')}`,
        };
      }
    }
  }
  pool = pool.filter((a) => a.availability === 'online');
  if (pool.length === 0) return { agentId: null, reason: 'no_agent_online', message: 'no agent online' };
  pool = pool.filter((a) => a.openCount < a.capacity);
  if (pool.length === 0) {
    return { agentId: null, reason: 'all_at_capacity', message: 'all online agents are at capacity' };
  }

  const cursor = input.roundRobinCursor ?? lastAssigned(active);
  if (input.strategy !== 'round_robin') {
    const least = Math.min(...pool.map((a) => a.openCount));
    pool = pool.filter((a) => a.openCount === least);
  }
  const picked = nextAfter(pool, cursor);
  if (!picked) return { agentId: null, reason: 'no_agents', message: 'the team has no active agent' };
  return { agentId: picked.agentId, nextCursor: picked.agentId };
}

function lastAssigned(agents: readonly AgentLoad[]): string | null {
  let latest: AgentLoad | null = null;
  for (const a of agents) {
    if (a.lastAssignedAt !== null && (latest === null || a.lastAssignedAt > (latest.lastAssignedAt ?? ''))) {
      latest = a;
    }
  }
  return latest?.agentId ?? null;
}
