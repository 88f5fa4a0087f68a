import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../functions/composition/deps.js';
import type { Principal } from '../../functions/domain/agents/model.js';
import {
  findCustomerByEmail,
  getCustomer,
  mergeCustomer,
} from '../../functions/domain/customers/use-cases.js';
import { ValidationFailed, VersionConflict } from '../../functions/domain/shared/errors.js';
import {
  addNote,
  addReply,
  createTicket,
  getTimeline,
  listTickets,
  updateTicket,
} from '../../functions/domain/tickets/use-cases.js';
import { freshTable, seedOrg } from './support.js';

const admin: Principal = {
  agentId: 'a-admin',
  email: 'admin@x.test',
  name: 'Admin',
  role: 'admin',
  departmentIds: [],
};
const billingAgent: Principal = {
  agentId: 'a-bill',
  email: 'bill@x.test',
  name: 'Bill',
  role: 'agent',
  departmentIds: ['billing'],
};

let app: AppContext;
beforeAll(async () => {
  app = await freshTable();
  await seedOrg(app);
});

const request = (email: string, extra: Record<string, unknown> = {}) => ({
  subject: `Ticket from ${email}`,
  description: 'Hello',
  customer: { email, name: email.split('@')[0] },
  channel: 'email' as const,
  createdBy: 'customer' as const,
  ...extra,
});

describe('tickets on DynamoDB Local', () => {
  it('creates, reads back, and numbers sequentially', async () => {
    const a = await createTicket(app.deps, request('seq1@example.com'));
    const b = await createTicket(app.deps, request('seq2@example.com'));
    expect(b.ticket.number).toBe(a.ticket.number + 1);
    expect(await app.deps.tickets.get(a.ticket.id)).toEqual(a.ticket);
    expect((await app.deps.tickets.getByNumber(b.ticket.number))?.id).toBe(b.ticket.id);
  });

  it('gives concurrent tickets from the same new address one customer', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => createTicket(app.deps, request('race@example.com'))),
    );
    expect(new Set(results.map((r) => r.ticket.customerId)).size).toBe(1);
    expect(new Set(results.map((r) => r.ticket.number)).size).toBe(8);
  });

  it('creates one ticket for concurrent requests with the same Idempotency-Key', async () => {
    const idempotency = { scope: 'it', key: 'same-key', fingerprint: 'fp' };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => createTicket(app.deps, request('idem@example.com', { idempotency }))),
    );
    expect(new Set(results.map((r) => r.ticket.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const customer = await findCustomerByEmail(app.deps, 'idem@example.com');
    const page = await listTickets(app.deps, admin, { customerId: customer!.id, limit: 50 });
    expect(page.items).toHaveLength(1);
  });

  it('updates conditionally on version and keeps the timeline in order', async () => {
    const { ticket } = await createTicket(app.deps, request('flow@example.com', { departmentId: 'billing' }));
    await updateTicket(app.deps, admin, ticket.id, { assigneeId: 'a-bill', tags: ['vip', 'refund'] }, 1);
    await expect(updateTicket(app.deps, admin, ticket.id, { priority: 'urgent' }, 1)).rejects.toBeInstanceOf(
      VersionConflict,
    );
    await addReply(app.deps, billingAgent, ticket.id, { body: 'We are on it', status: 'pending' });
    await addNote(app.deps, billingAgent, ticket.id, { body: 'Internal: check stock' });
    const timeline = await getTimeline(app.deps, admin, ticket.id, { limit: 50 });
    expect(timeline.items.map((e) => e.kind)).toEqual(['customer', 'event', 'reply', 'event', 'note']);
    const stored = await app.deps.tickets.get(ticket.id);
    expect(stored).toMatchObject({
      status: 'pending',
      assigneeId: 'a-bill',
      tags: ['refund', 'vip'],
      version: 4,
    });
    expect(stored?.firstRespondedAt).not.toBeNull();
  });

  it('pages through a list with cursors, newest activity first, without gaps or repeats', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++)
      created.push(
        (await createTicket(app.deps, request(`page${i}@example.com`, { departmentId: 'returns' }))).ticket
          .id,
      );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTickets(app.deps, admin, {
        departmentId: 'returns',
        status: 'new',
        limit: 3,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });

  it('lists by status, assignee, customer, tag and department — each a Query on its index', async () => {
    const { ticket } = await createTicket(
      app.deps,
      request('lists@example.com', { departmentId: 'billing', priority: 'high' }),
    );
    await updateTicket(app.deps, admin, ticket.id, { assigneeId: 'a-bill', tags: ['lists-tag'] });
    const ids = async (query: Parameters<typeof listTickets>[2]) =>
      (await listTickets(app.deps, admin, query)).items.map((t) => t.id);
    expect(await ids({ tag: 'lists-tag', limit: 10 })).toEqual([ticket.id]);
    expect(await ids({ assigneeId: 'a-bill', status: 'open', limit: 50 })).toContain(ticket.id);
    expect(await ids({ assigneeId: 'a-bill', status: 'pending', limit: 50 })).not.toContain(ticket.id);
    expect(await ids({ customerId: ticket.customerId, limit: 10 })).toEqual([ticket.id]);
    expect(await ids({ departmentId: 'billing', priority: 'high', limit: 50 })).toContain(ticket.id);
    expect(await ids({ status: 'open', limit: 100 })).toContain(ticket.id);
    expect(await ids({ status: 'new', departmentId: 'billing', limit: 100 })).not.toContain(ticket.id);
    await updateTicket(app.deps, admin, ticket.id, { tags: [] });
    expect(await ids({ tag: 'lists-tag', limit: 10 })).toEqual([]);
  });

  it('shows an agent only the tickets of their departments, the triage queue and their own', async () => {
    const returns = await createTicket(app.deps, request('vis1@example.com', { departmentId: 'returns' }));
    const billing = await createTicket(app.deps, request('vis2@example.com', { departmentId: 'billing' }));
    const page = await listTickets(app.deps, billingAgent, { status: 'new', limit: 100 });
    const ids = page.items.map((t) => t.id);
    expect(ids).toContain(billing.ticket.id);
    expect(ids).not.toContain(returns.ticket.id);
    expect(
      page.items.every(
        (t) => t.departmentId === 'billing' || t.departmentId === null || t.assigneeId === 'a-bill',
      ),
    ).toBe(true);
  });

  it('refuses a cursor from another list', async () => {
    await createTicket(app.deps, request('cur1@example.com'));
    await createTicket(app.deps, request('cur2@example.com'));
    const page = await listTickets(app.deps, admin, { status: 'new', limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    await expect(
      listTickets(app.deps, admin, { status: 'open', limit: 1, cursor: page.nextCursor! }),
    ).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('merges customers: identities and tickets move, the merged one resolves to the survivor', async () => {
    const a = await createTicket(app.deps, request('merge-a@example.com'));
    const b = await createTicket(app.deps, {
      ...request('x'),
      customer: { phone: '+1 202 555 0175', name: 'B' },
    });
    const result = await mergeCustomer(app.deps, admin, a.ticket.customerId, b.ticket.customerId);
    expect(result.ticketsMoved).toBe(1);
    const view = await getCustomer(app.deps, admin, b.ticket.customerId, { limit: 10 });
    expect(view.customer.id).toBe(a.ticket.customerId);
    expect(view.tickets.items.map((t) => t.id).sort()).toEqual([a.ticket.id, b.ticket.id].sort());
    const next = await createTicket(app.deps, { ...request('x'), customer: { phone: '+12025550175' } });
    expect(next.ticket.customerId).toBe(a.ticket.customerId);
  });

  it('stores no ticket data outside the keys documented for it', async () => {
    const { ticket } = await createTicket(app.deps, request('keys@example.com'));
    const items = await app.documentClient.send(
      new QueryCommand({
        TableName: app.config.TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `TICKET#${ticket.id}` },
      }),
    );
    expect(items.Items?.map((i) => i.sk).sort()).toEqual(['TICKET', expect.stringMatching(/^TL#/)]);
  });
});

describe('rate limiter on DynamoDB Local', () => {
  it('allows the limit per window, then refuses with the seconds left', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await app.deps.rateLimiter.hit('it-bucket', 3, 60));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]!.retryAfterSeconds).toBeGreaterThan(0);
    expect(results[3]!.retryAfterSeconds).toBeLessThanOrEqual(60);
  });
});
