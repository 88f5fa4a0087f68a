/**
 * Workflow rules and macros end to end on the local runtime: a rule on new
 * tickets (the brief's "phone overheating" example), a time-based rule that
 * notifies the supervisor of a long ticket whose resolution target passed
 * (a one-minute SLA target, real time), and a macro applied to 100 tickets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
let agent: DeskClient;
let anonymous: DeskClient;
/** The ticket of the time-based example, built while the other tests run. */
let longTicket: Ticket;
let resolutionDueAt: number;

const timeline = async (ticketId: string) =>
  (await admin.get<Page<TimelineEntry>>(`/tickets/${ticketId}/timeline?limit=100`)).body.items;
const outbox = async () => (await admin.get<{ items: OutboxMessage[] }>('/local/outbox')).body.items;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-rules-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', inMemory: true, dataDir, quiet: true });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  agent = await new DeskClient(desk.url).login('agent@demo.local');
  anonymous = new DeskClient(desk.url);

  // Example 2's ticket first: its one-minute resolution target runs while the other tests do.
  const policy = await admin.request('PUT', '/sla/policies/urgent-minute', {
    name: 'Urgent: resolve within a minute',
    position: 0,
    active: true,
    conditions: { priorities: ['urgent'] },
    calendarId: null,
    targets: { urgent: { firstResponseMinutes: 600, resolutionMinutes: 1 } },
  });
  expect(policy.status).toBe(200);
  const created = await admin.post<Ticket>('/tickets', {
    subject: 'Endless back and forth',
    description: 'Still not working.',
    customer: { email: 'endless@customer.example', name: 'Eddie Endless' },
    priority: 'urgent',
    departmentId: 'technical',
    channel: 'api',
  });
  expect(created.status).toBe(201);
  for (let i = 1; i <= 10; i++) {
    expect((await admin.post(`/tickets/${created.body.id}/replies`, { body: `Try step ${i}.` })).status).toBe(
      201,
    );
  }
  longTicket = (await admin.get<Ticket>(`/tickets/${created.body.id}`)).body;
  expect(longTicket.messageCount).toBe(11);
  const sla = await eventually(
    async () =>
      (
        await admin.get<{ sla: { applied: { targets: { kind: string; dueAt: string }[] } } | null }>(
          `/tickets/${longTicket.id}/sla`,
        )
      ).body.sla,
    { accept: (s) => Boolean(s?.applied.targets.some((t) => t.kind === 'resolution')), what: 'the SLA' },
  );
  resolutionDueAt = Date.parse(sla?.applied.targets.find((t) => t.kind === 'resolution')?.dueAt ?? '');
}, 60_000);

afterAll(async () => {
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('workflow rules and macros on the local desk', () => {
  it('example 1: "phone overheating" in a web-form ticket → priority high, team Replacement, named on the timeline', async () => {
    const rule = {
      name: 'Overheating phones to Replacement',
      active: true,
      position: 0,
      trigger: 'ticket_created',
      conditions: { any: [{ field: 'body', operator: 'contains', value: 'phone overheating' }] },
      actions: [
        { type: 'set_priority', priority: 'high' },
        { type: 'set_department', departmentId: 'technical' },
        { type: 'set_team', teamId: 'replacement' },
      ],
    };
    expect((await agent.request('PUT', '/workflow-rules/overheating', rule)).status).toBe(403);
    expect((await admin.request('PUT', '/workflow-rules/bad', { ...rule, actions: [] })).status).toBe(400);
    const saved = await admin.request<{ rule: { version: number } }>(
      'PUT',
      '/workflow-rules/overheating',
      rule,
    );
    expect(saved.status).toBe(200);
    expect(saved.headers.get('etag')).toBe('"1"');
    expect(
      (await admin.request('PUT', '/workflow-rules/overheating', rule, { 'if-match': '"7"' })).status,
    ).toBe(412);
    // If-Match "0" creates only: a rule with that id exists now.
    expect(
      (await admin.request('PUT', '/workflow-rules/overheating', rule, { 'if-match': '"0"' })).status,
    ).toBe(412);
    const listed = await admin.get<{ items: { rule: { id: string }; updatedBy: string }[] }>(
      '/workflow-rules',
    );
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        rule: expect.objectContaining({ id: 'overheating' }),
        updatedBy: 'admin@demo.local',
      }),
    ]);

    const created = await anonymous.post<{ number: number }>('/public/tickets', {
      name: 'Hot Phone',
      email: 'hot.phone.rules@example.com',
      subject: 'Is this normal?',
      description: 'My phone overheating every night while it charges.',
    });
    expect(created.status).toBe(201);
    const ticket = await eventually(
      async () =>
        (await admin.get<Page<Ticket>>('/tickets?departmentId=technical&limit=100')).body.items.find(
          (t) => t.number === created.body.number,
        ),
      { accept: (t) => t?.teamId === 'replacement', timeoutMs: 20_000, intervalMs: 200, what: 'the ticket' },
    );
    expect(ticket).toMatchObject({ priority: 'high', teamId: 'replacement', departmentId: 'technical' });
    const entries = await eventually(() => timeline(ticket!.id), {
      accept: (items) => items.some((e) => e.kind === 'system' && e.author.id === 'rule:overheating'),
      what: 'the rule’s entry',
    });
    expect(entries.find((e) => e.kind === 'event' && e.author.id === 'rule:overheating')?.author.name).toBe(
      'Rule "Overheating phones to Replacement"',
    );
    expect(entries.find((e) => e.kind === 'system' && e.author.id === 'rule:overheating')?.body).toBe(
      'Rule "Overheating phones to Replacement" (ticket created) set priority to high; set department to technical; set team to replacement.',
    );

    // Other text does not match.
    const other = await anonymous.post<{ number: number }>('/public/tickets', {
      name: 'Cold Phone',
      email: 'cold.phone.rules@example.com',
      subject: 'Battery',
      description: 'My smartphone overheating? No, it is just slow.',
    });
    expect(other.status).toBe(201);
  }, 60_000);

  it('a macro over 100 tickets answers 100 results and applies to each', async () => {
    const macro = {
      name: 'Known outage',
      scope: 'shared',
      actions: [
        { type: 'add_tags', tags: ['outage'] },
        { type: 'set_status', status: 'pending' },
      ],
      reply: { body: 'Hi {{customer.name}}, we know about the outage and are on it. — {{agent.name}}' },
    };
    expect((await agent.request('PUT', '/macros/outage', macro)).status).toBe(403);
    expect((await admin.request('PUT', '/macros/outage', macro)).status).toBe(200);
    expect((await agent.get<{ items: unknown[] }>('/macros')).body.items).toHaveLength(1);

    const ids: string[] = [];
    for (let start = 0; start < 100; start += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          admin.post<Ticket>('/tickets', {
            subject: `Outage report ${start + i}`,
            description: 'Nothing loads.',
            customer: { email: `outage-${start + i}@customer.example` },
            departmentId: 'general',
            channel: 'api',
          }),
        ),
      );
      for (const r of batch) {
        expect(r.status).toBe(201);
        ids.push(r.body.id);
      }
    }
    expect((await admin.post('/macros/outage/apply', { ticketIds: [...ids, 'one-too-many'] })).status).toBe(
      400,
    );

    const started = Date.now();
    const applied = await agent.post<{ results: { ticketId: string; ok: boolean }[] }>(
      '/macros/outage/apply',
      {
        ticketIds: ids,
      },
    );
    console.log(`macro over 100 tickets: ${Date.now() - started} ms`);
    expect(applied.status).toBe(200);
    expect(applied.body.results).toHaveLength(100);
    expect(applied.body.results.every((r) => r.ok)).toBe(true);
    expect(applied.body.results.map((r) => r.ticketId)).toEqual(ids);

    const one = (await admin.get<Ticket>(`/tickets/${ids[42]}`)).body;
    expect(one).toMatchObject({ status: 'pending', tags: ['outage'], messageCount: 2 });
    const reply = (await timeline(one.id)).find((e) => e.kind === 'reply');
    expect(reply?.body).toBe('Hi there, we know about the outage and are on it. — Sam Agent');
  }, 60_000);

  it('example 2: time-based, more than 10 exchanges and resolution overdue → the supervisor is notified', async () => {
    const rule = {
      name: 'Long and overdue',
      active: true,
      position: 0,
      trigger: 'time_based',
      conditions: {
        all: [
          { field: 'exchanges', operator: 'gt', value: 10 },
          { field: 'resolutionOverdue', operator: 'is', value: true },
        ],
      },
      actions: [
        {
          type: 'notify',
          to: 'supervisor',
          template: {
            subject: 'Long and overdue: {{ticket.subject}}',
            body: 'Ticket #{{ticket.number}} has gone back and forth and is past its resolution target.',
          },
        },
      ],
    };
    expect((await admin.request('PUT', '/workflow-rules/long-overdue', rule)).status).toBe(200);
    expect((await agent.post('/workflow-rules/run-time-based', {})).status).toBe(403);

    // Wait for the SLA's resolution target to pass (a minute after the ticket was created).
    const wait = resolutionDueAt + 500 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const run = await admin.post<{ checked: number; fired: { ticketId: string }[] }>(
      '/workflow-rules/run-time-based',
      {},
    );
    expect(run.status).toBe(200);
    expect(run.body.fired.map((f) => f.ticketId)).toEqual([longTicket.id]);

    const mail = await eventually(
      async () =>
        (await outbox()).find((m) => m.subject.includes(`[#${longTicket.number}] Long and overdue`)),
      { timeoutMs: 10_000, intervalMs: 200, what: 'the supervisor notification' },
    );
    expect(mail?.to).toEqual(['supervisor@demo.local']);
    const entries = await timeline(longTicket.id);
    expect(entries.find((e) => e.kind === 'system' && e.author.id === 'rule:long-overdue')?.body).toBe(
      'Rule "Long and overdue" (time-based) notified Sky Supervisor.',
    );
    // At most once per ticket.
    expect((await admin.post<{ fired: unknown[] }>('/workflow-rules/run-time-based', {})).body.fired).toEqual(
      [],
    );
  }, 90_000);
});
