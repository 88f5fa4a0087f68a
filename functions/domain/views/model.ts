import { z } from 'zod';
import { FieldIdSchema } from '../fields/model.js';
import { refineScope, ScopeSchema } from '../macros/model.js';
import { parseOrFail } from '../shared/validation.js';
import {
  ChannelSchema,
  PRIORITIES,
  PrioritySchema,
  TagSchema,
  type Ticket,
  type TicketStatus,
  TicketStatusSchema,
} from '../tickets/model.js';

/**
 * Saved views: named ticket filters ("My open tickets", "Unassigned"...),
 * shared with the desk or personal. `matchesView` is the predicate;
 * `planViewQuery` says which list index to Query for a view and what to
 * filter afterwards.
 *
 * Filters (all given ones must hold; a list filter holds for any listed value):
 * - status, priority, channel: lists;
 * - departmentId: a department id, or `none` (the triage queue);
 * - teamId: a team id, or `none`;
 * - assigneeId: `me` (the agent looking), `none` (unassigned) or an agent id;
 * - tag: one tag; notTag: tickets without that tag (the built-in queues leave out spam);
 * - fields: custom field id → value (a multi-picklist holds when it includes the value).
 */

export const ME = 'me';
export const NONE = 'none';

const IdOrNoneSchema = z.string().trim().min(1).max(100);
const FieldFilterValueSchema = z.union([z.string().max(200), z.number().finite(), z.boolean()]);

export const ViewFiltersSchema = z.object({
  status: z.array(TicketStatusSchema).min(1).optional(),
  departmentId: IdOrNoneSchema.optional(),
  teamId: IdOrNoneSchema.optional(),
  assigneeId: IdOrNoneSchema.optional(),
  tag: TagSchema.optional(),
  notTag: TagSchema.optional(),
  priority: z.array(PrioritySchema).min(1).optional(),
  channel: z.array(ChannelSchema).min(1).optional(),
  fields: z.record(FieldIdSchema, FieldFilterValueSchema).optional(),
});
export type ViewFilters = z.infer<typeof ViewFiltersSchema>;

export const VIEW_SORTS = ['updated', 'created', 'priority'] as const;

export const SavedViewSchema = z
  .object({
    id: z.string().trim().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    scope: ScopeSchema,
    ownerId: z.string().trim().min(1).max(100).optional(),
    filters: ViewFiltersSchema,
    sort: z.enum(VIEW_SORTS).default('updated'),
  })
  .superRefine(refineScope);
export type SavedView = z.infer<typeof SavedViewSchema>;
export type SavedViewInput = z.input<typeof SavedViewSchema>;

export function parseSavedView(input: unknown): SavedView {
  return parseOrFail(SavedViewSchema, input, 'view');
}

/** Statuses of tickets still being worked on. */
export const UNSOLVED_STATUSES: TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];

/** The tag inbound mail (failed spam/DMARC verdicts) and agents put on spam: the Spam view's only marker. */
export const SPAM_TAG = 'spam';

/** The views every desk has; My open tickets and Unassigned leave spam out. */
export const BUILT_IN_VIEWS = {
  my_open: {
    id: 'my_open',
    name: 'My open tickets',
    scope: 'shared',
    filters: { assigneeId: ME, status: UNSOLVED_STATUSES, notTag: SPAM_TAG },
    sort: 'updated',
  },
  unassigned: {
    id: 'unassigned',
    name: 'Unassigned',
    scope: 'shared',
    filters: { assigneeId: NONE, status: UNSOLVED_STATUSES, notTag: SPAM_TAG },
    sort: 'updated',
  },
  /**
   * What the desk marks as spam: inbound mail with a failed SES spam or DMARC
   * verdict gets the tag (functions/email/receive.ts), and agents add it by
   * hand. Newest arrival first: the order of the tag index.
   */
  spam: { id: 'spam', name: 'Spam', scope: 'shared', filters: { tag: SPAM_TAG }, sort: 'created' },
} as const satisfies Record<string, SavedView>;

export type ViewTicket = Pick<
  Ticket,
  'status' | 'departmentId' | 'teamId' | 'assigneeId' | 'tags' | 'priority' | 'channel' | 'customFields'
>;

const idMatches = (filter: string | undefined, actual: string | null) =>
  filter === undefined || (filter === NONE ? actual === null : actual === filter);

/** Whether a ticket passes filters; `me` means `principalAgentId`. */
export function matchesFilters(filters: ViewFilters, ticket: ViewTicket, principalAgentId: string): boolean {
  if (filters.status && !filters.status.includes(ticket.status)) return false;
  if (filters.priority && !filters.priority.includes(ticket.priority)) return false;
  if (filters.channel && !filters.channel.includes(ticket.channel)) return false;
  if (!idMatches(filters.departmentId, ticket.departmentId)) return false;
  if (!idMatches(filters.teamId, ticket.teamId)) return false;
  const assignee = filters.assigneeId === ME ? principalAgentId : filters.assigneeId;
  if (!idMatches(assignee, ticket.assigneeId)) return false;
  if (filters.tag !== undefined && !ticket.tags.includes(filters.tag)) return false;
  if (filters.notTag !== undefined && ticket.tags.includes(filters.notTag)) return false;
  for (const [fieldId, wanted] of Object.entries(filters.fields ?? {})) {
    const value = ticket.customFields[fieldId];
    const ok = Array.isArray(value)
      ? typeof wanted === 'string' && value.includes(wanted)
      : typeof value === 'string' && typeof wanted === 'string'
        ? value.toLowerCase() === wanted.toLowerCase()
        : value === wanted;
    if (!ok) return false;
  }
  return true;
}

/** Whether a ticket belongs in a view, for the agent looking at it. */
export function matchesView(
  view: Pick<SavedView, 'filters'>,
  ticket: ViewTicket,
  principalAgentId: string,
): boolean {
  return matchesFilters(view.filters, ticket, principalAgentId);
}

export type ViewIndex = 'assignee' | 'tag' | 'department' | 'all';

export interface ViewQueryPlan {
  index: ViewIndex;
  /**
   * The partition to Query: the agent id (assignee), the tag, the department
   * id; null means "none" for assignee (the unassigned queue) and department
   * (the triage queue), and is always null for `all`.
   */
  key: string | null;
  /**
   * A single status to put in the key condition (`begins_with` on the list
   * order), or null. Only for the assignee, department and all indexes, whose
   * sort key starts with the status; the tag index sorts by creation.
   */
  status: TicketStatus | null;
  /** The filters the Query does not cover, `me` resolved: apply with `matchesFilters` to each item read. */
  residualFilter: ViewFilters;
}

/**
 * Which list index serves a view best. Preference, most selective first:
 * 1. assignee = one agent (an agent holds a small share of the desk);
 * 2. tag (tags mark small groups; the index needs a BatchGet per page);
 * 3. department (one department, or the triage queue);
 * 4. assignee = none (the unassigned queue spans every department);
 * 5. the whole desk.
 * The filter used for the key is removed from `residualFilter`; so is the
 * status when exactly one is asked and the index sorts by status.
 */
export function planViewQuery(view: Pick<SavedView, 'filters'>, principalAgentId: string): ViewQueryPlan {
  const filters: ViewFilters = { ...view.filters };
  if (filters.assigneeId === ME) filters.assigneeId = principalAgentId;
  const { assigneeId, tag, departmentId, ...rest } = filters;
  const plan = (index: ViewIndex, key: string | null, residual: ViewFilters): ViewQueryPlan => {
    const single = index !== 'tag' && residual.status?.length === 1 ? (residual.status[0] ?? null) : null;
    if (single === null) return { index, key, status: null, residualFilter: residual };
    const { status: _pushed, ...withoutStatus } = residual;
    return { index, key, status: single, residualFilter: withoutStatus };
  };
  const keep = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ViewFilters;

  if (assigneeId !== undefined && assigneeId !== NONE) {
    return plan('assignee', assigneeId, keep({ ...rest, tag, departmentId }));
  }
  if (tag !== undefined) return plan('tag', tag, keep({ ...rest, assigneeId, departmentId }));
  if (departmentId !== undefined) {
    return plan('department', departmentId === NONE ? null : departmentId, keep({ ...rest, assigneeId }));
  }
  if (assigneeId === NONE) return plan('assignee', null, keep({ ...rest }));
  return plan('all', null, keep({ ...rest }));
}

const PRIORITY_RANK = Object.fromEntries(PRIORITIES.map((p, i) => [p, i])) as Record<string, number>;

/** Orders tickets for a view's sort: newest update / creation first; priority = most urgent first, then newest update. */
export function sortForView<T extends Pick<Ticket, 'updatedAt' | 'createdAt' | 'priority' | 'id'>>(
  tickets: readonly T[],
  sort: SavedView['sort'],
): T[] {
  const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  return [...tickets].sort((a, b) => {
    if (sort === 'created') return desc(a.createdAt, b.createdAt) || desc(a.id, b.id);
    if (sort === 'priority') {
      const byPriority = (PRIORITY_RANK[b.priority] ?? 0) - (PRIORITY_RANK[a.priority] ?? 0);
      if (byPriority !== 0) return byPriority;
    }
    return desc(a.updatedAt, b.updatedAt) || desc(a.id, b.id);
  });
}
