/**
 * The whole chain of organising a desk, through the public surfaces only: an
 * admin sets up a department (support address, layout), a team with round
 * robin, an agent, a routing rule and a workflow rule over HTTP; a customer
 * mails the department's address over SMTP; the ticket is routed to the team,
 * assigned to the online agent, the rule fires (priority, tag, note naming
 * the rule), the assignee gets the notification in the outbox and in their
 * feed, and the layout's field is enforced before solving.
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

let desk: LocalDesk;
let dataDir: string;
let admin: DeskClient;
let smtp: Transporter;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-flow-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', inMemory: true, dataDir, quiet: true });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  smtp = nodemailer.createTransport({
    host: '127.0.0.1',
    port: desk.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
}, 60_000);

afterAll(async () => {
  smtp?.close();
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a department set up over HTTP, a customer mail, and everything that follows', () => {
  it('routes, assigns, fires the rule with its note, notifies the assignee and enforces the layout', async () => {
    // --- The admin sets the desk up, each step over the API.
    const department = await admin.post<{ id: string }>('/departments', { id: 'devices', name: 'Devices' });
    expect(department.status).toBe(201);
    const addressed = await admin.request(
      'PATCH',
      '/departments/devices',
      { supportAddresses: ['devices@demo.local'] },
      { 'if-match': department.headers.get('etag') ?? '' },
    );
    expect(addressed.status).toBe(200);

    const field = await admin.request('PUT', '/fields/device_model', {
      label: 'Device model',
      type: 'picklist',
      options: ['Phone X', 'Phone Y'],
      active: true,
    });
    expect(field.status).toBe(200);
    const layout = await admin.request('PUT', '/departments/devices/layout', {
      fields: [{ fieldId: 'device_model', required: true }],
    });
    expect(layout.status).toBe(200);

    expect(
      (await admin.post('/teams', { id: 'devices-team', name: 'Devices team', departmentId: 'devices' }))
        .status,
    ).toBe(201);
    const team = await admin.get('/teams/devices-team');
    expect(
      (
        await admin.request(
          'PATCH',
          '/teams/devices-team',
          { assignment: { strategy: 'round_robin' } },
          { 'if-match': team.headers.get('etag') ?? '' },
        )
      ).status,
    ).toBe(200);
    const newAgent = await admin.post<{ id: string }>('/agents', {
      email: 'dana@demo.local',
      name: 'Dana Devices',
      role: 'agent',
      departmentIds: ['devices'],
      teamIds: ['devices-team'],
      password: 'dana-pass',
    });
    expect(newAgent.status).toBe(201);
    const dana = await new DeskClient(desk.url).login('dana@demo.local', 'dana-pass');

    expect(
      (
        await admin.request('PUT', '/routing-rules/devices-to-team', {
          name: 'Devices mail to the devices team',
          position: 0,
          active: true,
          conditions: { all: [{ field: 'departmentId', operator: 'is', value: 'devices' }] },
          target: { teamId: 'devices-team' },
          actions: [],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await admin.request('PUT', '/workflow-rules/overheating-devices', {
          name: 'Overheating devices',
          active: true,
          position: 0,
          trigger: 'ticket_created',
          conditions: {
            all: [
              { field: 'departmentId', operator: 'is', value: 'devices' },
              { field: 'body', operator: 'contains', value: 'phone overheating' },
            ],
          },
          actions: [
            { type: 'set_priority', priority: 'high' },
            { type: 'add_tags', tags: ['overheating'] },
            { type: 'add_note', body: 'Check the battery batch of ticket {{ticket.number}} first.' },
          ],
        })
      ).status,
    ).toBe(200);

    // --- A customer writes to the department's address.
    await smtp.sendMail({
      from: 'Olga Owner <olga.owner@example.com>',
      to: 'devices@demo.local',
      subject: 'Hot in my pocket',
      text: 'My phone overheating again after the update. What can I do?',
    });

    const ticket = await eventually(
      async () =>
        (await admin.get<Page<Ticket>>('/tickets?departmentId=devices&limit=50')).body.items.find(
          (t) => t.subject === 'Hot in my pocket',
        ),
      {
        accept: (t) => t?.assigneeId === newAgent.body.id && t.priority === 'high',
        timeoutMs: 30_000,
        intervalMs: 200,
        what: 'the routed, assigned ticket with the rule applied',
      },
    );
    expect(ticket).toMatchObject({ channel: 'email', departmentId: 'devices', teamId: 'devices-team' });
    expect(ticket!.tags).toContain('overheating');

    // --- The timeline names the routing, the assignment and the rule; the note is there.
    const entries = await eventually(
      async () =>
        (await admin.get<Page<TimelineEntry>>(`/tickets/${ticket!.id}/timeline?limit=100`)).body.items,
      {
        accept: (items) => items.some((e) => e.kind === 'note' && e.author.id === 'rule:overheating-devices'),
        what: 'the rule’s note',
      },
    );
    const names = entries.map((e) => e.author.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'Routing rule "Devices mail to the devices team"',
        'Rule "Overheating devices"',
      ]),
    );
    expect(entries.find((e) => e.kind === 'note' && e.author.id === 'rule:overheating-devices')?.body).toBe(
      `Check the battery batch of ticket ${ticket!.number} first.`,
    );

    // --- The assignee is told by mail (outbox) and in their feed.
    const mail = await eventually(
      async () =>
        (await admin.get<{ items: OutboxMessage[] }>('/local/outbox')).body.items.find(
          (m) => m.to.includes('dana@demo.local') && m.subject.includes(`#${ticket!.number}`),
        ),
      { timeoutMs: 20_000, intervalMs: 200, what: 'the assignment mail' },
    );
    expect(mail).toBeDefined();
    const feed = await eventually(
      async () =>
        (await dana.get<{ items: { ticketId: string; kind: string }[]; unread: number }>('/me/notifications'))
          .body,
      { accept: (f) => f.items.some((n) => n.ticketId === ticket!.id), what: 'the feed item' },
    );
    expect(feed.items.find((n) => n.ticketId === ticket!.id)?.kind).toBe('assigned');
    expect(feed.unread).toBeGreaterThanOrEqual(1);

    // --- The department's layout: the required field blocks solving until it has a value.
    const current = await dana.get<Ticket>(`/tickets/${ticket!.id}`);
    const refused = await dana.request<{ error: { details: { field: string }[] } }>(
      'PATCH',
      `/tickets/${ticket!.id}`,
      { status: 'solved' },
      { 'if-match': current.headers.get('etag') ?? '' },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ field: 'customFields.device_model' }),
    ]);
    const badValue = await dana.request(
      'PATCH',
      `/tickets/${ticket!.id}`,
      { customFields: { device_model: 'Toaster' } },
      { 'if-match': current.headers.get('etag') ?? '' },
    );
    expect(badValue.status).toBe(400);
    const solved = await dana.request<Ticket>(
      'PATCH',
      `/tickets/${ticket!.id}`,
      { customFields: { device_model: 'phone x' }, status: 'solved' },
      { 'if-match': current.headers.get('etag') ?? '' },
    );
    expect(solved.status).toBe(200);
    expect(solved.body).toMatchObject({ status: 'solved', customFields: { device_model: 'Phone X' } });

    // --- Who changed what: the setup is in the audit log, by the admin.
    const audit = await admin.get<{ items: { type: string; id: string; by: string }[] }>('/audit?limit=50');
    const audited = audit.body.items
      .filter((e) => e.by === 'admin@demo.local')
      .map((e) => `${e.type}:${e.id}`);
    for (const expected of [
      'team:devices-team',
      'workflowRule:overheating-devices',
      'routingRule:devices-to-team',
    ]) {
      expect(audited).toContain(expected);
    }
  }, 90_000);
});
