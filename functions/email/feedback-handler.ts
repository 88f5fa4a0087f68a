/**
 * SES feedback (bounces and complaints, delivered through SNS): a permanent
 * bounce or a complaint marks the address as undeliverable, so the desk stops
 * mailing it, and is recorded on the ticket the mail was about (found from
 * our signed Message-ID).
 */
import type { SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { deterministicUlid } from '../adapters/ids.js';
import { appContext } from '../composition/deps.js';
import { awsMailRuntime, type MailRuntime } from '../composition/mail.js';
import { readOurMessageId } from '../domain/email/signing.js';
import type { Deps } from '../domain/ports.js';

const Recipient = z.object({ emailAddress: z.string() });
export const SesFeedbackSchema = z.object({
  notificationType: z.enum(['Bounce', 'Complaint', 'Delivery']),
  bounce: z
    .object({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(Recipient),
    })
    .optional(),
  complaint: z
    .object({ complainedRecipients: z.array(Recipient), complaintFeedbackType: z.string().optional() })
    .optional(),
  mail: z.object({
    timestamp: z.string().optional(),
    commonHeaders: z.object({ messageId: z.string().optional() }).partial().optional(),
    headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  }),
});
export type SesFeedback = z.infer<typeof SesFeedbackSchema>;

/** Applies one SES notification; returns the addresses suppressed. */
export async function applyFeedback(deps: Deps, mail: MailRuntime, feedback: SesFeedback): Promise<string[]> {
  const now = deps.clock.now();
  let reason: string | null = null;
  let addresses: string[] = [];
  if (feedback.notificationType === 'Bounce' && feedback.bounce?.bounceType === 'Permanent') {
    reason = `permanent bounce (${feedback.bounce.bounceSubType ?? 'General'})`;
    addresses = feedback.bounce.bouncedRecipients.map((r) => r.emailAddress.toLowerCase());
  } else if (feedback.notificationType === 'Complaint' && feedback.complaint) {
    reason = `complaint (${feedback.complaint.complaintFeedbackType ?? 'abuse'})`;
    addresses = feedback.complaint.complainedRecipients.map((r) => r.emailAddress.toLowerCase());
  }
  if (!reason) return [];
  for (const address of addresses) await mail.ledger.suppress(address, reason, now);
  const headerId = feedback.mail.headers?.find((h) => h.name.toLowerCase() === 'message-id')?.value;
  const messageId = (feedback.mail.commonHeaders?.messageId ?? headerId ?? '').replace(/^<|>$/g, '');
  const ours = messageId ? readOurMessageId(mail.settings.signingSecret, messageId) : null;
  const ticket = ours ? await deps.tickets.getByNumber(ours.ticketNumber) : null;
  if (ticket) {
    await deps.tickets.appendEntries([
      {
        // One entry per notification even when SNS delivers it twice (same id, same item).
        id: deterministicUlid(
          new Date(feedback.mail.timestamp ?? now.toISOString()),
          `${feedback.notificationType}#${messageId}#${addresses.join(',')}`,
        ),
        ticketId: ticket.id,
        kind: 'system',
        createdAt: now.toISOString(),
        author: { type: 'system', id: 'mail', name: 'Email delivery' },
        body:
          feedback.notificationType === 'Complaint'
            ? `${addresses.join(', ')} marked our mail as spam (${reason}). The desk will not mail ${addresses.length === 1 ? 'this address' : 'these addresses'} again.`
            : `Mail to ${addresses.join(', ')} could not be delivered: ${reason}. The desk will not mail ${addresses.length === 1 ? 'this address' : 'these addresses'} again.`,
        channel: 'email',
        changes: [],
      },
    ]);
  }
  return addresses;
}

export async function handler(event: SNSEvent): Promise<void> {
  const app = appContext();
  const mail = await awsMailRuntime(app);
  if (!mail) throw new Error('the feedback function has no mail configuration');
  for (const record of event.Records) {
    const parsed = SesFeedbackSchema.safeParse(JSON.parse(record.Sns.Message));
    if (!parsed.success) {
      console.warn(JSON.stringify({ level: 'warn', message: 'unrecognised SES notification ignored' }));
      continue;
    }
    await applyFeedback(app.deps, mail, parsed.data);
  }
}
