/**
 * Outbound email: everything the desk mails, decided from the table's
 * stream (functions/events/stream-handler.ts), so nothing saved goes unsent
 * and nothing is sent for a change that was not saved.
 *
 * - a new ticket with the customer's email → the department's
 *   acknowledgement (unless switched off, spam, or automatic mail: no mail
 *   is ever answered automatically when it was itself automatic);
 * - an agent's reply → the reply, to the customer and the copied people;
 * - a ticket assigned → a notification to the agent;
 * - a ticket solved → a notification to the customer.
 *
 * Each mail is claimed once (MailLedger) before it is sent, composed as MIME
 * with our signed Message-ID, the thread's In-Reply-To/References, the
 * ticket tag in the subject and the ticket's signed reply address, and
 * recorded on the timeline (the reply entry gets its mail facts; automatic
 * mail becomes a `notification` entry).
 */
import { deterministicUlid } from '../adapters/ids.js';
import { composeEmail, type OutboundEmail } from '../adapters/mail/compose.js';
import type { AutoAcknowledgement } from '../domain/agents/model.js';
import type { BlobStore, Mailer, MailLedger, MailSettings } from '../domain/email/ports.js';
import { ourMessageId, replyAddressFor } from '../domain/email/signing.js';
import { replySubject } from '../domain/email/subject.js';
import { renderTemplate, type TemplateContext } from '../domain/macros/templates.js';
import type { Deps } from '../domain/ports.js';
import type { EmailMeta, Ticket, TimelineEntry } from '../domain/tickets/model.js';

export interface OutboundContext {
  deps: Deps;
  mailer: Mailer;
  ledger: MailLedger;
  blobs: BlobStore;
  settings: MailSettings;
  log?: (event: Record<string, unknown>) => void;
}

/** What happened in the table, as the stream tells it (already unmarshalled). */
export type MailTrigger =
  | { type: 'ticket-created'; ticket: Ticket }
  | { type: 'ticket-changed'; before: Ticket; after: Ticket }
  | { type: 'entry-added'; entry: TimelineEntry };

export const DEFAULT_ACKNOWLEDGEMENT: AutoAcknowledgement = {
  enabled: true,
  subject: 'We received your request: {{ticket.subject}}',
  body: [
    'Hi {{customer.name}},',
    '',
    'Thank you for contacting {{desk.name}}. Your request has been received and is ticket #{{ticket.number}}.',
    'We will get back to you as soon as we can. To add anything, simply reply to this email.',
    '',
    '{{desk.name}}',
  ].join('\n'),
};

/** Agents may answer a notification by mail: it becomes an internal note (see receive.ts). */
export const AGENT_REPLY_HINT = 'Reply to this email to add an internal note to the ticket.';

/** Tags the inbound pipeline sets on mail that must never be answered automatically. */
const NO_AUTO_REPLY_TAGS = ['spam', 'auto-reply', 'bulk', 'list', 'bounce'];

export async function reactToMailTrigger(context: OutboundContext, trigger: MailTrigger): Promise<void> {
  switch (trigger.type) {
    case 'ticket-created':
      return acknowledge(context, trigger.ticket);
    case 'entry-added':
      if (trigger.entry.kind === 'reply') return sendReply(context, trigger.entry);
      return;
    case 'ticket-changed': {
      const { before, after } = trigger;
      if (after.assigneeId && after.assigneeId !== before.assigneeId) await notifyAssignee(context, after);
      if (after.status === 'solved' && before.status !== 'solved') await notifySolved(context, after);
      return;
    }
  }
}

async function acknowledge(context: OutboundContext, ticket: Ticket): Promise<void> {
  const to = ticket.requester.email;
  if (!to || ticket.tags.some((tag) => NO_AUTO_REPLY_TAGS.includes(tag))) return;
  if (ticket.channel !== 'email' && ticket.channel !== 'web') return;
  const department = ticket.departmentId
    ? await context.deps.directory.getDepartment(ticket.departmentId)
    : null;
  const template = department?.autoAcknowledgement ?? DEFAULT_ACKNOWLEDGEMENT;
  if (!template.enabled) return;
  const values = templateContext(context, ticket, null);
  await sendNotification(context, ticket, {
    deliveryKey: `ack#${ticket.id}`,
    to,
    subject: `[#${ticket.number}] ${renderTemplate(template.subject, values)}`,
    text: renderTemplate(template.body, values),
    automatic: 'replied',
    audience: 'customer',
    // Counted only once the mail is claimed, so a redelivered trigger does not use up the cap.
    mayAutoReply: async () => {
      const allowed = await context.deps.rateLimiter.hit(
        `autoreply#${to}`,
        context.settings.autoRepliesPerSenderPerHour,
        3600,
      );
      if (!allowed.allowed) {
        context.log?.({
          message: 'auto-acknowledgement skipped: hourly cap for this address',
          ticketId: ticket.id,
        });
      }
      return allowed.allowed;
    },
  });
}

async function notifySolved(context: OutboundContext, ticket: Ticket): Promise<void> {
  const to = ticket.requester.email;
  if (!to || ticket.tags.includes('spam')) return;
  const values = templateContext(context, ticket, null);
  await sendNotification(context, ticket, {
    deliveryKey: `solved#${ticket.id}#${ticket.version}`,
    to,
    subject: replySubject(ticket.subject, ticket.number),
    text: renderTemplate(
      [
        'Hi {{customer.name}},',
        '',
        'Your request #{{ticket.number}} ("{{ticket.subject}}") has been marked as solved.',
        'If anything is still wrong, just reply to this email and the ticket opens again.',
        '',
        '{{desk.name}}',
      ].join('\n'),
      values,
    ),
    automatic: 'replied',
    audience: 'customer',
  });
}

async function notifyAssignee(context: OutboundContext, ticket: Ticket): Promise<void> {
  const agent = ticket.assigneeId ? await context.deps.directory.getAgent(ticket.assigneeId) : null;
  if (!agent?.active) return;
  await sendNotification(context, ticket, {
    deliveryKey: `assign#${ticket.id}#${ticket.version}`,
    to: agent.email,
    subject: `[#${ticket.number}] Assigned to you: ${ticket.subject}`,
    text: [
      `Hi ${agent.name},`,
      '',
      `Ticket #${ticket.number} "${ticket.subject}" from ${ticket.requester.name ?? ticket.requester.email ?? 'a customer'} is now assigned to you.`,
      `Priority: ${ticket.priority}. Status: ${ticket.status}.`,
      '',
      AGENT_REPLY_HINT,
    ].join('\n'),
    automatic: 'generated',
    audience: 'agent',
  });
}

/** The ticket number our signed Message-ID carries (`t<number>.<entry>.<sig>@domain`). */
function ticketNumberOf(message: OutboundEmail): number {
  return Number(/^t(\d+)\./.exec(message.messageId)?.[1] ?? 0);
}

function templateContext(
  context: OutboundContext,
  ticket: Ticket,
  agentName: string | null,
): TemplateContext {
  return {
    customer: { name: ticket.requester.name, email: ticket.requester.email },
    ticket: { number: ticket.number, subject: ticket.subject, status: ticket.status },
    agent: { name: agentName },
    desk: { name: context.settings.deskName },
  };
}

function supportAddressFor(context: OutboundContext, ticket: Ticket): string {
  const configured = context.settings.supportAddresses;
  const chosen = ticket.supportAddress ?? configured[0]?.address;
  if (!chosen) throw new Error('no support address is configured');
  return chosen;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

const MAX_THREAD_PAGES = 20;

/** The thread's mail ids: the customer's latest message to answer, and the chain to reference. */
async function threadHeaders(
  context: OutboundContext,
  ticketId: string,
): Promise<{ inReplyTo?: string; references: string[] }> {
  // The timeline reads oldest first: page through it, so the latest message is found on long tickets too.
  const ids: string[] = [];
  let latest: string | undefined;
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_THREAD_PAGES; pages++) {
    const page = await context.deps.tickets.timeline(ticketId, { limit: 100, cursor, includeNotes: false });
    for (const entry of page.items) {
      const id = entry.email?.messageId;
      if (!id) continue;
      ids.push(id);
      if (entry.email?.direction === 'in') latest = id;
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const references = ids.length > 10 ? [ids[0] as string, ...ids.slice(-9)] : ids;
  return { ...(latest ? { inReplyTo: latest } : {}), references };
}

export interface Notification {
  deliveryKey: string;
  to: string;
  subject: string;
  text: string;
  automatic: 'replied' | 'generated';
  audience: 'customer' | 'agent';
  /** Asked after the claim; false skips the mail for good (the claim stays). */
  mayAutoReply?: () => Promise<boolean>;
}

/** Sends one automatic mail about a ticket (once per delivery key) and records it on the timeline. */
export async function sendNotification(
  context: OutboundContext,
  ticket: Ticket,
  note: Notification,
): Promise<void> {
  const now = context.deps.clock.now();
  if (!(await context.ledger.claimDelivery(note.deliveryKey, now))) return;
  if (note.mayAutoReply && !(await note.mayAutoReply())) return;
  const entryId = deterministicUlid(now, note.deliveryKey);
  const support = supportAddressFor(context, ticket);
  const messageId = ourMessageId(context.settings.signingSecret, ticket.number, entryId, domainOf(support));
  const thread = note.audience === 'customer' ? await threadHeaders(context, ticket.id) : { references: [] };
  const message: OutboundEmail = {
    from: { address: support, name: context.settings.deskName },
    to: [{ address: note.to, name: null }],
    replyTo: {
      address: replyAddressFor(context.settings.signingSecret, support, ticket.number),
      name: context.settings.deskName,
    },
    subject: note.subject,
    text: note.text,
    messageId,
    ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo } : {}),
    references: thread.references,
    automatic: note.automatic,
    date: now,
  };
  const meta = await deliver(context, note.deliveryKey, message);
  const entry: TimelineEntry = {
    id: entryId,
    ticketId: ticket.id,
    kind: 'notification',
    createdAt: now.toISOString(),
    author: { type: 'system', id: 'mail', name: context.settings.deskName },
    body: note.text,
    channel: 'email',
    changes: [],
    email: meta,
  };
  await context.deps.tickets.appendEntries([entry]);
}

async function sendReply(context: OutboundContext, reply: TimelineEntry): Promise<void> {
  if (reply.email?.sentAt) return;
  const ticket = await context.deps.tickets.get(reply.ticketId);
  const to = ticket?.requester.email;
  if (!ticket || !to) return;
  const deliveryKey = `reply#${reply.id}`;
  const now = context.deps.clock.now();
  if (!(await context.ledger.claimDelivery(deliveryKey, now))) return;
  const support = supportAddressFor(context, ticket);
  const agent = reply.author.type === 'agent' ? reply.author.name : null;
  const thread = await threadHeaders(context, ticket.id);
  const message: OutboundEmail = {
    from: {
      address: support,
      name: agent ? `${agent} (${context.settings.deskName})` : context.settings.deskName,
    },
    to: [{ address: to, name: ticket.requester.name }],
    cc: ticket.ccs.map((address) => ({ address, name: null })),
    replyTo: {
      address: replyAddressFor(context.settings.signingSecret, support, ticket.number),
      name: context.settings.deskName,
    },
    subject: replySubject(ticket.subject, ticket.number),
    text: reply.body ?? '',
    messageId: ourMessageId(context.settings.signingSecret, ticket.number, reply.id, domainOf(support)),
    ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo } : {}),
    references: thread.references,
    automatic: false,
    date: now,
  };
  const meta = await deliver(context, deliveryKey, message);
  await context.deps.tickets.updateEntryEmail(ticket.id, reply.id, meta);
}

/**
 * Composes and sends one mail; suppressed addresses (bounced, complained) are
 * skipped and the reason recorded. A failed send gives the claim back and
 * throws, so the stream retries it.
 */
async function deliver(
  context: OutboundContext,
  deliveryKey: string,
  message: OutboundEmail,
): Promise<EmailMeta> {
  const recipients = [...message.to, ...(message.cc ?? [])].map((a) => a.address);
  const meta: EmailMeta = {
    direction: 'out',
    messageId: message.messageId,
    from: message.from.address,
    to: message.to.map((a) => a.address),
    cc: (message.cc ?? []).map((a) => a.address),
    subject: message.subject,
    threadedBy: null,
    automation: message.automatic ? `auto-${message.automatic}` : null,
    rawKey: null,
    quoteStripped: false,
    blockedRemoteImages: 0,
    dropped: [],
    verdicts: {},
    sentAt: null,
    failure: null,
  };
  const deliverable: string[] = [];
  for (const address of recipients) {
    const suppressed = await context.ledger.isSuppressed(address);
    if (suppressed)
      meta.failure = `${address} is not mailed any more (${suppressed.reason} on ${suppressed.at})`;
    else deliverable.push(address);
  }
  if (!deliverable.includes(message.to[0]?.address ?? '')) return meta;
  try {
    const raw = await composeEmail(message);
    const rawKey = `outbound/${message.messageId}.eml`;
    await context.blobs.put(rawKey, raw, 'message/rfc822');
    const { providerMessageId } = await context.mailer.send({
      raw,
      from: message.from.address,
      to: deliverable,
    });
    if (providerMessageId)
      await context.ledger.recordSent(providerMessageId, ticketNumberOf(message), context.deps.clock.now());
    return { ...meta, rawKey, sentAt: context.deps.clock.now().toISOString() };
  } catch (error) {
    await context.ledger.releaseDelivery(deliveryKey).catch(() => undefined);
    throw error;
  }
}
