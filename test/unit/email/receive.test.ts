import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryBlobStore } from '../../../functions/adapters/memory/mail.js';
import { memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import type { MailSettings } from '../../../functions/domain/email/ports.js';
import { ourMessageId, replyAddressFor } from '../../../functions/domain/email/signing.js';
import type { Ticket, TimelineEntry } from '../../../functions/domain/tickets/model.js';
import { type InboundSesRecord, processInboundRecord } from '../../../functions/email/inbound-handler.js';
import {
  type EmailContext,
  type InboundDelivery,
  type ReceiveOutcome,
  receiveEmail,
} from '../../../functions/email/receive.js';

const SECRET = 'receive-test-signing-secret-0123456789';
const at = '2026-03-01T00:00:00.000Z';
const settings: MailSettings = {
  signingSecret: SECRET,
  supportAddresses: [
    { address: 'support@desk.test', departmentId: 'general' },
    { address: 'billing@desk.test', departmentId: 'billing' },
  ],
  deskName: 'Test Desk',
  maxAttachmentBytes: 2048,
  autoRepliesPerSenderPerHour: 5,
};
const PASS = { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' };
const NO_TEXT = '(This message has no text. The original message is attached.)';

let deps: ReturnType<typeof memoryDeps>;
let blobs: MemoryBlobStore;
let context: EmailContext;
let logged: Record<string, unknown>[];
let deliveries: number;

beforeEach(() => {
  deps = memoryDeps();
  for (const id of ['general', 'billing']) {
    deps.state.departments.set(id, { id, name: id, active: true, version: 1, createdAt: at, updatedAt: at });
  }
  blobs = new MemoryBlobStore();
  logged = [];
  deliveries = 0;
  context = { deps, blobs, settings, log: (event) => logged.push(event) };
});

type Headers = Record<string, string | null>;

/** A raw message: default headers of a plain mail from Ann to support, overridden (null removes one). */
function rawMail(headers: Headers = {}, body = 'Hello,\r\nmy printer is on fire.\r\n'): Buffer {
  const all: Headers = {
    From: 'Ann Smith <ann@example.com>',
    To: 'support@desk.test',
    Subject: 'Printer on fire',
    Date: 'Mon, 02 Mar 2026 08:59:00 +0000',
    'Message-ID': `<m${++deliveries}@mail.example.com>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => `${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

function delivery(raw: Uint8Array, overrides: Partial<InboundDelivery> = {}): InboundDelivery {
  return {
    raw,
    storageKey: `inbound/ses-${deliveries}`,
    receivedAt: deps.clock.now(),
    recipients: ['support@desk.test'],
    envelopeFrom: 'ann@example.com',
    verdicts: PASS,
    ...overrides,
  };
}

async function receive(
  headers: Headers = {},
  options: Partial<InboundDelivery> & { body?: string } = {},
): Promise<ReceiveOutcome> {
  const { body, ...overrides } = options;
  deps.clock.advance(60_000);
  return receiveEmail(context, delivery(rawMail(headers, body), overrides));
}

function ticketNumbered(number: number): Ticket {
  const found = [...deps.state.tickets.values()].find((t) => t.number === number);
  if (!found) throw new Error(`no ticket #${number}`);
  return found;
}

function entriesOf(number: number): TimelineEntry[] {
  return deps.state.entries.get(ticketNumbered(number).id) ?? [];
}

function entry(outcome: ReceiveOutcome): TimelineEntry {
  if (!('entryId' in outcome)) throw new Error(`no entry: ${JSON.stringify(outcome)}`);
  const found = deps.state.entries.get(outcome.ticketId)?.find((e) => e.id === outcome.entryId);
  if (!found) throw new Error(`entry ${outcome.entryId} not stored`);
  return found;
}

/** A signed Message-ID of a mail the desk sent about ticket #number. */
const ourId = (number: number) => ourMessageId(SECRET, number, '01HZX3K6W8Q2N4M7P9R1T5V0YB', 'desk.test');

function setStatus(number: number, status: Ticket['status']): void {
  const ticket = ticketNumbered(number);
  deps.state.tickets.set(ticket.id, { ...ticket, status, version: ticket.version + 1 });
}

/** Opens #1001 from Ann, with Carol copied. */
async function annOpensTicket(): Promise<void> {
  const outcome = await receive({
    'Message-ID': '<ann-first@mail.example.com>',
    Cc: 'Carol <carol@example.com>',
  });
  expect(outcome).toMatchObject({ outcome: 'created', ticketNumber: 1001 });
}

describe('receiveEmail: new tickets', () => {
  it('opens an email ticket in the support address’s department, from the sender, keeping the CCs', async () => {
    const outcome = await receive(
      {
        From: '"Smith, Ann" <Ann@Example.com>',
        To: 'Billing <billing@desk.test>',
        Cc: 'Carol <carol@example.com>, support@desk.test',
        Subject: 'Fwd: Invoice 42 is wrong',
      },
      { recipients: ['billing@desk.test'] },
    );
    expect(outcome).toEqual({
      outcome: 'created',
      ticketId: expect.any(String),
      ticketNumber: 1001,
      entryId: expect.any(String),
      threadedBy: 'new-ticket',
    });
    const ticket = ticketNumbered(1001);
    expect(ticket).toMatchObject({
      subject: 'Invoice 42 is wrong',
      channel: 'email',
      status: 'new',
      departmentId: 'billing',
      supportAddress: 'billing@desk.test',
      requester: { name: 'Smith, Ann', email: 'ann@example.com' },
      ccs: ['carol@example.com'],
      tags: [],
      followUpOf: null,
    });
    const first = entry(outcome);
    expect(first).toMatchObject({
      kind: 'customer',
      channel: 'email',
      body: 'Hello,\nmy printer is on fire.',
      author: { type: 'customer', id: ticket.customerId },
      email: {
        direction: 'in',
        messageId: 'm1@mail.example.com',
        from: 'ann@example.com',
        to: ['billing@desk.test'],
        cc: ['carol@example.com', 'support@desk.test'],
        threadedBy: 'new-ticket',
        automation: 'human',
        rawKey: 'inbound/ses-1',
        verdicts: PASS,
      },
    });
    expect([...deps.state.customers.values()].map((c) => c.identities)).toEqual([
      [{ type: 'email', value: 'ann@example.com' }],
    ]);
  });

  it('puts mail to a support address without a department in no department', async () => {
    context = {
      ...context,
      settings: { ...settings, supportAddresses: [{ address: 'support@desk.test', departmentId: null }] },
    };
    await receive();
    expect(ticketNumbered(1001).departmentId).toBeNull();
  });

  it('finds the support address from plus-addressing and Delivered-To as well', async () => {
    const outcome = await receive(
      { To: 'undisclosed-recipients:;', 'Delivered-To': 'billing+urgent@desk.test' },
      { recipients: [] },
    );
    expect(outcome.outcome).toBe('created');
    expect(ticketNumbered(1001).departmentId).toBe('billing');
  });

  it('gives a message with no body the placeholder text', async () => {
    const outcome = await receive({ Subject: 'Call me' }, { body: '' });
    expect(entry(outcome).body).toBe(NO_TEXT);
    expect(ticketNumbered(1001).subject).toBe('Call me');
  });

  it('names a ticket without a subject', async () => {
    await receive({ Subject: null });
    expect(ticketNumbered(1001).subject).toBe('(no subject)');
  });

  it('drops mail not addressed to any support address (other mailboxes of the domain)', async () => {
    const outcome = await receive({ To: 'sales@desk.test' }, { recipients: ['sales@desk.test'] });
    expect(outcome).toEqual({ outcome: 'dropped', reason: 'not-for-desk' });
    expect(deps.state.tickets.size).toBe(0);
  });
});

describe('receiveEmail: threading', () => {
  beforeEach(annOpensTicket);

  it('threads the customer’s reply by our signed Message-ID in In-Reply-To', async () => {
    const outcome = await receive({ Subject: 'Re: something else', 'In-Reply-To': `<${ourId(1001)}>` });
    expect(outcome).toMatchObject({
      outcome: 'appended',
      ticketNumber: 1001,
      threadedBy: 'signed-message-id',
    });
    expect(entry(outcome)).toMatchObject({ kind: 'customer', email: { threadedBy: 'signed-message-id' } });
    expect(ticketNumbered(1001).messageCount).toBe(2);
    expect(deps.state.tickets.size).toBe(1);
  });

  it('threads by our signed Message-ID found in References', async () => {
    const outcome = await receive({
      References: `<${ourId(1001)}> <unknown@elsewhere.example>`,
      Subject: 'no tag here',
    });
    expect(outcome).toMatchObject({ outcome: 'appended', threadedBy: 'signed-message-id' });
  });

  it('threads mail to the signed reply address, even from someone else, who becomes a participant', async () => {
    const replyAddress = replyAddressFor(SECRET, 'support@desk.test', 1001);
    const outcome = await receive(
      { From: 'Dave <dave@partner.example>', To: replyAddress, Subject: 'about your printer' },
      { recipients: [replyAddress], envelopeFrom: 'dave@partner.example' },
    );
    expect(outcome).toMatchObject({ outcome: 'appended', ticketNumber: 1001, threadedBy: 'reply-address' });
    expect(entry(outcome).author).toMatchObject({ type: 'customer', id: 'email:dave@partner.example' });
    expect(ticketNumbered(1001).ccs).toEqual(['carol@example.com', 'dave@partner.example']);
  });

  it('does not make the sender of an automatic reply a participant', async () => {
    const replyAddress = replyAddressFor(SECRET, 'support@desk.test', 1001);
    const outcome = await receive(
      {
        From: 'noreply@corp.example',
        To: replyAddress,
        Cc: 'helpdesk@corp.example',
        Subject: 'Automatic reply: Printer on fire',
        'Auto-Submitted': 'auto-replied',
      },
      { recipients: [replyAddress], envelopeFrom: '' },
    );
    expect(outcome).toMatchObject({ outcome: 'appended', threadedBy: 'reply-address' });
    expect(ticketNumbered(1001).ccs).toEqual(['carol@example.com']);
  });

  it('lets the customer thread with only the subject tag', async () => {
    const outcome = await receive({ Subject: 'Re: [#1001] Printer on fire' });
    expect(outcome).toMatchObject({ outcome: 'appended', ticketNumber: 1001, threadedBy: 'subject-tag' });
  });

  it('lets a copied participant thread with the subject tag', async () => {
    const outcome = await receive({ From: 'carol@example.com', Subject: 'Re: [#1001] Printer on fire' });
    expect(outcome).toMatchObject({ outcome: 'appended', threadedBy: 'subject-tag' });
    expect(entry(outcome).author.id).toBe('email:carol@example.com');
  });

  it('threads the customer’s reply to a stored Message-ID of their own earlier mail', async () => {
    const outcome = await receive({ 'In-Reply-To': '<ann-first@mail.example.com>', Subject: 'more' });
    expect(outcome).toMatchObject({ outcome: 'appended', threadedBy: 'stored-message-id' });
  });

  it('threads Outlook replies by the Thread-Index root of the first message', async () => {
    await receive({
      'Message-ID': '<outlook-1@mail.example.com>',
      Subject: 'A new question',
      'Thread-Index': 'Ado7fpEsT4ocdyA+RbGaDW5Sw4F/FA==',
    });
    const outcome = await receive({
      Subject: 'AW: A new question',
      'Thread-Index': 'Ado7fpEsT4ocdyA+RbGaDW5Sw4F/FAAAGis8',
    });
    expect(outcome).toMatchObject({ outcome: 'appended', ticketNumber: 1002, threadedBy: 'thread-index' });
  });

  it('opens a new ticket for a stranger who copied the subject tag, naming the refused match', async () => {
    const outcome = await receive({
      From: 'Mallory <mallory@evil.example>',
      Subject: 'Re: [#1001] Printer on fire',
    });
    expect(outcome).toMatchObject({ outcome: 'created', ticketNumber: 1002 });
    if (outcome.outcome !== 'created') return;
    expect(outcome.threadedBy).toMatch(/^new-ticket \(subject-tag → #1001 refused: /);
    expect(entry(outcome).email?.threadedBy).toBe(outcome.threadedBy);
    expect(entriesOf(1001)).toHaveLength(1);
    expect(ticketNumbered(1002).requester.email).toBe('mallory@evil.example');
  });

  it('opens a new ticket for a stranger who guessed the unsigned Message-ID of a stored message', async () => {
    const outcome = await receive({
      From: 'mallory@evil.example',
      'In-Reply-To': '<ann-first@mail.example.com>',
      Subject: 'Re: Printer on fire',
    });
    expect(outcome).toMatchObject({ outcome: 'created', ticketNumber: 1002 });
    if (outcome.outcome !== 'created') return;
    expect(outcome.threadedBy).toMatch(/stored-message-id → #1001 refused/);
    expect(entriesOf(1001)).toHaveLength(1);
  });

  it('does not take a stranger’s unsigned copy of our Message-ID format', async () => {
    const forged = ourId(1001).replace(/[a-z2-7]{16}@/, 'aaaaaaaaaaaaaaaa@');
    const outcome = await receive({ From: 'mallory@evil.example', 'In-Reply-To': `<${forged}>` });
    expect(outcome).toMatchObject({ outcome: 'created', ticketNumber: 1002, threadedBy: 'new-ticket' });
  });

  it('reopens a solved ticket when the customer replies', async () => {
    setStatus(1001, 'solved');
    const outcome = await receive({ 'In-Reply-To': `<${ourId(1001)}>`, Subject: 'Re: not fixed' });
    expect(outcome).toMatchObject({ outcome: 'appended', ticketNumber: 1001 });
    expect(ticketNumbered(1001).status).toBe('open');
    const event = entriesOf(1001).find((e) => e.kind === 'event');
    expect(event?.changes).toEqual([{ field: 'status', from: 'solved', to: 'open' }]);
  });

  it('opens a linked follow-up ticket when the customer replies to a closed ticket', async () => {
    setStatus(1001, 'closed');
    const outcome = await receive({
      'In-Reply-To': `<${ourId(1001)}>`,
      Subject: 'Re: [#1001] Printer on fire',
    });
    expect(outcome).toMatchObject({
      outcome: 'follow-up',
      ticketNumber: 1002,
      threadedBy: 'signed-message-id',
    });
    expect(ticketNumbered(1002)).toMatchObject({
      followUpOf: 1001,
      tags: ['follow-up'],
      subject: 'Printer on fire',
      customerId: ticketNumbered(1001).customerId,
    });
    expect(entry(outcome).email?.threadedBy).toBe('follow-up of #1001');
    expect(ticketNumbered(1001).status).toBe('closed');
    expect(entriesOf(1001)).toHaveLength(1);
  });

  it('records an auto-reply on a solved ticket without reopening it', async () => {
    setStatus(1001, 'solved');
    const outcome = await receive({
      'In-Reply-To': `<${ourId(1001)}>`,
      Subject: 'Automatic reply: Printer on fire',
      'Auto-Submitted': 'auto-replied',
    });
    expect(outcome).toMatchObject({ outcome: 'appended', ticketNumber: 1001 });
    expect(entry(outcome).email?.automation).toBe('auto-reply');
    expect(ticketNumbered(1001).status).toBe('solved');
    expect(entriesOf(1001).some((e) => e.kind === 'event')).toBe(false);
  });

  it('records a bounce of our mail as a system entry on its ticket', async () => {
    const outcome = await receive(
      {
        From: 'Mail Delivery System <MAILER-DAEMON@mx.example.com>',
        Subject: 'Undelivered Mail Returned to Sender',
        'In-Reply-To': `<${ourId(1001)}>`,
      },
      { envelopeFrom: null, body: 'The mail system\r\n\r\n<ann@example.com>: mailbox full\r\n' },
    );
    expect(outcome).toMatchObject({ outcome: 'recorded', ticketNumber: 1001 });
    expect(entry(outcome)).toMatchObject({ kind: 'system', author: { type: 'system' } });
    expect(entry(outcome).body).toMatch(/^Delivery problem reported by mailer-daemon@mx.example.com/);
  });
});

describe('receiveEmail: what never becomes a customer message', () => {
  it('drops our own message coming back', async () => {
    await annOpensTicket();
    const outcome = await receive({ 'Message-ID': `<${ourId(1001)}>`, From: 'ann@example.com' });
    expect(outcome).toEqual({ outcome: 'dropped', reason: 'own-message' });
    expect(entriesOf(1001)).toHaveLength(1);
  });

  it('drops mail sent from one of our own addresses, plus-addressed ones included', async () => {
    for (const from of ['support@desk.test', 'Billing <BILLING+t1001.aaaaaaaaaaaaaaaa@desk.test>']) {
      const outcome = await receive({ From: from });
      expect(outcome).toEqual({ outcome: 'dropped', reason: 'own-address' });
    }
    expect(deps.state.tickets.size).toBe(0);
  });

  it('drops a virus and writes nothing at all', async () => {
    const outcome = await receive(MULTIPART, {
      verdicts: { ...PASS, virus: 'FAIL' },
      body: multipart(textPart('Invoice attached.'), filePart('invoice.exe', Buffer.alloc(64, 0x4d))),
    });
    expect(outcome).toEqual({ outcome: 'dropped', reason: 'virus' });
    expect(deps.state.tickets.size).toBe(0);
    expect(deps.state.messages.size).toBe(0);
    expect(deps.state.customers.size).toBe(0);
    expect(blobs.objects.size).toBe(0);
  });

  it('opens a ticket tagged spam for a spam verdict, even with a valid In-Reply-To', async () => {
    await annOpensTicket();
    const outcome = await receive(
      { 'In-Reply-To': `<${ourId(1001)}>`, Subject: 'Re: [#1001] cheap pills' },
      { verdicts: { ...PASS, spam: 'FAIL' } },
    );
    expect(outcome).toMatchObject({ outcome: 'created', ticketNumber: 1002, threadedBy: 'new-ticket' });
    expect(ticketNumbered(1002).tags).toEqual(['spam']);
    expect(entriesOf(1001)).toHaveLength(1);
  });

  it('treats a DMARC failure like spam', async () => {
    const outcome = await receive({}, { verdicts: { ...PASS, dmarc: 'FAIL' } });
    expect(outcome.outcome).toBe('created');
    expect(ticketNumbered(1001).tags).toEqual(['spam']);
  });

  it('tags a new ticket opened by an auto-reply', async () => {
    const outcome = await receive({ 'Auto-Submitted': 'auto-replied', Subject: 'Out of office' });
    expect(outcome.outcome).toBe('created');
    expect(ticketNumbered(1001).tags).toEqual(['auto-reply']);
    expect(entry(outcome).email?.automation).toBe('auto-reply');
  });

  it('tags mailing-list and bulk mail', async () => {
    await receive({ 'List-Id': '<news.lists.example.com>' });
    await receive({ Precedence: 'bulk', From: 'shop@shop.example' });
    expect(ticketNumbered(1001).tags).toEqual(['list']);
    expect(ticketNumbered(1002).tags).toEqual(['bulk']);
  });

  it('drops a bounce that concerns no known ticket', async () => {
    const outcome = await receive(
      { From: 'MAILER-DAEMON@mx.example.com', Subject: 'Undelivered Mail Returned to Sender' },
      { envelopeFrom: null },
    );
    expect(outcome).toEqual({ outcome: 'dropped', reason: 'bounce-unmatched' });
    expect(deps.state.tickets.size).toBe(0);
  });
});

describe('receiveEmail: the same message twice', () => {
  it('records a message delivered twice once, answering duplicate the second time', async () => {
    const raw = rawMail({ 'Message-ID': '<twice@mail.example.com>' });
    const first = await receiveEmail(context, delivery(raw));
    deps.clock.advance(5 * 60_000);
    const second = await receiveEmail(context, delivery(raw, { storageKey: 'inbound/ses-again' }));
    expect(first.outcome).toBe('created');
    if (first.outcome !== 'created') return;
    expect(second).toEqual({ outcome: 'duplicate', ticketId: first.ticketId, entryId: first.entryId });
    expect(deps.state.tickets.size).toBe(1);
    expect(entriesOf(1001)).toHaveLength(1);
  });

  it('knows the Message-ID again whatever its case', async () => {
    await receive({ 'Message-ID': '<Twice@Mail.Example.com>' });
    const again = await receive({ 'Message-ID': '<twice@mail.example.com>' });
    expect(again.outcome).toBe('duplicate');
  });

  it('records a reply delivered twice once', async () => {
    await annOpensTicket();
    const raw = rawMail({ 'In-Reply-To': `<${ourId(1001)}>` });
    expect((await receiveEmail(context, delivery(raw))).outcome).toBe('appended');
    expect((await receiveEmail(context, delivery(raw))).outcome).toBe('duplicate');
    expect(entriesOf(1001).filter((e) => e.kind === 'customer')).toHaveLength(2);
    expect(ticketNumbered(1001).messageCount).toBe(2);
  });

  it('recognises a message without Message-ID by the hash of its bytes', async () => {
    const raw = rawMail({ 'Message-ID': null });
    const first = await receiveEmail(context, delivery(raw));
    const second = await receiveEmail(context, delivery(raw));
    expect(first.outcome).toBe('created');
    expect(second.outcome).toBe('duplicate');
    expect([...deps.state.messages.keys()]).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
    expect(entry(first).email?.messageId).toBeNull();
    // Another message without Message-ID is another message.
    const other = await receiveEmail(context, delivery(rawMail({ 'Message-ID': null }, 'Something else')));
    expect(other.outcome).toBe('created');
  });
});

/** A multipart/mixed body (boundary b1) of the given parts. */
function multipart(...parts: string[]): string {
  return `${parts.map((part) => `--b1\r\n${part}\r\n`).join('')}--b1--\r\n`;
}

const textPart = (text: string) => `Content-Type: text/plain; charset=utf-8\r\n\r\n${text}`;

function filePart(name: string, content: Buffer, contentType = 'application/octet-stream'): string {
  return [
    `Content-Type: ${contentType}; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    content.toString('base64').replace(/(.{76})/g, '$1\r\n'),
  ].join('\r\n');
}

const MULTIPART = { 'Content-Type': 'multipart/mixed; boundary="b1"' };

describe('receiveEmail: attachments', () => {
  it('stores attachments within the size limit and lists larger ones as dropped', async () => {
    const body = multipart(
      textPart('Two files.'),
      filePart('notes.txt', Buffer.from('small file'), 'text/plain'),
      filePart('huge.bin', Buffer.alloc(4096, 0x41)),
    );
    const outcome = await receive(MULTIPART, { body });
    const stored = entry(outcome);
    expect(stored.body).toBe('Two files.');
    expect(stored.attachments).toEqual([
      {
        id: `${stored.id}-1`,
        name: 'notes.txt',
        contentType: 'text/plain',
        size: 10,
        key: `attachments/${stored.id}/1-notes.txt`,
        inline: false,
      },
    ]);
    expect(stored.email?.dropped).toEqual([
      { name: 'huge.bin', size: 4096, reason: expect.stringContaining('limit') },
    ]);
    expect([...blobs.objects.keys()]).toEqual([`attachments/${stored.id}/1-notes.txt`]);
    const file = blobs.objects.get(`attachments/${stored.id}/1-notes.txt`);
    expect(Buffer.from(file!.body).toString()).toBe('small file');
    expect(file!.contentType).toBe('text/plain');
  });

  it('drops an oversized attachment of a reply too, keeping the message', async () => {
    await annOpensTicket();
    const outcome = await receive(
      { ...MULTIPART, 'In-Reply-To': `<${ourId(1001)}>` },
      { body: multipart(textPart('Scan attached.'), filePart('scan.pdf', Buffer.alloc(3000, 0x25))) },
    );
    expect(outcome.outcome).toBe('appended');
    expect(entry(outcome).attachments).toEqual([]);
    expect(entry(outcome).email?.dropped).toEqual([
      expect.objectContaining({ name: 'scan.pdf', size: 3000 }),
    ]);
    expect(blobs.objects.size).toBe(0);
  });
});

describe('processInboundRecord (the SES function’s step for one record)', () => {
  const record = (messageId: string, virus = 'PASS'): InboundSesRecord => ({
    ses: {
      mail: { messageId, timestamp: '2026-03-02T08:59:30.000Z', source: 'ann@example.com' },
      receipt: {
        recipients: ['support@desk.test'],
        spamVerdict: { status: 'PASS' },
        virusVerdict: { status: virus },
        spfVerdict: { status: 'PASS' },
        dkimVerdict: { status: 'GRAY' },
      },
    },
  });

  it('reads the raw message the receipt rule stored and runs it through the pipeline', async () => {
    await blobs.put(
      'inbound/ses-abc',
      rawMail({ 'Message-ID': '<via-ses@mail.example.com>' }),
      'message/rfc822',
    );
    const outcome = await processInboundRecord(context, record('ses-abc'));
    expect(outcome).toMatchObject({ outcome: 'created', ticketNumber: 1001 });
    expect(entry(outcome).email).toMatchObject({
      rawKey: 'inbound/ses-abc',
      verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'GRAY', dmarc: 'DISABLED' },
    });
    expect(entry(outcome).createdAt).toBe(deps.clock.now().toISOString());
    expect(await processInboundRecord(context, record('ses-abc'))).toMatchObject({ outcome: 'duplicate' });
  });

  it('passes the verdicts on (a virus is dropped)', async () => {
    await blobs.put('inbound/ses-virus', rawMail(), 'message/rfc822');
    expect(await processInboundRecord(context, record('ses-virus', 'FAIL'))).toEqual({
      outcome: 'dropped',
      reason: 'virus',
    });
  });

  it('fails when the raw message is not in the bucket, so Lambda retries it', async () => {
    await expect(processInboundRecord(context, record('ses-missing'))).rejects.toThrow(
      'raw message inbound/ses-missing is not in the mail bucket',
    );
  });
});
