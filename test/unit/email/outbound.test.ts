import { beforeEach, describe, expect, it } from 'vitest';
import { ulidGenerator } from '../../../functions/adapters/ids.js';
import { type InboundEmail, parseEmail } from '../../../functions/adapters/mail/parse.js';
import {
  MemoryBlobStore,
  MemoryMailLedger,
  RecordingMailer,
} from '../../../functions/adapters/memory/mail.js';
import { memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import type { Agent, Principal } from '../../../functions/domain/agents/model.js';
import type { MailSettings } from '../../../functions/domain/email/ports.js';
import { readOurMessageId, replyAddressFor } from '../../../functions/domain/email/signing.js';
import type { Ticket, TimelineEntry } from '../../../functions/domain/tickets/model.js';
import { addReply, createTicket } from '../../../functions/domain/tickets/use-cases.js';
import { type OutboundContext, reactToMailTrigger } from '../../../functions/email/outbound.js';
import { type EmailContext, receiveEmail } from '../../../functions/email/receive.js';

const parsedMail = (mailer: RecordingMailer): Promise<InboundEmail[]> =>
  Promise.all(mailer.sent.map((m) => parseEmail(m.raw)));

const SECRET = 'outbound-test-signing-secret-0123456789';
const at = '2026-03-01T00:00:00.000Z';
const settings: MailSettings = {
  signingSecret: SECRET,
  supportAddresses: [
    { address: 'support@desk.test', departmentId: 'general' },
    { address: 'billing@desk.test', departmentId: 'billing' },
  ],
  deskName: 'Test Desk',
  maxAttachmentBytes: 1_048_576,
  autoRepliesPerSenderPerHour: 3,
};
const bill: Agent = {
  id: 'a-bill',
  email: 'bill@desk-staff.test',
  name: 'Bill',
  role: 'agent',
  departmentIds: ['general'],
  teamIds: [],
  active: true,
  availability: 'online',
  capacity: 20,
  skills: [],
  updatedBy: null,
  version: 1,
  createdAt: at,
  updatedAt: at,
};
const billPrincipal: Principal = {
  agentId: bill.id,
  email: bill.email,
  name: bill.name,
  role: 'agent',
  departmentIds: ['general'],
};

let deps: ReturnType<typeof memoryDeps>;
let blobs: MemoryBlobStore;
let ledger: MemoryMailLedger;
let mailer: RecordingMailer;
let context: OutboundContext;
let inbound: EmailContext;
let logged: Record<string, unknown>[];
let messages = 0;

beforeEach(() => {
  // Entry ids as on AWS (ULIDs): they go into our signed Message-IDs.
  deps = { ...memoryDeps(), ids: ulidGenerator };
  for (const id of ['general', 'billing']) {
    deps.state.departments.set(id, { id, name: id, active: true, version: 1, createdAt: at, updatedAt: at });
  }
  deps.state.agents.set(bill.id, bill);
  blobs = new MemoryBlobStore();
  ledger = new MemoryMailLedger();
  mailer = new RecordingMailer();
  logged = [];
  messages = 0;
  context = { deps, mailer, ledger, blobs, settings, log: (event) => logged.push(event) };
  inbound = { deps, blobs, settings };
});

/** A customer's mail through the inbound pipeline; returns the ticket it opened or joined. */
async function customerWrites(
  headers: Record<string, string> = {},
  to = 'support@desk.test',
): Promise<Ticket> {
  const all: Record<string, string> = {
    From: 'Ann Smith <ann@example.com>',
    To: to,
    Cc: 'carol@example.com',
    Subject: 'Printer on fire',
    'Message-ID': `<ann-${++messages}@mail.example.com>`,
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  };
  const raw = Buffer.from(
    `${Object.entries(all)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n')}\r\n\r\nHello, my printer is on fire.\r\n`,
  );
  deps.clock.advance(60_000);
  const outcome = await receiveEmail(inbound, {
    raw,
    storageKey: `inbound/${messages}`,
    receivedAt: deps.clock.now(),
    recipients: [to],
    envelopeFrom: 'ann@example.com',
    verdicts: {},
  });
  if (!('ticketId' in outcome)) throw new Error(`not recorded: ${JSON.stringify(outcome)}`);
  const ticket = await deps.tickets.get(outcome.ticketId);
  if (!ticket) throw new Error('ticket missing');
  return ticket;
}

function entriesOf(ticket: Ticket): TimelineEntry[] {
  return deps.state.entries.get(ticket.id) ?? [];
}

async function onlyMail(): Promise<InboundEmail> {
  const all = await parsedMail(mailer);
  expect(all).toHaveLength(1);
  return all[0]!;
}

describe('acknowledgements', () => {
  it('acknowledges a new email ticket once, as an automatic reply in the customer’s thread', async () => {
    const ticket = await customerWrites();
    await reactToMailTrigger(context, { type: 'ticket-created', ticket });

    const mail = await onlyMail();
    expect(mailer.sent[0]).toMatchObject({ from: 'support@desk.test', to: ['ann@example.com'] });
    expect(mail.headers['auto-submitted']).toEqual(['auto-replied']);
    expect(mail.headers['x-auto-response-suppress']).toEqual(['All']);
    expect(mail.from).toEqual({ address: 'support@desk.test', name: 'Test Desk' });
    expect(mail.to.map((a) => a.address)).toEqual(['ann@example.com']);
    expect(mail.cc).toEqual([]);
    expect(mail.subject).toBe('[#1001] We received your request: Printer on fire');
    expect(mail.text).toContain('Hi Ann Smith,');
    expect(mail.text).toContain('Thank you for contacting Test Desk.');
    expect(mail.text).toContain('ticket #1001');
    expect(mail.inReplyTo).toEqual(['ann-1@mail.example.com']);
    expect(mail.references).toEqual(['ann-1@mail.example.com']);
    expect(mail.replyTo.map((a) => a.address)).toEqual([replyAddressFor(SECRET, 'support@desk.test', 1001)]);
    expect(mail.messageId).not.toBeNull();
    expect(readOurMessageId(SECRET, mail.messageId!)).toMatchObject({ ticketNumber: 1001 });

    const notification = entriesOf(ticket).find((e) => e.kind === 'notification');
    expect(notification).toMatchObject({
      channel: 'email',
      author: { type: 'system' },
      email: {
        direction: 'out',
        messageId: mail.messageId,
        to: ['ann@example.com'],
        automation: 'auto-replied',
        sentAt: deps.clock.now().toISOString(),
        failure: null,
        rawKey: `outbound/${mail.messageId}.eml`,
      },
    });
    expect(readOurMessageId(SECRET, mail.messageId!)?.entryId).toBe(notification!.id.toLowerCase());
    expect(blobs.objects.get(`outbound/${mail.messageId}.eml`)?.contentType).toBe('message/rfc822');

    await reactToMailTrigger(context, { type: 'ticket-created', ticket });
    expect(mailer.sent).toHaveLength(1);
    expect(entriesOf(ticket).filter((e) => e.kind === 'notification')).toHaveLength(1);
  });

  it('sends from the support address the customer wrote to', async () => {
    const ticket = await customerWrites({}, 'billing@desk.test');
    await reactToMailTrigger(context, { type: 'ticket-created', ticket });
    const mail = await onlyMail();
    expect(mail.from?.address).toBe('billing@desk.test');
    expect(mail.replyTo[0]?.address).toMatch(/^billing\+t1001\.[a-z2-7]{16}@desk\.test$/);
  });

  it.each(['spam', 'auto-reply', 'bulk', 'list', 'bounce'])(
    'does not acknowledge a ticket tagged %s',
    async (tag) => {
      const ticket = await customerWrites();
      await reactToMailTrigger(context, { type: 'ticket-created', ticket: { ...ticket, tags: [tag] } });
      expect(mailer.sent).toEqual([]);
    },
  );

  it('does not acknowledge a ticket the inbound pipeline tagged as automatic', async () => {
    const ticket = await customerWrites({ 'Auto-Submitted': 'auto-replied' });
    expect(ticket.tags).toEqual(['auto-reply']);
    await reactToMailTrigger(context, { type: 'ticket-created', ticket });
    expect(mailer.sent).toEqual([]);
  });

  it('does not acknowledge when the department switched acknowledgements off', async () => {
    deps.state.departments.set('general', {
      ...deps.state.departments.get('general')!,
      autoAcknowledgement: { enabled: false, subject: 'x', body: 'y' },
    });
    const ticket = await customerWrites();
    await reactToMailTrigger(context, { type: 'ticket-created', ticket });
    expect(mailer.sent).toEqual([]);
  });

  it('uses the department’s own acknowledgement template', async () => {
    deps.state.departments.set('billing', {
      ...deps.state.departments.get('billing')!,
      autoAcknowledgement: {
        enabled: true,
        subject: 'Billing got it: {{ticket.subject}}',
        body: 'Dear {{customer.name}}, billing will answer #{{ticket.number}}.',
      },
    });
    const ticket = await customerWrites({}, 'billing@desk.test');
    await reactToMailTrigger(context, { type: 'ticket-created', ticket });
    const mail = await onlyMail();
    expect(mail.subject).toBe('[#1001] Billing got it: Printer on fire');
    expect(mail.text.trim()).toBe('Dear Ann Smith, billing will answer #1001.');
  });

  it('acknowledges at most the hourly cap of tickets per address', async () => {
    const tickets: Ticket[] = [];
    for (let i = 0; i < 5; i++) tickets.push(await customerWrites({ Subject: `Question ${i}` }));
    for (const ticket of tickets) await reactToMailTrigger(context, { type: 'ticket-created', ticket });
    expect(mailer.sent).toHaveLength(settings.autoRepliesPerSenderPerHour);
    expect(logged.filter((e) => /hourly cap/.test(String(e.message)))).toHaveLength(2);
  });

  it('does not count redelivered triggers against the hourly cap', async () => {
    const first = await customerWrites({ Subject: 'Question 1' });
    for (let i = 0; i < 3; i++) await reactToMailTrigger(context, { type: 'ticket-created', ticket: first });
    const second = await customerWrites({ Subject: 'Question 2' });
    await reactToMailTrigger(context, { type: 'ticket-created', ticket: second });
    expect((await parsedMail(mailer)).map((m) => m.subject)).toEqual([
      '[#1001] We received your request: Question 1',
      '[#1002] We received your request: Question 2',
    ]);
  });

  it('acknowledges web tickets but not phone tickets', async () => {
    const web = await createTicket(deps, {
      subject: 'Via the form',
      description: 'Hi',
      customer: { email: 'web@example.com', name: 'Wendy' },
      channel: 'web',
      createdBy: 'customer',
    });
    const phone = await createTicket(deps, {
      subject: 'Called in',
      description: 'Hi',
      customer: { email: 'phone@example.com', name: 'Phil' },
      channel: 'phone',
      createdBy: { type: 'agent', id: bill.id, name: bill.name },
    });
    await reactToMailTrigger(context, { type: 'ticket-created', ticket: web.ticket });
    await reactToMailTrigger(context, { type: 'ticket-created', ticket: phone.ticket });
    const mail = await onlyMail();
    expect(mail.to[0]?.address).toBe('web@example.com');
    // No support address on the ticket: the first configured one.
    expect(mail.from?.address).toBe('support@desk.test');
    expect(mail.inReplyTo).toEqual([]);
  });
});

describe('agent replies', () => {
  async function replyOn(ticket: Ticket, body = 'We sent a technician.'): Promise<TimelineEntry> {
    deps.clock.advance(60_000);
    return addReply(deps, billPrincipal, ticket.id, { body });
  }

  it('mails the reply to the customer and the copied people, in the thread, and records it', async () => {
    const ticket = await customerWrites();
    await customerWrites({ Subject: 'Re: [#1001] Printer on fire' });
    const reply = await replyOn(ticket);
    await reactToMailTrigger(context, { type: 'entry-added', entry: reply });

    const mail = await onlyMail();
    expect(mailer.sent[0]!.to).toEqual(['ann@example.com', 'carol@example.com']);
    expect(mail.from).toEqual({ address: 'support@desk.test', name: 'Bill (Test Desk)' });
    expect(mail.to).toEqual([{ address: 'ann@example.com', name: 'Ann Smith' }]);
    expect(mail.cc.map((a) => a.address)).toEqual(['carol@example.com']);
    expect(mail.subject).toBe('Re: [#1001] Printer on fire');
    expect(mail.text.trim()).toBe('We sent a technician.');
    expect(mail.headers['auto-submitted']).toBeUndefined();
    expect(mail.inReplyTo).toEqual(['ann-2@mail.example.com']);
    expect(mail.references).toEqual(['ann-1@mail.example.com', 'ann-2@mail.example.com']);
    expect(mail.replyTo.map((a) => a.address)).toEqual([replyAddressFor(SECRET, 'support@desk.test', 1001)]);
    expect(readOurMessageId(SECRET, mail.messageId!)).toEqual({
      ticketNumber: 1001,
      entryId: reply.id.toLowerCase(),
    });

    const stored = entriesOf(ticket).find((e) => e.id === reply.id);
    expect(stored?.email).toMatchObject({
      direction: 'out',
      messageId: mail.messageId,
      sentAt: deps.clock.now().toISOString(),
      failure: null,
      cc: ['carol@example.com'],
    });

    await reactToMailTrigger(context, { type: 'entry-added', entry: reply });
    expect(mailer.sent).toHaveLength(1);
  });

  it('answers the customer’s latest message on a long timeline', async () => {
    const ticket = await customerWrites();
    const filler: TimelineEntry[] = Array.from({ length: 120 }, (_, i) => ({
      id: `01HZX3K6W8Q2N4M7P9R1T${String(i).padStart(5, '0')}`,
      ticketId: ticket.id,
      kind: 'system',
      createdAt: at,
      author: { type: 'system', id: 'test', name: null },
      body: `event ${i}`,
      channel: null,
      changes: [],
    }));
    await deps.tickets.appendEntries(filler);
    await customerWrites({ Subject: 'Re: [#1001] Printer on fire' });
    const reply = await replyOn(ticket);
    await reactToMailTrigger(context, { type: 'entry-added', entry: reply });
    const mail = await onlyMail();
    expect(mail.inReplyTo).toEqual(['ann-2@mail.example.com']);
    expect(mail.references).toEqual(['ann-1@mail.example.com', 'ann-2@mail.example.com']);
  });

  it('does not mail a reply that was already sent, nor notes and customer messages', async () => {
    const ticket = await customerWrites();
    const reply = await replyOn(ticket);
    await reactToMailTrigger(context, {
      type: 'entry-added',
      entry: { ...reply, email: { ...entriesOf(ticket)[0]!.email!, sentAt: at } },
    });
    await reactToMailTrigger(context, { type: 'entry-added', entry: { ...reply, kind: 'note' } });
    await reactToMailTrigger(context, { type: 'entry-added', entry: entriesOf(ticket)[0]! });
    expect(mailer.sent).toEqual([]);
  });

  it('does not mail a suppressed customer and records why', async () => {
    const ticket = await customerWrites();
    await ledger.suppress('ann@example.com', 'permanent bounce (General)', deps.clock.now());
    const reply = await replyOn(ticket);
    await reactToMailTrigger(context, { type: 'entry-added', entry: reply });
    expect(mailer.sent).toEqual([]);
    const stored = entriesOf(ticket).find((e) => e.id === reply.id);
    expect(stored?.email?.sentAt).toBeNull();
    expect(stored?.email?.failure).toMatch(/^ann@example\.com is not mailed any more \(permanent bounce/);
  });

  it('leaves a suppressed copied address out of the delivery', async () => {
    const ticket = await customerWrites();
    await ledger.suppress('carol@example.com', 'complaint (abuse)', deps.clock.now());
    const reply = await replyOn(ticket);
    await reactToMailTrigger(context, { type: 'entry-added', entry: reply });
    expect(mailer.sent.map((m) => m.to)).toEqual([['ann@example.com']]);
    const stored = entriesOf(ticket).find((e) => e.id === reply.id);
    expect(stored?.email?.sentAt).not.toBeNull();
    expect(stored?.email?.failure).toMatch(/carol@example\.com is not mailed any more \(complaint/);
  });

  it('gives the claim back when sending fails, so the retry sends', async () => {
    const ticket = await customerWrites();
    const reply = await replyOn(ticket);
    mailer.failures = 1;
    await expect(reactToMailTrigger(context, { type: 'entry-added', entry: reply })).rejects.toThrow(
      'SES is throttling',
    );
    expect(mailer.sent).toEqual([]);
    expect(ledger.claims.size).toBe(0);
    expect(entriesOf(ticket).find((e) => e.id === reply.id)?.email).toBeUndefined();

    await reactToMailTrigger(context, { type: 'entry-added', entry: reply });
    expect(mailer.sent).toHaveLength(1);
    expect(entriesOf(ticket).find((e) => e.id === reply.id)?.email?.sentAt).not.toBeNull();
  });

  it('gives an acknowledgement’s claim back when sending fails, too', async () => {
    const ticket = await customerWrites();
    mailer.failures = 1;
    await expect(reactToMailTrigger(context, { type: 'ticket-created', ticket })).rejects.toThrow();
    expect(entriesOf(ticket).some((e) => e.kind === 'notification')).toBe(false);
    await reactToMailTrigger(context, { type: 'ticket-created', ticket });
    expect(mailer.sent).toHaveLength(1);
    expect(entriesOf(ticket).filter((e) => e.kind === 'notification')).toHaveLength(1);
  });
});

describe('notifications on ticket changes', () => {
  it('notifies the agent a ticket is assigned to, outside the customer’s thread', async () => {
    const before = await customerWrites();
    const after = { ...before, assigneeId: bill.id, status: 'open' as const, version: before.version + 1 };
    await reactToMailTrigger(context, { type: 'ticket-changed', before, after });

    const mail = await onlyMail();
    expect(mailer.sent[0]!.to).toEqual(['bill@desk-staff.test']);
    expect(mail.subject).toBe('[#1001] Assigned to you: Printer on fire');
    expect(mail.headers['auto-submitted']).toEqual(['auto-generated']);
    expect(mail.text).toContain('Hi Bill,');
    expect(mail.text).toContain('from Ann Smith is now assigned to you');
    expect(mail.inReplyTo).toEqual([]);
    expect(mail.references).toEqual([]);
    expect(entriesOf(before).filter((e) => e.kind === 'notification')).toHaveLength(1);

    await reactToMailTrigger(context, { type: 'ticket-changed', before, after });
    expect(mailer.sent).toHaveLength(1);
  });

  it('notifies nobody when the assignee did not change or is inactive', async () => {
    const ticket = await customerWrites();
    const assigned = { ...ticket, assigneeId: bill.id };
    await reactToMailTrigger(context, {
      type: 'ticket-changed',
      before: assigned,
      after: { ...assigned, priority: 'high', version: ticket.version + 1 },
    });
    deps.state.agents.set(bill.id, { ...bill, active: false });
    await reactToMailTrigger(context, {
      type: 'ticket-changed',
      before: ticket,
      after: { ...assigned, version: ticket.version + 1 },
    });
    expect(mailer.sent).toEqual([]);
  });

  it('tells the customer their ticket is solved, in their thread', async () => {
    const before = { ...(await customerWrites()), status: 'open' as const };
    const after = { ...before, status: 'solved' as const, version: before.version + 1 };
    await reactToMailTrigger(context, { type: 'ticket-changed', before, after });

    const mail = await onlyMail();
    expect(mailer.sent[0]!.to).toEqual(['ann@example.com']);
    expect(mail.subject).toBe('Re: [#1001] Printer on fire');
    expect(mail.headers['auto-submitted']).toEqual(['auto-replied']);
    expect(mail.text).toContain('has been marked as solved');
    expect(mail.inReplyTo).toEqual(['ann-1@mail.example.com']);
    expect(readOurMessageId(SECRET, mail.messageId!)?.ticketNumber).toBe(1001);

    await reactToMailTrigger(context, { type: 'ticket-changed', before, after });
    expect(mailer.sent).toHaveLength(1);
  });

  it('does not tell a spam ticket’s sender anything, nor repeat itself for a still-solved ticket', async () => {
    const ticket = { ...(await customerWrites()), status: 'open' as const };
    await reactToMailTrigger(context, {
      type: 'ticket-changed',
      before: { ...ticket, tags: ['spam'] },
      after: { ...ticket, tags: ['spam'], status: 'solved', version: ticket.version + 1 },
    });
    const solved = { ...ticket, status: 'solved' as const };
    await reactToMailTrigger(context, {
      type: 'ticket-changed',
      before: solved,
      after: { ...solved, priority: 'low', version: ticket.version + 1 },
    });
    expect(mailer.sent).toEqual([]);
  });
});

describe('a mail service that rewrites our Message-ID (SES)', () => {
  it('records its id, so a reply quoting it threads, even from someone copied in later, and our copy coming back is dropped', async () => {
    mailer.rewriteIds = true;
    const ticket = await customerWrites();
    await reactToMailTrigger(context, { type: 'ticket-created', ticket });
    const sesId = `${[...ledger.sentIds.keys()][0]}@email.amazonses.com`;
    expect(ledger.sentIds.get(sesId.split('@')[0] ?? '')).toBe(ticket.number);

    const inboundWithLedger = { ...inbound, ledger };
    const raw = (from: string, messageId: string) =>
      Buffer.from(
        `From: ${from}\r\nTo: support@desk.test\r\nSubject: Re: hello\r\nMessage-ID: <${messageId}>\r\nIn-Reply-To: <${sesId}>\r\n\r\nNew colleague here, same printer.\r\n`,
      );
    const reply = await receiveEmail(inboundWithLedger, {
      raw: raw('dave@example.com', 'dave-1@example.com'),
      storageKey: 'inbound/dave',
      receivedAt: deps.clock.now(),
      recipients: ['support@desk.test'],
      envelopeFrom: 'dave@example.com',
      verdicts: {},
    });
    expect(reply).toMatchObject({
      outcome: 'appended',
      ticketId: ticket.id,
      threadedBy: 'signed-message-id',
    });

    // Without the ledger the same id is just someone's Message-ID: a stranger opens a new ticket.
    const guessed = await receiveEmail(inbound, {
      raw: raw('eve@example.com', 'eve-1@example.com'),
      storageKey: 'inbound/eve',
      receivedAt: deps.clock.now(),
      recipients: ['support@desk.test'],
      envelopeFrom: 'eve@example.com',
      verdicts: {},
    });
    expect(guessed.outcome).toBe('created');

    const echo = await receiveEmail(inboundWithLedger, {
      raw: Buffer.from(
        `From: someone@example.com\r\nTo: support@desk.test\r\nSubject: x\r\nMessage-ID: <${sesId}>\r\n\r\nx\r\n`,
      ),
      storageKey: 'inbound/echo',
      receivedAt: deps.clock.now(),
      recipients: ['support@desk.test'],
      envelopeFrom: 'someone@example.com',
      verdicts: {},
    });
    expect(echo).toEqual({ outcome: 'dropped', reason: 'own-message' });
  });
});

describe('an agent answering a notification by mail', () => {
  it('adds an internal note by the agent, not a customer message, and changes no status', async () => {
    const ticket = await customerWrites();
    const assigned = { ...ticket, assigneeId: bill.id, version: ticket.version + 1 };
    await reactToMailTrigger(context, { type: 'ticket-changed', before: ticket, after: assigned });
    const notification = (await parsedMail(mailer)).find((m) => m.subject.includes('Assigned to you'));
    expect(notification?.text).toContain('add an internal note');
    const replyTo = notification?.replyTo[0]?.address ?? '';
    const outcome = await receiveEmail(inbound, {
      raw: Buffer.from(
        `From: Bill <bill@desk-staff.test>\r\nTo: ${replyTo}\r\nSubject: Re: assigned\r\nMessage-ID: <bill-1@desk-staff.test>\r\nIn-Reply-To: <${notification?.messageId}>\r\n\r\nCalled the customer, replacing the printer.\r\n`,
      ),
      storageKey: 'inbound/bill',
      receivedAt: deps.clock.now(),
      recipients: [replyTo],
      envelopeFrom: 'bill@desk-staff.test',
      verdicts: {},
    });
    expect(outcome).toMatchObject({ outcome: 'appended', ticketId: ticket.id });
    const note = entriesOf(ticket).find((e) => e.email?.messageId === 'bill-1@desk-staff.test');
    expect(note).toMatchObject({ kind: 'note', author: { type: 'agent', id: bill.id } });
    const after = await deps.tickets.get(ticket.id);
    expect(after?.status).toBe(ticket.status);
    expect(after?.messageCount).toBe(ticket.messageCount);
  });
});
