import { openTicket, type Ticket } from '../../functions/domain/tickets/model.js';

/** A fresh ticket opened at `at` (Ann's printer, department "support"), with `overrides` on top. */
export function ticketOpenedAt(at: Date, overrides: Partial<Ticket> = {}): Ticket {
  return {
    ...openTicket({
      id: 't1',
      number: 1001,
      subject: 'Printer on fire',
      channel: 'email',
      priority: 'normal',
      departmentId: 'support',
      customerId: 'c1',
      requester: { name: 'Ann', email: 'ann@example.com', phone: null },
      now: at,
    }),
    ...overrides,
  };
}
