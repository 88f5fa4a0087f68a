/**
 * Custom fields and per-department layouts end to end on the local runtime:
 * an admin defines fields and two departments' layouts over HTTP (agents may
 * read, not change; If-Match guards against stale edits), and ticket changes
 * follow the ticket's department layout — a picklist value of another
 * department is refused, good values are stored normalised, solving waits
 * for the required field, and a move to another department keeps the shared
 * field and drops the other, on the timeline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldDefinition, Layout } from '../../functions/domain/fields/model.js';
import type { Ticket, TimelineEntry } from '../../functions/domain/tickets/model.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { DeskClient } from './client.js';

type Page<T> = { items: T[]; nextCursor: string | null };

let desk: LocalDesk;
let dataDir: string;
let admin: DeskClient;
let agent: DeskClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-fields-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', inMemory: true, dataDir, quiet: true });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  agent = await new DeskClient(desk.url).login('agent@demo.local');
}, 120_000);

afterAll(async () => {
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const REASON = {
  label: 'E2E reason',
  type: 'picklist',
  optionsByDepartment: {
    kitchen: ['Cracked lid', 'Leaks'],
    garden: ['Rusty blade', 'Flat tyre'],
  },
  active: true,
};
const ORDER = { label: 'E2E order', type: 'text', maxLength: 20, active: true };

describe('custom fields and layouts over HTTP', () => {
  it('seeds the demo fields and the Returns and Technical Support layouts', async () => {
    const fields = await agent.get<{ items: FieldDefinition[] }>('/fields');
    expect(fields.status).toBe(200);
    expect(fields.body.items.map((f) => f.id)).toEqual(
      expect.arrayContaining(['order_number', 'sub_category']),
    );
    const layouts = await agent.get<{ items: Layout[] }>('/layouts');
    expect(layouts.body.items.map((l) => l.departmentId)).toEqual(['returns', 'technical']);
  });

  it('lets admins define fields and layouts, versioned; agents only read them', async () => {
    for (const [id, name] of [
      ['kitchen', 'Kitchen'],
      ['garden', 'Garden'],
    ]) {
      expect((await admin.post('/departments', { id, name })).status).toBe(201);
    }
    const reason = await admin.request<FieldDefinition>('PUT', '/fields/e2e_reason', REASON);
    expect(reason.status).toBe(200);
    expect(reason.body).toMatchObject({ id: 'e2e_reason', type: 'picklist', version: 1 });
    expect(reason.headers.get('etag')).toBe('"1"');
    const order = await admin.request<FieldDefinition>('PUT', '/fields/e2e_order', ORDER);
    expect(order.status).toBe(200);

    expect((await agent.request('PUT', '/fields/e2e_other', ORDER)).status).toBe(403);
    expect(
      (await agent.request('PUT', '/departments/kitchen/layout', { fields: [{ fieldId: 'e2e_order' }] }))
        .status,
    ).toBe(403);

    // If-Match: the current version replaces, a stale one is refused.
    const renamed = await admin.request<FieldDefinition>(
      'PUT',
      '/fields/e2e_order',
      { ...ORDER, label: 'E2E order no.' },
      { 'if-match': '"1"' },
    );
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get('etag')).toBe('"2"');
    const stale = await admin.request('PUT', '/fields/e2e_order', ORDER, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    const retyped = await admin.request('PUT', '/fields/e2e_order', {
      ...ORDER,
      type: 'number',
      maxLength: undefined,
    });
    expect(retyped.status).toBe(400);
    expect(retyped.body.error?.details).toEqual([
      { field: 'type', message: expect.stringContaining('cannot change') },
    ]);
    const bad = await admin.request('PUT', '/fields/e2e_bad', {
      label: 'Bad',
      type: 'picklist',
      active: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.details?.[0]?.field).toBe('options');

    const listed = await agent.get<{ items: FieldDefinition[] }>('/fields');
    expect(listed.body.items.find((f) => f.id === 'e2e_order')).toMatchObject({
      label: 'E2E order no.',
      version: 2,
    });

    // Layouts: an empty one (version 0) before, then saved with an ETag.
    const empty = await agent.get<Layout>('/departments/kitchen/layout');
    expect(empty.body).toEqual({ departmentId: 'kitchen', fields: [], version: 0 });
    expect(empty.headers.get('etag')).toBe('"0"');
    const kitchen = await admin.request<Layout>(
      'PUT',
      '/departments/kitchen/layout',
      {
        fields: [
          { fieldId: 'e2e_order', required: true },
          { fieldId: 'e2e_reason', required: false },
        ],
      },
      { 'if-match': '"0"' },
    );
    expect(kitchen.status).toBe(200);
    expect(kitchen.headers.get('etag')).toBe('"1"');
    const garden = await admin.request<Layout>('PUT', '/departments/garden/layout', {
      fields: [{ fieldId: 'e2e_order' }, { fieldId: 'e2e_reason' }],
    });
    expect(garden.status).toBe(200);
    const staleLayout = await admin.request(
      'PUT',
      '/departments/kitchen/layout',
      { fields: [] },
      { 'if-match': '"0"' },
    );
    expect(staleLayout.status).toBe(412);
    const unknownField = await admin.request('PUT', '/departments/garden/layout', {
      fields: [{ fieldId: 'e2e_order' }, { fieldId: 'e2e_ghost' }],
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error?.details).toEqual([
      { field: 'fields.1.fieldId', message: 'field e2e_ghost does not exist' },
    ]);
    expect((await admin.request('PUT', '/departments/nowhere/layout', { fields: [] })).status).toBe(404);
    expect((await agent.get('/departments/nowhere/layout')).status).toBe(404);
  });

  it('checks ticket values against the department layout: refused, normalised, required before solving, carried over on a move', async () => {
    const refused = await admin.post('/tickets', {
      subject: 'Kettle',
      description: 'The lid cracked.',
      customer: { email: 'kim@customer.example', name: 'Kim' },
      departmentId: 'kitchen',
      customFields: { e2e_reason: 'Flat tyre' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.details?.[0]?.field).toBe('customFields.e2e_reason');

    const created = await admin.post<Ticket>('/tickets', {
      subject: 'Kettle',
      description: 'The lid cracked.',
      customer: { email: 'kim@customer.example', name: 'Kim' },
      departmentId: 'kitchen',
    });
    expect(created.status).toBe(201);
    const id = created.body.id;

    // A value of the garden's list is not one of the kitchen's: 400, the ticket unchanged.
    const wrong = await admin.patch(`/tickets/${id}`, { customFields: { e2e_reason: 'Rusty blade' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.details).toEqual([
      { field: 'customFields.e2e_reason', message: expect.stringContaining('"Rusty blade" is not a value') },
    ]);
    const unchanged = await admin.get<Ticket>(`/tickets/${id}`);
    expect(unchanged.body).toMatchObject({ version: created.body.version, customFields: {} });

    const good = await admin.patch<Ticket>(
      `/tickets/${id}`,
      { customFields: { e2e_reason: '  cracked LID ' } },
      { 'if-match': unchanged.headers.get('etag') ?? '' },
    );
    expect(good.status).toBe(200);
    expect(good.body.customFields).toEqual({ e2e_reason: 'Cracked lid' });

    // Solving waits for the required order number.
    const solve = await admin.patch(`/tickets/${id}`, { status: 'solved' });
    expect(solve.status).toBe(400);
    expect(solve.body.error?.details).toEqual([
      {
        field: 'customFields.e2e_order',
        message: '"E2E order no." is required before the ticket can be solved',
      },
    ]);
    expect((await admin.get<Ticket>(`/tickets/${id}`)).body.status).not.toBe('solved');
    const ordered = await admin.patch<Ticket>(`/tickets/${id}`, { customFields: { e2e_order: ' K-1042 ' } });
    expect(ordered.body.customFields).toEqual({ e2e_reason: 'Cracked lid', e2e_order: 'K-1042' });

    // To the garden: the order number applies there too, the kitchen's reason does not.
    const moved = await admin.patch<Ticket>(`/tickets/${id}`, { departmentId: 'garden' });
    expect(moved.status).toBe(200);
    expect(moved.body.customFields).toEqual({ e2e_order: 'K-1042' });
    const timeline = (await admin.get<Page<TimelineEntry>>(`/tickets/${id}/timeline?limit=100`)).body.items;
    const move = timeline.filter((e) => e.kind === 'event').at(-1);
    expect(move?.changes).toEqual(
      expect.arrayContaining([
        { field: 'departmentId', from: 'kitchen', to: 'garden' },
        {
          field: 'customFields',
          from: { e2e_reason: 'Cracked lid', e2e_order: 'K-1042' },
          to: { e2e_order: 'K-1042' },
        },
      ]),
    );
    expect(move?.droppedFields).toEqual([
      { field: 'e2e_reason', value: 'Cracked lid', reason: 'the value is not allowed in department garden' },
    ]);
    // Nothing is required in the garden: solving works now.
    expect((await admin.patch(`/tickets/${id}`, { status: 'solved' })).status).toBe(200);
  });
});
