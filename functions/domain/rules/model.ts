import { z } from 'zod';
import type { FieldDefinition } from '../fields/model.js';
import { ValidationFailed } from '../shared/errors.js';
import { parseOrFail } from '../shared/validation.js';
import { type Action, ActionSchema } from './actions.js';
import { ConditionGroupSchema, conditionGroupProblems, isEmptyGroup } from './conditions.js';
import { STRICT_WEBHOOK_POLICY, type WebhookPolicy, webhookUrlProblems } from './webhooks.js';

/**
 * Workflow rules: "when <trigger>, if a ticket meets these conditions, do
 * these actions". Evaluation and loop safety are in engine.ts.
 *
 * Triggers (each event has exactly one):
 * - ticket_created: a new ticket (any channel);
 * - ticket_updated: a change of the ticket's properties (status, priority,
 *   assignee, tags, fields...), including a change made by rules;
 * - customer_replied / agent_replied: a new message on an existing ticket;
 * - time_based: never from an event; a periodic check evaluates these rules
 *   against open tickets, each rule at most once per ticket.
 */

export const RULE_TRIGGERS = [
  'ticket_created',
  'ticket_updated',
  'customer_replied',
  'agent_replied',
  'time_based',
] as const;
export const RuleTriggerSchema = z.enum(RULE_TRIGGERS);
export type RuleTrigger = z.infer<typeof RuleTriggerSchema>;

export const RuleSchema = z
  .object({
    id: z.string().trim().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    active: z.boolean(),
    /** Evaluation order: lower first; ties by id. */
    position: z.number().int().min(0),
    trigger: RuleTriggerSchema,
    conditions: ConditionGroupSchema.default({ all: [], any: [] }),
    actions: z.array(ActionSchema).min(1, 'a rule needs at least one action').max(30),
    version: z.number().int().min(1),
  })
  .superRefine((rule, ctx) => {
    if (rule.trigger === 'time_based' && isEmptyGroup(rule.conditions)) {
      ctx.addIssue({
        code: 'custom',
        path: ['conditions'],
        message: 'a time-based rule needs at least one condition, or it would act on every open ticket',
      });
    }
  });
export type Rule = z.infer<typeof RuleSchema>;
export type RuleInput = z.input<typeof RuleSchema>;

/**
 * Validates untrusted input as a workflow rule; throws ValidationFailed. With
 * `fields`, conditions on custom fields (`cf.<id>`) are checked against their
 * definitions (operator fits the type, picklist values exist) and `set_field`
 * actions must name an existing field. Webhook URLs must be allowed by
 * `webhooks` (default: https to public hosts only).
 */
export function parseRule(
  input: unknown,
  options: { fields?: readonly FieldDefinition[]; webhooks?: WebhookPolicy } = {},
): Rule {
  const rule = parseOrFail(RuleSchema, input, 'rule');
  assertWebhooksAllowed(rule.actions, options.webhooks ?? STRICT_WEBHOOK_POLICY, 'rule');
  if (options.fields) assertFieldsKnown(rule, options.fields, 'rule');
  return rule;
}

/**
 * Throws ValidationFailed (details `[{ path: ['actions', i, 'url'], message }]`)
 * when a webhook action's URL may not be called under `policy`.
 */
export function assertWebhooksAllowed(actions: readonly Action[], policy: WebhookPolicy, what: string): void {
  const issues = actions.flatMap((action, i) =>
    action.type === 'webhook'
      ? webhookUrlProblems(action.url, policy).map((message) => ({ path: ['actions', i, 'url'], message }))
      : [],
  );
  const [first] = issues;
  if (first) {
    throw new ValidationFailed(`Invalid ${what}: ${first.path.join('.')}: ${first.message}`, issues);
  }
}

/** Throws ValidationFailed when conditions or set_field actions do not fit the custom field definitions. */
export function assertFieldsKnown(
  subject: { conditions: z.infer<typeof ConditionGroupSchema>; actions?: readonly Action[] },
  fields: readonly FieldDefinition[],
  what: string,
): void {
  const problems = conditionGroupProblems(subject.conditions, fields).map(
    (p) => `conditions.${p.path}: ${p.message}`,
  );
  (subject.actions ?? []).forEach((action, i) => {
    if (action.type !== 'set_field') return;
    const { fieldId } = action;
    if (!fields.some((f) => f.id === fieldId))
      problems.push(`actions.${i}: there is no custom field "${fieldId}"`);
  });
  if (problems.length > 0)
    throw new ValidationFailed(`Invalid ${what}: ${problems.join('; ')}`, { problems });
}

/** Rules in evaluation order: by position, then id. Does not mutate its input. */
export function sortRules<R extends { position: number; id: string }>(rules: readonly R[]): R[] {
  return [...rules].sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
