import { z } from 'zod';
import type { BusinessCalendar } from '../business-hours/calendar.js';
import type { Ticket } from '../tickets/model.js';
import {
  type AppliedSla,
  AppliedSlaSchema,
  applySla,
  type DueEscalation,
  dueEscalations,
  isRunning,
  markLevelsFired,
  nextWakeUp,
  pauseResolution,
  recordAgentReply,
  recordBreaches,
  recordCustomerMessage,
  recordReopened,
  recordSolved,
  resumeResolution,
} from './applied-sla.js';
import {
  matchPolicy,
  resolvePolicyCalendar,
  SLA_TARGET_KINDS,
  type SlaPolicy,
  type SlaTargetKind,
  SlaTargetKindSchema,
} from './policy.js';
import type { SlaTimerInput } from './timer-port.js';

/**
 * The SLA of one ticket as stored: the applied SLA (pure value of
 * applied-sla.ts) plus the bookkeeping of its timers. The ticket item stays
 * the truth about the ticket; this record is derived from it by the events
 * handler (`reconcileSla`) and advanced by the timers (`tickTimer`).
 *
 * Timers. Each running target has one timer execution, named by its
 * generation. Whenever a target's timing changes (started, paused, resumed,
 * met, re-targeted), its generation grows: the old execution is stopped and a
 * new one started under the new name, so a late or retried start never runs
 * a stale timer, and a timer that was not stopped sees it is superseded.
 */
const PerTarget = <T extends z.ZodType>(value: T) => z.partialRecord(SlaTargetKindSchema, value);

export const SlaRecordSchema = z.object({
  ticketId: z.string(),
  ticketNumber: z.number().int(),
  applied: AppliedSlaSchema,
  generations: PerTarget(z.number().int().min(0)),
  /** The timing each generation was started for (see `timing`). */
  timings: PerTarget(z.string()),
  executions: PerTarget(z.string().nullable()),
  /**
   * Per target, the `breachedAt` whose breach a timer tick has reported. Any
   * transition records a breach in `applied`, so "breached now, not before"
   * cannot tell whether the breach was reported; this can.
   */
  breachesReported: PerTarget(z.string()).default({}),
  /** The earliest due time among running targets (the at-risk view's order); null when none runs. */
  nextDueAt: z.string().nullable(),
  /** The ticket version this record was last reconciled with. */
  ticketVersion: z.number().int(),
  version: z.number().int(),
});
export type SlaRecord = z.infer<typeof SlaRecordSchema>;

export interface SlaSetup {
  policies: readonly SlaPolicy[];
  calendars: readonly BusinessCalendar[];
}

/** What happened to the ticket since the record was last reconciled. */
export type SlaEvent =
  | { type: 'ticket'; before: Ticket | null; after: Ticket }
  | { type: 'agent-reply'; ticket: Ticket }
  | { type: 'customer-message'; ticket: Ticket };

export interface TimerChanges {
  start: SlaTimerInput[];
  stop: string[];
}

function timing(applied: AppliedSla, kind: SlaTargetKind): string | null {
  const t = applied.targets.find((x) => x.kind === kind);
  if (!t || !isRunning(t)) return null;
  return `${t.dueAt}|${t.activeSince}|${t.targetMinutes}`;
}

/** The earliest due time among running targets (ISO strings of one format compare as times). */
function earliestDue(applied: AppliedSla): string | null {
  const due = applied.targets.filter(isRunning).map((t) => t.dueAt);
  return due.length === 0 ? null : ([...due].sort()[0] ?? null);
}

/** The policy and calendar of a record, or null when the policy is gone. */
export function policyOf(
  setup: SlaSetup,
  applied: AppliedSla,
): { policy: SlaPolicy; calendar: BusinessCalendar } | null {
  const policy = setup.policies.find((p) => p.id === applied.policyId);
  return policy ? { policy, calendar: resolvePolicyCalendar(policy, setup.calendars) } : null;
}

/** Fields whose change re-matches the policy (the policy's conditions and the targets' priority). */
function retargetingChange(before: Ticket, after: Ticket): boolean {
  return (
    before.priority !== after.priority ||
    before.departmentId !== after.departmentId ||
    before.channel !== after.channel ||
    before.tags.join('\u0000') !== after.tags.join('\u0000') ||
    JSON.stringify(before.customFields) !== JSON.stringify(after.customFields)
  );
}

const PAUSED: ReadonlySet<string> = new Set(['pending', 'on_hold']);

/**
 * Brings a ticket's SLA record up to date with an event, and says which
 * timers to stop and start. Returns `record: null` when no policy applies:
 * the ticket has no SLA (any more), and `timers.stop` lists the timers of the
 * record it had, for the caller to stop before dropping that record.
 */
export function reconcileSla(
  current: SlaRecord | null,
  setup: SlaSetup,
  event: SlaEvent,
  now: Date,
): { record: SlaRecord | null; timers: TimerChanges } {
  const ticket = event.type === 'ticket' ? event.after : event.ticket;
  let applied: AppliedSla | null = current?.applied ?? null;
  const matched = matchPolicy(setup.policies, ticket);

  if (event.type === 'ticket') {
    const { before, after } = event;
    const policyChanged = (matched?.id ?? null) !== (applied?.policyId ?? null);
    if (!applied || policyChanged || (before && retargetingChange(before, after))) {
      // (Re-)apply: the first match on creation, or re-targeted when its conditions' fields changed.
      // Targets are measured from the ticket's creation, so a raised priority can be already due.
      if (matched && (!applied || policyChanged || before?.priority !== after.priority)) {
        const calendar = resolvePolicyCalendar(matched, setup.calendars);
        applied = applySla(matched, calendar, after, new Date(after.createdAt));
        // A solved (or closed) ticket keeps its resolution met, as of when it was solved.
        if (after.status === 'solved' || after.status === 'closed') {
          applied = recordSolved(applied, calendar, after.solvedAt ? new Date(after.solvedAt) : now);
        }
      } else if (!matched) {
        applied = null;
      }
    }
    const resolved = applied ? policyOf(setup, applied) : null;
    if (applied && resolved && before) {
      const { calendar } = resolved;
      if (!PAUSED.has(before.status) && PAUSED.has(after.status))
        applied = pauseResolution(applied, calendar, now);
      if (
        PAUSED.has(before.status) &&
        !PAUSED.has(after.status) &&
        after.status !== 'solved' &&
        after.status !== 'closed'
      ) {
        applied = resumeResolution(applied, calendar, now);
      }
      if (after.status === 'solved' && before.status !== 'solved')
        applied = recordSolved(applied, calendar, now);
      if (after.status === 'closed' && before.status !== 'closed' && before.status !== 'solved') {
        applied = recordSolved(applied, calendar, now);
      }
      if (before.status === 'solved' && after.status !== 'solved' && after.status !== 'closed') {
        applied = recordReopened(applied, calendar, now);
      }
    }
  } else if (applied) {
    const resolved = policyOf(setup, applied);
    if (resolved) {
      applied =
        event.type === 'agent-reply'
          ? recordAgentReply(applied, resolved.calendar, now)
          : recordCustomerMessage(applied, resolved.policy, resolved.calendar, ticket.priority, now);
    }
  }

  if (!applied) {
    const stop = Object.values(current?.executions ?? {}).filter((arn): arn is string => Boolean(arn));
    return { record: null, timers: { start: [], stop } };
  }
  applied = recordBreaches(applied, now);

  const record: SlaRecord = {
    ticketId: ticket.id,
    ticketNumber: ticket.number,
    applied,
    generations: { ...(current?.generations ?? {}) },
    timings: { ...(current?.timings ?? {}) },
    executions: { ...(current?.executions ?? {}) },
    breachesReported: { ...(current?.breachesReported ?? {}) },
    nextDueAt: earliestDue(applied),
    // Only ticket images count: a reply or message event carries the ticket as read now, and
    // raising the version with it would make the handler skip ticket changes still in the stream.
    ticketVersion:
      event.type === 'ticket'
        ? Math.max(ticket.version, current?.ticketVersion ?? 0)
        : (current?.ticketVersion ?? 0),
    version: (current?.version ?? 0) + 1,
  };
  const timers: TimerChanges = { start: [], stop: [] };
  const resolved = policyOf(setup, applied);
  for (const kind of SLA_TARGET_KINDS) {
    const now_ = timing(applied, kind);
    const previous = record.timings[kind] ?? null;
    if (now_ === previous && (now_ === null || record.executions[kind])) continue;
    const old = record.executions[kind];
    if (old) timers.stop.push(old);
    record.executions[kind] = null;
    if (now_ === null) {
      delete record.timings[kind];
      continue;
    }
    const generation = (record.generations[kind] ?? 0) + 1;
    record.generations[kind] = generation;
    record.timings[kind] = now_;
    if (
      resolved &&
      (nextWakeUp(applied, resolved.policy, resolved.calendar, kind) !== null ||
        unreportedBreach(record, kind) !== null)
    ) {
      timers.start.push({ ticketId: ticket.id, target: kind, generation });
    }
  }
  return { record, timers };
}

/** The `breachedAt` of the target of `kind` when its breach has not been reported yet, else null. */
function unreportedBreach(record: Pick<SlaRecord, 'applied' | 'breachesReported'>, kind: SlaTargetKind) {
  const breachedAt = record.applied.targets.find((t) => t.kind === kind)?.breachedAt ?? null;
  return breachedAt !== null && breachedAt !== record.breachesReported[kind] ? breachedAt : null;
}

export type TickResult =
  | {
      next: 'stop';
      wakeAt: null;
      reason: 'not-found' | 'superseded' | 'met' | 'paused' | 'no-policy' | 'done';
    }
  | { next: 'wait'; wakeAt: string; reason: 'levels-fired' | 'waiting' };

/**
 * One timer tick for `input`: fires the escalation levels of its target that
 * are due at `now` (each once), records breaches, and says when to wake next.
 * Returns the record to save (null when nothing changed) and the levels to
 * carry out.
 */
export function tickTimer(
  record: SlaRecord | null,
  setup: SlaSetup,
  input: SlaTimerInput,
  now: Date,
): { record: SlaRecord | null; fired: DueEscalation[]; breached: SlaTargetKind[]; result: TickResult } {
  const none = (reason: Extract<TickResult, { next: 'stop' }>['reason']) => ({
    record: null,
    fired: [],
    breached: [],
    result: { next: 'stop', wakeAt: null, reason } as TickResult,
  });
  if (!record) return none('not-found');
  if ((record.generations[input.target] ?? 0) !== input.generation) return none('superseded');
  const target = record.applied.targets.find((t) => t.kind === input.target);
  if (!target) return none('superseded');
  if (target.status === 'paused') return none('paused');
  if (!isRunning(target)) return none('met');
  const resolved = policyOf(setup, record.applied);
  if (!resolved) return none('no-policy');

  const fired = dueEscalations(record.applied, resolved.policy, resolved.calendar, now).filter(
    (e) => e.kind === input.target,
  );
  const applied = markLevelsFired(record.applied, fired, now);
  // Reported once per breach, whoever recorded it (this tick, another target's tick, a ticket event).
  const breachedAt = unreportedBreach({ applied, breachesReported: record.breachesReported }, input.target);
  const breached: SlaTargetKind[] = breachedAt !== null ? [input.target] : [];
  const changed = fired.length > 0 || breached.length > 0;
  const next = nextWakeUp(applied, resolved.policy, resolved.calendar, input.target);
  const updated: SlaRecord | null = changed
    ? {
        ...record,
        applied,
        breachesReported:
          breachedAt !== null
            ? { ...record.breachesReported, [input.target]: breachedAt }
            : record.breachesReported,
        nextDueAt: earliestDue(applied),
        version: record.version + 1,
      }
    : null;
  const result: TickResult = next
    ? { next: 'wait', wakeAt: next.toISOString(), reason: changed ? 'levels-fired' : 'waiting' }
    : { next: 'stop', wakeAt: null, reason: 'done' };
  return { record: updated, fired, breached, result };
}
