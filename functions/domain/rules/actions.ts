import { z } from 'zod';
import { FieldIdSchema } from '../fields/model.js';
import { templateSchema } from '../macros/templates.js';
import type { EscalationAction } from '../sla/policy.js';
import { CustomFieldValueSchema, PrioritySchema, TagSchema, TicketStatusSchema } from '../tickets/model.js';

/**
 * Actions: what workflow rules, macros and SLA escalations do to a ticket.
 * One discriminated union (on `type`) for all three; `planActions` (plan.ts)
 * turns a list of them into one ticket patch plus the notes, notifications
 * and webhook calls to make. Text fields are templates (`renderTemplate`).
 */

const IdSchema = z.string().trim().min(1).max(100);

/** `round_robin`: let the team's assignment strategy pick (see routing/assignment.ts). */
export const ROUND_ROBIN = 'round_robin' as const;

export const NotifyTargetSchema = z.union([
  z.enum(['assignee', 'team', 'supervisor', 'customer']),
  z.object({ agentId: IdSchema }).strict(),
  z.object({ teamId: IdSchema }).strict(),
]);
export type NotifyTarget = z.infer<typeof NotifyTargetSchema>;

export const NotificationTemplateSchema = z.object({
  subject: templateSchema(300, 1),
  body: templateSchema(10_000, 1),
});

/**
 * Webhook URL, by its form: an http(s) URL without credentials. Whether it
 * may be called (https only, no internal host: `webhookUrlProblems`) depends
 * on where the desk runs, so `parseRule` / `parseMacro` check it when a rule
 * or macro is saved (strict unless told otherwise), and the HTTP adapter
 * checks it again, with the resolved address, before each call (SSRF).
 */
export const WebhookUrlSchema = z
  .string()
  .max(2000)
  .superRefine((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a valid URL' });
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: 'webhooks must use https' });
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'put credentials in a header secret, not in the URL' });
    }
  });

export const ActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('set_priority'), priority: PrioritySchema }),
  z.object({ type: z.literal('set_status'), status: TicketStatusSchema }),
  /** null: back to the triage queue. */
  z.object({ type: z.literal('set_department'), departmentId: IdSchema.nullable() }),
  z.object({ type: z.literal('set_team'), teamId: IdSchema.nullable() }),
  /** An agent id, `round_robin` (the team's strategy picks) or null (unassign). */
  z.object({ type: z.literal('set_assignee'), assigneeId: IdSchema.nullable() }),
  /** null clears the field. */
  z.object({ type: z.literal('set_field'), fieldId: FieldIdSchema, value: CustomFieldValueSchema }),
  z.object({ type: z.literal('add_tags'), tags: z.array(TagSchema).min(1).max(30) }),
  z.object({ type: z.literal('remove_tags'), tags: z.array(TagSchema).min(1).max(30) }),
  /** An internal note (agents only). */
  z.object({ type: z.literal('add_note'), body: templateSchema(5000, 1) }),
  z.object({ type: z.literal('notify'), to: NotifyTargetSchema, template: NotificationTemplateSchema }),
  z.object({
    type: z.literal('webhook'),
    url: WebhookUrlSchema,
    method: z.literal('POST').default('POST'),
    /** Rendered with JSON-escaped values; without it the body is a JSON summary of the ticket. */
    bodyTemplate: templateSchema(10_000).optional(),
  }),
]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionInput = z.input<typeof ActionSchema>;
export type ActionType = Action['type'];

/** Actions that change the ticket itself (as opposed to notes, notifications and webhooks). */
export const PATCH_ACTION_TYPES: readonly ActionType[] = [
  'set_priority',
  'set_status',
  'set_department',
  'set_team',
  'set_assignee',
  'set_field',
  'add_tags',
  'remove_tags',
];

/**
 * The subset of actions an SLA escalation level may use: change priority,
 * move to a team, add a note, notify someone on the desk (never the
 * customer: an escalation is internal).
 */
export const SlaEscalationActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('set_priority'), priority: PrioritySchema }),
  z.object({ type: z.literal('set_team'), teamId: IdSchema }),
  z.object({ type: z.literal('add_note'), body: templateSchema(5000, 1) }),
  z.object({
    type: z.literal('notify'),
    to: z.union([
      z.enum(['assignee', 'team', 'supervisor']),
      z.object({ agentId: IdSchema }).strict(),
      z.object({ teamId: IdSchema }).strict(),
    ]),
    template: NotificationTemplateSchema,
  }),
]);
export type SlaEscalationAction = z.infer<typeof SlaEscalationActionSchema>;

/** The notification an SLA escalation sends when the level gives no template of its own. */
export const DEFAULT_ESCALATION_TEMPLATE = {
  subject: 'SLA escalation: ticket #{{ticket.number}}',
  body: 'Ticket #{{ticket.number}} "{{ticket.subject}}" ({{ticket.status}}) has reached an SLA escalation level.',
} as const;

/**
 * Maps an escalation action of today's SLA policies (sla/policy.ts) onto the
 * shared action union, so escalations are planned by `planActions` like rule
 * actions: notify_assignee / notify_supervisor / notify_team → notify (with
 * `DEFAULT_ESCALATION_TEMPLATE`), set_team, set_priority and add_note as they are.
 */
export function escalationToAction(
  action: EscalationAction,
  template: { subject: string; body: string } = DEFAULT_ESCALATION_TEMPLATE,
): SlaEscalationAction {
  switch (action.type) {
    case 'notify_assignee':
      return { type: 'notify', to: 'assignee', template: { ...template } };
    case 'notify_supervisor':
      return { type: 'notify', to: 'supervisor', template: { ...template } };
    case 'notify_team':
      return {
        type: 'notify',
        to: action.teamId === undefined ? 'team' : { teamId: action.teamId },
        template: { ...template },
      };
    case 'set_team':
      return { type: 'set_team', teamId: action.teamId };
    case 'set_priority':
      return { type: 'set_priority', priority: action.priority };
    case 'add_note':
      return { type: 'add_note', body: action.body };
  }
}
