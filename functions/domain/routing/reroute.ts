import type { TimelineEntry } from '../tickets/model.js';

/**
 * Routing again after a department change (pure parts; the reaction is
 * `rerouteAfterDepartmentChange` in functions/routing/engine.ts).
 */

export interface DepartmentMove {
  /** The new department; null: back to the triage queue (nothing to route). */
  to: string | null;
  /** The same change also set the assignee: it is kept as chosen. */
  assigneeChanged: boolean;
}

/**
 * The department move an `event` entry records, when an agent (by hand or
 * with a macro) or a workflow rule made it; null for any other entry —
 * routing's and assignment's own changes never route again.
 */
export function departmentMove(entry: TimelineEntry): DepartmentMove | null {
  if (entry.kind !== 'event') return null;
  const change = entry.changes.find((c) => c.field === 'departmentId');
  if (!change || change.from === change.to) return null;
  const { author } = entry;
  const byAgent = author.type === 'agent';
  const byRule = author.type === 'system' && author.id.startsWith('rule:');
  if (!byAgent && !byRule) return null;
  return {
    to: typeof change.to === 'string' && change.to !== '' ? change.to : null,
    assigneeChanged: entry.changes.some((c) => c.field === 'assigneeId'),
  };
}

/** The system entry saying what a department move left behind. */
export function describeRoutingLeftovers(input: {
  department: string;
  team: string | null;
  assignee: string | null;
}): string {
  const left = [
    ...(input.team ? [`left team ${input.team}`] : []),
    ...(input.assignee ? [`unassigned ${input.assignee}, who is not in ${input.department}`] : []),
  ];
  const did = left.length > 0 ? left.join(' and ') : 'left its team';
  return `Moved to ${input.department}: ${did}; routing it within ${input.department}.`;
}
