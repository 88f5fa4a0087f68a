import { z } from 'zod';
import { AvailabilitySchema, SkillSchema, TeamAssignmentSchema } from '../routing/assignment.js';
import type { Ticket } from '../tickets/model.js';

export const ROLES = ['admin', 'supervisor', 'agent'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const AgentSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  departmentIds: z.array(z.string()),
  teamIds: z.array(z.string()),
  active: z.boolean(),
  /** Whether the agent takes tickets now (automatic assignment picks online agents only). */
  availability: AvailabilitySchema.default('online'),
  /** Most open tickets (new, open, pending, on hold) automatic assignment gives the agent. */
  capacity: z.number().int().min(0).max(1000).default(20),
  /** Lower-case skills matched against a ticket's required skills (`skills` strategy). */
  skills: z.array(SkillSchema).max(50).default([]),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Who last changed the agent's settings (email), null when created by a script or seed. */
  updatedBy: z.string().nullable().default(null),
});
export type Agent = z.infer<typeof AgentSchema>;
/** An agent as written by seeds and scripts: routing settings may be left to their defaults. */
export type AgentInput = z.input<typeof AgentSchema>;

/** The mail a customer gets when their ticket is opened; per department, can be switched off. */
export const AutoAcknowledgementSchema = z.object({
  enabled: z.boolean(),
  /** Templates with placeholders such as {{ticket.number}} and {{customer.name}}. */
  subject: z.string().min(1).max(200),
  body: z.string().min(1).max(5000),
});
export type AutoAcknowledgement = z.infer<typeof AutoAcknowledgementSchema>;

export const DepartmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  active: z.boolean(),
  /** Absent: the desk's default acknowledgement. */
  autoAcknowledgement: AutoAcknowledgementSchema.optional(),
  /**
   * Support addresses admins gave the department (lower case), besides the
   * deployment's configured ones: mail to them opens tickets here. Each
   * address belongs to one department, on one of the desk's mail domains.
   */
  supportAddresses: z.array(z.string()).default([]),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Who last changed the department (email), null when created by a script or seed. */
  updatedBy: z.string().nullable().default(null),
});
export type Department = z.infer<typeof DepartmentSchema>;
/** A department as written by seeds and scripts: addresses and `updatedBy` may be left out. */
export type DepartmentInput = z.input<typeof DepartmentSchema>;

export const TeamSchema = z.object({
  id: z.string(),
  name: z.string(),
  departmentId: z.string(),
  active: z.boolean(),
  /** How tickets of the team get an assignee (see routing/assignment.ts); manual by default. */
  assignment: TeamAssignmentSchema.default({ strategy: 'manual' }),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable().default(null),
});
export type Team = z.infer<typeof TeamSchema>;
export type TeamInput = z.input<typeof TeamSchema>;

/** Who is calling: an authenticated agent with their role and departments. */
export interface Principal {
  agentId: string;
  email: string;
  name: string;
  role: Role;
  departmentIds: readonly string[];
  /** The agent's teams (absent: none); they make the agent an actor of blueprint states performed by a team. */
  teamIds?: readonly string[];
}

/** Admins change the desk's settings (departments, teams, agents, rules...). */
export function canChangeSettings(principal: Principal): boolean {
  return principal.role === 'admin';
}

/** Supervisors and admins may do desk-wide operations such as merging customers. */
export function canSuperviseDesk(principal: Principal): boolean {
  return principal.role === 'admin' || principal.role === 'supervisor';
}

/**
 * What ticket lists show an agent (inboxes, views, SLA lists): admins and
 * supervisors every ticket; an agent tickets of their departments, tickets
 * not yet in a department (the triage queue) and tickets assigned to them.
 * Lists are read per department, so they do not follow `canSeeTicket`'s
 * blueprint rule.
 */
export function canListTicket(
  principal: Principal,
  ticket: Pick<Ticket, 'departmentId' | 'assigneeId'>,
): boolean {
  if (canSuperviseDesk(principal)) return true;
  if (ticket.assigneeId === principal.agentId) return true;
  if (ticket.departmentId === null) return true;
  return principal.departmentIds.includes(ticket.departmentId);
}

/**
 * Whether the agent may act in the current state of the ticket's blueprint:
 * the blueprint is not completed and the agent matches one of the state's
 * actors (by id, one of their teams, one of their departments, their role).
 */
export function actsInBlueprint(principal: Principal, ticket: Pick<Ticket, 'blueprint'>): boolean {
  const bp = ticket.blueprint;
  if (!bp || bp.completed) return false;
  const { agentIds, teamIds, departmentIds, roles } = bp.actors;
  return (
    agentIds.includes(principal.agentId) ||
    roles.includes(principal.role) ||
    teamIds.some((id) => principal.teamIds?.includes(id) ?? false) ||
    departmentIds.some((id) => principal.departmentIds.includes(id))
  );
}

/**
 * Whether the agent may open a ticket (read it and its timeline, reply, add
 * notes, change it): what lists show them (`canListTicket`), and besides a
 * ticket whose blueprint waits for them (`actsInBlueprint`: the warehouse
 * confirming a return of the Returns department) until it moves on. Others
 * answer 404, as if the ticket did not exist.
 */
export function canSeeTicket(
  principal: Principal,
  ticket: Pick<Ticket, 'departmentId' | 'assigneeId' | 'blueprint'>,
): boolean {
  return canListTicket(principal, ticket) || actsInBlueprint(principal, ticket);
}
