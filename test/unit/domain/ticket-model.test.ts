import { describe, expect, it } from 'vitest';
import { TransitionNotAllowed, ValidationFailed } from '../../../functions/domain/shared/errors.js';
import {
  allowedNextStatuses,
  applyPatch,
  assertStatusMove,
  openTicket,
  recordAgentReply,
  recordNote,
  TagsSchema,
  TICKET_STATUSES,
  type Ticket,
  type TicketStatus,
} from '../../../functions/domain/tickets/model.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    ...openTicket({
      id: 't1',
      number: 1001,
      subject: '  Printer on fire  ',
      channel: 'email',
      priority: 'normal',
      departmentId: 'general',
      customerId: 'c1',
      requester: { name: 'Ann', email: 'ann@example.com', phone: null },
      now: T0,
    }),
    ...overrides,
  };
}

describe('openTicket', () => {
  it('starts new, unassigned, at version 1, with a trimmed subject and both timestamps at creation', () => {
    const t = ticket();
    expect(t).toMatchObject({
      status: 'new',
      assigneeId: null,
      teamId: null,
      version: 1,
      subject: 'Printer on fire',
      messageCount: 1,
    });
    expect(t.createdAt).toBe(T0.toISOString());
    expect(t.updatedAt).toBe(T0.toISOString());
    expect(t.firstRespondedAt).toBeNull();
  });

  it('refuses a blank subject', () => {
    expect(() =>
      openTicket({
        id: 't',
        number: 1,
        subject: '   ',
        channel: 'web',
        priority: 'low',
        departmentId: null,
        customerId: 'c',
        requester: { name: null, email: null, phone: null },
        now: T0,
      }),
    ).toThrow(ValidationFailed);
  });
});

describe('status moves', () => {
  const legal: [TicketStatus, TicketStatus][] = [
    ['new', 'open'],
    ['new', 'solved'],
    ['open', 'pending'],
    ['pending', 'open'],
    ['on_hold', 'solved'],
    ['solved', 'open'],
    ['solved', 'closed'],
  ];
  const illegal: [TicketStatus, TicketStatus][] = [
    ['open', 'new'],
    ['new', 'closed'],
    ['open', 'closed'],
    ['closed', 'open'],
    ['closed', 'solved'],
    ['solved', 'pending'],
  ];

  it.each(legal)('allows %s → %s', (from, to) => {
    expect(() => assertStatusMove(from, to)).not.toThrow();
  });

  it.each(illegal)('refuses %s → %s with the allowed moves in the message', (from, to) => {
    expect(() => assertStatusMove(from, to)).toThrow(TransitionNotAllowed);
  });

  it('never leads back to new and leaves closed terminal', () => {
    for (const status of TICKET_STATUSES) expect(allowedNextStatuses(status)).not.toContain('new');
    expect(allowedNextStatuses('closed')).toEqual([]);
  });
});

describe('applyPatch', () => {
  it('records each real change once and bumps the version', () => {
    const { ticket: next, changes } = applyPatch(
      ticket(),
      { priority: 'high', departmentId: 'general', teamId: 'tier-1' },
      later(5),
    );
    expect(changes).toEqual([
      { field: 'priority', from: 'normal', to: 'high' },
      { field: 'teamId', from: null, to: 'tier-1' },
    ]);
    expect(next.version).toBe(2);
    expect(next.updatedAt).toBe(later(5).toISOString());
  });

  it('is a no-op (same version) when nothing changes', () => {
    const t = ticket();
    const { ticket: next, changes } = applyPatch(t, { priority: 'normal', tags: [] }, later(1));
    expect(changes).toEqual([]);
    expect(next.version).toBe(1);
    expect(next.updatedAt).toBe(t.updatedAt);
  });

  it('opens a new ticket when it gets an assignee', () => {
    const { ticket: next, changes } = applyPatch(ticket(), { assigneeId: 'a1' }, later(1));
    expect(next.status).toBe('open');
    expect(changes.map((c) => c.field)).toEqual(['assigneeId', 'status']);
  });

  it('stamps solvedAt when solved and clears it on reopen', () => {
    const solved = applyPatch(ticket({ status: 'open' }), { status: 'solved' }, later(10)).ticket;
    expect(solved.solvedAt).toBe(later(10).toISOString());
    const reopened = applyPatch(solved, { status: 'open' }, later(20)).ticket;
    expect(reopened.solvedAt).toBeNull();
  });

  it('merges custom fields key by key and removes a field set to null', () => {
    const t = ticket({ customFields: { order_number: 'A-1', gift: true } });
    const { ticket: next, changes } = applyPatch(
      t,
      { customFields: { gift: null, sub_category: 'books' } },
      later(1),
    );
    expect(next.customFields).toEqual({ order_number: 'A-1', sub_category: 'books' });
    expect(changes).toHaveLength(1);
    expect(changes[0]?.field).toBe('customFields');
  });

  it('refuses any change to a closed ticket', () => {
    expect(() => applyPatch(ticket({ status: 'closed' }), { priority: 'urgent' }, later(1))).toThrow(
      TransitionNotAllowed,
    );
  });

  it('refuses an illegal status move and leaves the input untouched', () => {
    const t = ticket({ status: 'open' });
    expect(() => applyPatch(t, { status: 'new' }, later(1))).toThrow(TransitionNotAllowed);
    expect(t.status).toBe('open');
  });
});

describe('tags', () => {
  it('lower-cases, trims, de-duplicates and sorts', () => {
    expect(TagsSchema.parse([' VIP ', 'refund', 'vip', 'Überweisung'])).toEqual([
      'refund',
      'vip',
      'überweisung',
    ]);
  });

  it('refuses tags with spaces or punctuation', () => {
    expect(TagsSchema.safeParse(['two words']).success).toBe(false);
    expect(TagsSchema.safeParse(['<script>']).success).toBe(false);
  });
});

describe('agent replies and notes', () => {
  it('stamps the first response only once and counts the exchange', () => {
    const first = recordAgentReply(ticket(), later(30));
    expect(first.ticket.firstRespondedAt).toBe(later(30).toISOString());
    expect(first.ticket.status).toBe('open');
    expect(first.ticket.messageCount).toBe(2);
    const second = recordAgentReply(first.ticket, later(60), 'pending');
    expect(second.ticket.firstRespondedAt).toBe(later(30).toISOString());
    expect(second.ticket.status).toBe('pending');
    expect(second.changes).toEqual([{ field: 'status', from: 'open', to: 'pending' }]);
    expect(second.ticket.version).toBe(first.ticket.version + 1);
  });

  it('refuses a reply on a closed ticket', () => {
    expect(() => recordAgentReply(ticket({ status: 'closed' }), later(1))).toThrow(TransitionNotAllowed);
  });

  it('a note moves only the version and updatedAt', () => {
    const t = ticket();
    const noted = recordNote(t, later(3));
    expect({ ...noted, version: t.version, updatedAt: t.updatedAt }).toEqual(t);
    expect(noted.version).toBe(2);
  });
});
