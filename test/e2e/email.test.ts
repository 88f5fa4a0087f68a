/**
 * The email channel end to end on the local runtime: real SMTP in (the local
 * receiver), the inbound pipeline on DynamoDB Local, the stream poller, and
 * the outbox for mail out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket, TimelineEntry } from '../../functions/domain/tickets/model.js';
import type { OutboxMessage } from '../../local/outbox.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { eventually } from '../support/eventually.js';
import { DeskClient } from './client.js';

type Page<T> = { items: T[]; nextCursor: string | null };
type Entry = TimelineEntry & {
  attachments?: { name: string; size: number; url?: string }[];
  rawUrl?: string;
};

let desk: LocalDesk;
let dataDir: string;
let admin: DeskClient;
let smtp: Transporter;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-email-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', inMemory: true, dataDir, quiet: true });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  smtp = nodemailer.createTransport({
    host: '127.0.0.1',
    port: desk.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
});

afterAll(async () => {
  smtp?.close();
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

let sequence = 0;
function uniqueId(label: string): string {
  return `${label}.${Date.now()}.${++sequence}@customer.example`;
}

async function ticketOfMessage(messageId: string): Promise<Ticket> {
  const found = await desk.app.deps.tickets.findMessage(`mid:${messageId.toLowerCase()}`);
  if (!found) throw new Error(`message ${messageId} is on no ticket`);
  const res = await admin.get<Ticket>(`/tickets/${found.ticketId}`);
  return res.body;
}

async function timeline(ticketId: string): Promise<Entry[]> {
  return (await admin.get<Page<Entry>>(`/tickets/${ticketId}/timeline?limit=100`)).body.items;
}

async function outbox(): Promise<OutboxMessage[]> {
  return (await admin.get<{ items: OutboxMessage[] }>('/local/outbox')).body.items;
}

async function outboxWhere(what: string, match: (m: OutboxMessage) => boolean): Promise<OutboxMessage> {
  const all = await eventually(async () => (await outbox()).filter(match), {
    accept: (list) => list.length > 0,
    what,
  });
  return all[0] as OutboxMessage;
}

describe('email over SMTP', () => {
  let first: Ticket;
  let ack: OutboxMessage;
  const customerMessageId = uniqueId('first');

  it('turns a new mail into an email ticket and acknowledges it with threading headers', async () => {
    await smtp.sendMail({
      from: '"Ada Lovelace" <ada@customer.example>',
      to: 'billing@demo.local',
      subject: 'Broken kettle',
      text: 'My kettle stopped working after two days.',
      messageId: `<${customerMessageId}>`,
    });
    first = await ticketOfMessage(customerMessageId);
    expect(first).toMatchObject({
      channel: 'email',
      subject: 'Broken kettle',
      departmentId: 'billing',
      status: 'new',
    });
    expect(first.requester).toMatchObject({ email: 'ada@customer.example', name: 'Ada Lovelace' });
    const entries = await timeline(first.id);
    expect(entries[0]).toMatchObject({ kind: 'customer', channel: 'email' });
    expect(entries[0]?.body).toContain('kettle stopped working');
    expect(entries[0]?.email?.threadedBy).toBe('new-ticket');
    expect(entries[0]?.rawUrl).toMatch(/^http/);

    ack = await outboxWhere('the acknowledgement', (m) => m.inReplyTo === customerMessageId);
    expect(ack.to).toEqual(['ada@customer.example']);
    expect(ack.from).toBe('billing@demo.local');
    expect(ack.subject).toContain(`[#${first.number}]`);
    expect(ack.autoSubmitted).toBe('auto-replied');
    expect(ack.autoResponseSuppress).toBe('All');
    expect(ack.references).toContain(customerMessageId);
    expect(ack.replyTo).toMatch(new RegExp(`^billing\\+t${first.number}\\.[a-z2-7]{16}@demo\\.local$`));
    expect(ack.messageId).toMatch(new RegExp(`^t${first.number}\\.`));
    expect(ack.text).toContain(`#${first.number}`);
    // The acknowledgement is on the timeline too.
    const withAck = await eventually(() => timeline(first.id), {
      accept: (list) => list.some((e) => e.kind === 'notification'),
      what: 'the notification entry',
    });
    expect(withAck.find((e) => e.kind === 'notification')?.email?.messageId).toBe(ack.messageId);
  });

  it('threads a customer reply that answers our message, and strips the quoted history', async () => {
    const replyId = uniqueId('reply');
    await smtp.sendMail({
      from: 'ada@customer.example',
      to: ack.replyTo ?? 'billing@demo.local',
      subject: `Re: ${ack.subject}`,
      text: `It is the blue one.\n\nOn Mon, 23 Nov 2026 at 10:00, Demo Desk <billing@demo.local> wrote:\n> Thank you for contacting us\n> ticket #${first.number}\n`,
      messageId: `<${replyId}>`,
      inReplyTo: `<${ack.messageId}>`,
      references: [`<${customerMessageId}>`, `<${ack.messageId}>`],
    });
    const ticket = await ticketOfMessage(replyId);
    expect(ticket.id).toBe(first.id);
    const entry = (await timeline(first.id)).find((e) => e.email?.messageId === replyId);
    expect(entry?.body).toBe('It is the blue one.');
    expect(entry?.email?.quoteStripped).toBe(true);
    expect(entry?.email?.threadedBy).toMatch(/^(reply-address|signed-message-id)/);
  });

  it('sends an agent reply with the thread headers and the ticket tag', async () => {
    const res = await admin.post<TimelineEntry>(`/tickets/${first.id}/replies`, {
      body: 'We will send a new one.',
    });
    expect(res.status).toBe(201);
    const sent = await outboxWhere('the agent reply', (m) => m.text.includes('We will send a new one.'));
    expect(sent.subject).toBe(`Re: [#${first.number}] Broken kettle`);
    expect(sent.autoSubmitted).toBeNull();
    expect(sent.references).toContain(customerMessageId);
    expect(sent.inReplyTo).toBeTruthy();
    const entry = await eventually(async () => (await timeline(first.id)).find((e) => e.id === res.body.id), {
      accept: (e) => Boolean(e?.email?.sentAt),
      what: 'the reply marked sent',
    });
    expect(entry?.email?.messageId).toBe(sent.messageId);
  });

  it('records one entry when the same message is delivered twice', async () => {
    const id = uniqueId('twice');
    const raw = [
      'From: Grace <grace@customer.example>',
      'To: support@demo.local',
      'Subject: Printer jam',
      `Message-ID: <${id}>`,
      'Date: Mon, 23 Nov 2026 10:00:00 +0000',
      '',
      'The printer jams on page two.',
      '',
    ].join('\r\n');
    const envelope = { from: 'grace@customer.example', to: ['support@demo.local'] };
    await smtp.sendMail({ envelope, raw });
    await smtp.sendMail({ envelope, raw });
    const ticket = await ticketOfMessage(id);
    const entries = (await timeline(ticket.id)).filter((e) => e.kind === 'customer');
    expect(entries).toHaveLength(1);
    const list = await admin.get<Page<Ticket>>(`/tickets?customerId=${ticket.customerId}&limit=50`);
    expect(list.body.items.filter((t) => t.subject === 'Printer jam')).toHaveLength(1);
  });

  it('does not acknowledge an out-of-office reply', async () => {
    const id = uniqueId('ooo');
    await smtp.sendMail({
      from: 'away@customer.example',
      to: 'support@demo.local',
      subject: 'Automatic reply: your order',
      text: 'I am out of the office until Monday.',
      messageId: `<${id}>`,
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
    });
    const ticket = await ticketOfMessage(id);
    expect(ticket.tags).toContain('auto-reply');
    // A later human mail from someone else is acknowledged: the outbox is live, yet nothing went to away@.
    const control = uniqueId('control');
    await smtp.sendMail({
      from: 'present@customer.example',
      to: 'support@demo.local',
      subject: 'Hello',
      text: 'Hi',
      messageId: `<${control}>`,
    });
    await outboxWhere('the control acknowledgement', (m) => m.inReplyTo === control);
    expect((await outbox()).filter((m) => m.to.includes('away@customer.example'))).toEqual([]);
  });

  it('records a bounce of our mail on the ticket it concerns, without answering it', async () => {
    const raw = [
      'From: Mail Delivery Subsystem <mailer-daemon@customer.example>',
      'To: billing@demo.local',
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <${uniqueId('dsn')}>`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system. Your message could not be delivered: mailbox full.',
      '',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.example',
      '',
      'Final-Recipient: rfc822; ada@customer.example',
      'Action: failed',
      'Status: 5.2.2',
      '',
      '--b1',
      'Content-Type: text/rfc822-headers',
      '',
      'From: billing@demo.local',
      'To: ada@customer.example',
      `Message-ID: <${ack.messageId}>`,
      `Subject: ${ack.subject}`,
      '',
      '--b1--',
      '',
    ].join('\r\n');
    const before = (await outbox()).length;
    await smtp.sendMail({ envelope: { from: '', to: ['billing@demo.local'] }, raw });
    const entries = await eventually(() => timeline(first.id), {
      accept: (list) => list.some((e) => e.kind === 'system' && (e.body ?? '').includes('mailbox full')),
      what: 'the bounce on the timeline',
    });
    expect(entries.find((e) => e.kind === 'system')?.email?.automation).toBe('bounce');
    expect((await outbox()).length).toBe(before);
  });

  it('opens a new ticket for a stranger who copies the subject tag', async () => {
    const id = uniqueId('stranger');
    await smtp.sendMail({
      from: 'mallory@elsewhere.example',
      to: 'support@demo.local',
      subject: `Re: [#${first.number}] Broken kettle`,
      text: 'Please send the refund to my account instead.',
      messageId: `<${id}>`,
    });
    const ticket = await ticketOfMessage(id);
    expect(ticket.id).not.toBe(first.id);
    const entry = (await timeline(ticket.id))[0];
    expect(entry?.email?.threadedBy).toContain(`subject-tag → #${first.number} refused`);
    expect((await timeline(first.id)).some((e) => e.email?.messageId === id)).toBe(false);
  });

  it('reopens a solved ticket on a customer reply, and opens a linked follow-up for a closed one', async () => {
    const solved = await admin.patch<Ticket>(`/tickets/${first.id}`, { status: 'solved' });
    expect(solved.status).toBe(200);
    await outboxWhere(
      'the solved notification',
      (m) => m.subject.includes(`[#${first.number}]`) && m.text.includes('solved'),
    );
    const again = uniqueId('again');
    await smtp.sendMail({
      from: 'ada@customer.example',
      to: ack.replyTo ?? '',
      subject: `Re: ${ack.subject}`,
      text: 'Still broken.',
      messageId: `<${again}>`,
      inReplyTo: `<${ack.messageId}>`,
    });
    expect((await ticketOfMessage(again)).id).toBe(first.id);
    const reopened = (await admin.get<Ticket>(`/tickets/${first.id}`)).body;
    expect(reopened.status).toBe('open');

    await admin.patch(`/tickets/${first.id}`, { status: 'solved' });
    expect((await admin.patch<Ticket>(`/tickets/${first.id}`, { status: 'closed' })).status).toBe(200);
    const late = uniqueId('late');
    await smtp.sendMail({
      from: 'ada@customer.example',
      to: ack.replyTo ?? '',
      subject: `Re: ${ack.subject}`,
      text: 'And again.',
      messageId: `<${late}>`,
      inReplyTo: `<${ack.messageId}>`,
    });
    const followUp = await ticketOfMessage(late);
    expect(followUp.id).not.toBe(first.id);
    expect(followUp.followUpOf).toBe(first.number);
    expect(followUp.tags).toContain('follow-up');
  });

  it('stores a 12 MB attachment and serves it through a signed link only', async () => {
    const id = uniqueId('big');
    const content = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31 + 7) & 0xff;
    await smtp.sendMail({
      from: 'big@customer.example',
      to: 'support@demo.local',
      subject: 'Logs attached',
      text: 'See the attached log archive.',
      messageId: `<${id}>`,
      attachments: [{ filename: 'logs – März.bin', content, contentType: 'application/octet-stream' }],
    });
    const ticket = await ticketOfMessage(id);
    const entry = (await timeline(ticket.id))[0];
    const file = entry?.attachments?.[0];
    expect(file).toMatchObject({ name: 'logs – März.bin', size: content.length });
    const download = await fetch(file?.url ?? '');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain(
      "filename*=UTF-8''logs%20%E2%80%93%20M%C3%A4rz.bin",
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);
    const tampered = (file?.url ?? '').replace(/sig=[^&]+/, 'sig=forged');
    expect((await fetch(tampered)).status).toBe(403);
  }, 90_000);

  it('sanitises HTML mail: no scripts, no event handlers, no remote images', async () => {
    const id = uniqueId('html');
    await smtp.sendMail({
      from: 'eve@customer.example',
      to: 'support@demo.local',
      subject: 'Formatted question',
      html: '<p>Hello <b>team</b></p><script>alert(1)</script><img src="https://tracker.example/pixel.gif" onerror="alert(2)"><a href="javascript:alert(3)">click</a>',
      messageId: `<${id}>`,
    });
    const ticket = await ticketOfMessage(id);
    const entry = (await timeline(ticket.id))[0];
    expect(entry?.html).toContain('<b>team</b>');
    expect(entry?.html).not.toMatch(/<script|onerror|javascript:|\ssrc="https?:/i);
    expect(entry?.email?.blockedRemoteImages).toBe(1);
    expect(entry?.body).toContain('Hello team');
  });

  it('refuses mail for addresses that are not the desk’s', async () => {
    await expect(
      smtp.sendMail({ from: 'a@customer.example', to: 'nobody@demo.local', subject: 'x', text: 'y' }),
    ).rejects.toThrow(/550/);
  });

  it('shows the outbox to signed-in agents only', async () => {
    expect((await new DeskClient(desk.url).get('/local/outbox')).status).toBe(401);
    expect((await admin.get('/local/outbox')).status).toBe(200);
  });
});
