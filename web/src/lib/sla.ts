/**
 * SLA on the client: what a target's badge says at a given instant, which
 * target of a record is the most urgent, and the desk's policies (for their
 * names), loaded once and shared.
 */
import { get } from '../api/client.js';
import type { AppliedSlaTarget, Items, SlaRecord, SlaTargetKind, VersionedPolicy } from '../api/types.js';
import { fullTime } from './format.js';

export const SLA_KINDS = [
  'first_response',
  'next_response',
  'resolution',
] as const satisfies readonly SlaTargetKind[];

export const SLA_KIND_LABEL: Record<SlaTargetKind, string> = {
  first_response: 'First response',
  next_response: 'Next response',
  resolution: 'Resolution',
};

const MINUTE = 60_000;

/** "less than a minute", "12 min", "3 h 5 min", "2 d 4 h". */
export function duration(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 1) return 'less than a minute';
  if (m < 60) return `${m} min`;
  const days = Math.floor(m / 1440);
  const hours = Math.floor((m % 1440) / 60);
  const rest = m % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
}

export type SlaTone = 'ok' | 'soon' | 'overdue' | 'met' | 'met-late' | 'paused';

export interface SlaBadgeState {
  tone: SlaTone;
  text: string;
  /** Due, met, breached and paused times, for the badge's tooltip. */
  title: string;
  /** The target is (or was) past its due time. */
  breached: boolean;
}

/** Within this much of the due time a running target shows as "soon". */
const SOON_MS = 60 * MINUTE;

/** Whether the target's clock runs (active, or breached and not yet satisfied), as the server counts it. */
export function isRunning(target: AppliedSlaTarget): boolean {
  return (target.status === 'active' || target.status === 'breached') && target.metAt === null;
}

/** What the target's badge says at `now`: counts down while running, from the due time alone (no refetch). */
export function badgeState(target: AppliedSlaTarget, now: number): SlaBadgeState {
  const due = Date.parse(target.dueAt);
  const breachedNote = target.breachedAt ? `; breached ${fullTime(target.breachedAt)}` : '';
  if (target.status === 'paused') {
    const left = target.remainingMinutes ?? 0;
    const since = target.pausedAt ? `Paused ${fullTime(target.pausedAt)}` : 'Paused';
    return {
      tone: 'paused',
      text: left > 0 ? `paused — ${duration(left)} left` : 'paused — overdue',
      title: `${since}; ${left > 0 ? `${duration(left)} of business time left` : 'past its due time'}${breachedNote}`,
      breached: Boolean(target.breachedAt) || left === 0,
    };
  }
  if (target.metAt !== null) {
    const late = Boolean(target.breachedAt) || Date.parse(target.metAt) > due;
    return {
      tone: late ? 'met-late' : 'met',
      text: late ? 'met late' : 'met',
      title: `Met ${fullTime(target.metAt)}; due ${fullTime(target.dueAt)}${breachedNote}`,
      breached: late,
    };
  }
  const left = due - now;
  if (left <= 0 || target.status === 'breached') {
    return {
      tone: 'overdue',
      text: `overdue by ${duration(Math.floor(-left / MINUTE))}`,
      title: `Was due ${fullTime(target.dueAt)}`,
      breached: true,
    };
  }
  return {
    tone: left <= SOON_MS ? 'soon' : 'ok',
    text: `due in ${duration(Math.ceil(left / MINUTE))}`,
    title: `Due ${fullTime(target.dueAt)}`,
    breached: false,
  };
}

/** The target to look at first: the running one due soonest, else the first one. */
export function mostUrgentTarget(sla: SlaRecord): AppliedSlaTarget | undefined {
  const running = sla.applied.targets.filter(isRunning);
  if (running.length === 0) return sla.applied.targets[0];
  return running.reduce((a, b) => (Date.parse(b.dueAt) < Date.parse(a.dueAt) ? b : a));
}

/** Targets in a fixed order (first response, next response, resolution). */
export function orderedTargets(sla: SlaRecord): AppliedSlaTarget[] {
  return [...sla.applied.targets].sort((a, b) => SLA_KINDS.indexOf(a.kind) - SLA_KINDS.indexOf(b.kind));
}

let policies: Promise<VersionedPolicy[]> | undefined;

/** The desk's SLA policies, loaded once per session (admins' saves call `forgetSlaPolicies`). */
export function loadSlaPolicies(): Promise<VersionedPolicy[]> {
  if (!policies) {
    const loading = get<Items<VersionedPolicy>>('/sla/policies').then((r) => r.items);
    policies = loading;
    loading.catch(() => {
      if (policies === loading) policies = undefined;
    });
  }
  return policies;
}

export function forgetSlaPolicies(): void {
  policies = undefined;
}
