import { describe, expect, it } from 'vitest';
import {
  chooseThread,
  isParticipant,
  mergeParticipants,
  placementFor,
  type Sender,
  THREAD_RULES,
  type ThreadCandidate,
  type ThreadRule,
} from '../../../functions/domain/email/threading.js';
import { openTicket, type Ticket } from '../../../functions/domain/tickets/model.js';

function ticket(number: number, overrides: Partial<Ticket> = {}): Ticket {
  return {
    ...openTicket({
      id: `t-${number}`,
      number,
      subject: 'Printer on fire',
      channel: 'email',
      priority: 'normal',
      departmentId: null,
      customerId: `c-${number}`,
      requester: { name: 'Ann', email: 'ann@example.com', phone: null },
      now: new Date('2026-03-01T00:00:00Z'),
      ccs: ['carol@example.com'],
      supportAddress: 'support@desk.example',
    }),
    ...overrides,
  };
}

const customer: Sender = { address: 'ann@example.com', customerId: 'c-1001' };
const stranger: Sender = { address: 'mallory@evil.example', customerId: 'c-evil' };
const candidate = (rule: ThreadRule, t: Ticket = ticket(1001)): ThreadCandidate => ({ rule, ticket: t });

describe('chooseThread', () => {
  it('threads by a trusted rule (signed reply address or Message-ID) for any sender', () => {
    for (const rule of ['reply-address', 'signed-message-id'] as const) {
      for (const sender of [customer, stranger, { address: null, customerId: null }]) {
        const decision = chooseThread([candidate(rule)], sender);
        expect(decision).toEqual({ ticket: ticket(1001), rule, refused: [] });
      }
    }
  });

  it.each(['stored-message-id', 'thread-index', 'subject-tag'] as const)(
    'threads by %s for the ticket’s customer, found by customer id',
    (rule) => {
      const decision = chooseThread([candidate(rule)], { address: 'ann@work.example', customerId: 'c-1001' });
      expect(decision.rule).toBe(rule);
      expect(decision.ticket?.number).toBe(1001);
    },
  );

  it.each(['stored-message-id', 'thread-index', 'subject-tag'] as const)(
    'threads by %s for the requester’s address, even when it is not (yet) a known customer',
    (rule) => {
      const decision = chooseThread([candidate(rule)], { address: 'ann@example.com', customerId: null });
      expect(decision.rule).toBe(rule);
    },
  );

  it.each(['stored-message-id', 'thread-index', 'subject-tag'] as const)(
    'threads by %s for a participant copied on the ticket',
    (rule) => {
      const decision = chooseThread([candidate(rule)], {
        address: 'carol@example.com',
        customerId: 'c-carol',
      });
      expect(decision.rule).toBe(rule);
    },
  );

  it.each(['stored-message-id', 'thread-index', 'subject-tag'] as const)(
    'refuses %s for a stranger: a new ticket, with the refused match listed',
    (rule) => {
      const decision = chooseThread([candidate(rule)], stranger);
      expect(decision.ticket).toBeNull();
      expect(decision.rule).toBeNull();
      expect(decision.refused).toEqual([
        {
          rule,
          ticketNumber: 1001,
          reason: expect.stringMatching(/neither the ticket.s customer nor copied/),
        },
      ]);
    },
  );

  it('refuses a sender without an address or customer for the untrusted rules', () => {
    const decision = chooseThread([candidate('subject-tag')], { address: null, customerId: null });
    expect(decision.ticket).toBeNull();
    expect(decision.refused).toHaveLength(1);
  });

  it('lists every refused match when a stranger copies a subject tag and guesses a Message-ID', () => {
    const decision = chooseThread(
      [candidate('subject-tag', ticket(1002)), candidate('stored-message-id', ticket(1001))],
      stranger,
    );
    expect(decision.ticket).toBeNull();
    expect(decision.refused.map((r) => [r.rule, r.ticketNumber])).toEqual([
      ['stored-message-id', 1001],
      ['subject-tag', 1002],
    ]);
  });

  it('takes the best rule first, whatever order the candidates came in', () => {
    const candidates = [...THREAD_RULES]
      .reverse()
      .map((rule, i) => candidate(rule, ticket(2000 + i, { customerId: 'c-1001' })));
    const decision = chooseThread(candidates, customer);
    expect(decision.rule).toBe('reply-address');
    expect(decision.ticket?.number).toBe(2004);
  });

  it('prefers a trusted rule over an untrusted one naming another ticket', () => {
    const decision = chooseThread(
      [candidate('subject-tag', ticket(1001)), candidate('signed-message-id', ticket(1005))],
      customer,
    );
    expect(decision.rule).toBe('signed-message-id');
    expect(decision.ticket?.number).toBe(1005);
    expect(decision.refused).toEqual([]);
  });

  it('falls through refused matches to the next rule that the sender may use', () => {
    const strangersTicket = ticket(1009, {
      customerId: 'c-other',
      requester: { name: null, email: 'x@y.example', phone: null },
      ccs: [],
    });
    const decision = chooseThread(
      [candidate('stored-message-id', strangersTicket), candidate('subject-tag', ticket(1001))],
      customer,
    );
    expect(decision.rule).toBe('subject-tag');
    expect(decision.ticket?.number).toBe(1001);
    expect(decision.refused).toEqual([
      expect.objectContaining({ rule: 'stored-message-id', ticketNumber: 1009 }),
    ]);
  });

  it('opens a new ticket when nothing matched', () => {
    expect(chooseThread([], customer)).toEqual({ ticket: null, rule: null, refused: [] });
  });
});

describe('isParticipant', () => {
  it('compares addresses as given (callers lower-case them)', () => {
    expect(isParticipant(ticket(1001), { address: 'carol@example.com', customerId: null })).toBe(true);
    expect(isParticipant(ticket(1001), { address: 'dave@example.com', customerId: null })).toBe(false);
    expect(isParticipant(ticket(1001), { address: null, customerId: 'c-1001' })).toBe(true);
  });
});

describe('placementFor', () => {
  it('appends to tickets in every status but closed, which gets a follow-up', () => {
    for (const status of ['new', 'open', 'pending', 'on_hold', 'solved'] as const) {
      expect(placementFor(ticket(1001, { status }))).toBe('append');
    }
    expect(placementFor(ticket(1001, { status: 'closed' }))).toBe('follow-up');
  });
});

describe('mergeParticipants', () => {
  const ours = (address: string) => address.endsWith('@desk.example') || address === 'ann@example.com';

  it('adds new addresses lower-cased, skipping ours, the customer’s and duplicates', () => {
    expect(
      mergeParticipants(
        ['carol@example.com'],
        [
          'Dave@Example.com',
          'support@desk.example',
          'ann@example.com',
          'carol@example.com',
          ' dave@example.com ',
        ],
        ours,
      ),
    ).toEqual(['carol@example.com', 'dave@example.com']);
  });

  it('ignores values that are not addresses', () => {
    expect(mergeParticipants([], ['undisclosed-recipients', '', 'eve@example.com'], ours)).toEqual([
      'eve@example.com',
    ]);
  });

  it('keeps the current list as it is and caps the total', () => {
    const many = Array.from({ length: 30 }, (_, i) => `p${i}@example.com`);
    const merged = mergeParticipants(['first@example.com'], many, ours);
    expect(merged).toHaveLength(20);
    expect(merged[0]).toBe('first@example.com');
    expect(mergeParticipants([], many, ours, 3)).toEqual([
      'p0@example.com',
      'p1@example.com',
      'p2@example.com',
    ]);
  });

  it('does not change its input', () => {
    const current = ['carol@example.com'];
    mergeParticipants(current, ['dave@example.com'], ours);
    expect(current).toEqual(['carol@example.com']);
  });
});
