/**
 * The inbound email pipeline: one raw message in, at most one timeline entry
 * out. Used by the SES handler on AWS (functions/email/inbound-handler.ts) and
 * by the local SMTP receiver (local/smtp.ts), with the same code.
 *
 * 1. drop what must not become a ticket: virus verdicts, our own mail coming
 *    back, bounces that concern no ticket (logged, never answered);
 * 2. parse (any charset / encoding; never throws) and classify automation
 *    (auto-replies, lists, bulk, bounces: recorded, never auto-answered);
 * 3. thread: gather candidate tickets from the reply address, Message-IDs,
 *    Thread-Index and subject tag, and let `chooseThread` decide who may
 *    write where; closed tickets get a linked follow-up ticket;
 * 4. store attachments (size-limited), sanitise HTML, strip quoted history;
 * 5. write the ticket or the new entry in one transaction with the message's
 *    claim, so the same mail delivered twice is recorded once.
 */
import { createHash } from 'node:crypto';
import { deterministicUlid } from '../adapters/ids.js';
import { type InboundAttachment, type InboundEmail, parseEmail } from '../adapters/mail/parse.js';
import { sanitizeEmailHtml } from '../adapters/mail/sanitize.js';
import { type AutomationKind, classifyAutomation } from '../domain/email/automation.js';
import type { BlobStore, MailLedger, MailSettings, SupportAddress } from '../domain/email/ports.js';
import { stripQuotedText } from '../domain/email/quotes.js';
import { readOurMessageId, readReplyAddress, threadIndexRoot } from '../domain/email/signing.js';
import { findTicketTags, normaliseSubject } from '../domain/email/subject.js';
import {
  chooseThread,
  mergeParticipants,
  placementFor,
  type RefusedMatch,
  type ThreadCandidate,
} from '../domain/email/threading.js';
import { type Deps, DuplicateMessage, type InboundClaim } from '../domain/ports.js';
import {
  type Attachment,
  type EmailMeta,
  recordCustomerMessage,
  recordNote,
  type Ticket,
  type TimelineEntry,
} from '../domain/tickets/model.js';
import { appendInboundMessage, createTicket, findCustomerByEmail } from '../domain/tickets/use-cases.js';

export interface InboundDelivery {
  raw: Uint8Array;
  /** Where the raw message is stored: the entry links to it as "the original". */
  storageKey: string;
  receivedAt: Date;
  /** Envelope recipients (SES receipt recipients, SMTP RCPT TO). */
  recipients: string[];
  /** Envelope sender (MAIL FROM); empty for bounces. */
  envelopeFrom: string | null;
  /** SES verdicts: spam, virus, spf, dkim, dmarc → PASS | FAIL | GRAY | PROCESSING_FAILED | DISABLED. */
  verdicts: Record<string, string>;
}

export interface EmailContext {
  deps: Deps;
  blobs: BlobStore;
  settings: MailSettings;
  /** Knows the mail service's ids of the messages we sent (SES rewrites our Message-IDs). */
  ledger?: Pick<MailLedger, 'findSent'>;
  log?: (event: Record<string, unknown>) => void;
}

export type ReceiveOutcome =
  | {
      outcome: 'created' | 'appended' | 'follow-up' | 'recorded';
      ticketId: string;
      ticketNumber: number;
      entryId: string;
      threadedBy: string;
    }
  | { outcome: 'duplicate'; ticketId: string; entryId: string }
  | { outcome: 'dropped'; reason: string };

/** Timeline bodies are capped so an entry stays well inside DynamoDB's 400 KB item limit. */
export const MAX_BODY_CHARS = 100_000;
export const MAX_HTML_CHARS = 150_000;
const MAX_REFERENCES_LOOKED_UP = 10;
const NO_TEXT = '(This message has no text. The original message is attached.)';

export async function receiveEmail(
  context: EmailContext,
  delivery: InboundDelivery,
): Promise<ReceiveOutcome> {
  const { deps } = context;
  const settings = await withDepartmentAddresses(deps, context.settings);
  const log = context.log ?? (() => undefined);
  if (verdictFailed(delivery.verdicts.virus)) {
    log({ message: 'inbound mail dropped: virus verdict', key: delivery.storageKey });
    return { outcome: 'dropped', reason: 'virus' };
  }
  const mail = await parseEmail(delivery.raw);
  const messageKey = mail.messageId
    ? `mid:${mail.messageId.toLowerCase()}`
    : `sha256:${createHash('sha256').update(delivery.raw).digest('hex')}`;
  const seen = await deps.tickets.findMessage(messageKey);
  if (seen) return { outcome: 'duplicate', ...seen };

  const senderAddress = (mail.from?.address ?? cleanAddress(delivery.envelopeFrom)) || null;
  const isOurs = (address: string) => supportAddressOf(settings, address) !== null;
  if (senderAddress && isOurs(senderAddress)) {
    log({ message: 'inbound mail dropped: sent by one of our own addresses', key: delivery.storageKey });
    return { outcome: 'dropped', reason: 'own-address' };
  }
  if (mail.messageId && (await sentByUs(context, mail.messageId)) !== null) {
    log({ message: 'inbound mail dropped: our own message came back', key: delivery.storageKey });
    return { outcome: 'dropped', reason: 'own-message' };
  }
  const automation = classifyAutomation({
    headers: mail.headers,
    fromAddress: senderAddress,
    isDeliveryReport: mail.isDeliveryReport,
  });
  const spam = verdictFailed(delivery.verdicts.spam) || verdictFailed(delivery.verdicts.dmarc);

  const support = pickSupportAddress(settings, delivery.recipients, mail);
  if (!support) {
    // The receipt rule covers whole domains; mail to other addresses there is not the desk's.
    log({ message: 'inbound mail dropped: not addressed to a support address', key: delivery.storageKey });
    return { outcome: 'dropped', reason: 'not-for-desk' };
  }
  const senderCustomer = senderAddress ? await findCustomerByEmail(deps, senderAddress) : null;
  const sender = { address: senderAddress, customerId: senderCustomer?.id ?? null };
  // Spam never writes into an existing conversation: it opens its own ticket in the spam view.
  const candidates = spam ? [] : await threadCandidates(context, mail, delivery.recipients, automation.kind);
  const decision = chooseThread(candidates, sender);
  const threadedBy = describeDecision(decision.rule, decision.refused);

  if (automation.kind === 'bounce') {
    if (!decision.ticket) {
      log({ message: 'bounce for no known ticket dropped', key: delivery.storageKey, from: senderAddress });
      return { outcome: 'dropped', reason: 'bounce-unmatched' };
    }
  }
  if (!senderAddress) {
    log({ message: 'inbound mail dropped: no sender address', key: delivery.storageKey });
    return { outcome: 'dropped', reason: 'no-sender' };
  }

  const entryId = deterministicUlid(delivery.receivedAt, messageKey);
  const claim: InboundClaim = { messageKey, entryId, threadRoot: threadIndexRoot(mail.threadIndex) };
  const { attachments, dropped } = await storeAttachments(context, entryId, mail.attachments);
  const cidUrls = new Map(
    attachments
      .filter((a) => a.inline && a.contentId)
      .map((a) => [(a.contentId ?? '').toLowerCase(), `/attachments/${a.attachment.id}`]),
  );
  const recipientsSeen = [...mail.to, ...mail.cc].map((a) => a.address);
  const meta = (threaded: string, quoteStripped: boolean, blockedRemoteImages: number): EmailMeta => ({
    direction: 'in',
    messageId: mail.messageId,
    from: senderAddress,
    to: mail.to.map((a) => a.address),
    cc: mail.cc.map((a) => a.address),
    subject: mail.subject,
    threadedBy: threaded,
    automation: automation.kind,
    rawKey: delivery.storageKey,
    quoteStripped,
    blockedRemoteImages,
    dropped,
    verdicts: delivery.verdicts,
    sentAt: null,
    failure: mail.parseProblem ? `parsed partially: ${mail.parseProblem}` : null,
  });
  const html = (keep: boolean) => {
    if (!keep || !mail.html) return { html: null, blocked: 0 };
    const clean = sanitizeEmailHtml(mail.html, {
      resolveCid: (cid) => cidUrls.get(cid.toLowerCase()) ?? null,
    });
    return clean.html.length > MAX_HTML_CHARS
      ? { html: null, blocked: clean.blockedRemoteImages }
      : { html: clean.html, blocked: clean.blockedRemoteImages };
  };
  const files = attachments.map((a) => a.attachment);

  try {
    if (decision.ticket && placementFor(decision.ticket) === 'append') {
      const target = decision.ticket;
      const stripped = stripQuotedText(mail.text);
      const quoteStripped = stripped.quoted !== null;
      const body = capText(stripped.visible) || NO_TEXT;
      const rendered = html(!quoteStripped);
      // An agent answering one of our notifications by mail adds an internal note, never a customer message.
      const agent = automation.kind === 'human' ? await deps.directory.findAgentByEmail(senderAddress) : null;
      const kind: TimelineEntry['kind'] =
        automation.kind === 'bounce' ? 'system' : agent?.active ? 'note' : 'customer';
      const { ticket } = await appendInboundMessage(deps, target.id, claim, (current, now) => {
        // Automatic mail (an out-of-office from a no-reply address...) never changes who the desk mails.
        const ccs =
          automation.kind === 'human'
            ? mergeParticipants(
                current.ccs,
                [...(senderAddress !== current.requester.email ? [senderAddress] : []), ...recipientsSeen],
                (address) => isOurs(address) || address === current.requester.email,
              )
            : current.ccs;
        const entry: TimelineEntry = {
          id: entryId,
          ticketId: current.id,
          kind,
          createdAt: now.toISOString(),
          author:
            kind === 'note' && agent
              ? { type: 'agent', id: agent.id, name: agent.name }
              : {
                  type: kind === 'system' ? 'system' : 'customer',
                  id: kind === 'system' ? 'mail' : (sender.customerId ?? `email:${senderAddress}`),
                  name: mail.from?.name ?? null,
                },
          body: kind === 'system' ? `Delivery problem reported by ${senderAddress}:\n\n${body}` : body,
          channel: 'email',
          changes: [],
          html: kind === 'system' ? null : rendered.html,
          attachments: files,
          email: meta(threadedBy, quoteStripped, rendered.blocked),
        };
        if (kind === 'system' || kind === 'note')
          return { ticket: recordNote(current, now), entries: [entry] };
        const moved = recordCustomerMessage(current, now, { automatic: automation.kind !== 'human', ccs });
        const entries = [entry];
        if (moved.changes.length > 0) {
          entries.push({
            id: deps.ids.newId(),
            ticketId: current.id,
            kind: 'event',
            createdAt: now.toISOString(),
            author: { type: 'system', id: 'mail', name: 'Email' },
            body: null,
            channel: null,
            changes: moved.changes,
          });
        }
        return { ticket: moved.ticket, entries };
      });
      return {
        outcome: kind === 'system' ? 'recorded' : 'appended',
        ticketId: ticket.id,
        ticketNumber: ticket.number,
        entryId,
        threadedBy,
      };
    }

    const followUpOf = decision.ticket ? decision.ticket.number : null;
    const rendered = html(true);
    const tags = [
      ...(spam ? ['spam'] : []),
      ...(automation.kind !== 'human' ? [automation.kind] : []),
      ...(followUpOf !== null ? ['follow-up'] : []),
    ];
    const departmentId = await activeDepartment(deps, support.departmentId);
    const { ticket } = await createTicket(deps, {
      subject: normaliseSubject(mail.subject) || mail.subject.trim() || '(no subject)',
      description: capText(mail.text) || NO_TEXT,
      customer: { email: senderAddress, name: mail.from?.name ?? null },
      ...(senderCustomer ? { knownCustomer: senderCustomer } : {}),
      channel: 'email',
      departmentId,
      createdBy: 'customer',
      inbound: claim,
      entryId,
      tags,
      ccs: mergeParticipants([], recipientsSeen, (address) => isOurs(address) || address === senderAddress),
      supportAddress: support.address,
      followUpOf,
      entryExtras: {
        html: rendered.html,
        attachments: files,
        email: meta(
          followUpOf !== null ? `follow-up of #${followUpOf}` : threadedBy,
          false,
          rendered.blocked,
        ),
      },
    });
    return {
      outcome: followUpOf !== null ? 'follow-up' : 'created',
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      entryId,
      threadedBy,
    };
  } catch (error) {
    if (error instanceof DuplicateMessage) {
      const found = await deps.tickets.findMessage(messageKey);
      if (found) return { outcome: 'duplicate', ...found };
    }
    throw error;
  }
}

function verdictFailed(verdict: string | undefined): boolean {
  return (verdict ?? '').toUpperCase() === 'FAIL';
}

function cleanAddress(address: string | null): string {
  const trimmed = (address ?? '').trim().replace(/^<|>$/g, '').toLowerCase();
  return trimmed.includes('@') ? trimmed : '';
}

/**
 * The mail settings with the support addresses admins gave departments added
 * after the configured ones (a configured address wins on a clash; the first
 * configured one stays the default sender). Read through the directory,
 * which caches them briefly.
 */
export async function withDepartmentAddresses(deps: Deps, settings: MailSettings): Promise<MailSettings> {
  const extra = await deps.directory.departmentAddresses();
  if (extra.length === 0) return settings;
  const configured = new Set(settings.supportAddresses.map((s) => s.address.toLowerCase()));
  return {
    ...settings,
    supportAddresses: [...settings.supportAddresses, ...extra.filter((a) => !configured.has(a.address))],
  };
}

/** The support address an address is, or reaches (plus-addressing included). */
export function supportAddressOf(settings: MailSettings, address: string): SupportAddress | null {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return null;
  const base = `${lower.slice(0, at).split('+')[0]}${lower.slice(at)}`;
  return settings.supportAddresses.find((s) => s.address.toLowerCase() === base) ?? null;
}

function pickSupportAddress(
  settings: MailSettings,
  recipients: string[],
  mail: InboundEmail,
): SupportAddress | null {
  const all = [
    ...recipients,
    ...mail.deliveredTo.map((a) => a.address),
    ...mail.to.map((a) => a.address),
    ...mail.cc.map((a) => a.address),
  ];
  for (const address of all) {
    const found = supportAddressOf(settings, address);
    if (found) return found;
  }
  for (const address of all) {
    const reply = readReplyAddress(settings.signingSecret, address);
    const found = reply ? supportAddressOf(settings, reply.supportAddress) : null;
    if (found) return found;
  }
  return null;
}

async function activeDepartment(deps: Deps, departmentId: string | null): Promise<string | null> {
  if (!departmentId) return null;
  const department = await deps.directory.getDepartment(departmentId);
  return department?.active ? department.id : null;
}

async function threadCandidates(
  context: EmailContext,
  mail: InboundEmail,
  recipients: string[],
  automation: AutomationKind,
): Promise<ThreadCandidate[]> {
  const { deps, settings } = context;
  const candidates: ThreadCandidate[] = [];
  const byId = new Map<string, Ticket>();
  const add = async (rule: ThreadCandidate['rule'], load: () => Promise<Ticket | null>) => {
    const ticket = await load();
    if (ticket && !candidates.some((c) => c.ticket.id === ticket.id && c.rule === rule)) {
      byId.set(ticket.id, ticket);
      candidates.push({ rule, ticket });
    }
  };
  const addresses = [
    ...recipients,
    ...mail.deliveredTo.map((a) => a.address),
    ...mail.to.map((a) => a.address),
    ...mail.cc.map((a) => a.address),
  ];
  for (const address of new Set(addresses.map((a) => a.toLowerCase()))) {
    const reply = readReplyAddress(settings.signingSecret, address);
    if (reply) await add('reply-address', () => deps.tickets.getByNumber(reply.ticketNumber));
  }
  const referenced = [
    ...mail.inReplyTo,
    ...[...mail.references].reverse(),
    ...(automation === 'bounce' ? mail.reportedMessageIds : []),
  ];
  const unique = [...new Set(referenced.map((id) => id.trim()).filter(Boolean))].slice(
    0,
    MAX_REFERENCES_LOOKED_UP,
  );
  for (const id of unique) {
    const ours = await sentByUs(context, id);
    if (ours !== null) {
      await add('signed-message-id', () => deps.tickets.getByNumber(ours));
      continue;
    }
    const stored = await deps.tickets.findMessage(`mid:${id.toLowerCase()}`);
    if (stored) await add('stored-message-id', () => cached(byId, deps, stored.ticketId));
  }
  const root = threadIndexRoot(mail.threadIndex);
  if (root) {
    const ticketId = await deps.tickets.findThreadRoot(root);
    if (ticketId) await add('thread-index', () => cached(byId, deps, ticketId));
  }
  for (const number of findTicketTags(mail.subject).slice(0, 3)) {
    await add('subject-tag', () => deps.tickets.getByNumber(number));
  }
  return candidates;
}

/**
 * The ticket number of a message we sent, from its Message-ID: our signed id,
 * or the id the mail service gave it instead (`<id>@<region>.amazonses.com`),
 * which only recipients of our mail can know. Null for anyone else's id.
 */
async function sentByUs(context: EmailContext, messageId: string): Promise<number | null> {
  const ours = readOurMessageId(context.settings.signingSecret, messageId);
  if (ours) return ours.ticketNumber;
  const at = messageId.lastIndexOf('@');
  if (!context.ledger || at <= 0 || !/(^|\.)amazonses\.com$/i.test(messageId.slice(at + 1))) return null;
  return context.ledger.findSent(messageId.slice(0, at));
}

async function cached(byId: Map<string, Ticket>, deps: Deps, id: string): Promise<Ticket | null> {
  return byId.get(id) ?? deps.tickets.get(id);
}

function describeDecision(rule: string | null, refused: RefusedMatch[]): string {
  const base = rule ?? 'new-ticket';
  if (refused.length === 0) return base;
  const notes = refused.map((r) => `${r.rule} → #${r.ticketNumber} refused: ${r.reason}`);
  return `${base} (${notes.join('; ')})`;
}

function capText(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MAX_BODY_CHARS
    ? `${trimmed.slice(0, MAX_BODY_CHARS)}\n\n[… truncated; the original message is attached]`
    : trimmed;
}

/** Parsed names are already decoded and free of control characters; keys must not nest folders. */
function safeFileName(name: string): string {
  return (name.replace(/[\\/]+/g, '_').trim() || 'attachment').slice(0, 150);
}

function formatMegabytes(bytes: number): string {
  const mb = bytes / 1_048_576;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

const REPORT_PARTS = new Set([
  'message/delivery-status',
  'text/rfc822-headers',
  'message/disposition-notification',
]);

interface StoredAttachment {
  attachment: Attachment;
  inline: boolean;
  contentId: string | null;
}

async function storeAttachments(
  context: EmailContext,
  entryId: string,
  parts: InboundAttachment[],
): Promise<{ attachments: StoredAttachment[]; dropped: EmailMeta['dropped'] }> {
  const stored: StoredAttachment[] = [];
  const dropped: EmailMeta['dropped'] = [];
  let index = 0;
  for (const part of parts) {
    index++;
    // The machine-readable parts of a delivery report are on the raw original; not files for agents.
    if (REPORT_PARTS.has(part.contentType)) continue;
    const name = safeFileName(part.filename);
    if (part.size > context.settings.maxAttachmentBytes) {
      dropped.push({
        name,
        size: part.size,
        reason: `larger than the ${formatMegabytes(context.settings.maxAttachmentBytes)} limit; it is still in the original message`,
      });
      continue;
    }
    const key = `attachments/${entryId}/${index}-${name}`;
    await context.blobs.put(key, part.content, part.contentType);
    stored.push({
      attachment: {
        id: `${entryId}-${index}`,
        name,
        contentType: part.contentType,
        size: part.size,
        key,
        inline: part.inline,
      },
      inline: part.inline,
      contentId: part.contentId,
    });
  }
  return { attachments: stored, dropped };
}
