/**
 * Calling the webhooks of a workflow rule or a macro: each call claimed once
 * (the mail ledger's delivery claim, `DELIVERY#webhook#<seed>#<n>`), signed
 * with the key derived from the desk's mail signing secret, sent by the
 * `WebhookSender` (URL and resolved-address checks, 5 s, no redirects), and
 * described in words for the system entry that names the rule or macro.
 * A call is made at most once: a failure is recorded, not retried.
 */
import type { MailLedger } from '../domain/email/ports.js';
import type { Deps } from '../domain/ports.js';
import type { PlannedWebhook } from '../domain/rules/plan.js';
import {
  type WebhookSender,
  type WebhookSource,
  webhookDeliveryId,
  webhookPayload,
  webhookSignature,
  webhookSigningKey,
} from '../domain/rules/webhooks.js';
import type { Ticket } from '../domain/tickets/model.js';

export interface WebhookCallContext {
  deps: Deps;
  sender?: WebhookSender | null;
  /** The mail channel's delivery claims and signing secret; without it no webhook is called. */
  mail?: { ledger: MailLedger; settings: { signingSecret: string } } | null;
  log?: (event: Record<string, unknown>) => void;
}

export interface WebhookCalls {
  /** The rule's trigger (`ticket_created`...) or `macro_applied`. */
  event: string;
  source: WebhookSource;
  webhooks: readonly PlannedWebhook[];
  /** Unique per rule (or macro) and stream record: `<rule>#<eventId>`, `<rule>#time#<ticket>`, `macro#<entry>`. */
  seed: string;
  customerEmail: string | null;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
};

/** Calls `calls.webhooks` about `ticket` (as it is after the change); returns what happened, in words. */
export async function callWebhooks(
  context: WebhookCallContext,
  ticket: Ticket,
  calls: WebhookCalls,
): Promise<string[]> {
  if (calls.webhooks.length === 0) return [];
  const { sender, mail } = context;
  if (!sender || !mail) {
    return [`did not call ${calls.webhooks.length} webhook(s): webhooks are not configured here`];
  }
  const key = webhookSigningKey(mail.settings.signingSecret);
  const said: string[] = [];
  for (const [index, webhook] of calls.webhooks.entries()) {
    const host = hostOf(webhook.url);
    const claim = `webhook#${calls.seed}#${index}`;
    const now = context.deps.clock.now();
    if (!(await mail.ledger.claimDelivery(claim, now))) {
      said.push(`did not call webhook ${host} again (already called for this event)`);
      continue;
    }
    const deliveryId = webhookDeliveryId(claim);
    const body =
      webhook.body ??
      webhookPayload({
        deliveryId,
        event: calls.event,
        source: calls.source,
        ticket,
        customerEmail: calls.customerEmail,
        at: now,
      });
    const result = await sender.post({
      url: webhook.url,
      body,
      headers: {
        'x-helpdesk-signature': webhookSignature(key, body),
        'x-helpdesk-delivery': deliveryId,
        'x-helpdesk-event': calls.event,
      },
    });
    context.log?.({
      message: 'webhook called',
      ticketId: ticket.id,
      source: `${calls.source.kind}:${calls.source.id}`,
      host,
      deliveryId,
      status: result.status,
      error: result.error,
    });
    said.push(
      result.status !== null
        ? `called webhook ${host}: HTTP ${result.status}`
        : `could not call webhook ${host}: ${result.error}`,
    );
  }
  return said;
}
