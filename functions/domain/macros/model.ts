import { z } from 'zod';
import { ActionSchema } from '../rules/actions.js';
import { assertWebhooksAllowed } from '../rules/model.js';
import { type ActionPlan, type PlanContext, planActions, templateContextFor } from '../rules/plan.js';
import { STRICT_WEBHOOK_POLICY, type WebhookPolicy } from '../rules/webhooks.js';
import { parseOrFail } from '../shared/validation.js';
import type { Ticket } from '../tickets/model.js';
import { renderTemplate, templateSchema } from './templates.js';

/**
 * Macros: a bundle of actions (and optionally a reply) an agent applies by
 * hand to one ticket, or to each ticket of a list (plan each ticket with
 * `planMacro` and save each as its own change). Shared macros are for every
 * agent; personal ones only for their owner.
 */

export const SCOPES = ['shared', 'personal'] as const;
export const ScopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof ScopeSchema>;

const IdSchema = z.string().trim().min(1).max(100);

/** Shared items have no owner; personal items must have one. */
export function refineScope(
  item: { scope: Scope; ownerId?: string | undefined },
  ctx: { addIssue: (issue: { code: 'custom'; path: string[]; message: string }) => void },
): void {
  if (item.scope === 'personal' && item.ownerId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['ownerId'], message: 'a personal item needs its owner (ownerId)' });
  }
  if (item.scope === 'shared' && item.ownerId !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['ownerId'], message: 'a shared item has no owner' });
  }
}

export const MacroSchema = z
  .object({
    id: IdSchema,
    name: z.string().trim().min(1).max(200),
    scope: ScopeSchema,
    ownerId: IdSchema.optional(),
    actions: z.array(ActionSchema).max(30).default([]),
    /** A public reply to send with the macro; the agent can edit it before sending. */
    reply: z.object({ body: templateSchema(20_000, 1) }).optional(),
    active: z.boolean().default(true),
    version: z.number().int().min(1).default(1),
  })
  .superRefine((macro, ctx) => {
    refineScope(macro, ctx);
    if (macro.actions.length === 0 && !macro.reply) {
      ctx.addIssue({
        code: 'custom',
        path: ['actions'],
        message: 'a macro needs at least one action or a reply',
      });
    }
  });
export type Macro = z.infer<typeof MacroSchema>;
export type MacroInput = z.input<typeof MacroSchema>;

/** Validates untrusted input as a macro; webhook URLs must be allowed by `webhooks` (default: strict). */
export function parseMacro(input: unknown, options: { webhooks?: WebhookPolicy } = {}): Macro {
  const macro = parseOrFail(MacroSchema, input, 'macro');
  assertWebhooksAllowed(macro.actions, options.webhooks ?? STRICT_WEBHOOK_POLICY, 'macro');
  return macro;
}

/** Whether an agent may see and apply an item: shared ones always, personal ones when they own it. */
export function canUse(item: { scope: Scope; ownerId?: string | undefined }, agentId: string): boolean {
  return item.scope === 'shared' || item.ownerId === agentId;
}

export interface MacroPlan extends ActionPlan {
  /** The rendered reply, or null when the macro has none. */
  reply: string | null;
}

/**
 * Plans a macro on one ticket: `planActions` of its actions, plus its reply
 * rendered against the ticket as it will be after the actions (with
 * `context.agent` as `{{agent.name}}`). Pure.
 */
export function planMacro(macro: Macro, ticket: Ticket, context: PlanContext = {}): MacroPlan {
  const plan = planActions(ticket, macro.actions, context);
  const reply = macro.reply
    ? renderTemplate(macro.reply.body, templateContextFor(ticket, plan.patch, context))
    : null;
  return { ...plan, reply };
}
