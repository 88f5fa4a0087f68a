import { beforeEach, describe, expect, it } from 'vitest';
import { memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import { MemoryViewStore } from '../../../functions/adapters/memory/view-store.js';
import type { Principal } from '../../../functions/domain/agents/model.js';
import {
  Conflict,
  Forbidden,
  NotFoundError,
  TicketNotFound,
  ValidationFailed,
  VersionConflict,
} from '../../../functions/domain/shared/errors.js';
import type { Ticket } from '../../../functions/domain/tickets/model.js';
import {
  planViewCount,
  planViewRead,
  predicateAttributes,
  sourceIsVisible,
} from '../../../functions/domain/views/listing.js';
import { BUILT_IN_VIEWS } from '../../../functions/domain/views/model.js';
import {
  COUNT_CAP,
  deleteCannedResponse,
  deleteView,
  listCannedResponses,
  listViewsWithCounts,
  listViewTickets,
  renderCannedResponse,
  saveCannedResponse,
  saveView,
} from '../../../functions/views/service.js';
import { ticketOpenedAt } from '../../support/tickets.js';

const admin: Principal = {
  agentId: 'boss',
  email: 'boss@x.test',
  name: 'Boss',
  role: 'admin',
  departmentIds: [],
};
const sky: Principal = {
  agentId: 'sky',
  email: 'sky@x.test',
  name: 'Sky',
  role: 'supervisor',
  departmentIds: ['tech'],
};
const sam: Principal = {
  agentId: 'sam',
  email: 'sam@x.test',
  name: 'Sam Agent',
  role: 'agent',
  departmentIds: ['tech'],
};
const rita: Principal = {
  agentId: 'rita',
  email: 'rita@x.test',
  name: 'Rita',
  role: 'agent',
  departmentIds: ['returns'],
};

let deps: ReturnType<typeof memoryDeps>;
let store: MemoryViewStore;
let seq = 0;

/** A ticket updated `minutes` after a fixed start (so the update order is known), with overrides. */
function put(minutes: number, overrides: Partial<Ticket> = {}): Ticket {
  seq++;
  const at = new Date(Date.UTC(2026, 2, 1, 0, minutes));
  const ticket = ticketOpenedAt(new Date(Date.UTC(2026, 1, 1, 0, seq)), {
    id: `t${String(seq).padStart(4, '0')}`,
    number: 1000 + seq,
    departmentId: 'tech',
    updatedAt: at.toISOString(),
    ...overrides,
  });
  deps.state.tickets.set(ticket.id, ticket);
  return ticket;
}

async function counts(principal: Principal): Promise<Record<string, string>> {
  const items = await listViewsWithCounts(store, principal);
  return Object.fromEntries(items.map((v) => [v.id, `${v.count}${v.countIsEstimate ? '+' : ''}`]));
}

async function allPages(principal: Principal, viewId: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await listViewTickets(store, principal, viewId, { limit, ...(cursor ? { cursor } : {}) });
    expect(result.items.length).toBeLessThanOrEqual(limit);
    ids.push(...result.items.map((t) => t.id));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error('too many pages');
}

beforeEach(() => {
  deps = memoryDeps();
  store = new MemoryViewStore(deps.state);
  seq = 0;
});

describe('planning a view', () => {
  it('turns a status set that is one range of the triage order into the key condition', () => {
    expect(planViewCount(BUILT_IN_VIEWS.unassigned, admin)).toEqual({
      source: { index: 'assignee', key: null },
      statuses: { from: 'new', to: 'on_hold' },
      // Spam stays out of the queue: the one filter the index cannot answer.
      residual: { notTag: 'spam' },
      checkVisibility: false,
    });
    const gap = planViewCount({ filters: { status: ['new', 'solved'] } }, admin);
    expect(gap.statuses).toEqual({ from: 'new', to: 'solved' });
    expect(gap.residual).toEqual({ status: ['new', 'solved'] });
  });

  it('checks visibility only where the partition does not guarantee it', () => {
    expect(sourceIsVisible({ index: 'assignee', key: 'sam' }, sam)).toBe(true);
    expect(sourceIsVisible({ index: 'department', key: 'tech' }, sam)).toBe(true);
    expect(sourceIsVisible({ index: 'department', key: null }, sam)).toBe(true);
    expect(sourceIsVisible({ index: 'department', key: 'returns' }, sam)).toBe(false);
    expect(sourceIsVisible({ index: 'assignee', key: null }, sam)).toBe(false);
    expect(sourceIsVisible({ index: 'tag', key: 'spam' }, sky)).toBe(true);
    const unassigned = planViewCount(BUILT_IN_VIEWS.unassigned, sam);
    expect(unassigned.checkVisibility).toBe(true);
    expect(predicateAttributes(unassigned)).toEqual(['assigneeId', 'departmentId', 'tags']);
  });

  it('reads status segments in triage order, and the tag index as one segment', () => {
    expect(planViewRead(BUILT_IN_VIEWS.my_open, sam)).toMatchObject({
      source: { index: 'assignee', key: 'sam' },
      segments: ['new', 'open', 'pending', 'on_hold'],
      residual: { notTag: 'spam' },
      checkVisibility: false,
      ordered: true,
    });
    expect(planViewRead(BUILT_IN_VIEWS.spam, sam)).toMatchObject({ segments: null, ordered: true });
    expect(planViewRead({ filters: { tag: 'vip' }, sort: 'updated' }, sam).ordered).toBe(false);
    expect(planViewRead({ filters: {}, sort: 'priority' }, sam).ordered).toBe(false);
  });
});

describe('GET /views', () => {
  it('lists built-ins, then shared views, then the caller’s personal views — never another agent’s', async () => {
    await saveView(deps, store, sky, 'vip', { name: 'VIP', scope: 'shared', filters: { tag: 'vip' } }, null);
    await saveView(deps, store, admin, 'billing', { name: 'Billing', scope: 'shared', filters: {} }, null);
    await saveView(deps, store, sam, 'mine-urgent', { name: 'Urgent', scope: 'personal', filters: {} }, null);
    await saveView(deps, store, rita, 'rita-only', { name: 'Rita’s', scope: 'personal', filters: {} }, null);
    const ids = (await listViewsWithCounts(store, sam)).map((v) => v.id);
    expect(ids).toEqual(['my_open', 'unassigned', 'spam', 'billing', 'vip', 'mine-urgent']);
    const items = await listViewsWithCounts(store, sam);
    expect(items[0]).toMatchObject({ builtIn: true, name: 'My open tickets' });
    expect(items[0]?.version).toBeUndefined();
    expect(items[5]).toMatchObject({ builtIn: false, scope: 'personal', ownerId: 'sam', version: 1 });
  });

  it('counts what each agent sees: another department’s tickets are left out', async () => {
    put(1, { assigneeId: 'sam', status: 'open' });
    put(2, { assigneeId: 'sam', status: 'solved' });
    put(3, {});
    put(4, { departmentId: null });
    put(5, { departmentId: 'returns' });
    put(6, { departmentId: 'returns', tags: ['spam'] });
    put(7, { tags: ['spam'], status: 'closed' });
    // Ticket 6 is unassigned but spam: it counts in Spam, not in Unassigned.
    expect(await counts(admin)).toEqual({ my_open: '0', unassigned: '3', spam: '2' });
    expect(await counts(sam)).toEqual({ my_open: '1', unassigned: '2', spam: '1' });
    expect(await counts(rita)).toEqual({ my_open: '0', unassigned: '2', spam: '1' });
  });

  it('lets the index count alone where nothing is left to check', async () => {
    put(1, {});
    await counts(admin);
    // My open and Unassigned leave spam out (a tag the list indexes do not hold); Spam is the tag index alone.
    expect(store.countCalls.map((c) => c.indexOnly)).toEqual([false, false, true]);
    store.countCalls.length = 0;
    await saveView(
      deps,
      store,
      admin,
      'all-open',
      { name: 'All open', scope: 'shared', filters: { status: ['open'] } },
      null,
    );
    await counts(admin);
    expect(store.countCalls.map((c) => c.indexOnly)).toEqual([false, false, true, true]);
    store.countCalls.length = 0;
    await counts(sam);
    // For an agent, Unassigned and Spam also check visibility per ticket.
    expect(store.countCalls.map((c) => c.indexOnly).slice(0, 3)).toEqual([false, false, false]);
  });

  it('stops counting past the cap and says so', async () => {
    for (let i = 0; i < COUNT_CAP + 5; i++) put(i, {});
    const { unassigned } = await counts(admin);
    expect(unassigned).toBe('1000+');
    expect((await counts(sam)).unassigned).toBe('1000+');
  });

  it('counts a view on a custom field value', async () => {
    put(1, { customFields: { order_ref: 'A-1' } });
    put(2, { customFields: { order_ref: 'a-1' } });
    put(3, { customFields: { order_ref: 'B-2' } });
    await saveView(
      deps,
      store,
      sky,
      'order-a1',
      { name: 'Order A-1', scope: 'shared', filters: { fields: { order_ref: 'A-1' } } },
      null,
    );
    expect((await counts(sam))['order-a1']).toBe('2');
    expect(store.countCalls.at(-1)?.attributes).toEqual(['assigneeId', 'customFields', 'departmentId']);
  });
});

describe('saving and deleting views', () => {
  const shared = { name: 'Urgent', scope: 'shared' as const, filters: { priority: ['urgent' as const] } };

  it('shared views are for supervisors and admins; personal ones belong to the caller', async () => {
    await expect(saveView(deps, store, sam, 'urgent', shared, null)).rejects.toThrow(Forbidden);
    const saved = await saveView(deps, store, sky, 'urgent', shared, null);
    expect(saved).toMatchObject({ id: 'urgent', scope: 'shared', version: 1, updatedBy: 'sky@x.test' });
    expect(saved.ownerId).toBeUndefined();
    const mine = await saveView(deps, store, sam, 'mine', { ...shared, scope: 'personal' }, null);
    expect(mine).toMatchObject({ scope: 'personal', ownerId: 'sam' });
    await expect(deleteView(store, sam, 'urgent', null)).rejects.toThrow(Forbidden);
    await expect(deleteView(store, rita, 'mine', null)).rejects.toThrow(NotFoundError);
    await expect(listViewTickets(store, rita, 'mine', { limit: 10 })).rejects.toThrow(NotFoundError);
  });

  it('refuses a stale version, built-in ids, bad filters and an id taken in the other scope', async () => {
    await saveView(deps, store, sky, 'urgent', shared, null);
    const v2 = await saveView(deps, store, sky, 'urgent', { ...shared, name: 'Very urgent' }, 1);
    expect(v2.version).toBe(2);
    await expect(saveView(deps, store, sky, 'urgent', shared, 1)).rejects.toThrow(VersionConflict);
    await expect(deleteView(store, sky, 'urgent', 1)).rejects.toThrow(VersionConflict);
    await expect(saveView(deps, store, admin, 'spam', shared, null)).rejects.toThrow(Conflict);
    await expect(deleteView(store, admin, 'unassigned', null)).rejects.toThrow(Conflict);
    await expect(
      saveView(deps, store, sky, 'bad', { ...shared, filters: { status: ['bogus' as never] } }, null),
    ).rejects.toThrow(ValidationFailed);
    await expect(
      saveView(deps, store, sam, 'urgent', { ...shared, scope: 'personal' }, null),
    ).rejects.toThrow(Conflict);
    await deleteView(store, sky, 'urgent', 2);
    expect((await listViewsWithCounts(store, sky)).map((v) => v.id)).not.toContain('urgent');
  });
});

describe('GET /views/{id}/tickets', () => {
  it('merges the status segments newest update first, page after page, each ticket once', async () => {
    const made = [
      put(5, { assigneeId: 'sam', status: 'open' }),
      put(9, { assigneeId: 'sam', status: 'new' }),
      put(1, { assigneeId: 'sam', status: 'pending' }),
      put(7, { assigneeId: 'sam', status: 'on_hold' }),
      put(3, { assigneeId: 'sam', status: 'open' }),
      put(8, { assigneeId: 'sam', status: 'solved' }),
      put(6, { assigneeId: 'sam', status: 'open' }),
      put(6, { assigneeId: 'sam', status: 'new' }),
    ];
    const expected = made
      .filter((t) => t.status !== 'solved')
      .sort((a, b) =>
        a.updatedAt === b.updatedAt ? (a.id < b.id ? 1 : -1) : a.updatedAt < b.updatedAt ? 1 : -1,
      )
      .map((t) => t.id);
    for (const limit of [1, 2, 3, 100]) expect(await allPages(sam, 'my_open', limit)).toEqual(expected);
  });

  it('never lists a ticket the agent may not see', async () => {
    const visible = [
      put(1, {}),
      put(2, { departmentId: null }),
      put(3, { departmentId: 'returns', assigneeId: 'sam' }),
    ];
    for (let i = 0; i < 30; i++) put(10 + i, { departmentId: 'returns' });
    await saveView(deps, store, sky, 'everything', { name: 'All', scope: 'shared', filters: {} }, null);
    const ids = await allPages(sam, 'everything', 2);
    expect(ids.sort()).toEqual(visible.map((t) => t.id).sort());
    // Rita: the returns department (31) and the triage queue (1), each once.
    const hers = await allPages(rita, 'everything', 7);
    expect(new Set(hers).size).toBe(32);
    expect(hers).toHaveLength(32);
  });

  it('keeps the order when a segment stops at its read budget before filling a page', async () => {
    // 1,500 tickets Sam may not see in "new", with visible ones above, among and below them.
    const visible = [put(2_000, {}), put(700, {}), put(-5, {}), put(900, { status: 'open' })];
    for (let i = 0; i < 1_500; i++) put(i, { departmentId: 'returns' });
    await saveView(deps, store, sky, 'everything', { name: 'All', scope: 'shared', filters: {} }, null);
    const expected = [visible[0], visible[3], visible[1], visible[2]].map((t) => t?.id);
    expect(await allPages(sam, 'everything', 3)).toEqual(expected);
  });

  it('sorts by priority in a window, and pages through it with the cursor', async () => {
    const low = put(9, { priority: 'low' });
    const urgentOld = put(1, { priority: 'urgent', status: 'open' });
    const urgentNew = put(5, { priority: 'urgent' });
    const high = put(3, { priority: 'high', status: 'pending' });
    const normal = put(2, { priority: 'normal' });
    await saveView(
      deps,
      store,
      sam,
      'by-priority',
      { name: 'By priority', scope: 'personal', filters: {}, sort: 'priority' },
      null,
    );
    const expected = [urgentNew, urgentOld, high, normal, low].map((t) => t.id);
    expect(await allPages(sam, 'by-priority', 2)).toEqual(expected);
    expect(await allPages(sam, 'by-priority', 10)).toEqual(expected);
  });

  it('lists spam newest arrival first', async () => {
    const first = put(1, { tags: ['spam'], createdAt: '2026-03-01T00:00:00.000Z' });
    const second = put(2, { tags: ['spam'], createdAt: '2026-03-02T00:00:00.000Z', status: 'closed' });
    put(3, { tags: ['ham'] });
    expect(await allPages(admin, 'spam', 1)).toEqual([second.id, first.id]);
  });

  it('refuses a cursor of another view kind', async () => {
    put(1, {});
    put(2, {});
    const page = await listViewTickets(store, admin, 'unassigned', { limit: 1 });
    await saveView(
      deps,
      store,
      sam,
      'prio',
      { name: 'P', scope: 'personal', filters: {}, sort: 'priority' },
      null,
    );
    await expect(
      listViewTickets(store, sam, 'prio', { limit: 1, cursor: page.nextCursor as string }),
    ).rejects.toThrow(ValidationFailed);
    await expect(listViewTickets(store, sam, 'prio', { limit: 1, cursor: 'nope' })).rejects.toThrow(
      ValidationFailed,
    );
  });
});

describe('canned responses', () => {
  const greeting = {
    title: 'Greeting',
    body: 'Hi {{customer.name}}, thanks for writing to {{desk.name}}.',
    tags: ['hello'],
    scope: 'shared' as const,
  };

  it('lists shared and own responses, ranked by the query', async () => {
    await saveCannedResponse(deps, store, sky, 'greeting', greeting, null);
    await saveCannedResponse(
      deps,
      store,
      admin,
      'order-number',
      {
        title: 'We need your order number',
        body: 'Please send the order number for #{{ticket.number}}.',
        scope: 'shared',
      },
      null,
    );
    await saveCannedResponse(
      deps,
      store,
      sam,
      'sam-order',
      { title: 'Refund timing', body: 'Refunds for an order take 5 days.', scope: 'personal' },
      null,
    );
    await saveCannedResponse(
      deps,
      store,
      rita,
      'rita-order',
      { title: 'Order found', body: 'Found it.', scope: 'personal' },
      null,
    );
    const titles = async (q?: string) =>
      (await listCannedResponses(store, sam, { limit: 50, ...(q === undefined ? {} : { q }) })).map(
        (c) => c.id,
      );
    expect(await titles()).toEqual(['greeting', 'sam-order', 'order-number']);
    expect(await titles('order')).toEqual(['order-number', 'sam-order']);
    expect(await titles('hello')).toEqual(['greeting']);
    expect(await titles('nothing-like-it')).toEqual([]);
  });

  it('shared ones are for supervisors and admins; versions are checked', async () => {
    await expect(saveCannedResponse(deps, store, sam, 'greeting', greeting, null)).rejects.toThrow(Forbidden);
    const saved = await saveCannedResponse(deps, store, admin, 'greeting', greeting, null);
    expect(saved).toMatchObject({ version: 1, tags: ['hello'], updatedBy: 'boss@x.test' });
    await expect(saveCannedResponse(deps, store, admin, 'greeting', greeting, 0)).rejects.toThrow(
      VersionConflict,
    );
    await expect(
      saveCannedResponse(deps, store, admin, 'bad', { ...greeting, body: 'Hi {{customer.nickname}}' }, null),
    ).rejects.toThrow(ValidationFailed);
    await expect(deleteCannedResponse(store, sam, 'greeting', null)).rejects.toThrow(Forbidden);
    await expect(deleteCannedResponse(store, admin, 'greeting', 7)).rejects.toThrow(VersionConflict);
    await deleteCannedResponse(store, admin, 'greeting', 1);
    expect(await listCannedResponses(store, admin, { limit: 10 })).toEqual([]);
  });

  it('renders for a ticket the agent sees, and hides the others', async () => {
    const ticket = put(1, { number: 1042 });
    const hidden = put(2, { departmentId: 'returns' });
    await saveCannedResponse(
      deps,
      store,
      admin,
      'all',
      {
        title: 'All',
        body: 'Hi {{customer.name}}, about #{{ticket.number}}: {{agent.name}} of {{desk.name}}.',
        scope: 'shared',
      },
      null,
    );
    expect(await renderCannedResponse(deps, store, sam, 'all', ticket.id, 'Acme Help')).toEqual({
      body: 'Hi Ann, about #1042: Sam Agent of Acme Help.',
    });
    await expect(renderCannedResponse(deps, store, sam, 'all', hidden.id, 'Acme Help')).rejects.toThrow(
      TicketNotFound,
    );
    await expect(renderCannedResponse(deps, store, sam, 'missing', ticket.id, null)).rejects.toThrow(
      NotFoundError,
    );
  });
});
