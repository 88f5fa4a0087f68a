/**
 * Saved views and canned responses end to end on the local desk: the
 * built-in views' counts follow assignment and spam marking, personal views
 * stay personal, counts and lists follow each agent's visibility, a view on
 * a custom field value, canned responses searched and rendered for a
 * ticket, and the refusals (403, 409, 412, 400).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../functions/domain/tickets/model.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { eventually } from '../support/eventually.js';
import { DeskClient } from './client.js';

type Page<T> = { items: T[]; nextCursor: string | null };
interface ViewItem {
  id: string;
  name: string;
  scope: string;
  ownerId?: string;
  builtIn: boolean;
  version?: number;
  count: number;
  countIsEstimate: boolean;
}
interface CannedItem {
  id: string;
  title: string;
  body: string;
  scope: string;
  version: number;
}

let desk: LocalDesk;
let dataDir: string;
let admin: DeskClient;
let agent: DeskClient;
let supervisor: DeskClient;
let rita: DeskClient;
/** The ticket of the first test: assigned, marked spam, unassigned again. */
let vera: Ticket;

const views = async (client: DeskClient) => {
  const response = await client.get<{ items: ViewItem[] }>('/views');
  expect(response.status).toBe(200);
  return response.body.items;
};
const counts = async (client: DeskClient) =>
  Object.fromEntries((await views(client)).map((v) => [v.id, v.count]));
const viewTickets = async (client: DeskClient, id: string) =>
  (await client.get<Page<Ticket>>(`/views/${id}/tickets?limit=100`)).body.items.map((t) => t.id);

async function createTicket(departmentId: string, name: string): Promise<Ticket> {
  const created = await admin.post<Ticket>('/tickets', {
    subject: `Question from ${name}`,
    description: 'Hello?',
    customer: { email: `${name.toLowerCase().replace(/\W+/g, '.')}@views.example`, name },
    departmentId,
    channel: 'phone',
  });
  expect(created.status).toBe(201);
  return created.body;
}

async function change(ticket: Ticket, patch: Record<string, unknown>): Promise<Ticket> {
  const changed = await admin.patch<Ticket>(`/tickets/${ticket.id}`, patch);
  expect(changed.status).toBe(200);
  return changed.body;
}

/** Waits until `client`'s counts equal `expected` for the views named there. */
async function countsBecome(client: DeskClient, expected: Record<string, number>) {
  return eventually(() => counts(client), {
    accept: (now) => Object.entries(expected).every(([id, n]) => now[id] === n),
    what: `counts ${JSON.stringify(expected)}`,
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-views-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', inMemory: true, dataDir, quiet: true });
  [admin, agent, supervisor, rita] = await Promise.all([
    new DeskClient(desk.url).login('admin@demo.local'),
    new DeskClient(desk.url).login('agent@demo.local'),
    new DeskClient(desk.url).login('supervisor@demo.local'),
    new DeskClient(desk.url).login('rita@demo.local'),
  ]);
}, 60_000);

afterAll(async () => {
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('saved views and canned responses on the local desk', () => {
  it('built-in views come first, their counts follow assignment, and spam leaves the working queues', async () => {
    const listed = await views(admin);
    expect(listed.slice(0, 3).map((v) => [v.id, v.name, v.builtIn])).toEqual([
      ['my_open', 'My open tickets', true],
      ['unassigned', 'Unassigned', true],
      ['spam', 'Spam', true],
    ]);
    const before = await counts(admin);
    const sure = (id: string, delta: number) => (before[id] ?? 0) + delta;

    vera = await createTicket('general', 'Vera Views');
    await countsBecome(admin, { unassigned: sure('unassigned', 1), my_open: sure('my_open', 0) });
    expect(await viewTickets(admin, 'unassigned')).toContain(vera.id);

    await change(vera, { assigneeId: 'agent-admin' });
    await countsBecome(admin, { unassigned: sure('unassigned', 0), my_open: sure('my_open', 1) });
    expect(await viewTickets(admin, 'my_open')).toContain(vera.id);
    expect(await viewTickets(admin, 'unassigned')).not.toContain(vera.id);

    await change(vera, { tags: ['spam'] });
    // Spam leaves the working queues: it counts in Spam only.
    await countsBecome(admin, { spam: sure('spam', 1), my_open: sure('my_open', 0) });
    expect((await viewTickets(admin, 'spam'))[0]).toBe(vera.id);
    expect(await viewTickets(admin, 'my_open')).not.toContain(vera.id);

    await change(vera, { assigneeId: null });
    await countsBecome(admin, {
      unassigned: sure('unassigned', 0),
      my_open: sure('my_open', 0),
      spam: sure('spam', 1),
    });
    expect(await viewTickets(admin, 'unassigned')).not.toContain(vera.id);
  });

  it('a personal view is its owner’s alone', async () => {
    const saved = await agent.request<ViewItem>('PUT', '/views/sam-urgent', {
      name: 'My urgent ones',
      scope: 'personal',
      filters: { priority: ['urgent'] },
    });
    expect(saved.status).toBe(200);
    expect(saved.headers.get('etag')).toBe('"1"');
    expect(saved.body).toMatchObject({ scope: 'personal', ownerId: 'agent-sam', builtIn: false, version: 1 });
    expect((await views(agent)).at(-1)).toMatchObject({ id: 'sam-urgent', count: expect.any(Number) });
    expect((await agent.get(`/views/sam-urgent/tickets`)).status).toBe(200);
    for (const other of [supervisor, admin, rita]) {
      expect((await views(other)).map((v) => v.id)).not.toContain('sam-urgent');
      expect((await other.get('/views/sam-urgent/tickets')).status).toBe(404);
      expect((await other.request('DELETE', '/views/sam-urgent')).status).toBe(404);
    }
  });

  it('an agent’s counts and lists leave out departments they cannot see', async () => {
    const [samBefore, adminBefore, ritaBefore] = await Promise.all([
      counts(agent),
      counts(admin),
      counts(rita),
    ]);
    // Sam works in General and Technical Support, Rita in Returns; nobody but admins sees Billing here.
    const billing = await createTicket('billing', 'Bill Payer');
    const technical = await createTicket('technical', 'Tech Tess');
    await countsBecome(admin, { unassigned: (adminBefore.unassigned ?? 0) + 2 });
    await countsBecome(agent, { unassigned: (samBefore.unassigned ?? 0) + 1 });
    expect((await counts(rita)).unassigned).toBe(ritaBefore.unassigned);
    const samSees = await viewTickets(agent, 'unassigned');
    expect(samSees).toContain(technical.id);
    expect(samSees).not.toContain(billing.id);
    expect(await viewTickets(admin, 'unassigned')).toEqual(
      expect.arrayContaining([billing.id, technical.id]),
    );
    expect(await viewTickets(rita, 'unassigned')).not.toContain(technical.id);
  });

  it('a shared view on a custom field value', async () => {
    const ticket = await createTicket('technical', 'Otto Order');
    await change(ticket, { customFields: { order_number: 'A-1042' } });
    const saved = await supervisor.request('PUT', '/views/order-a1042', {
      name: 'Order A-1042',
      scope: 'shared',
      filters: { fields: { order_number: 'a-1042' } },
    });
    expect(saved.status).toBe(200);
    const samView = (await views(agent)).find((v) => v.id === 'order-a1042');
    expect(samView).toMatchObject({ scope: 'shared', count: 1, countIsEstimate: false });
    expect(await viewTickets(agent, 'order-a1042')).toEqual([ticket.id]);
    // Rita (Returns) does not see Technical Support's tickets.
    expect((await views(rita)).find((v) => v.id === 'order-a1042')?.count).toBe(0);
    expect(await viewTickets(rita, 'order-a1042')).toEqual([]);
  });

  it('canned responses: searched by query, rendered for a ticket the agent sees', async () => {
    const list = async (client: DeskClient, q?: string) =>
      (
        await client.get<{ items: CannedItem[] }>(
          `/canned-responses${q === undefined ? '' : `?q=${encodeURIComponent(q)}`}`,
        )
      ).body.items.map((c) => c.id);
    // The demo's three shared responses, by title.
    expect(await list(agent)).toEqual(['closing', 'greeting', 'order-number']);
    const own = await agent.request<CannedItem>('PUT', '/canned-responses/sam-refund', {
      title: 'Refund timing',
      body: 'Refunds for an order reach your account within 5 days (ticket #{{ticket.number}}).',
      tags: ['refund'],
      scope: 'personal',
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('etag')).toBe('"1"');
    // A title match outranks a match in the body.
    expect(await list(agent, 'order')).toEqual(['order-number', 'sam-refund']);
    expect(await list(agent, 'refund')).toEqual(['sam-refund']);
    expect(await list(admin, 'refund')).toEqual([]);

    const render = (client: DeskClient, id: string, ticketId: string) =>
      client.post<{ body: string }>(`/canned-responses/${id}/render`, { ticketId });
    const greeting = await render(agent, 'greeting', vera.id);
    expect(greeting.status).toBe(200);
    expect(greeting.body.body).toMatch(
      new RegExp(`^Hi Vera Views,\\n\\nThank you for contacting .+ \\(ticket #${vera.number}\\)`),
    );
    const closing = await render(agent, 'closing', vera.id);
    expect(closing.body.body).toContain('\nSam Agent\n');
    expect(closing.body.body).not.toContain('{{');
    expect((await render(agent, 'sam-refund', vera.id)).body.body).toContain(`(ticket #${vera.number})`);
    // A ticket Sam may not see (Billing), another agent's response, an unknown one.
    const billing = await createTicket('billing', 'Hidden Hanna');
    expect((await render(agent, 'greeting', billing.id)).status).toBe(404);
    expect((await render(admin, 'sam-refund', vera.id)).status).toBe(404);
    expect((await render(agent, 'nope', vera.id)).status).toBe(404);
  });

  it('refuses what a role may not do, stale versions, reserved ids and invalid input', async () => {
    const shared = { name: 'Team view', scope: 'shared', filters: { status: ['open'] } };
    expect((await agent.request('PUT', '/views/team-view', shared)).status).toBe(403);
    expect(
      (await agent.request('PUT', '/canned-responses/x', { title: 'X', body: 'x', scope: 'shared' })).status,
    ).toBe(403);
    expect((await agent.request('DELETE', '/canned-responses/greeting')).status).toBe(403);

    const v1 = await supervisor.request('PUT', '/views/team-view', shared);
    expect(v1.status).toBe(200);
    const v2 = await supervisor.request(
      'PUT',
      '/views/team-view',
      { ...shared, name: 'Open' },
      { 'if-match': '"1"' },
    );
    expect(v2.status).toBe(200);
    expect(v2.headers.get('etag')).toBe('"2"');
    expect((await supervisor.request('PUT', '/views/team-view', shared, { 'if-match': '"1"' })).status).toBe(
      412,
    );
    expect(
      (await supervisor.request('DELETE', '/views/team-view', undefined, { 'if-match': '"1"' })).status,
    ).toBe(412);
    expect((await agent.request('DELETE', '/views/team-view')).status).toBe(403);
    const deleted = await supervisor.request('DELETE', '/views/team-view', undefined, { 'if-match': '"2"' });
    expect(deleted.status).toBe(204);
    expect((await supervisor.get('/views/team-view/tickets')).status).toBe(404);

    expect((await admin.request('PUT', '/views/spam', shared)).status).toBe(409);
    expect((await admin.request('DELETE', '/views/my_open')).status).toBe(409);
    expect((await agent.request('PUT', '/views/order-a1042', { ...shared, scope: 'personal' })).status).toBe(
      409,
    );

    const invalid = await admin.request('PUT', '/views/bad', {
      name: ' ',
      scope: 'shared',
      filters: { status: ['bogus'] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error?.details?.map((d) => d.field).sort()).toEqual(['filters.status.0', 'name']);
    const badId = await admin.request('PUT', '/views/has%20space', shared);
    expect(badId.status).toBe(400);
    expect(badId.body.error?.details?.[0]?.field).toBe('id');
    const unknownPlaceholder = await admin.request('PUT', '/canned-responses/bad', {
      title: 'Bad',
      body: 'Hi {{customer.nickname}}',
      scope: 'shared',
    });
    expect(unknownPlaceholder.status).toBe(400);
    expect(unknownPlaceholder.body.error?.details?.[0]?.field).toBe('body');
    const badCursor = await admin.get('/views/unassigned/tickets?cursor=garbage');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error?.details?.[0]?.field).toBe('cursor');

    const canned = await admin.request('PUT', '/canned-responses/temp', {
      title: 'T',
      body: 't',
      scope: 'shared',
    });
    expect(canned.status).toBe(200);
    expect(
      (await admin.request('DELETE', '/canned-responses/temp', undefined, { 'if-match': '"3"' })).status,
    ).toBe(412);
    expect(
      (await admin.request('DELETE', '/canned-responses/temp', undefined, { 'if-match': '"1"' })).status,
    ).toBe(204);
  });
});
