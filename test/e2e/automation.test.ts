/**
 * Automation gaps closed, end to end on the local runtime: a rule's webhook
 * reaches a real HTTP receiver once, signed, with its outcome on the
 * timeline; a macro's notify action is mailed and lands in the agent's
 * notification feed; a ticket moved into a department whose team assigns by
 * round robin is assigned to that team's online agent, who sees it in their
 * feed; the time-based rules run on the local interval by themselves.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentNotification } from '../../functions/domain/agents/notifications.js';
import type { Ticket, TimelineEntry } from '../../functions/domain/tickets/model.js';
import type { OutboxMessage } from '../../local/outbox.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { eventually } from '../support/eventually.js';
import { DeskClient } from './client.js';

type Page<T> = { items: T[]; nextCursor: string | null };
type Feed = { items: AgentNotification[]; unread: number };

let desk: LocalDesk;
let dataDir: string;
let admin: DeskClient;
let agent: DeskClient;
let receiver: Server;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string; path: string }[] = [];

const timeline = async (ticketId: string) =>
  (await admin.get<Page<TimelineEntry>>(`/tickets/${ticketId}/timeline?limit=100`)).body.items;
const outbox = async () => (await admin.get<{ items: OutboxMessage[] }>('/local/outbox')).body.items;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path: request.url ?? '',
      });
      response.writeHead(202, { 'content-type': 'text/plain' }).end('thanks, not stored');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  dataDir = mkdtempSync(join(tmpdir(), 'desk-automation-'));
  // Time-based rules every second here (every 5 minutes by default, every 15 on AWS).
  desk = await startLocal({
    port: 0,
    jvm: 'fast-start',
    inMemory: true,
    dataDir,
    quiet: true,
    rulesIntervalSeconds: 1,
  });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  agent = await new DeskClient(desk.url).login('agent@demo.local');
}, 60_000);

afterAll(async () => {
  await desk?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('automation on the local desk', () => {
  it('a rule’s webhook is posted once to a real receiver, signed, and its outcome is on the timeline', async () => {
    const rule = (url: string) => ({
      name: 'Tell the status page',
      active: true,
      position: 0,
      trigger: 'ticket_created',
      conditions: { all: [{ field: 'subject', operator: 'contains', value: 'outage' }] },
      actions: [
        { type: 'add_tags', tags: ['outage'] },
        { type: 'webhook', url },
      ],
    });
    const refused = await admin.request(
      'PUT',
      '/workflow-rules/status-page',
      rule('https://u:p@x.example/h'),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error?.details).toEqual([
      { field: 'actions.1.url', message: 'put credentials in a header secret, not in the URL' },
    ]);
    expect(
      (await admin.request('PUT', '/workflow-rules/status-page', rule(`${receiverUrl}/hooks/desk`))).status,
    ).toBe(200);

    const created = await admin.post<Ticket>('/tickets', {
      subject: 'Total outage in Berlin',
      description: 'Nothing works.',
      customer: { email: 'berlin@customer.example', name: 'Berta' },
      departmentId: 'general',
      channel: 'api',
    });
    expect(created.status).toBe(201);
    const entries = await eventually(() => timeline(created.body.id), {
      accept: (items) => items.some((e) => e.kind === 'system' && e.author.id === 'rule:status-page'),
      timeoutMs: 20_000,
      intervalMs: 100,
      what: 'the rule’s entry',
    });
    const port = new URL(receiverUrl).port;
    expect(entries.find((e) => e.kind === 'system' && e.author.id === 'rule:status-page')?.body).toBe(
      `Rule "Tell the status page" (ticket created) set tags to outage; called webhook 127.0.0.1:${port}: HTTP 202.`,
    );

    // The entry is written after the call: by now the receiver has it, once.
    expect(received).toHaveLength(1);
    const [call] = received;
    expect(call?.path).toBe('/hooks/desk');
    expect(call?.headers['content-type']).toBe('application/json');
    const key = createHmac('sha256', desk.mail.settings.signingSecret).update('webhook').digest('hex');
    expect(call?.headers['x-helpdesk-signature']).toBe(
      `sha256=${createHmac('sha256', key)
        .update(call?.body ?? '')
        .digest('hex')}`,
    );
    const payload = JSON.parse(call?.body ?? '{}');
    expect(call?.headers['x-helpdesk-delivery']).toBe(payload.id);
    expect(payload).toMatchObject({
      event: 'ticket_created',
      rule: { id: 'status-page', name: 'Tell the status page' },
      ticket: {
        id: created.body.id,
        number: created.body.number,
        subject: 'Total outage in Berlin',
        departmentId: 'general',
        tags: ['outage'],
        customerEmail: 'berlin@customer.example',
        customFields: {},
      },
    });

    // A later change fires nothing again: the next record through the stream leaves the count at one.
    expect((await admin.post(`/tickets/${created.body.id}/notes`, { body: 'Checked.' })).status).toBe(201);
    await eventually(() => timeline(created.body.id), {
      accept: (items) => items.some((e) => e.kind === 'note' && e.body === 'Checked.'),
      what: 'the note',
    });
    expect(received).toHaveLength(1);
  }, 40_000);

  it('a macro’s notify action is mailed to the agent and lands in their notification feed', async () => {
    const macro = {
      name: 'Ask Sam',
      scope: 'shared',
      actions: [
        {
          type: 'notify',
          to: { agentId: 'agent-sam' },
          template: {
            subject: 'Second opinion on #{{ticket.number}}',
            body: 'Could you look at "{{ticket.subject}}"?',
          },
        },
      ],
    };
    expect((await admin.request('PUT', '/macros/ask-sam', macro)).status).toBe(200);
    const created = await admin.post<Ticket>('/tickets', {
      subject: 'Strange noise',
      description: 'It hums.',
      customer: { email: 'hum@customer.example' },
      departmentId: 'general',
      channel: 'api',
    });
    const applied = await admin.post<{ results: { ok: boolean }[] }>('/macros/ask-sam/apply', {
      ticketIds: [created.body.id],
    });
    expect(applied.body.results).toEqual([{ ticketId: created.body.id, ok: true }]);

    const subject = `[#${created.body.number}] Second opinion on #${created.body.number}`;
    const mail = await eventually(async () => (await outbox()).find((m) => m.subject === subject), {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: 'the notification mail',
    });
    expect(mail?.to).toEqual(['agent@demo.local']);
    expect(mail?.text).toContain('Could you look at "Strange noise"?');

    const feed = await eventually(async () => (await agent.get<Feed>('/me/notifications?limit=5')).body, {
      accept: (f) => f.items.some((n) => n.ticketId === created.body.id),
      what: 'Sam’s feed item',
    });
    const item = feed.items.find((n) => n.ticketId === created.body.id);
    expect(item).toMatchObject({
      kind: 'macro',
      ticketNumber: created.body.number,
      subject: 'Strange noise',
      text: `Macro "Ask Sam": Second opinion on #${created.body.number}`,
      read: false,
    });
    expect(feed.unread).toBeGreaterThanOrEqual(1);
    const read = await agent.post<{ unread: number }>('/me/notifications/read', { ids: [item?.id] });
    expect(read.status).toBe(200);
    expect(read.body.unread).toBe(feed.unread - 1);
    expect((await agent.post('/me/notifications/read', { ids: ['not-an-id'] })).status).toBe(400);
    expect((await agent.get('/me/notifications?limit=500')).status).toBe(400);
    expect((await agent.post<{ unread: number }>('/me/notifications/read', {})).body.unread).toBe(0);
  }, 40_000);

  it('moving a ticket into Billing, whose team assigns by round robin, assigns it to Bea, who is told in the desk and by mail', async () => {
    const team = await admin.patch<{ assignment: { strategy: string } }>('/teams/billing-team', {
      assignment: { strategy: 'round_robin' },
    });
    expect(team.status).toBe(200);
    const created = await agent.post<Ticket>('/tickets', {
      subject: 'Charged twice',
      description: 'Two payments for one order.',
      customer: { email: 'twice@customer.example' },
      departmentId: 'general',
      channel: 'phone',
    });
    expect(created.status).toBe(201);
    const taken = await agent.patch<Ticket>(`/tickets/${created.body.id}`, {
      teamId: 'tier-1',
      assigneeId: 'agent-sam',
    });
    expect(taken.status).toBe(200);
    const moved = await agent.patch<Ticket>(`/tickets/${created.body.id}`, { departmentId: 'billing' });
    expect(moved.status).toBe(200);

    const ticket = await eventually(
      async () => (await admin.get<Ticket>(`/tickets/${created.body.id}`)).body,
      {
        accept: (t) => t.assigneeId === 'agent-bea',
        timeoutMs: 20_000,
        intervalMs: 100,
        what: 'the assignment in Billing',
      },
    );
    expect(ticket).toMatchObject({ departmentId: 'billing', teamId: 'billing-team' });
    const bodies = (await timeline(created.body.id)).filter((e) => e.kind === 'system').map((e) => e.body);
    expect(bodies).toContain(
      'Moved to Billing: left team Tier 1 and unassigned Sam Agent, who is not in Billing; routing it within Billing.',
    );
    expect(bodies).toContain('Assigned to Bea Billing by round robin (team Billing team).');

    const bea = await new DeskClient(desk.url).login('bea@demo.local');
    const feed = await eventually(async () => (await bea.get<Feed>('/me/notifications')).body, {
      accept: (f) => f.items.some((n) => n.ticketId === created.body.id),
      what: 'Bea’s feed item',
    });
    expect(feed.items.find((n) => n.ticketId === created.body.id)).toMatchObject({
      kind: 'assigned',
      subject: 'Charged twice',
      text: 'Assigned to you by Assignment (round robin).',
      read: false,
    });
    // Sam assigned the ticket to himself: no feed item for that.
    const samFeed = (await agent.get<Feed>('/me/notifications?limit=50')).body;
    expect(samFeed.items.filter((n) => n.ticketId === created.body.id)).toEqual([]);
    await eventually(
      async () =>
        (await outbox()).find(
          (m) => m.to.includes('bea@demo.local') && m.subject.includes('Assigned to you'),
        ),
      { what: 'Bea’s assignment mail' },
    );
  }, 40_000);

  it('time-based rules run on the local interval, without anyone asking', async () => {
    const rule = {
      name: 'Nudge waiting tickets',
      active: true,
      position: 0,
      trigger: 'time_based',
      conditions: { all: [{ field: 'tags', operator: 'includes', value: 'nudge-me' }] },
      actions: [
        { type: 'add_note', body: 'Nudged by the schedule.' },
        { type: 'webhook', url: `${receiverUrl}/hooks/nudge` },
      ],
    };
    expect((await admin.request('PUT', '/workflow-rules/nudge', rule)).status).toBe(200);
    const created = await admin.post<Ticket>('/tickets', {
      subject: 'Waiting for parts',
      description: 'Any news?',
      customer: { email: 'parts@customer.example' },
      departmentId: 'general',
      channel: 'api',
    });
    expect((await admin.patch(`/tickets/${created.body.id}`, { tags: ['nudge-me'] })).status).toBe(200);
    const entries = await eventually(() => timeline(created.body.id), {
      accept: (items) => items.some((e) => e.kind === 'system' && e.author.id === 'rule:nudge'),
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'the time-based rule’s entry',
    });
    expect(entries.filter((e) => e.kind === 'note' && e.body === 'Nudged by the schedule.')).toHaveLength(1);
    expect(received.filter((r) => r.path === '/hooks/nudge')).toHaveLength(1);
    expect(JSON.parse(received.find((r) => r.path === '/hooks/nudge')?.body ?? '{}')).toMatchObject({
      event: 'time_based',
      rule: { id: 'nudge' },
      ticket: { id: created.body.id, tags: ['nudge-me'] },
    });
  }, 40_000);
});
