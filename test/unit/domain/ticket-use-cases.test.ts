import { beforeEach, describe, expect, it } from 'vitest';
import { memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import type { Agent, Principal } from '../../../functions/domain/agents/model.js';
import { mergeCustomer } from '../../../functions/domain/customers/use-cases.js';
import {
  Forbidden,
  IdempotencyKeyReused,
  TicketNotFound,
  ValidationFailed,
  VersionConflict,
} from '../../../functions/domain/shared/errors.js';
import {
  addNote,
  addReply,
  createTicket,
  getTicket,
  getTimeline,
  listTickets,
  updateTicket,
} from '../../../functions/domain/tickets/use-cases.js';

const at = '2026-03-01T00:00:00.000Z';
const department = (id: string) => ({ id, name: id, active: true, version: 1, createdAt: at, updatedAt: at });

let deps: ReturnType<typeof memoryDeps>;
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

beforeEach(() => {
  deps = memoryDeps();
  for (const id of ['general', 'billing', 'returns']) deps.state.departments.set(id, department(id));
  const agent: Agent = {
    id: 'a-bill',
    email: 'bill@x.test',
    name: 'Bill',
    role: 'agent',
    departmentIds: ['billing'],
    teamIds: [],
    active: true,
    availability: 'online',
    capacity: 20,
    skills: [],
    updatedBy: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  deps.state.agents.set(agent.id, agent);
  deps.state.agents.set('a-gone', { ...agent, id: 'a-gone', active: false });
  deps.state.teams.set('tier-1', {
    id: 'tier-1',
    name: 'Tier 1',
    departmentId: 'general',
    active: true,
    assignment: { strategy: 'manual' },
    updatedBy: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
});

const webRequest = (email: string, extra: Record<string, unknown> = {}) => ({
  subject: 'Order missing',
  description: 'Where is my parcel?',
  customer: { email, name: 'Ann' },
  channel: 'web' as const,
  createdBy: 'customer' as const,
  ...extra,
});

describe('createTicket', () => {
  it('numbers tickets from #1001 and opens the timeline with the customer’s message', async () => {
    const first = await createTicket(deps, webRequest('ann@example.com'));
    const second = await createTicket(deps, webRequest('bob@example.com'));
    expect([first.ticket.number, second.ticket.number]).toEqual([1001, 1002]);
    const timeline = await getTimeline(deps, admin, first.ticket.id, { limit: 10 });
    expect(timeline.items).toHaveLength(1);
    expect(timeline.items[0]).toMatchObject({
      kind: 'customer',
      body: 'Where is my parcel?',
      channel: 'web',
      author: { type: 'customer' },
    });
  });

  it('reuses the customer an email already belongs to, whatever its case', async () => {
    const first = await createTicket(deps, webRequest('Ann@Example.com'));
    const second = await createTicket(deps, webRequest('ann@example.COM'));
    expect(second.ticket.customerId).toBe(first.ticket.customerId);
    expect(deps.state.customers.size).toBe(1);
  });

  it('writes everything in one create per ticket', async () => {
    await createTicket(deps, webRequest('ann@example.com'));
    expect(deps.state.creates).toBe(1);
  });

  it('replays the same ticket for a repeated Idempotency-Key and creates nothing new', async () => {
    const idempotency = { scope: 's', key: 'k1', fingerprint: 'f1' };
    const first = await createTicket(deps, webRequest('ann@example.com', { idempotency }));
    const again = await createTicket(deps, webRequest('ann@example.com', { idempotency }));
    expect(again.replayed).toBe(true);
    expect(again.ticket.id).toBe(first.ticket.id);
    expect(deps.state.tickets.size).toBe(1);
  });

  it('refuses a reused Idempotency-Key with another body', async () => {
    await createTicket(
      deps,
      webRequest('ann@example.com', { idempotency: { scope: 's', key: 'k1', fingerprint: 'f1' } }),
    );
    await expect(
      createTicket(
        deps,
        webRequest('ann@example.com', { idempotency: { scope: 's', key: 'k1', fingerprint: 'other' } }),
      ),
    ).rejects.toThrow(IdempotencyKeyReused);
    expect(deps.state.tickets.size).toBe(1);
  });

  it('refuses an unknown department and writes nothing', async () => {
    await expect(createTicket(deps, webRequest('ann@example.com', { departmentId: 'nope' }))).rejects.toThrow(
      ValidationFailed,
    );
    expect(deps.state.tickets.size).toBe(0);
    expect(deps.state.customers.size).toBe(0);
  });

  it('needs an email or a phone', async () => {
    await expect(
      createTicket(deps, { ...webRequest('x@y.z'), customer: { name: 'Nobody' } }),
    ).rejects.toThrow(ValidationFailed);
  });
});

describe('visibility by role', () => {
  it('an agent sees their departments, the triage queue and their own tickets, not others', async () => {
    const billing = await createTicket(deps, webRequest('a@example.com', { departmentId: 'billing' }));
    const returns = await createTicket(deps, webRequest('b@example.com', { departmentId: 'returns' }));
    const triage = await createTicket(deps, webRequest('c@example.com'));
    await expect(getTicket(deps, billingAgent, billing.ticket.id)).resolves.toMatchObject({
      id: billing.ticket.id,
    });
    await expect(getTicket(deps, billingAgent, triage.ticket.id)).resolves.toMatchObject({
      id: triage.ticket.id,
    });
    await expect(getTicket(deps, billingAgent, returns.ticket.id)).rejects.toThrow(TicketNotFound);
    const page = await listTickets(deps, billingAgent, { limit: 10 });
    expect(page.items.map((t) => t.id).sort()).toEqual([billing.ticket.id, triage.ticket.id].sort());

    await updateTicket(deps, admin, returns.ticket.id, { assigneeId: 'a-bill' });
    await expect(getTicket(deps, billingAgent, returns.ticket.id)).resolves.toMatchObject({
      assigneeId: 'a-bill',
    });
  });
});

describe('updateTicket', () => {
  it('applies the patch and puts one event with every change on the timeline', async () => {
    const { ticket } = await createTicket(deps, webRequest('ann@example.com', { departmentId: 'general' }));
    deps.clock.advance(60_000);
    const updated = await updateTicket(
      deps,
      admin,
      ticket.id,
      { assigneeId: 'a-bill', priority: 'high', teamId: 'tier-1' },
      1,
    );
    expect(updated).toMatchObject({
      status: 'open',
      priority: 'high',
      assigneeId: 'a-bill',
      teamId: 'tier-1',
      version: 2,
    });
    const timeline = await getTimeline(deps, admin, ticket.id, { limit: 10 });
    const event = timeline.items.at(-1);
    expect(event?.kind).toBe('event');
    expect(event?.author).toEqual({ type: 'agent', id: 'a-admin', name: 'Admin' });
    expect(event?.changes.map((c) => c.field).sort()).toEqual(['assigneeId', 'priority', 'status', 'teamId']);
  });

  it('refuses a stale expected version and changes nothing', async () => {
    const { ticket } = await createTicket(deps, webRequest('ann@example.com'));
    await updateTicket(deps, admin, ticket.id, { priority: 'low' }, 1);
    await expect(updateTicket(deps, admin, ticket.id, { priority: 'urgent' }, 1)).rejects.toThrow(
      VersionConflict,
    );
    expect(deps.state.tickets.get(ticket.id)?.priority).toBe('low');
  });

  it('refuses inactive or unknown agents, and a team of another department', async () => {
    const { ticket } = await createTicket(deps, webRequest('ann@example.com', { departmentId: 'billing' }));
    await expect(updateTicket(deps, admin, ticket.id, { assigneeId: 'a-gone' })).rejects.toThrow(
      ValidationFailed,
    );
    await expect(updateTicket(deps, admin, ticket.id, { assigneeId: 'nobody' })).rejects.toThrow(
      ValidationFailed,
    );
    await expect(updateTicket(deps, admin, ticket.id, { teamId: 'tier-1' })).rejects.toThrow(
      /another department/,
    );
  });

  it('keeps tag changes idempotent and sorted', async () => {
    const { ticket } = await createTicket(deps, webRequest('ann@example.com'));
    const tagged = await updateTicket(deps, admin, ticket.id, { tags: ['vip', 'refund'] });
    expect(tagged.tags).toEqual(['refund', 'vip']);
    const again = await updateTicket(deps, admin, ticket.id, { tags: ['refund', 'vip'] });
    expect(again.version).toBe(tagged.version);
  });
});

describe('replies and notes', () => {
  it('a reply opens a new ticket, stamps first response and an event records the status move', async () => {
    const { ticket } = await createTicket(deps, webRequest('ann@example.com'));
    deps.clock.advance(5 * 60_000);
    const reply = await addReply(deps, admin, ticket.id, { body: 'On its way!' });
    expect(reply.kind).toBe('reply');
    const stored = deps.state.tickets.get(ticket.id)!;
    expect(stored.status).toBe('open');
    expect(stored.firstRespondedAt).toBe(deps.clock.now().toISOString());
    const kinds = (await getTimeline(deps, admin, ticket.id, { limit: 10 })).items.map((e) => e.kind);
    expect(kinds).toEqual(['customer', 'reply', 'event']);
  });

  it('retries a reply once a concurrent change bumped the version, but not with If-Match', async () => {
    const { ticket } = await createTicket(deps, webRequest('ann@example.com'));
    const realUpdate = deps.tickets.update.bind(deps.tickets);
    let races = 0;
    // A colleague changes the ticket between our read and our write, once per call.
    deps.tickets.update = async (t, expected, entries, tags) => {
      if (races++ % 2 === 0)
        await realUpdate({ ...deps.state.tickets.get(t.id)!, version: expected + 1 }, expected, [], tags);
      return realUpdate(t, expected, entries, tags);
    };
    await addNote(deps, admin, ticket.id, { body: 'checking' });
    expect(deps.state.tickets.get(ticket.id)?.version).toBe(3);
    expect(deps.state.entries.get(ticket.id)?.filter((e) => e.kind === 'note')).toHaveLength(1);
    await expect(addNote(deps, admin, ticket.id, { body: 'pinned' }, 3)).rejects.toThrow(VersionConflict);
    expect(deps.state.entries.get(ticket.id)?.filter((e) => e.kind === 'note')).toHaveLength(1);
  });

  it('an agent cannot note on a ticket they cannot see', async () => {
    const { ticket } = await createTicket(deps, webRequest('ann@example.com', { departmentId: 'returns' }));
    await expect(addNote(deps, billingAgent, ticket.id, { body: 'x' })).rejects.toThrow(TicketNotFound);
  });
});

describe('mergeCustomer', () => {
  it('moves the other customer’s tickets and identities; later tickets by either address land on the survivor', async () => {
    const a = await createTicket(deps, webRequest('ann@example.com'));
    const b = await createTicket(deps, {
      ...webRequest('x'),
      customer: { phone: '+49 30 123456', name: 'Ann' },
    });
    const result = await mergeCustomer(deps, admin, a.ticket.customerId, b.ticket.customerId);
    expect(result.ticketsMoved).toBe(1);
    expect(deps.state.tickets.get(b.ticket.id)?.customerId).toBe(a.ticket.customerId);
    const c = await createTicket(deps, { ...webRequest('x'), customer: { phone: '+4930123456' } });
    expect(c.ticket.customerId).toBe(a.ticket.customerId);
  });

  it('is for supervisors and admins only', async () => {
    const a = await createTicket(deps, webRequest('ann@example.com'));
    const b = await createTicket(deps, webRequest('bob@example.com'));
    await expect(mergeCustomer(deps, billingAgent, a.ticket.customerId, b.ticket.customerId)).rejects.toThrow(
      Forbidden,
    );
  });
});
