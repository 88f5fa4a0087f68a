import { z } from 'zod';
import type { FieldDefinition } from '../fields/model.js';
import { ActionSchema } from '../rules/actions.js';
import { assertFieldsKnown } from '../rules/model.js';
import { parseOrFail } from '../shared/validation.js';
import { RoutingRuleSchema } from './routing.js';

/**
 * A routing rule as the desk stores it: the domain's rule (conditions →
 * department and/or team) plus a few workflow-rule actions applied with the
 * routing, planned by the rules module (`planActions`): set the priority,
 * add tags. Anything else belongs in workflow rules.
 */
export const ROUTING_RULE_ACTION_TYPES = ['set_priority', 'add_tags'] as const;

export const DeskRoutingRuleSchema = RoutingRuleSchema.extend({
  actions: z
    .array(ActionSchema)
    .max(10)
    .default([])
    .refine(
      (actions) => actions.every((a) => (ROUTING_RULE_ACTION_TYPES as readonly string[]).includes(a.type)),
      {
        message: `a routing rule's actions may only be ${ROUTING_RULE_ACTION_TYPES.join(', ')}`,
      },
    ),
});
export type DeskRoutingRule = z.infer<typeof DeskRoutingRuleSchema>;

export function parseDeskRoutingRule(
  input: unknown,
  options: { fields?: readonly FieldDefinition[] } = {},
): DeskRoutingRule {
  const rule = parseOrFail(DeskRoutingRuleSchema, input, 'routing rule');
  if (options.fields) assertFieldsKnown(rule, options.fields, 'routing rule');
  return rule;
}
