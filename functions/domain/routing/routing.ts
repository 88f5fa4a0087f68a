import { z } from 'zod';
import type { FieldDefinition } from '../fields/model.js';
import { ConditionGroupSchema, matchesConditions } from '../rules/conditions.js';
import type { RuleFacts } from '../rules/facts.js';
import { assertFieldsKnown, sortRules } from '../rules/model.js';
import { parseOrFail } from '../shared/validation.js';

/**
 * Routing rules: which department and/or team a ticket goes to, by the same
 * conditions as workflow rules (issue type picked by the customer via a
 * custom field, channel, words in the subject...). Evaluated in position
 * order (ties by id); the first active rule that matches wins. Picking the
 * agent inside the team is `pickAssignee` (assignment.ts).
 */

const IdSchema = z.string().trim().min(1).max(100);

export const RoutingTargetSchema = z
  .object({ departmentId: IdSchema.optional(), teamId: IdSchema.optional() })
  .refine((t) => t.departmentId !== undefined || t.teamId !== undefined, {
    message: 'a routing target needs a departmentId, a teamId or both',
  });
export type RoutingTarget = z.infer<typeof RoutingTargetSchema>;

export const RoutingRuleSchema = z.object({
  id: IdSchema,
  name: z.string().trim().min(1).max(200),
  position: z.number().int().min(0),
  active: z.boolean(),
  conditions: ConditionGroupSchema.default({ all: [], any: [] }),
  target: RoutingTargetSchema,
  version: z.number().int().min(1).default(1),
});
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;
export type RoutingRuleInput = z.input<typeof RoutingRuleSchema>;

/** Validates untrusted input as a routing rule (custom-field conditions checked when `fields` are given). */
export function parseRoutingRule(
  input: unknown,
  options: { fields?: readonly FieldDefinition[] } = {},
): RoutingRule {
  const rule = parseOrFail(RoutingRuleSchema, input, 'routing rule');
  if (options.fields) assertFieldsKnown(rule, options.fields, 'routing rule');
  return rule;
}

/** The first active rule, in position order, whose conditions hold; null when none does. */
export function routeTicket(
  rules: readonly RoutingRule[],
  facts: RuleFacts,
): { rule: RoutingRule; target: RoutingTarget } | null {
  for (const rule of sortRules(rules)) {
    if (rule.active && matchesConditions(rule.conditions, facts)) return { rule, target: rule.target };
  }
  return null;
}
