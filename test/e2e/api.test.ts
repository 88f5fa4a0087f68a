import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket, TimelineEntry } from '../../functions/domain/tickets/model.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { eventually } from '../support/eventually.js';
import { DeskClient } from './client.js';

let desk: LocalDesk;
let dataDir: string;
let admin: DeskClient;
let agent: DeskClient;
let anonymous: DeskClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-e2e-'));
  desk = await startLocal({
    port: 0,
    jvm: 'fast-start',
    inMemory: true,
    dataDir,
    quiet: true,
    publicRateLimitPerMinute: 5,
  });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  agent = await new DeskClient(desk.url).login('agent@demo.local');
  anonymous = new DeskClient(desk.url);
});

afterAll(async () => {
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

type Page<T> = { items: T[]; nextCursor: string | null };

describe('the desk over HTTP', () => {
  it('answers /health and serves its OpenAPI document without a token', async () => {
    expect((await anonymous.get('/health')).body).toEqual({ status: 'ok' });
    const doc = await anonymous.get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      '/openapi.json',
    );
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/tickets', '/tickets/{id}', '/public/tickets']),
    );
    expect(doc.body.paths['/public/tickets']).toHaveProperty('post.requestBody');
  });

  it('refuses agent routes without a valid token and a wrong password', async () => {
    expect((await anonymous.get('/tickets')).status).toBe(401);
    expect(
      (
        await new DeskClient(desk.url).request('GET', '/tickets', undefined, {
          authorization: 'Bearer forged.token.here',
        })
      ).status,
    ).toBe(401);
    expect(
      (await anonymous.post('/local/login', { email: 'admin@demo.local', password: 'wrong' })).status,
    ).toBe(401);
  });

  it('a web-form ticket reaches the agents’ inbox; reply and note land on its timeline', async () => {
    const subject = `Blender arrived cracked ${Date.now()}`;
    const created = await anonymous.post<{ number: number }>('/public/tickets', {
      name: 'Eve Example',
      email: 'eve@example.com',
      subject,
      description: 'The jug is cracked along the side.',
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['number']);

    const inbox = await admin.get<Page<Ticket>>('/tickets?status=new&limit=50');
    const ticket = inbox.body.items.find((t) => t.subject === subject);
    expect(ticket).toMatchObject({
      number: created.body.number,
      channel: 'web',
      status: 'new',
      requester: { email: 'eve@example.com' },
    });

    const reply = await admin.post<TimelineEntry>(`/tickets/${ticket!.id}/replies`, {
      body: 'Sorry! A replacement is on its way.',
    });
    expect(reply.status).toBe(201);
    const note = await admin.post<TimelineEntry>(`/tickets/${ticket!.id}/notes`, {
      body: 'Courier damage, claim #77.',
    });
    expect(note.status).toBe(201);
    const timeline = await admin.get<Page<TimelineEntry>>(`/tickets/${ticket!.id}/timeline`);
    expect(timeline.body.items.map((e) => [e.kind, e.body])).toEqual([
      ['customer', 'The jug is cracked along the side.'],
      ['reply', 'Sorry! A replacement is on its way.'],
      ['event', null],
      ['note', 'Courier damage, claim #77.'],
    ]);
  });

  it('answers a stale If-Match with 412 and keeps the ticket as it was', async () => {
    const created = await admin.post<Ticket>('/tickets', {
      subject: 'Phone call',
      description: 'Called about billing',
      customer: { phone: '+1 415 555 0100' },
    });
    expect(created.headers.get('etag')).toBe('"1"');
    const id = created.body.id;
    const first = await admin.patch<Ticket>(`/tickets/${id}`, { priority: 'high' }, { 'if-match': '"1"' });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    const stale = await admin.patch(`/tickets/${id}`, { priority: 'low' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error?.code).toBe('version_conflict');
    expect((await admin.get<Ticket>(`/tickets/${id}`)).body.priority).toBe('high');
  });

  it('answers an invalid body with 400 naming the field', async () => {
    const res = await admin.post('/tickets', {
      subject: 'x',
      description: 'y',
      customer: { email: 'not-an-email' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.details).toEqual([
      { field: 'customer.email', message: 'must be an email address' },
    ]);
    const patch = await admin.patch('/tickets/whatever', { status: 'resolved' });
    expect(patch.status).toBe(400);
    expect(patch.body.error?.message).toContain('status');
  });

  it('creates nothing new for a repeated Idempotency-Key', async () => {
    const body = {
      subject: 'Duplicate me',
      description: 'Once only',
      customer: { email: 'idem-e2e@example.com' },
    };
    const headers = { 'idempotency-key': `e2e-${Date.now()}` };
    const first = await admin.post<Ticket>('/tickets', body, headers);
    const second = await admin.post<Ticket>('/tickets', body, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    const customer = await admin.get<{ items: { id: string }[] }>('/customers?email=idem-e2e@example.com');
    const view = await admin.get<{ tickets: Page<Ticket> }>(`/customers/${customer.body.items[0]!.id}`);
    expect(view.body.tickets.items).toHaveLength(1);
  });

  it('enforces roles: agents cannot change settings, merge customers or open other departments’ tickets', async () => {
    expect((await agent.post('/departments', { name: 'Secret projects' })).status).toBe(403);
    expect((await admin.post('/departments', { name: 'Partnerships' })).status).toBe(201);

    const billing = await admin.post<Ticket>('/tickets', {
      subject: 'Invoice',
      description: 'VAT',
      customer: { email: 'vat@example.com' },
      departmentId: 'billing',
    });
    expect((await agent.get(`/tickets/${billing.body.id}`)).status).toBe(404);
    const agentInbox = await agent.get<Page<Ticket>>('/tickets?status=new&limit=100');
    expect(agentInbox.body.items.some((t) => t.departmentId === 'billing')).toBe(false);

    const a = await admin.post<Ticket>('/tickets', {
      subject: 'A',
      description: 'a',
      customer: { email: 'merge1@example.com' },
    });
    const b = await admin.post<Ticket>('/tickets', {
      subject: 'B',
      description: 'b',
      customer: { email: 'merge2@example.com' },
    });
    expect(
      (await agent.post(`/customers/${a.body.customerId}/merge`, { otherCustomerId: b.body.customerId }))
        .status,
    ).toBe(403);
    const merged = await admin.post<{ ticketsMoved: number }>(`/customers/${a.body.customerId}/merge`, {
      otherCustomerId: b.body.customerId,
    });
    expect(merged.body.ticketsMoved).toBe(1);
  });

  it('the events handler sees every change through the stream poller', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const read = async () =>
      (
        await desk.app.documentClient.send(
          new GetCommand({ TableName: desk.app.config.TABLE_NAME, Key: { pk: 'METRIC#tickets', sk: day } }),
        )
      ).Item;
    const before = Number((await read())?.['created:api'] ?? 0);
    await admin.post('/tickets', {
      subject: 'Via API',
      description: 'x',
      customer: { email: 'api@example.com' },
      channel: 'api',
    });
    await eventually(read, {
      accept: (m) => Number(m?.['created:api'] ?? 0) === before + 1,
      what: 'roll-up of the API ticket',
    });
  });

  it('rate-limits the public form per address with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await anonymous.post('/public/tickets', {
        name: 'Bot',
        email: `bot${i}@example.com`,
        subject: 'Hi',
        description: 'Spam?',
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(5);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('serves the agent app with History-API fallback for page navigations', async () => {
    // npm test builds the SPA before the tests run.
    const page = await fetch(`${desk.url}/tickets/some-id`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<div id="root">');
    const config = await fetch(`${desk.url}/config.json`);
    expect(await config.json()).toMatchObject({ apiUrl: '', auth: { mode: 'local' } });
    const api = await fetch(`${desk.url}/tickets/some-id`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
  });
});
