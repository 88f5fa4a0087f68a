import { z } from 'zod';
import { type BusinessCalendar, TWENTY_FOUR_SEVEN } from '../business-hours/calendar.js';
import { ValidationFailed } from '../shared/errors.js';
import { parseOrFail } from '../shared/validation.js';
import { CHANNELS, PRIORITIES, PrioritySchema, type Ticket } from '../tickets/model.js';

/**
 * SLA policies: ordered rules that pick, for a ticket, the response and
 * resolution targets it must meet and the escalation levels that fire as the
 * clock runs. Matching is pure; the clock maths lives in `applied-sla.ts`.
 */

/** The kinds of target an SLA measures. */
export const SLA_TARGET_KINDS = ['first_response', 'next_response', 'resolution'] as const;
export const SlaTargetKindSchema = z.enum(SLA_TARGET_KINDS);
export type SlaTargetKind = z.infer<typeof SlaTargetKindSchema>;

const IdSchema = z.string().min(1).max(100);
const MinutesSchema = z
  .number()
  .int()
  .positive()
  .max(366 * 24 * 60);

/**
 * What an escalation level does. These mirror the rule actions: notify the
 * assignee / supervisor / a team (the ticket's team when `teamId` is absent),
 * move the ticket to a team, change its priority, add an internal note.
 */
export const EscalationActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notify_assignee') }),
  z.object({ type: z.literal('notify_supervisor') }),
  z.object({ type: z.literal('notify_team'), teamId: IdSchema.optional() }),
  z.object({ type: z.literal('set_team'), teamId: IdSchema }),
  z.object({ type: z.literal('set_priority'), priority: PrioritySchema }),
  z.object({ type: z.literal('add_note'), body: z.string().trim().min(1).max(5000) }),
]);
export type EscalationAction = z.infer<typeof EscalationActionSchema>;

/** One escalation level: fires once when `atPercent` % of the target's business time has elapsed. */
export const EscalationLevelSchema = z.object({
  atPercent: z.number().int().positive().max(1000),
  actions: z.array(EscalationActionSchema).min(1).max(20),
});
export type EscalationLevel = z.infer<typeof EscalationLevelSchema>;

const LevelsSchema = z
  .array(EscalationLevelSchema)
  .max(10, 'at most 10 escalation levels per target')
  .refine((levels) => new Set(levels.map((l) => l.atPercent)).size === levels.length, {
    message: 'two escalation levels of one target cannot share the same percentage',
  })
  // Stored in firing order, so a level's index is stable and means "the n-th level".
  .transform((levels) => [...levels].sort((a, b) => a.atPercent - b.atPercent));

export const SlaEscalationsSchema = z.object({
  first_response: LevelsSchema.default([]),
  next_response: LevelsSchema.default([]),
  resolution: LevelsSchema.default([]),
});
export type SlaEscalations = z.infer<typeof SlaEscalationsSchema>;

/** Targets for one priority, in business minutes of the policy's calendar. */
export const SlaTargetMinutesSchema = z.object({
  firstResponseMinutes: MinutesSchema.optional(),
  nextResponseMinutes: MinutesSchema.optional(),
  resolutionMinutes: MinutesSchema.optional(),
});
export type SlaTargetMinutes = z.infer<typeof SlaTargetMinutesSchema>;

export const SlaTargetsSchema = z.object({
  low: SlaTargetMinutesSchema.optional(),
  normal: SlaTargetMinutesSchema.optional(),
  high: SlaTargetMinutesSchema.optional(),
  urgent: SlaTargetMinutesSchema.optional(),
});
export type SlaTargets = z.infer<typeof SlaTargetsSchema>;

const CustomFieldMatchValueSchema = z.union([z.string().max(2000), z.number().finite(), z.boolean()]);

/**
 * When a policy applies. Every condition that is given must hold; a list
 * condition holds when the ticket has any of the listed values. An empty
 * object matches every ticket.
 */
export const SlaConditionsSchema = z.object({
  priorities: z.array(z.enum(PRIORITIES)).min(1).optional(),
  departmentIds: z.array(IdSchema).min(1).optional(),
  channels: z.array(z.enum(CHANNELS)).min(1).optional(),
  /** Any of these tags (case-insensitive). */
  tags: z.array(z.string().trim().toLowerCase().min(1).max(50)).min(1).optional(),
  customerGroupIds: z.array(IdSchema).min(1).optional(),
  /** The custom field `key` equals one of `values` (for list fields: contains one of them). */
  customField: z
    .object({ key: z.string().min(1).max(64), values: z.array(CustomFieldMatchValueSchema).min(1).max(100) })
    .optional(),
});
export type SlaConditions = z.infer<typeof SlaConditionsSchema>;

export const SlaPolicySchema = z.object({
  id: IdSchema,
  name: z.string().trim().min(1).max(200),
  /** Evaluation order: lower first; ties are broken by id. */
  position: z.number().int().min(0),
  active: z.boolean(),
  conditions: SlaConditionsSchema.default({}),
  /** Business calendar the targets are measured in; null = calendar hours (24/7). */
  calendarId: IdSchema.nullable(),
  targets: SlaTargetsSchema,
  escalations: SlaEscalationsSchema.default({ first_response: [], next_response: [], resolution: [] }),
});
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;
/** A policy as written by an admin, before defaults are filled in. */
export type SlaPolicyInput = z.input<typeof SlaPolicySchema>;

/** Validates untrusted input as an SLA policy, throwing ValidationFailed (with the zod issues as details). */
export function parseSlaPolicy(input: unknown): SlaPolicy {
  return parseOrFail(SlaPolicySchema, input, 'SLA policy');
}

function customFieldMatches(ticket: Ticket, condition: NonNullable<SlaConditions['customField']>): boolean {
  const value = ticket.customFields[condition.key];
  if (value === undefined || value === null) return false;
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => condition.values.includes(v));
}

/** Whether every condition of `conditions` holds for `ticket` (whose customer is in `customerGroupIds`). */
export function matchesConditions(
  conditions: SlaConditions,
  ticket: Ticket,
  customerGroupIds: readonly string[] = [],
): boolean {
  const c = conditions;
  if (c.priorities && !c.priorities.includes(ticket.priority)) return false;
  if (c.departmentIds && (ticket.departmentId === null || !c.departmentIds.includes(ticket.departmentId))) {
    return false;
  }
  if (c.channels && !c.channels.includes(ticket.channel)) return false;
  if (c.tags) {
    const tags = new Set(ticket.tags.map((t) => t.toLowerCase()));
    if (!c.tags.some((t) => tags.has(t.toLowerCase()))) return false;
  }
  if (c.customerGroupIds && !c.customerGroupIds.some((g) => customerGroupIds.includes(g))) return false;
  if (c.customField && !customFieldMatches(ticket, c.customField)) return false;
  return true;
}

/** Policies in evaluation order: by position, then by id. Does not mutate its input. */
export function sortPolicies<P extends Pick<SlaPolicy, 'position' | 'id'>>(policies: readonly P[]): P[] {
  return [...policies].sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The SLA policy that applies to `ticket`: the first active policy, in
 * position order (ties by id), whose conditions all hold; null when none does.
 */
export function matchPolicy(
  policies: readonly SlaPolicy[],
  ticket: Ticket,
  customerGroupIds: readonly string[] = [],
): SlaPolicy | null {
  for (const policy of sortPolicies(policies)) {
    if (policy.active && matchesConditions(policy.conditions, ticket, customerGroupIds)) return policy;
  }
  return null;
}

/** The business minutes a policy gives `priority` for a target kind, or null when it sets none. */
export function targetMinutesFor(
  policy: SlaPolicy,
  priority: Ticket['priority'],
  kind: SlaTargetKind,
): number | null {
  const t = policy.targets[priority];
  if (!t) return null;
  const minutes =
    kind === 'first_response'
      ? t.firstResponseMinutes
      : kind === 'next_response'
        ? t.nextResponseMinutes
        : t.resolutionMinutes;
  return minutes ?? null;
}

/**
 * The calendar a policy measures time in: TWENTY_FOUR_SEVEN when its
 * `calendarId` is null, otherwise the calendar with that id from `calendars`.
 * Throws ValidationFailed when the calendar is missing.
 */
export function resolvePolicyCalendar(
  policy: SlaPolicy,
  calendars: readonly BusinessCalendar[],
): BusinessCalendar {
  if (policy.calendarId === null) return TWENTY_FOUR_SEVEN;
  const found = calendars.find((c) => c.id === policy.calendarId);
  if (!found) {
    throw new ValidationFailed(
      `SLA policy ${policy.id} uses calendar ${policy.calendarId}, which does not exist`,
      {
        policyId: policy.id,
        calendarId: policy.calendarId,
      },
    );
  }
  return found;
}
