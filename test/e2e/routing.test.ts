import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Team } from '../../functions/domain/agents/model.js';
import type { Ticket, TimelineEntry } from '../../functions/domain/tickets/model.js';
import type { OutboxMessage } from '../../local/outbox.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { eventually } from '../support/eventually.js';
import { DeskClient } from './client.js';

let desk: LocalDesk;
let dataDir: string;
let admin: DeskClient;
let agent: DeskClient;
let anonymous: DeskClient;

type Page<T> = { items: T[]; nextCursor: string | null };

const at = '2026-03-01T00:00:00.000Z';
const DEPARTMENT = 'rr-desk';
const TEAM = 'rr-team';
const ONLINE = ['rr-1', 'rr-2', 'rr-3'];
const AWAY = 'rr-away';
const FULL = 'rr-full';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-routing-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', inMemory: true, dataDir, quiet: true });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  agent = await new DeskClient(desk.url).login('agent@demo.local');
  anonymous = new DeskClient(desk.url);

  // The organisation has no API to create teams and agents (Cognito and scripts do); seed them directly.
  await desk.app.directory.createDepartment({
    id: DEPARTMENT,
    name: 'Round robin desk',
    active: true,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  await desk.app.directory.putTeam({
    id: TEAM,
    name: 'Round robin team',
    departmentId: DEPARTMENT,
    active: true,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  for (const id of [...ONLINE, AWAY, FULL]) {
    await desk.app.directory.createAgent({
      id,
      email: `${id}@demo.local`,
      name: `Agent ${id}`,
      role: 'agent',
      departmentIds: [DEPARTMENT],
      teamIds: [TEAM],
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    });
  }
}, 60_000);

afterAll(async () => {
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function ticketsOf(departmentId: string): Promise<Ticket[]> {
  const items: Ticket[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/tickets?departmentId=${departmentId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await admin.get<Page<Ticket>>(query);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

describe('routing and assignment on the local desk', () => {
  it('round robin spreads 30 tickets evenly over the online agents with room, none to away or full agents', async () => {
    // An agent at capacity: capacity 1 and one open ticket, counted by the events handler.
    const capacity = await admin.patch<Agent>(
      `/agents/${FULL}`,
      { capacity: 1, skills: ['Phones'] },
      { 'if-match': '"1"' },
    );
    expect(capacity.status).toBe(200);
    expect(capacity.body).toMatchObject({
      capacity: 1,
      skills: ['phones'],
      version: 2,
      updatedBy: 'admin@demo.local',
    });
    expect((await admin.patch(`/agents/${FULL}`, { capacity: 2 }, { 'if-match': '"1"' })).status).toBe(412);
    const held = await admin.post<Ticket>('/tickets', {
      subject: 'Already on the plate',
      description: 'Keeps the agent at capacity.',
      customer: { email: 'held@example.com' },
      departmentId: 'general',
    });
    expect((await admin.patch(`/tickets/${held.body.id}`, { assigneeId: FULL })).status).toBe(200);
    await eventually(async () => (await desk.app.routing.getLoads([FULL])).get(FULL)?.openCount, {
      accept: (n) => n === 1,
      what: 'the full agent’s open count',
    });

    // An agent away; only they, supervisors and admins may say so.
    expect(
      (await agent.request('PUT', `/agents/${AWAY}/availability`, { availability: 'away' })).status,
    ).toBe(403);
    const away = await admin.request<Agent>('PUT', `/agents/${AWAY}/availability`, { availability: 'away' });
    expect(away.status).toBe(200);
    expect(away.body.availability).toBe('away');

    const team = await admin.patch<Team>(
      `/teams/${TEAM}`,
      { assignment: { strategy: 'round_robin' } },
      { 'if-match': '"1"' },
    );
    expect(team.status).toBe(200);
    expect(team.body.assignment.strategy).toBe('round_robin');
    expect((await agent.patch(`/teams/${TEAM}`, { assignment: { strategy: 'manual' } })).status).toBe(403);

    for (let batch = 0; batch < 3; batch++) {
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          admin.post<Ticket>('/tickets', {
            subject: `Round robin ${batch * 10 + i + 1}`,
            description: 'Who takes this one?',
            customer: { email: `rr${batch * 10 + i}@example.com` },
            departmentId: DEPARTMENT,
          }),
        ),
      );
      expect(created.map((r) => r.status)).toEqual(Array(10).fill(201));
    }

    const tickets = await eventually(() => ticketsOf(DEPARTMENT), {
      accept: (items) => items.length === 30 && items.every((t) => t.assigneeId !== null),
      timeoutMs: 30_000,
      intervalMs: 200,
      what: '30 assigned tickets',
    });
    const perAgent: Record<string, number> = {};
    for (const t of tickets) perAgent[t.assigneeId!] = (perAgent[t.assigneeId!] ?? 0) + 1;
    expect(perAgent).toEqual({ 'rr-1': 10, 'rr-2': 10, 'rr-3': 10 });
    expect(tickets.every((t) => t.teamId === TEAM && t.status === 'open')).toBe(true);

    const timeline = await admin.get<Page<TimelineEntry>>(`/tickets/${tickets[0]!.id}/timeline`);
    expect(
      timeline.body.items.some(
        (e) => e.kind === 'system' && /by round robin \(team Round robin team/.test(e.body ?? ''),
      ),
    ).toBe(true);
    expect(
      timeline.body.items.some((e) => e.kind === 'event' && e.author.name === 'Assignment (round robin)'),
    ).toBe(true);

    const agents = await admin.get<Page<Agent>>('/agents');
    expect(agents.body.items.find((a) => a.id === AWAY)).toMatchObject({
      availability: 'away',
      capacity: 20,
    });
  }, 60_000);

  it('a routing rule sends a web-form ticket to its team, raises its priority, assigns it and mails the assignee', async () => {
    expect((await admin.patch(`/teams/replacement`, { assignment: { strategy: 'least_load' } })).status).toBe(
      200,
    );
    const rule = {
      name: 'Overheating phones',
      position: 1,
      active: true,
      conditions: {
        any: [
          { field: 'subject', operator: 'contains', value: 'phone overheating' },
          { field: 'body', operator: 'contains', value: 'phone overheating' },
        ],
      },
      target: { teamId: 'replacement' },
      actions: [{ type: 'set_priority', priority: 'high' }],
    };
    expect((await agent.request('PUT', '/routing-rules/overheating', rule)).status).toBe(403);
    expect((await admin.request('PUT', '/routing-rules/bad', { ...rule, target: {} })).status).toBe(400);
    const saved = await admin.request<{ rule: { version: number } }>(
      'PUT',
      '/routing-rules/overheating',
      rule,
    );
    expect(saved.status).toBe(200);
    expect(saved.headers.get('etag')).toBe('"1"');
    const listed = await admin.get<{ items: { rule: { id: string }; updatedBy: string }[] }>(
      '/routing-rules',
    );
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        rule: expect.objectContaining({ id: 'overheating' }),
        updatedBy: 'admin@demo.local',
      }),
    ]);

    const created = await anonymous.post<{ number: number }>('/public/tickets', {
      name: 'Hot Phone',
      email: 'hot.phone@example.com',
      subject: 'Is this normal?',
      description: 'My phone overheating every night while it charges.',
    });
    expect(created.status).toBe(201);

    const ticket = await eventually(
      async () => (await ticketsOf('technical')).find((t) => t.number === created.body.number),
      { accept: (t) => t?.assigneeId != null, timeoutMs: 20_000, intervalMs: 200, what: 'the routed ticket' },
    );
    expect(ticket).toMatchObject({
      teamId: 'replacement',
      departmentId: 'technical',
      priority: 'high',
      assigneeId: 'agent-sam',
    });
    const timeline = await admin.get<Page<TimelineEntry>>(`/tickets/${ticket!.id}/timeline`);
    expect(timeline.body.items.map((e) => e.author.name)).toEqual(
      expect.arrayContaining(['Routing rule "Overheating phones"', 'Assignment (least load)']),
    );
    expect(
      timeline.body.items.some(
        (e) => e.kind === 'system' && /after routing rule "Overheating phones"/.test(e.body ?? ''),
      ),
    ).toBe(true);

    const mail = await eventually(
      async () =>
        (await agent.get<{ items: OutboxMessage[] }>('/local/outbox')).body.items.find(
          (m) => m.to.includes('agent@demo.local') && m.subject.includes(`#${created.body.number}`),
        ),
      { timeoutMs: 20_000, intervalMs: 200, what: 'the assignment notification' },
    );
    expect(mail).toBeDefined();
  }, 60_000);
});
