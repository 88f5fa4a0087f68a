/**
 * Grows the desk's table to a given number of tickets, fast: the domain use
 * case `createTicket` runs in-process (no HTTP), with bounded concurrency.
 *
 * To give the table a realistic shape without a second write per ticket, the
 * use case gets a thin wrapper around the real ticket repository whose
 * `create` re-shapes the fresh ticket before the one transaction is written:
 * a status from a realistic mix (most tickets solved or closed), an assignee
 * for tickets past `new`, and activity spread over the last 90 days (through
 * the injected clock). Index keys are derived from the re-shaped ticket by
 * the real repository, so every index is consistent.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../functions/adapters/dynamodb/keys.js';
import type { AppContext } from '../functions/composition/deps.js';
import type { Deps, TicketRepository } from '../functions/domain/ports.js';
import type { Channel, Priority, Ticket, TicketStatus } from '../functions/domain/tickets/model.js';
import { createTicket } from '../functions/domain/tickets/use-cases.js';
import { seededRandom } from '../test/support/seeded-random.js';

type Weighted<T> = readonly (readonly [T, number])[];

export const STATUS_MIX: Weighted<TicketStatus> = [
  ['new', 6],
  ['open', 12],
  ['pending', 8],
  ['on_hold', 4],
  ['solved', 30],
  ['closed', 40],
];
const DEPARTMENT_MIX: Weighted<string | null> = [
  ['general', 30],
  ['technical', 25],
  ['returns', 15],
  ['billing', 15],
  ['warehouse', 5],
  [null, 10],
];
const CHANNEL_MIX: Weighted<Channel> = [
  ['email', 45],
  ['web', 25],
  ['phone', 12],
  ['chat', 12],
  ['api', 3],
  ['social', 3],
];
const PRIORITY_MIX: Weighted<Priority> = [
  ['low', 20],
  ['normal', 60],
  ['high', 15],
  ['urgent', 5],
];
const ASSIGNEE_MIX: Weighted<string> = [
  ['agent-sam', 60],
  ['agent-supervisor', 25],
  ['agent-admin', 15],
];

const DAY_MS = 24 * 60 * 60 * 1000;

function pick<T>(mix: Weighted<T>, random: () => number): T {
  const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of mix) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return mix[mix.length - 1]![0];
}

export interface GrownTicket {
  id: string;
  status: TicketStatus;
}

/** Tickets allocated so far: the ticket-number counter (every ticket takes one number). */
export async function ticketCount(app: AppContext): Promise<number> {
  const result = await app.documentClient.send(
    new GetCommand({ TableName: app.config.TABLE_NAME, Key: keys.ticketCounter() }),
  );
  return Number(result.Item?.n ?? 0);
}

interface Shape {
  status: TicketStatus;
  assigneeId: string | null;
  at: Date;
  updatedAt: Date;
}

function reshape(ticket: Ticket, shape: Shape): Ticket {
  if (shape.status === 'new') return ticket;
  const updated = shape.updatedAt.toISOString();
  const responded = new Date(Math.min(shape.updatedAt.getTime(), shape.at.getTime() + 2 * 60 * 60 * 1000));
  return {
    ...ticket,
    status: shape.status,
    assigneeId: shape.assigneeId,
    version: 4,
    updatedAt: updated,
    firstRespondedAt: responded.toISOString(),
    messageCount: 3,
    solvedAt: shape.status === 'solved' || shape.status === 'closed' ? updated : null,
    closedAt: shape.status === 'closed' ? updated : null,
  };
}

/** Delegates to the real repository; `create` writes the re-shaped ticket. */
function shapingRepository(real: TicketRepository, shape: Shape): TicketRepository {
  const shaping: TicketRepository = Object.create(real);
  shaping.create = (bundle) => real.create({ ...bundle, ticket: reshape(bundle.ticket, shape) });
  return shaping;
}

/**
 * Creates `count` tickets through `createTicket` with at most `concurrency`
 * in flight; calls `onProgress` every `progressEvery` tickets.
 */
export async function growTickets(
  app: AppContext,
  count: number,
  options: {
    concurrency: number;
    seed: number;
    /** Distinct customers to draw requesters from (about three tickets each). */
    customers: number;
    progressEvery: number;
    onProgress: (done: number, total: number, elapsedMs: number) => void;
  },
): Promise<GrownTicket[]> {
  const random = seededRandom(options.seed);
  const grown: GrownTicket[] = [];
  const started = Date.now();
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const status = pick(STATUS_MIX, random);
      // New tickets are recent; the rest spread over 90 days, last touched some hours to days after creation.
      const ageMs = status === 'new' ? random() * 2 * DAY_MS : random() * 90 * DAY_MS;
      const at = new Date(Date.now() - ageMs);
      const updatedAt =
        status === 'new' ? at : new Date(Math.min(Date.now(), at.getTime() + random() * 5 * DAY_MS));
      const shape: Shape = {
        status,
        assigneeId: status === 'new' ? null : pick(ASSIGNEE_MIX, random),
        at,
        updatedAt,
      };
      const customer = Math.floor(random() * options.customers);
      const deps: Deps = {
        ...app.deps,
        tickets: shapingRepository(app.deps.tickets, shape),
        clock: { now: () => at },
      };
      try {
        const { ticket } = await createTicket(deps, {
          subject: `Question about order ${100_000 + index}`,
          description: `Hello, I have a question about my order ${100_000 + index}. Could you please help me?`,
          customer: {
            email: `customer-${options.seed}-${customer}@bench.example`,
            name: `Customer ${customer}`,
          },
          channel: pick(CHANNEL_MIX, random),
          priority: pick(PRIORITY_MIX, random),
          departmentId: pick(DEPARTMENT_MIX, random),
          createdBy: 'customer',
        });
        grown.push({ id: ticket.id, status });
      } catch (error) {
        failures += 1;
        if (failures > 20) throw error;
      }
      const done = grown.length + failures;
      if (done % options.progressEvery === 0 || done === count)
        options.onProgress(done, count, Date.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return grown;
}
