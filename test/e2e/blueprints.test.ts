/**
 * The sample returns blueprint end to end on the local runtime: the ticket
 * enters it on creation, the real interpreter (statemachines/blueprint.asl.json
 * in the local Step Functions runner) waits on task tokens, agents of three
 * departments move it with transitions over the API until Closed, and the
 * dashboard reports what happened.
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
interface RunView {
  blueprint: null | {
    run: { stateId: string; taskToken: string | null; completedAt: string | null; history: unknown[] };
    available: string[];
  };
}

let desk: LocalDesk;
let dataDir: string;
let admin: DeskClient;
let rita: DeskClient;
let walt: DeskClient;
let bea: DeskClient;
let sam: DeskClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-blueprints-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', inMemory: true, dataDir, quiet: true });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  rita = await new DeskClient(desk.url).login('rita@demo.local');
  walt = await new DeskClient(desk.url).login('walt@demo.local');
  bea = await new DeskClient(desk.url).login('bea@demo.local');
  sam = await new DeskClient(desk.url).login('agent@demo.local');
});

afterAll(async () => {
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function runOf(client: DeskClient, ticketId: string): Promise<RunView['blueprint']> {
  return (await client.get<RunView>(`/tickets/${ticketId}/blueprint`)).body.blueprint;
}

async function tokenStored(ticketId: string, stateId: string) {
  return eventually(async () => desk.app.blueprints?.getRun(ticketId), {
    accept: (stored) => stored?.run.stateId === stateId && stored.run.taskToken !== null,
    what: `a task token for ${stateId}`,
  });
}

describe('the sample returns blueprint', () => {
  it('runs from creation to Closed across three departments, and the dashboard reports it', async () => {
    const created = await admin.post<Ticket>('/tickets', {
      subject: `Return a kettle ${Date.now()}`,
      description: 'The kettle arrived dented, I want to return it.',
      customer: { email: 'kim@customer.example', name: 'Kim' },
      channel: 'email',
      departmentId: 'returns',
    });
    expect(created.status).toBe(201);
    const id = created.body.id;

    const entered = await eventually(async () => (await admin.get<Ticket>(`/tickets/${id}`)).body, {
      accept: (t) => t.blueprint?.stateId === 'requested',
      what: 'the ticket in the blueprint',
    });
    expect(entered.blueprint).toMatchObject({
      blueprintId: 'sample-returns',
      version: 1,
      stateName: 'Requested',
    });
    expect(entered.status).toBe('open');
    expect(entered.blueprint?.actors).toEqual({
      agentIds: [],
      teamIds: ['returns-team'],
      departmentIds: [],
      roles: [],
    });
    await tokenStored(id, 'requested');
    const executions = desk.app.blueprintMachine ? 1 : 0;
    expect(executions).toBe(1);

    // Outside the blueprint's transitions the status does not move.
    const plain = await admin.patch(`/tickets/${id}`, { status: 'solved' });
    expect(plain.status).toBe(409);
    expect(plain.body.error?.message).toContain('Returns');

    // The wrong team, then a missing field: refused, the ticket stays where it is.
    const wrongTeam = await sam.post(`/tickets/${id}/transitions`, {
      transition: 'approve',
      fields: { order_number: 'A-1' },
    });
    expect([403, 404]).toContain(wrongTeam.status);
    const missing = await rita.post(`/tickets/${id}/transitions`, { transition: 'approve' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('order_number');
    expect((await runOf(admin, id))?.run.stateId).toBe('requested');

    const view = await runOf(rita, id);
    expect(view?.available.sort()).toEqual(['approve', 'reject']);
    expect(
      (
        await rita.post(`/tickets/${id}/transitions`, {
          transition: 'approve',
          fields: { order_number: 'A-1042' },
        })
      ).status,
    ).toBe(200);
    await tokenStored(id, 'approved');
    // Only the Returns team acts now: the warehouse (another department) does not see the ticket.
    expect((await walt.get(`/tickets/${id}`)).status).toBe(404);
    expect((await rita.post(`/tickets/${id}/transitions`, { transition: 'send-label' })).status).toBe(200);
    await tokenStored(id, 'label-sent');
    // Waiting for the warehouse: its agents open the ticket, read its timeline and add notes...
    const forWalt = await walt.get<Ticket>(`/tickets/${id}`);
    expect(forWalt.status).toBe(200);
    expect(forWalt.body.blueprint?.actors).toMatchObject({
      teamIds: ['warehouse-team'],
      departmentIds: ['warehouse'],
    });
    const waltTimeline = await walt.get<Page<TimelineEntry>>(`/tickets/${id}/timeline?limit=100`);
    expect(waltTimeline.status).toBe(200);
    expect(waltTimeline.body.items.some((e) => e.body?.startsWith('Send return label'))).toBe(true);
    expect(
      (await walt.post(`/tickets/${id}/notes`, { body: 'Parcel announced by the carrier.' })).status,
    ).toBe(201);
    // ...but their lists stay per department.
    const waltList = await walt.get<Page<Ticket>>('/tickets?limit=100');
    expect(waltList.status).toBe(200);
    expect(waltList.body.items.map((t) => t.id)).not.toContain(id);
    // The warehouse belongs to another department: it acts on the ticket through its transition.
    expect(
      (
        await walt.post(`/tickets/${id}/transitions`, {
          transition: 'receive-item',
          fields: { item_condition: 'Damaged' },
        })
      ).status,
    ).toBe(200);
    await tokenStored(id, 'item-received');
    // The blueprint moved on to Billing: the warehouse no longer sees the ticket.
    expect((await walt.get(`/tickets/${id}`)).status).toBe(404);
    expect((await walt.get(`/tickets/${id}/timeline`)).status).toBe(404);
    expect(
      (
        await bea.post(`/tickets/${id}/transitions`, {
          transition: 'refund',
          fields: { refund_amount: 39.9 },
        })
      ).status,
    ).toBe(200);
    await tokenStored(id, 'refunded');
    expect((await rita.post(`/tickets/${id}/transitions`, { transition: 'close' })).status).toBe(200);

    const done = (await admin.get<Ticket>(`/tickets/${id}`)).body;
    expect(done.status).toBe('closed');
    expect(done.blueprint).toMatchObject({ stateId: 'closed', completed: true });
    expect(done.customFields).toMatchObject({
      order_number: 'A-1042',
      item_condition: 'Damaged',
      refund_amount: 39.9,
      return_label_sent: true,
    });
    expect((await runOf(admin, id))?.run.completedAt).toBeTruthy();
    const timeline = (await admin.get<Page<TimelineEntry>>(`/tickets/${id}/timeline?limit=100`)).body.items;
    expect(timeline.filter((e) => (e.body ?? '').includes('→')).map((e) => e.body?.split(':')[0])).toEqual([
      'Approve return',
      'Send return label',
      'Confirm item received',
      'Issue refund',
      'Close return',
    ]);
    // The customer was told about the label and the refund.
    const outbox = (await admin.get<{ items: OutboxMessage[] }>('/local/outbox')).body.items;
    const toKim = outbox.filter((m) => m.to.includes('kim@customer.example')).map((m) => m.subject);
    expect(toKim.some((s) => s.includes('Your return label'))).toBe(true);
    expect(toKim.some((s) => s.includes('Your refund is on its way'))).toBe(true);

    const dashboard = await eventually(
      async () =>
        (
          await admin.get<{
            completed: number;
            active: number;
            averageCompletionMinutes: number | null;
            averageStateMinutes: Record<string, number>;
            transitionCounts: Record<string, number>;
          }>('/blueprints/sample-returns/dashboard')
        ).body,
      { accept: (d) => d.completed === 1, what: 'the dashboard roll-up' },
    );
    expect(dashboard.transitionCounts).toEqual({
      approve: 1,
      'send-label': 1,
      'receive-item': 1,
      refund: 1,
      close: 1,
    });
    expect(Object.keys(dashboard.averageStateMinutes).sort()).toEqual(
      ['approved', 'item-received', 'label-sent', 'refunded', 'requested'].sort(),
    );
    const elapsedMinutes =
      (Date.parse(done.updatedAt) - Date.parse(entered.blueprint?.enteredAt ?? '')) / 60_000;
    expect(dashboard.averageCompletionMinutes).toBeGreaterThan(0);
    expect(dashboard.averageCompletionMinutes).toBeCloseTo(elapsedMinutes, 2);
    const stateSum = Object.values(dashboard.averageStateMinutes).reduce((a, b) => a + b, 0);
    expect(stateSum).toBeCloseTo(elapsedMinutes, 2);
  }, 90_000);

  it('lets exactly one of two concurrent transitions win', async () => {
    const created = await admin.post<Ticket>('/tickets', {
      subject: `Return a toaster ${Date.now()}`,
      description: 'Wrong colour.',
      customer: { email: 'lee@customer.example', name: 'Lee' },
      channel: 'web',
      departmentId: 'returns',
    });
    const id = created.body.id;
    await tokenStored(id, 'requested');
    const [a, b] = await Promise.all([
      rita.post(`/tickets/${id}/transitions`, { transition: 'approve', fields: { order_number: 'B-1' } }),
      rita.post(`/tickets/${id}/transitions`, { transition: 'reject', note: 'Outside the return period.' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const stateId = (await runOf(admin, id))?.run.stateId;
    expect(['approved', 'rejected']).toContain(stateId);
    // The machine follows the winner: a new token for the next state (or none, rejected is final).
    if (stateId === 'approved') await tokenStored(id, 'approved');
  });

  it('publishes a new version only from the version the editor started from (If-Match), with field-shaped errors', async () => {
    const current = await admin.get<{ definition: Record<string, unknown> }>('/blueprints/sample-returns');
    const etag = current.headers.get('etag') ?? '';
    const { id: _id, version: _version, ...draft } = current.body.definition;
    const published = await admin.request<{ definition: { version: number } }>(
      'PUT',
      '/blueprints/sample-returns',
      draft,
      {
        'if-match': etag,
      },
    );
    expect(published.status).toBe(200);
    expect(published.body.definition.version).toBe(2);
    const stale = await admin.request('PUT', '/blueprints/sample-returns', draft, { 'if-match': etag });
    expect(stale.status).toBe(412);
    const broken = await admin.request('PUT', '/blueprints/broken', { ...draft, startState: 'nowhere' });
    expect(broken.status).toBe(400);
    const details = broken.body.error?.details ?? [];
    expect(details.length).toBeGreaterThan(0);
    for (const d of details) expect(d).toEqual({ field: expect.any(String), message: expect.any(String) });
    expect((await rita.request('PUT', '/blueprints/sample-returns', draft)).status).toBe(403);
  });
});
