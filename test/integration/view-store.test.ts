/**
 * Saved views and canned responses on DynamoDB Local: the storage slots and
 * their version checks, and the view reads on the real list indexes (status
 * segments merged, the tag index with its BatchGet, counts by the index
 * alone or with a projection, caps).
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../functions/adapters/dynamodb/audit-log.js';
import { keys, tagIndexKeys } from '../../functions/adapters/dynamodb/keys.js';
import { ticketItem } from '../../functions/adapters/dynamodb/ticket-repository.js';
import type { AppContext } from '../../functions/composition/deps.js';
import type { Principal } from '../../functions/domain/agents/model.js';
import { parseCannedResponse } from '../../functions/domain/macros/canned.js';
import { VersionConflict } from '../../functions/domain/shared/errors.js';
import type { Ticket } from '../../functions/domain/tickets/model.js';
import { parseSavedView } from '../../functions/domain/views/model.js';
import { listViewsWithCounts, listViewTickets, saveView } from '../../functions/views/service.js';
import { ticketOpenedAt } from '../support/tickets.js';
import { freshTable } from './support.js';

const at = new Date('2026-03-02T09:00:00.000Z');
const admin: Principal = {
  agentId: 'boss',
  email: 'boss@x.test',
  name: 'Boss',
  role: 'admin',
  departmentIds: [],
};
const bill: Principal = {
  agentId: 'bill',
  email: 'bill@x.test',
  name: 'Bill',
  role: 'agent',
  departmentIds: ['billing'],
};

let app: AppContext;
const tickets: Ticket[] = [];

function ticket(n: number, minutes: number, overrides: Partial<Ticket>): Ticket {
  return ticketOpenedAt(new Date(Date.UTC(2026, 1, 1, 0, n)), {
    id: `t${String(n).padStart(3, '0')}`,
    number: 1000 + n,
    departmentId: 'billing',
    updatedAt: new Date(Date.UTC(2026, 2, 1, 0, minutes)).toISOString(),
    ...overrides,
  });
}

async function write(all: Ticket[]): Promise<void> {
  const items = all.flatMap((t) => [
    ticketItem(t),
    ...t.tags.map((tag) => ({
      ...keys.ticketTag(t.id, tag),
      type: 'ticketTag',
      ticketId: t.id,
      tag,
      ...tagIndexKeys(tag, t),
    })),
  ]);
  for (let i = 0; i < items.length; i += 25) {
    await app.documentClient.send(
      new BatchWriteCommand({
        RequestItems: {
          [app.config.TABLE_NAME]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  }
}

async function pages(principal: Principal, viewId: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const result = await listViewTickets(app.views, principal, viewId, {
      limit,
      ...(cursor ? { cursor } : {}),
    });
    ids.push(...result.items.map((t) => t.id));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error('too many pages');
}

beforeAll(async () => {
  app = await freshTable();
  tickets.push(
    ticket(1, 50, { assigneeId: 'bill', status: 'open' }),
    ticket(2, 90, { assigneeId: 'bill', status: 'new' }),
    ticket(3, 10, { assigneeId: 'bill', status: 'pending' }),
    ticket(4, 70, { assigneeId: 'bill', status: 'on_hold', priority: 'urgent' }),
    ticket(5, 30, { assigneeId: 'bill', status: 'solved' }),
    ticket(6, 60, { status: 'new', tags: ['spam'] }),
    ticket(7, 20, { status: 'new', departmentId: 'returns', tags: ['spam'] }),
    ticket(8, 80, { status: 'open', departmentId: null, customFields: { order_ref: 'A-1' } }),
    ticket(9, 40, { status: 'new', departmentId: 'returns', customFields: { order_ref: 'a-1' } }),
    ticket(10, 45, { status: 'closed', tags: ['spam'] }),
  );
  await write(tickets);
});

describe('views on DynamoDB', () => {
  it('keeps shared and personal views in their slots, version-checked', async () => {
    const shared = parseSavedView({
      id: 'billing',
      name: 'Billing',
      scope: 'shared',
      filters: { departmentId: 'billing' },
    });
    const mine = parseSavedView({
      id: 'mine',
      name: 'Mine',
      scope: 'personal',
      ownerId: 'bill',
      filters: {},
    });
    expect(await app.views.putView(shared, null, 'boss@x.test', at)).toBe(1);
    await expect(app.views.putView(shared, null, 'boss@x.test', at)).rejects.toThrow(VersionConflict);
    expect(await app.views.putView(shared, 1, 'boss@x.test', at)).toBe(2);
    expect(await app.views.putView(mine, null, 'bill@x.test', at)).toBe(1);
    expect((await app.views.listViews('bill')).map((v) => v.view.id).sort()).toEqual(['billing', 'mine']);
    expect((await app.views.listViews('someone-else')).map((v) => v.view.id)).toEqual(['billing']);
    expect(await app.views.getView(null, 'mine')).toBeNull();
    expect(await app.views.getView('bill', 'mine')).toMatchObject({ version: 1, updatedBy: 'bill@x.test' });
    // Shared views are desk settings (audited); personal ones are not.
    const audit = await new DynamoAuditLog(app.documentClient, app.config.TABLE_NAME).list({ limit: 50 });
    expect(audit.items.filter((e) => e.type === 'view').map((e) => [e.id, e.action, e.by])).toEqual([
      ['billing', 'updated', 'boss@x.test'],
      ['billing', 'created', 'boss@x.test'],
    ]);
    await expect(app.views.deleteView('bill', 'mine', 2)).rejects.toThrow(VersionConflict);
    await app.views.deleteView('bill', 'mine', 1);
    expect(await app.views.getView('bill', 'mine')).toBeNull();
    await app.views.deleteView(null, 'billing', 2);
  });

  it('keeps canned responses the same way', async () => {
    const hello = parseCannedResponse({
      id: 'hello',
      title: 'Hello',
      body: 'Hi {{customer.name}}',
      scope: 'shared',
    });
    expect(await app.views.putCanned(hello, null, 'boss@x.test', at)).toBe(1);
    const own = parseCannedResponse({
      id: 'own',
      title: 'Own',
      body: 'x',
      scope: 'personal',
      ownerId: 'bill',
    });
    expect(await app.views.putCanned(own, null, 'bill@x.test', at)).toBe(1);
    expect((await app.views.listCanned('bill')).map((c) => c.canned.id).sort()).toEqual(['hello', 'own']);
    expect((await app.views.listCanned('boss')).map((c) => c.canned.id)).toEqual(['hello']);
    await expect(app.views.deleteCanned(null, 'hello', 3)).rejects.toThrow(VersionConflict);
    await app.views.deleteCanned(null, 'hello', 1);
    await app.views.deleteCanned('bill', 'own', 1);
    expect(await app.views.listCanned('bill')).toEqual([]);
  });

  it('counts the built-ins by the index alone or with a projection, as each agent sees them', async () => {
    const counts = async (principal: Principal) =>
      Object.fromEntries(
        (await listViewsWithCounts(app.views, principal)).map((v) => [v.id, [v.count, v.countIsEstimate]]),
      );
    // Unassigned, unsolved and not spam: 8 (triage) and 9 (returns); 6 and 7 are spam.
    expect(await counts(admin)).toEqual({ my_open: [0, false], unassigned: [2, false], spam: [3, false] });
    // Bill does not see the returns department.
    expect(await counts(bill)).toEqual({ my_open: [4, false], unassigned: [1, false], spam: [2, false] });
  });

  it('stops a count past its cap', async () => {
    const source = { index: 'all' as const, key: null };
    const options = { statuses: null, budget: 100, attributes: ['status' as const] };
    expect(await app.views.count(source, { ...options, cap: 3, keep: null })).toEqual({
      count: 3,
      estimate: true,
    });
    expect(await app.views.count(source, { ...options, cap: 10, keep: null })).toEqual({
      count: 10,
      estimate: false,
    });
    expect(await app.views.count(source, { ...options, cap: 2, keep: (t) => t.status === 'new' })).toEqual({
      count: 2,
      estimate: true,
    });
    expect(
      await app.views.count(source, { ...options, cap: 2, budget: 3, keep: (t) => t.status === 'closed' }),
    ).toEqual({ count: 0, estimate: true });
  });

  it('lists a view page by page in its order, on the real indexes', async () => {
    // My open tickets (Bill): newest update first across new, open, pending, on hold.
    const myOpen = ['t002', 't004', 't001', 't003'];
    for (const limit of [1, 3, 25]) expect(await pages(bill, 'my_open', limit)).toEqual(myOpen);
    // Spam, newest arrival first; Bill does not see t007 (returns).
    expect(await pages(admin, 'spam', 1)).toEqual(['t010', 't007', 't006']);
    expect(await pages(bill, 'spam', 2)).toEqual(['t010', 't006']);
  });

  it('filters on a custom field value (case-insensitively) and sorts by priority in a window', async () => {
    await saveView(
      { clock: { now: () => at } },
      app.views,
      admin,
      'order-a1',
      { name: 'Order A-1', scope: 'shared', filters: { fields: { order_ref: 'A-1' } } },
      null,
    );
    expect(await pages(admin, 'order-a1', 1)).toEqual(['t008', 't009']);
    expect(await pages(bill, 'order-a1', 1)).toEqual(['t008']);
    const items = await listViewsWithCounts(app.views, bill);
    expect(items.find((v) => v.id === 'order-a1')).toMatchObject({ count: 1, countIsEstimate: false });

    await saveView(
      { clock: { now: () => at } },
      app.views,
      bill,
      'by-priority',
      { name: 'By priority', scope: 'personal', filters: { assigneeId: 'me' }, sort: 'priority' },
      null,
    );
    expect(await pages(bill, 'by-priority', 2)).toEqual(['t004', 't002', 't001', 't005', 't003']);
  });
});
