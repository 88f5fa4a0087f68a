/**
 * SLA timers end to end on the local runtime: a policy with a one-minute
 * first-response target, the real timer state machine (statemachines/
 * sla-timer.asl.json in the local Step Functions runner, real waits), the
 * escalations in the outbox and on the timeline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlaRecord } from '../../functions/domain/sla/record.js';
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

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-sla-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', inMemory: true, dataDir, quiet: true });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  agent = await new DeskClient(desk.url).login('agent@demo.local');
});

afterAll(async () => {
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const FAST_POLICY = {
  name: 'One-minute first response (API tickets)',
  position: 0,
  active: true,
  conditions: { channels: ['api'] },
  calendarId: null,
  targets: { normal: { firstResponseMinutes: 1, resolutionMinutes: 600 } },
  escalations: {
    first_response: [
      { atPercent: 50, actions: [{ type: 'notify_assignee' }] },
      { atPercent: 100, actions: [{ type: 'notify_supervisor' }] },
    ],
  },
};

async function createApiTicket(subject: string): Promise<Ticket> {
  const created = await admin.post<Ticket>('/tickets', {
    subject,
    description: 'Created over the API for the SLA test.',
    customer: {
      email: `${subject.replace(/\W+/g, '-').toLowerCase()}@customer.example`,
      name: 'Tess Tester',
    },
    channel: 'api',
  });
  expect(created.status).toBe(201);
  const assigned = await admin.patch<Ticket>(`/tickets/${created.body.id}`, { assigneeId: 'agent-sam' });
  expect(assigned.status).toBe(200);
  return assigned.body;
}

async function slaOf(ticketId: string): Promise<SlaRecord | null> {
  return (await admin.get<{ sla: SlaRecord | null }>(`/tickets/${ticketId}/sla`)).body.sla;
}

async function outbox(): Promise<OutboxMessage[]> {
  return (await admin.get<{ items: OutboxMessage[] }>('/local/outbox')).body.items;
}

async function timeline(ticketId: string): Promise<TimelineEntry[]> {
  return (await admin.get<Page<TimelineEntry>>(`/tickets/${ticketId}/timeline?limit=100`)).body.items;
}

describe('SLA escalation timers', () => {
  it('refuses an invalid policy with the field named, and lets only admins save policies', async () => {
    const bad = await admin.request('PUT', '/sla/policies/broken', {
      ...FAST_POLICY,
      calendarId: 'no-such-calendar',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('calendarId');
    const invalid = await admin.request('PUT', '/sla/policies/broken', {
      ...FAST_POLICY,
      targets: { normal: { firstResponseMinutes: -5 } },
    });
    expect(invalid.status).toBe(400);
    expect((await agent.request('PUT', '/sla/policies/fast', FAST_POLICY)).status).toBe(403);
  });

  it('reminds, alerts and records the breach of an unanswered ticket within 5 s of due; an answered ticket gets neither', async () => {
    const saved = await admin.request<{ version: number }>('PUT', '/sla/policies/fast', FAST_POLICY);
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(1);

    const late = await createApiTicket(`Unanswered ${Date.now()}`);
    const answered = await createApiTicket(`Answered ${Date.now()}`);
    const lateSla = await eventually(() => slaOf(late.id), {
      accept: (sla) => Boolean(sla?.applied.targets.some((t) => t.kind === 'first_response')),
      what: 'the SLA applied to the unanswered ticket',
    });
    expect(lateSla?.applied.policyId).toBe('fast');
    const target = lateSla?.applied.targets.find((t) => t.kind === 'first_response');
    const dueAt = Date.parse(target?.dueAt ?? '');
    expect(dueAt - Date.parse(late.createdAt)).toBe(60_000);

    await eventually(() => slaOf(answered.id), { accept: (sla) => sla !== null, what: 'the other SLA' });
    const reply = await agent.post(`/tickets/${answered.id}/replies`, { body: 'On it!' });
    expect(reply.status).toBe(201);
    await eventually(() => slaOf(answered.id), {
      accept: (sla) => sla?.applied.targets.find((t) => t.kind === 'first_response')?.metAt != null,
      what: 'the first response met',
    });

    // The reminder at 50 %, to the assignee.
    const reminder = await eventually(
      async () => (await outbox()).find((m) => m.subject.includes(`[#${late.number}] SLA reminder`)),
      { timeoutMs: 50_000, intervalMs: 200, what: 'the reminder' },
    );
    expect(reminder?.to).toEqual(['agent@demo.local']);

    // The breach at 100 %: on the timeline and to the supervisor.
    const breach = await eventually(
      async () =>
        (await timeline(late.id)).find((e) => e.kind === 'system' && (e.body ?? '').includes('SLA breached')),
      { timeoutMs: 50_000, intervalMs: 100, what: 'the breach on the timeline' },
    );
    const delayMs = Date.parse(breach?.createdAt ?? '') - dueAt;
    console.log(`SLA escalation delay after due time: ${delayMs} ms`);
    expect(delayMs).toBeGreaterThanOrEqual(0);
    expect(delayMs).toBeLessThan(5_000);
    const alert = await eventually(
      async () => (await outbox()).find((m) => m.subject.includes(`[#${late.number}] SLA breached`)),
      { timeoutMs: 5_000, what: 'the supervisor alert' },
    );
    expect(alert?.to).toEqual(['supervisor@demo.local']);
    const after = await slaOf(late.id);
    expect(after?.applied.targets.find((t) => t.kind === 'first_response')?.status).toBe('breached');

    // The answered ticket, due at the same time, got neither.
    const mails = await outbox();
    expect(mails.filter((m) => m.subject.includes(`[#${answered.number}] SLA`))).toEqual([]);
    expect((await timeline(answered.id)).some((e) => (e.body ?? '').includes('SLA breached'))).toBe(false);

    // The at-risk view lists the breached ticket, soonest due first.
    const atRisk = await admin.get<{ items: { ticket: Ticket; sla: SlaRecord }[] }>('/sla/at-risk?limit=50');
    expect(atRisk.body.items.map((i) => i.ticket.id)).toContain(late.id);
    const dues = atRisk.body.items.map((i) => i.sla.nextDueAt ?? '');
    expect([...dues].sort()).toEqual(dues);
  }, 120_000);
});
