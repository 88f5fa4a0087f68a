import { describe, expect, it } from 'vitest';
import { openTicket, type Ticket } from '../../../functions/domain/tickets/model.js';
import {
  BUILT_IN_VIEWS,
  matchesFilters,
  matchesView,
  parseSavedView,
  planViewQuery,
  type SavedView,
  type SavedViewInput,
  sortForView,
} from '../../../functions/domain/views/model.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const ME_ID = 'agent-7';

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    ...openTicket({
      id: 't1',
      number: 1001,
      subject: 'Hello',
      channel: 'email',
      priority: 'normal',
      departmentId: 'books',
      customerId: 'c1',
      requester: { name: null, email: 'x@example.com', phone: null },
      now: T0,
    }),
    ...overrides,
  };
}

function view(filters: SavedViewInput['filters'], extra: Partial<SavedViewInput> = {}): SavedView {
  return parseSavedView({ id: 'v', name: 'View', scope: 'shared', filters, ...extra });
}

describe('built-in views', () => {
  it('are valid saved views', () => {
    for (const builtIn of Object.values(BUILT_IN_VIEWS)) expect(parseSavedView(builtIn)).toEqual(builtIn);
    expect(BUILT_IN_VIEWS.my_open.name).toBe('My open tickets');
  });

  it('"My open tickets": assigned to me and new, open, pending or on hold', () => {
    const mine = (status: Ticket['status']) =>
      matchesView(BUILT_IN_VIEWS.my_open, ticket({ assigneeId: ME_ID, status }), ME_ID);
    expect(['new', 'open', 'pending', 'on_hold'].every((s) => mine(s as Ticket['status']))).toBe(true);
    expect(mine('solved')).toBe(false);
    expect(mine('closed')).toBe(false);
    expect(matchesView(BUILT_IN_VIEWS.my_open, ticket({ assigneeId: 'other', status: 'open' }), ME_ID)).toBe(
      false,
    );
    expect(matchesView(BUILT_IN_VIEWS.my_open, ticket({ assigneeId: null, status: 'open' }), ME_ID)).toBe(
      false,
    );
  });

  it('"Unassigned": no assignee, still being worked on', () => {
    expect(matchesView(BUILT_IN_VIEWS.unassigned, ticket({ assigneeId: null, status: 'new' }), ME_ID)).toBe(
      true,
    );
    expect(matchesView(BUILT_IN_VIEWS.unassigned, ticket({ assigneeId: ME_ID, status: 'new' }), ME_ID)).toBe(
      false,
    );
    expect(
      matchesView(BUILT_IN_VIEWS.unassigned, ticket({ assigneeId: null, status: 'solved' }), ME_ID),
    ).toBe(false);
  });

  it('"Spam": tagged spam, whatever the status', () => {
    expect(
      matchesView(BUILT_IN_VIEWS.spam, ticket({ tags: ['other', 'spam'], status: 'closed' }), ME_ID),
    ).toBe(true);
    expect(matchesView(BUILT_IN_VIEWS.spam, ticket({ tags: ['spammy'] }), ME_ID)).toBe(false);
  });
});

describe('matchesView', () => {
  it('needs every given filter; list filters accept any listed value', () => {
    const v = view({
      priority: ['high', 'urgent'],
      channel: ['email'],
      departmentId: 'books',
      teamId: 'tier2',
    });
    const base = { priority: 'high', channel: 'email', departmentId: 'books', teamId: 'tier2' } as const;
    expect(matchesView(v, ticket(base), ME_ID)).toBe(true);
    expect(matchesView(v, ticket({ ...base, priority: 'normal' }), ME_ID)).toBe(false);
    expect(matchesView(v, ticket({ ...base, channel: 'chat' }), ME_ID)).toBe(false);
    expect(matchesView(v, ticket({ ...base, departmentId: 'toys' }), ME_ID)).toBe(false);
    expect(matchesView(v, ticket({ ...base, teamId: null }), ME_ID)).toBe(false);
  });

  it('understands none for department, team and assignee, and a named assignee', () => {
    expect(matchesView(view({ departmentId: 'none' }), ticket({ departmentId: null }), ME_ID)).toBe(true);
    expect(matchesView(view({ departmentId: 'none' }), ticket({ departmentId: 'books' }), ME_ID)).toBe(false);
    expect(matchesView(view({ teamId: 'none' }), ticket({ teamId: null }), ME_ID)).toBe(true);
    expect(matchesView(view({ assigneeId: 'agent-2' }), ticket({ assigneeId: 'agent-2' }), ME_ID)).toBe(true);
    expect(matchesView(view({ assigneeId: 'agent-2' }), ticket({ assigneeId: ME_ID }), ME_ID)).toBe(false);
  });

  it('filters on custom fields; a multi-picklist matches when it includes the value', () => {
    const v = view({ fields: { sub_category: 'fiction', gift: true, languages: 'French' } });
    const t = ticket({
      customFields: { sub_category: 'Fiction', gift: true, languages: ['English', 'French'] },
    });
    expect(matchesView(v, t, ME_ID)).toBe(true);
    expect(matchesView(v, ticket({ customFields: { ...t.customFields, gift: false } }), ME_ID)).toBe(false);
    expect(
      matchesView(v, ticket({ customFields: { ...t.customFields, languages: ['German'] } }), ME_ID),
    ).toBe(false);
    expect(matchesView(v, ticket({ customFields: { sub_category: 'Fiction', gift: true } }), ME_ID)).toBe(
      false,
    );
  });

  it('an empty filter matches everything', () => {
    expect(matchesView(view({}), ticket({ status: 'closed' }), ME_ID)).toBe(true);
  });

  it('refuses a personal view without owner and a bad status', () => {
    expect(() => view({}, { scope: 'personal' })).toThrow('a personal item needs its owner');
    expect(() => view({ status: ['gone' as Ticket['status']] })).toThrow();
    expect(view({ tag: 'SPAM' }).filters.tag).toBe('spam');
  });
});

describe('planViewQuery', () => {
  it('"My open tickets" → the assignee index on me, statuses filtered afterwards', () => {
    expect(planViewQuery(BUILT_IN_VIEWS.my_open, ME_ID)).toEqual({
      index: 'assignee',
      key: ME_ID,
      status: null,
      residualFilter: { status: ['new', 'open', 'pending', 'on_hold'], notTag: 'spam' },
    });
  });

  it('"Unassigned" → the unassigned queue (assignee index, key null)', () => {
    expect(planViewQuery(BUILT_IN_VIEWS.unassigned, ME_ID)).toEqual({
      index: 'assignee',
      key: null,
      status: null,
      residualFilter: { status: ['new', 'open', 'pending', 'on_hold'], notTag: 'spam' },
    });
  });

  it('"Spam" → the tag index', () => {
    expect(planViewQuery(BUILT_IN_VIEWS.spam, ME_ID)).toEqual({
      index: 'tag',
      key: 'spam',
      status: null,
      residualFilter: {},
    });
  });

  it('prefers a named assignee over a tag over a department', () => {
    const all = { assigneeId: 'agent-2', tag: 'vip', departmentId: 'books', priority: ['high' as const] };
    expect(planViewQuery(view(all), ME_ID)).toMatchObject({
      index: 'assignee',
      key: 'agent-2',
      residualFilter: { tag: 'vip', departmentId: 'books', priority: ['high'] },
    });
    const { assigneeId: _a, ...noAssignee } = all;
    expect(planViewQuery(view(noAssignee), ME_ID)).toMatchObject({
      index: 'tag',
      key: 'vip',
      residualFilter: { departmentId: 'books', priority: ['high'] },
    });
    const { tag: _t, ...departmentOnly } = noAssignee;
    expect(planViewQuery(view(departmentOnly), ME_ID)).toMatchObject({
      index: 'department',
      key: 'books',
      residualFilter: { priority: ['high'] },
    });
  });

  it('prefers a department over the unassigned queue, and reads the triage queue as key null', () => {
    expect(planViewQuery(view({ assigneeId: 'none', departmentId: 'books' }), ME_ID)).toEqual({
      index: 'department',
      key: 'books',
      status: null,
      residualFilter: { assigneeId: 'none' },
    });
    expect(planViewQuery(view({ departmentId: 'none' }), ME_ID)).toMatchObject({
      index: 'department',
      key: null,
    });
  });

  it('falls back to the whole desk and pushes a single status into the key condition', () => {
    expect(planViewQuery(view({ status: ['pending'], channel: ['chat'] }), ME_ID)).toEqual({
      index: 'all',
      key: null,
      status: 'pending',
      residualFilter: { channel: ['chat'] },
    });
    expect(planViewQuery(view({ status: ['pending'], departmentId: 'books' }), ME_ID)).toEqual({
      index: 'department',
      key: 'books',
      status: 'pending',
      residualFilter: {},
    });
  });

  it('never pushes a status into the tag index, which is sorted by creation', () => {
    expect(planViewQuery(view({ status: ['open'], tag: 'vip' }), ME_ID)).toEqual({
      index: 'tag',
      key: 'vip',
      status: null,
      residualFilter: { status: ['open'] },
    });
  });

  it('the residual filter with the key filter gives the same answer as the view', () => {
    const v = view({ assigneeId: 'me', tag: 'vip', status: ['open'], priority: ['urgent'] });
    const plan = planViewQuery(v, ME_ID);
    const candidates = [
      ticket({ assigneeId: ME_ID, tags: ['vip'], status: 'open', priority: 'urgent' }),
      ticket({ assigneeId: ME_ID, tags: [], status: 'open', priority: 'urgent' }),
      ticket({ assigneeId: ME_ID, tags: ['vip'], status: 'pending', priority: 'urgent' }),
      ticket({ assigneeId: ME_ID, tags: ['vip'], status: 'open', priority: 'low' }),
    ];
    const fromQuery = candidates.filter(
      (t) =>
        t.assigneeId === plan.key &&
        (plan.status === null || t.status === plan.status) &&
        matchesFilters(plan.residualFilter, t, ME_ID),
    );
    expect(fromQuery).toEqual(candidates.filter((t) => matchesView(v, t, ME_ID)));
    expect(fromQuery).toHaveLength(1);
  });
});

describe('sortForView', () => {
  const a = ticket({
    id: 'a',
    priority: 'low',
    createdAt: '2026-03-01T00:00:00Z',
    updatedAt: '2026-03-05T00:00:00Z',
  });
  const b = ticket({
    id: 'b',
    priority: 'urgent',
    createdAt: '2026-03-03T00:00:00Z',
    updatedAt: '2026-03-04T00:00:00Z',
  });
  const c = ticket({
    id: 'c',
    priority: 'urgent',
    createdAt: '2026-03-02T00:00:00Z',
    updatedAt: '2026-03-06T00:00:00Z',
  });

  it('sorts by update, creation or priority', () => {
    expect(sortForView([a, b, c], 'updated').map((t) => t.id)).toEqual(['c', 'a', 'b']);
    expect(sortForView([a, b, c], 'created').map((t) => t.id)).toEqual(['b', 'c', 'a']);
    expect(sortForView([a, b, c], 'priority').map((t) => t.id)).toEqual(['c', 'b', 'a']);
  });
});
