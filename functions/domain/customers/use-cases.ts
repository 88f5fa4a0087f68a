import { canSuperviseDesk, type Principal } from '../agents/model.js';
import type { Deps, Page } from '../ports.js';
import { Conflict, CustomerNotFound, Forbidden } from '../shared/errors.js';
import type { Ticket } from '../tickets/model.js';
import { type Customer, mergeCustomers, normaliseEmail } from './model.js';

/** A customer with the tickets the principal may see, newest first. A merged customer resolves to the survivor. */
export async function getCustomer(
  deps: Deps,
  principal: Principal,
  id: string,
  options: { limit: number; cursor?: string },
): Promise<{ customer: Customer; tickets: Page<Ticket> }> {
  let customer = await deps.customers.get(id);
  for (let hops = 0; customer?.mergedInto && hops < 10; hops++) {
    customer = await deps.customers.get(customer.mergedInto);
  }
  if (!customer) throw new CustomerNotFound(id);
  const tickets = await deps.tickets.list({ customerId: customer.id, visibleTo: principal, ...options });
  return { customer, tickets };
}

/** Looks a customer up by email address (exact, case-insensitive). */
export async function findCustomerByEmail(deps: Deps, email: string): Promise<Customer | null> {
  const customer = await deps.customers.findByIdentity({ type: 'email', value: normaliseEmail(email) });
  if (!customer?.mergedInto) return customer;
  return deps.customers.get(customer.mergedInto);
}

/**
 * Merges `otherId` into `survivorId`: identities move to the survivor (one
 * transaction, version-checked), then the other customer's tickets are
 * re-pointed. Supervisors and admins only.
 */
export async function mergeCustomer(
  deps: Deps,
  principal: Principal,
  survivorId: string,
  otherId: string,
): Promise<{ customer: Customer; ticketsMoved: number }> {
  if (!canSuperviseDesk(principal)) {
    throw new Forbidden('Only supervisors and admins can merge customers');
  }
  if (survivorId === otherId) throw new Conflict('A customer cannot be merged into itself');
  const [survivor, other] = await Promise.all([deps.customers.get(survivorId), deps.customers.get(otherId)]);
  if (!survivor || survivor.mergedInto) throw new CustomerNotFound(survivorId);
  if (!other) throw new CustomerNotFound(otherId);
  const now = deps.clock.now();
  if (other.mergedInto === survivor.id) {
    // Already merged (a retried request): finish moving tickets, change nothing else.
    const ticketsMoved = await deps.tickets.reassignCustomer(other.id, survivor.id, now.toISOString());
    return { customer: survivor, ticketsMoved };
  }
  if (other.mergedInto) throw new Conflict(`Customer ${otherId} was already merged into ${other.mergedInto}`);
  const merged = mergeCustomers(survivor, other, now);
  await deps.customers.saveMerge(merged.survivor, merged.merged, {
    survivor: survivor.version,
    merged: other.version,
  });
  const ticketsMoved = await deps.tickets.reassignCustomer(other.id, survivor.id, now.toISOString());
  return { customer: merged.survivor, ticketsMoved };
}
