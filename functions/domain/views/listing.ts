import { canListTicket, canSuperviseDesk, type Principal } from '../agents/model.js';
import type { Ticket } from '../tickets/model.js';
import { STATUS_RANK, TICKET_STATUSES, type TicketStatus } from '../tickets/status.js';
import { matchesFilters, planViewQuery, type SavedView, type ViewFilters, type ViewTicket } from './model.js';
import type { OrderKey, TicketSource } from './ports.js';

/**
 * How a saved view is read and counted for one agent (pure): which index
 * partition, which status segments, what is checked on each ticket
 * afterwards (the view's remaining filters and the agent's visibility), and
 * whether the index order is the view's sort.
 */

/** Statuses in triage order, new first: the order the status-sorted indexes list them. */
export const TRIAGE_ORDER: readonly TicketStatus[] = [...TICKET_STATUSES].sort(
  (a, b) => STATUS_RANK[b] - STATUS_RANK[a],
);

/**
 * Whether the index partition alone guarantees the agent may see every
 * ticket in it: supervisors and admins see all; an agent sees their own
 * assignments, their departments and the triage queue.
 */
export function sourceIsVisible(source: TicketSource, principal: Principal): boolean {
  if (canSuperviseDesk(principal)) return true;
  if (source.index === 'assignee') return source.key === principal.agentId;
  if (source.index === 'department')
    return source.key === null || principal.departmentIds.includes(source.key);
  return false;
}

export interface ViewReadPlan {
  source: TicketSource;
  /**
   * The status segments to read, in triage order (status-sorted indexes: a
   * view's statuses, or all of them); null for the tag index, which is read
   * as one segment by creation.
   */
  segments: TicketStatus[] | null;
  /** The view's filters the index does not cover (`me` resolved). */
  residual: ViewFilters;
  /** Whether each ticket must also pass `canListTicket`. */
  checkVisibility: boolean;
  /**
   * True when merging the segments newest first gives the view's sort
   * exactly (`updated` on a status-sorted index, `created` on the tag
   * index); otherwise the tickets are sorted in a bounded window.
   */
  ordered: boolean;
}

/** Plans the ticket list of a view for the agent looking at it. */
export function planViewRead(view: Pick<SavedView, 'filters' | 'sort'>, principal: Principal): ViewReadPlan {
  const plan = planViewQuery(view, principal.agentId);
  const source: TicketSource = { index: plan.index, key: plan.key };
  const checkVisibility = !sourceIsVisible(source, principal);
  if (plan.index === 'tag') {
    return {
      source,
      segments: null,
      residual: plan.residualFilter,
      checkVisibility,
      ordered: view.sort === 'created',
    };
  }
  const { status: statuses, ...residual } = plan.residualFilter;
  const segments = plan.status
    ? [plan.status]
    : TRIAGE_ORDER.filter((s) => statuses === undefined || statuses.includes(s));
  return { source, segments, residual, checkVisibility, ordered: view.sort === 'updated' };
}

export interface ViewCountPlan {
  source: TicketSource;
  /** A contiguous range of the list order the key condition covers (status-sorted indexes), or null. */
  statuses: { from: TicketStatus; to: TicketStatus } | null;
  /** Filters still to check on each ticket (a status set that is not one range stays here). */
  residual: ViewFilters;
  checkVisibility: boolean;
}

/** Plans the count of a view: as much as possible in the key condition, so the index can count alone. */
export function planViewCount(view: Pick<SavedView, 'filters'>, principal: Principal): ViewCountPlan {
  const plan = planViewQuery(view, principal.agentId);
  const source: TicketSource = { index: plan.index, key: plan.key };
  const checkVisibility = !sourceIsVisible(source, principal);
  if (plan.index === 'tag') return { source, statuses: null, residual: plan.residualFilter, checkVisibility };
  if (plan.status) {
    return {
      source,
      statuses: { from: plan.status, to: plan.status },
      residual: plan.residualFilter,
      checkVisibility,
    };
  }
  const { status: statuses, ...rest } = plan.residualFilter;
  if (statuses === undefined) return { source, statuses: null, residual: rest, checkVisibility };
  const ranks = [...new Set(statuses)].map((s) => STATUS_RANK[s]).sort((a, b) => b - a);
  const [highest, lowest] = [ranks[0] as number, ranks[ranks.length - 1] as number];
  const byRank = (rank: number) => TRIAGE_ORDER.find((s) => STATUS_RANK[s] === rank) as TicketStatus;
  const contiguous = highest - lowest + 1 === ranks.length;
  return {
    source,
    statuses: { from: byRank(highest), to: byRank(lowest) },
    residual: contiguous ? rest : { ...rest, status: statuses },
    checkVisibility,
  };
}

/** The test each ticket read for a view must pass: the residual filters, then visibility. */
export function viewPredicate(
  plan: Pick<ViewReadPlan, 'residual' | 'checkVisibility'>,
  principal: Principal,
): ((ticket: ViewTicket) => boolean) | null {
  const filtered = Object.keys(plan.residual).length > 0;
  if (!filtered && !plan.checkVisibility) return null;
  return (ticket) =>
    (!filtered || matchesFilters(plan.residual, ticket, principal.agentId)) &&
    (!plan.checkVisibility || canListTicket(principal, ticket));
}

const FILTER_ATTRIBUTES: Record<keyof ViewFilters, keyof ViewTicket> = {
  status: 'status',
  departmentId: 'departmentId',
  teamId: 'teamId',
  assigneeId: 'assigneeId',
  tag: 'tags',
  notTag: 'tags',
  priority: 'priority',
  channel: 'channel',
  fields: 'customFields',
};

/** The ticket attributes `viewPredicate` reads, so a count can project only those. */
export function predicateAttributes(
  plan: Pick<ViewReadPlan, 'residual' | 'checkVisibility'>,
): (keyof ViewTicket)[] {
  const wanted = new Set<keyof ViewTicket>();
  for (const key of Object.keys(plan.residual) as (keyof ViewFilters)[]) wanted.add(FILTER_ATTRIBUTES[key]);
  if (plan.checkVisibility) {
    wanted.add('departmentId');
    wanted.add('assigneeId');
  }
  return [...wanted].sort();
}

/** A ticket's position in the order of the index it was read from. */
export function orderKeyOf(
  ticket: Pick<Ticket, 'id' | 'updatedAt' | 'createdAt'>,
  tagIndex: boolean,
): OrderKey {
  return { at: tagIndex ? ticket.createdAt : ticket.updatedAt, id: ticket.id };
}

/** Compares order keys newest first (negative when `a` comes first). */
export function compareOrderKeys(a: OrderKey, b: OrderKey): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
