import { z } from 'zod';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
} from '../business-hours/calendar.js';
import { ValidationFailed } from '../shared/errors.js';
import type { Priority, Ticket } from '../tickets/model.js';
import {
  type EscalationAction,
  type SlaPolicy,
  type SlaTargetKind,
  SlaTargetKindSchema,
  targetMinutesFor,
} from './policy.js';

/**
 * The SLA applied to one ticket, as a pure value, and the transitions that
 * move its clocks. Every function takes the current instant and the policy's
 * calendar (see `resolvePolicyCalendar`) and returns a new value.
 *
 * Clock model. Each target has a budget of `targetMinutes` business minutes.
 * `elapsedMinutes` is the business time consumed before `activeSince` (the
 * start, or the last resume); while the clock runs, the time consumed is
 * `elapsedMinutes + businessMinutesBetween(activeSince, now)`. So a level at P %
 * falls at `addBusinessMinutes(activeSince, P% × targetMinutes − elapsedMinutes)`
 * and the due time is the 100 % instant: paused time never counts.
 *
 * Choices:
 * - Reaching 100 % marks the target `breached` with `breachedAt` = its due
 *   time. Every transition first records breaches that have already happened,
 *   so a late reply still finds the target breached even if no timer ran.
 * - A breached target that is later satisfied keeps status `breached` and gets
 *   `metAt`; it fires no further levels.
 * - A breached resolution target can still be paused; it resumes as breached.
 * - Only one target per kind exists. A customer message starts a next-response
 *   target only when no unmet one is running (the clock measures from the
 *   oldest unanswered message) and the first response has been given.
 * - Reopening a solved ticket restarts the resolution clock with the business
 *   time that was left when it was solved (the solved period does not count,
 *   and fired levels stay fired); a ticket solved after its breach reopens
 *   breached.
 */

export const SLA_TARGET_STATUSES = ['active', 'paused', 'met', 'breached'] as const;
export const SlaTargetStatusSchema = z.enum(SLA_TARGET_STATUSES);
export type SlaTargetStatus = z.infer<typeof SlaTargetStatusSchema>;

export const AppliedSlaTargetSchema = z.object({
  kind: SlaTargetKindSchema,
  /** When the clock started (creation, or the customer message for next response). */
  startedAt: z.string(),
  /** When 100 % of the budget is used up, given the pauses so far. Meaningless while paused. */
  dueAt: z.string(),
  status: SlaTargetStatusSchema,
  /** The budget in business minutes, copied from the policy when the target started. */
  targetMinutes: z.number().positive(),
  /** Start of the current running stretch (startedAt, or the last resume / reopen). */
  activeSince: z.string(),
  /** Business minutes consumed before `activeSince`. */
  elapsedMinutes: z.number().min(0),
  pausedAt: z.string().nullable(),
  /** Business minutes left, set while paused (0 when paused after the due time). */
  remainingMinutes: z.number().min(0).nullable(),
  metAt: z.string().nullable(),
  breachedAt: z.string().nullable(),
  /** Indexes (into the policy's escalation levels for this kind) of the levels that fired. */
  levelsFired: z.array(z.number().int().min(0)),
});
export type AppliedSlaTarget = z.infer<typeof AppliedSlaTargetSchema>;

export const AppliedSlaSchema = z.object({
  policyId: z.string(),
  targets: z.array(AppliedSlaTargetSchema),
});
export type AppliedSla = z.infer<typeof AppliedSlaSchema>;

/** An escalation level that is due: which target, which level, and what to do. */
export interface DueEscalation {
  kind: SlaTargetKind;
  /** Index into `policy.escalations[kind]`. */
  level: number;
  atPercent: number;
  /** The instant the level became due (ISO). */
  dueAt: string;
  actions: EscalationAction[];
}

const iso = (d: Date): string => d.toISOString();

function newTarget(
  calendar: BusinessCalendar,
  kind: SlaTargetKind,
  minutes: number,
  now: Date,
): AppliedSlaTarget {
  const at = iso(now);
  return {
    kind,
    startedAt: at,
    dueAt: iso(addBusinessMinutes(calendar, now, minutes)),
    status: 'active',
    targetMinutes: minutes,
    activeSince: at,
    elapsedMinutes: 0,
    pausedAt: null,
    remainingMinutes: null,
    metAt: null,
    breachedAt: null,
    levelsFired: [],
  };
}

/** Whether the target's clock is running (active, or breached but not yet satisfied). */
export function isRunning(t: AppliedSlaTarget): boolean {
  return (t.status === 'active' || t.status === 'breached') && t.metAt === null;
}

/** Business minutes the target has consumed up to `now` (its running stretch included). */
export function consumedMinutes(t: AppliedSlaTarget, calendar: BusinessCalendar, now: Date): number {
  if (!isRunning(t)) return t.elapsedMinutes;
  return t.elapsedMinutes + businessMinutesBetween(calendar, new Date(t.activeSince), now);
}

/** The instant a running target reaches `percent` % of its budget. */
export function instantAtPercent(t: AppliedSlaTarget, calendar: BusinessCalendar, percent: number): Date {
  const budget = (percent / 100) * t.targetMinutes - t.elapsedMinutes;
  return addBusinessMinutes(calendar, new Date(t.activeSince), Math.max(0, budget));
}

function breachIfDue(t: AppliedSlaTarget, now: Date): AppliedSlaTarget {
  if (t.status === 'active' && t.metAt === null && Date.parse(t.dueAt) <= now.getTime()) {
    return { ...t, status: 'breached', breachedAt: t.dueAt };
  }
  return t;
}

/** Marks every running target whose due time is at or before `now` as breached (breachedAt = its due time). */
export function recordBreaches(applied: AppliedSla, now: Date): AppliedSla {
  return { ...applied, targets: applied.targets.map((t) => breachIfDue(t, now)) };
}

function updateTargets(
  applied: AppliedSla,
  now: Date,
  kinds: readonly SlaTargetKind[],
  change: (t: AppliedSlaTarget) => AppliedSlaTarget,
): AppliedSla {
  const current = recordBreaches(applied, now);
  return {
    ...current,
    targets: current.targets.map((t) => (kinds.includes(t.kind) ? change(t) : t)),
  };
}

function pauseTarget(t: AppliedSlaTarget, calendar: BusinessCalendar, now: Date): AppliedSlaTarget {
  if (!isRunning(t)) return t;
  const used = consumedMinutes(t, calendar, now);
  return {
    ...t,
    status: 'paused',
    elapsedMinutes: used,
    activeSince: iso(now),
    pausedAt: iso(now),
    remainingMinutes: Math.max(0, t.targetMinutes - used),
  };
}

function restartTarget(t: AppliedSlaTarget, calendar: BusinessCalendar, now: Date): AppliedSlaTarget {
  const remaining = Math.max(0, t.targetMinutes - t.elapsedMinutes);
  return {
    ...t,
    status: t.breachedAt === null ? 'active' : 'breached',
    activeSince: iso(now),
    // A breached target keeps its original due time: that is when it breached.
    dueAt: t.breachedAt ?? iso(addBusinessMinutes(calendar, now, remaining)),
    pausedAt: null,
    remainingMinutes: null,
    metAt: null,
  };
}

function meetTarget(t: AppliedSlaTarget, calendar: BusinessCalendar, now: Date): AppliedSlaTarget {
  if (t.metAt !== null || t.status === 'met') return t;
  const used = t.status === 'paused' ? t.elapsedMinutes : consumedMinutes(t, calendar, now);
  return {
    ...t,
    status: t.status === 'breached' ? 'breached' : 'met',
    elapsedMinutes: used,
    activeSince: iso(now),
    pausedAt: null,
    remainingMinutes: null,
    metAt: iso(now),
  };
}

/**
 * Starts the SLA of `policy` on `ticket` at `now`: a first-response target
 * (unless the ticket was already answered) and a resolution target, for the
 * ticket's priority, as far as the policy sets them. A ticket that is pending
 * or on hold starts with its resolution clock paused.
 */
export function applySla(
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  ticket: Ticket,
  now: Date,
): AppliedSla {
  const targets: AppliedSlaTarget[] = [];
  const first = targetMinutesFor(policy, ticket.priority, 'first_response');
  if (first !== null && ticket.firstRespondedAt === null) {
    targets.push(newTarget(calendar, 'first_response', first, now));
  }
  const resolution = targetMinutesFor(policy, ticket.priority, 'resolution');
  if (resolution !== null) {
    const t = newTarget(calendar, 'resolution', resolution, now);
    targets.push(
      ticket.status === 'pending' || ticket.status === 'on_hold' ? pauseTarget(t, calendar, now) : t,
    );
  }
  return { policyId: policy.id, targets };
}

/** The target of `kind`, or undefined. */
export function findTarget(applied: AppliedSla, kind: SlaTargetKind): AppliedSlaTarget | undefined {
  return applied.targets.find((t) => t.kind === kind);
}

/** The first agent reply: meets the first-response target if it is still running. */
export function recordFirstResponse(applied: AppliedSla, calendar: BusinessCalendar, now: Date): AppliedSla {
  return updateTargets(applied, now, ['first_response'], (t) => meetTarget(t, calendar, now));
}

/** A public agent reply: meets the first-response and next-response targets that are still running. */
export function recordAgentReply(applied: AppliedSla, calendar: BusinessCalendar, now: Date): AppliedSla {
  return updateTargets(applied, now, ['first_response', 'next_response'], (t) =>
    meetTarget(t, calendar, now),
  );
}

/**
 * A customer message: starts a next-response target (replacing a met one)
 * when the policy sets one for `priority`, the first response was given, and
 * no next-response target is already waiting for a reply.
 */
export function recordCustomerMessage(
  applied: AppliedSla,
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  priority: Priority,
  now: Date,
): AppliedSla {
  const current = recordBreaches(applied, now);
  const minutes = targetMinutesFor(policy, priority, 'next_response');
  if (minutes === null) return current;
  const first = findTarget(current, 'first_response');
  if (first && first.metAt === null) return current;
  const next = findTarget(current, 'next_response');
  if (next && next.metAt === null) return current;
  return {
    ...current,
    targets: [
      ...current.targets.filter((t) => t.kind !== 'next_response'),
      newTarget(calendar, 'next_response', minutes, now),
    ],
  };
}

/** The ticket went pending or on hold: the resolution clock stops and keeps its remaining business minutes. */
export function pauseResolution(applied: AppliedSla, calendar: BusinessCalendar, now: Date): AppliedSla {
  return updateTargets(applied, now, ['resolution'], (t) => pauseTarget(t, calendar, now));
}

/** The ticket left pending / on hold: the resolution clock runs again, due = now + the remaining business minutes. */
export function resumeResolution(applied: AppliedSla, calendar: BusinessCalendar, now: Date): AppliedSla {
  return updateTargets(applied, now, ['resolution'], (t) =>
    t.status === 'paused' ? restartTarget(t, calendar, now) : t,
  );
}

/** The ticket was solved: meets the resolution target (running or paused). */
export function recordSolved(applied: AppliedSla, calendar: BusinessCalendar, now: Date): AppliedSla {
  return updateTargets(applied, now, ['resolution'], (t) => meetTarget(t, calendar, now));
}

/**
 * A solved ticket was reopened: the resolution clock restarts at `now` with
 * the business minutes that were left when it was solved.
 */
export function recordReopened(applied: AppliedSla, calendar: BusinessCalendar, now: Date): AppliedSla {
  return updateTargets(applied, now, ['resolution'], (t) =>
    t.metAt !== null ? restartTarget(t, calendar, now) : t,
  );
}

function levelsOf(policy: SlaPolicy, kind: SlaTargetKind) {
  return policy.escalations[kind] ?? [];
}

function pendingLevels(
  applied: AppliedSla,
  policy: SlaPolicy,
  calendar: BusinessCalendar,
): Array<DueEscalation & { at: number }> {
  const out: Array<DueEscalation & { at: number }> = [];
  for (const t of applied.targets) {
    if (!isRunning(t)) continue;
    levelsOf(policy, t.kind).forEach((level, index) => {
      if (t.levelsFired.includes(index)) return;
      const at = instantAtPercent(t, calendar, level.atPercent);
      out.push({
        kind: t.kind,
        level: index,
        atPercent: level.atPercent,
        dueAt: iso(at),
        actions: level.actions,
        at: at.getTime(),
      });
    });
  }
  const order = (k: SlaTargetKind) => ['first_response', 'next_response', 'resolution'].indexOf(k);
  return out.sort((a, b) => a.at - b.at || order(a.kind) - order(b.kind) || a.level - b.level);
}

/**
 * The escalation levels that are due at `now` and have not fired, in the
 * order they became due. Only running targets (active, or breached and not
 * yet satisfied) escalate; paused and met targets do not.
 */
export function dueEscalations(
  applied: AppliedSla,
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  now: Date,
): DueEscalation[] {
  if (policy.id !== applied.policyId) {
    throw new ValidationFailed(`The applied SLA belongs to policy ${applied.policyId}, not ${policy.id}`);
  }
  return pendingLevels(applied, policy, calendar)
    .filter((l) => l.at <= now.getTime())
    .map(({ at: _at, ...level }) => level);
}

/**
 * Records that `fired` levels ran (each fires once), and marks targets past
 * their due time as breached (breachedAt = the due time).
 */
export function markLevelsFired(
  applied: AppliedSla,
  fired: ReadonlyArray<Pick<DueEscalation, 'kind' | 'level'>>,
  now: Date,
): AppliedSla {
  const current = recordBreaches(applied, now);
  return {
    ...current,
    targets: current.targets.map((t) => {
      const levels = fired.filter((f) => f.kind === t.kind).map((f) => f.level);
      if (levels.length === 0) return t;
      return { ...t, levelsFired: [...new Set([...t.levelsFired, ...levels])].sort((a, b) => a - b) };
    }),
  };
}

/**
 * When the timer should next look at this ticket: the earliest instant a
 * not-yet-fired level of a running target becomes due, or an active target's
 * due time (to record the breach), whichever is first. Null when nothing is
 * left to wait for (all met or paused).
 */
export function nextWakeUp(
  applied: AppliedSla,
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  /** Only this target (one timer per target). */
  kind?: SlaTargetKind,
): Date | null {
  const candidates = pendingLevels(applied, policy, calendar)
    .filter((l) => kind === undefined || l.kind === kind)
    .map((l) => l.at);
  for (const t of applied.targets) {
    if (kind !== undefined && t.kind !== kind) continue;
    if (t.status === 'active' && t.metAt === null) candidates.push(Date.parse(t.dueAt));
  }
  return candidates.length === 0 ? null : new Date(Math.min(...candidates));
}
