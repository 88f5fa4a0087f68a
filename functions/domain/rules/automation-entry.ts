import { z } from 'zod';

/**
 * Side effects planned by `planActions` that a caller may leave to the events
 * handler instead of performing them itself: a macro applied through the API
 * writes them on a `system` entry of its change (`TimelineEntry.automation`),
 * and the handler sends the notifications and calls the webhooks from the
 * stream, once each (see rules/deferred.ts).
 */

/** Who a notification goes to, resolved against the ticket after the patch. */
export const RecipientSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent'), agentId: z.string() }),
  /** The assignee the pending `round_robin` assignment will pick. */
  z.object({ kind: z.literal('pending_assignee') }),
  z.object({ kind: z.literal('team'), teamId: z.string() }),
  /** The supervisors of the ticket's department (or of the desk when it has none). */
  z.object({ kind: z.literal('supervisors'), departmentId: z.string().nullable() }),
  z.object({ kind: z.literal('customer'), customerId: z.string(), email: z.string().nullable() }),
]);
export type Recipient = z.infer<typeof RecipientSchema>;

export const PlannedNotificationSchema = z.object({
  to: RecipientSchema,
  subject: z.string(),
  body: z.string(),
});
export type PlannedNotification = z.infer<typeof PlannedNotificationSchema>;

export const PlannedWebhookSchema = z.object({
  url: z.string(),
  method: z.literal('POST'),
  contentType: z.literal('application/json'),
  /** The action's rendered body template; null: the standard payload (`webhookPayload`), built at call time. */
  body: z.string().nullable(),
});
export type PlannedWebhook = z.infer<typeof PlannedWebhookSchema>;

/** What a macro left for the events handler to do (on the `system` entry of its change). */
export const DeferredActionsSchema = z.object({
  source: z.object({ kind: z.literal('macro'), id: z.string(), name: z.string() }),
  notifications: z.array(PlannedNotificationSchema),
  webhooks: z.array(PlannedWebhookSchema),
});
export type DeferredActions = z.infer<typeof DeferredActionsSchema>;
