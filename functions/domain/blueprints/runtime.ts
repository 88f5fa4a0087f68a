import { z } from 'zod';
import { addBusinessMinutes, type BusinessCalendar } from '../business-hours/calendar.js';
import { type DomainError, Forbidden, TransitionNotAllowed, ValidationFailed } from '../shared/errors.js';
import type { CustomFieldValue, Priority, TicketStatus } from '../tickets/model.js';
import {
  type BlueprintDefinition,
  type BlueprintState,
  type BlueprintTransition,
  findState,
  findTransition,
  type RequiredField,
  type Template,
  type TransitionAction,
  transitionsFrom,
} from './definition.js';

/**
 * A ticket's run through a blueprint (pure). The run lives on the ticket
 * item; the Step Functions execution only waits and wakes up, the run is the
 * truth.
 *
 * - `startRun` puts a ticket in the start state;
 * - `availableTransitions` / `checkTransition` say what a performer may do;
 * - `applyTransition` moves the run and says what to change on the ticket and
 *   whom to notify;
 * - `checkDeadline` (with `stateDeadline`, `markOverdue`, `nextTimeSlice`)
 *   escalates once when a state's time limit passes and sizes the next wait.
 *
 * `history` keeps the last MAX_RUN_HISTORY states left, oldest first; older
 * entries are dropped (the ticket's timeline keeps one event per transition,
 * which is the full record), so a long-running ticket's item stays small.
 */

/** States kept in `BlueprintRun.history`. */
export const MAX_RUN_HISTORY = 50;

/**
 * Longest single wait of the state machine, in seconds (one day): a wait
 * without a nearer deadline re-checks once a day. It keeps the execution's
 * history far below Step Functions' 25,000 events over a year and stays
 * below Node's longest timer (about 24.8 days) for the local runner.
 */
export const DEFAULT_MAX_SLICE_SECONDS = 86_400;

export const RunHistoryEntrySchema = z.object({
  stateId: z.string(),
  enteredAt: z.string(),
  leftAt: z.string(),
  transitionId: z.string(),
  performerId: z.string(),
  /** Whether the ticket stayed past the state's time limit. */
  overdue: z.boolean(),
});
export type RunHistoryEntry = z.infer<typeof RunHistoryEntrySchema>;

export const BlueprintRunSchema = z.object({
  blueprintId: z.string(),
  version: z.number().int().min(1),
  stateId: z.string(),
  enteredAt: z.string(),
  /** When the current state's time limit runs out; null without a limit. */
  deadlineAt: z.string().nullable(),
  /** The current state's limit passed (escalated once; reset on the next state). */
  overdue: z.boolean(),
  /** The Step Functions task token the execution waits on; null between waits. */
  taskToken: z.string().nullable(),
  history: z.array(RunHistoryEntrySchema).max(MAX_RUN_HISTORY),
  completedAt: z.string().nullable(),
});
export type BlueprintRun = z.infer<typeof BlueprintRunSchema>;

/** Who wants to perform a transition. */
export interface Performer {
  agentId: string;
  role: 'admin' | 'supervisor' | 'agent';
  teamIds: readonly string[];
  departmentIds: readonly string[];
}

/** Someone a planned notification goes to, resolved as far as the blueprint knows. */
export type Recipient =
  | 'customer'
  | 'assignee'
  | 'supervisor'
  | { teamId: string }
  | { agentId: string }
  | { departmentId: string };

/** A notification for the caller to send (templates are rendered by the notifier). */
export interface PlannedNotification {
  type: 'notify';
  reason: 'transition' | 'overdue';
  blueprintId: string;
  stateId: string;
  transitionId: string | null;
  recipients: Recipient[];
  template: Template;
}

// ---------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------

/**
 * When a ticket entering `state` at `enteredAt` runs out of time: business
 * minutes of `calendar` for a business clock, wall-clock minutes otherwise;
 * null when the state has no time limit.
 */
export function stateDeadline(
  state: BlueprintState,
  enteredAt: Date,
  calendar: BusinessCalendar,
): Date | null {
  if (!state.timeLimit) return null;
  if (state.timeLimit.clock === 'business') {
    return addBusinessMinutes(calendar, enteredAt, state.timeLimit.minutes);
  }
  return new Date(enteredAt.getTime() + state.timeLimit.minutes * 60_000);
}

function requireState(def: BlueprintDefinition, stateId: string): BlueprintState {
  const state = findState(def, stateId);
  if (!state) {
    throw new ValidationFailed(`Blueprint ${def.id} version ${def.version} has no state ${stateId}`, {
      blueprintId: def.id,
      stateId,
    });
  }
  return state;
}

function checkRunMatches(def: BlueprintDefinition, run: BlueprintRun): void {
  if (run.blueprintId !== def.id || run.version !== def.version) {
    throw new ValidationFailed(
      `This run follows blueprint ${run.blueprintId} version ${run.version}, not ${def.id} version ${def.version}`,
      {
        run: { blueprintId: run.blueprintId, version: run.version },
        def: { id: def.id, version: def.version },
      },
    );
  }
}

/** A new run in the blueprint's start state (the definition is assumed valid). */
export function startRun(def: BlueprintDefinition, now: Date, calendar: BusinessCalendar): BlueprintRun {
  const start = requireState(def, def.startState);
  const deadline = stateDeadline(start, now, calendar);
  return {
    blueprintId: def.id,
    version: def.version,
    stateId: start.id,
    enteredAt: now.toISOString(),
    deadlineAt: deadline?.toISOString() ?? null,
    overdue: false,
    taskToken: null,
    history: [],
    completedAt: null,
  };
}

/**
 * Records that the current state's time limit has passed. `escalate` is true
 * only the first time (the run was not overdue yet, is not complete, and
 * `now` is at or after `deadlineAt`); otherwise the run comes back unchanged.
 */
export function markOverdue(run: BlueprintRun, now: Date): { run: BlueprintRun; escalate: boolean } {
  if (run.completedAt !== null || run.overdue || run.deadlineAt === null) return { run, escalate: false };
  if (now.getTime() < Date.parse(run.deadlineAt)) return { run, escalate: false };
  return { run: { ...run, overdue: true }, escalate: true };
}

/**
 * How long the state machine should wait for a transition before checking
 * again, in whole seconds (≥ 1): until the deadline when one is pending,
 * capped at `maxSliceSeconds`; `maxSliceSeconds` when nothing is due.
 */
export function nextTimeSlice(
  run: BlueprintRun,
  now: Date,
  maxSliceSeconds: number = DEFAULT_MAX_SLICE_SECONDS,
): number {
  const max = Math.max(1, Math.floor(maxSliceSeconds));
  if (run.completedAt !== null || run.overdue || run.deadlineAt === null) return max;
  const remaining = Math.ceil((Date.parse(run.deadlineAt) - now.getTime()) / 1000);
  return Math.min(max, Math.max(1, remaining));
}

/** What the deadline check found: the run to store, the one escalation to send, and the next wait. */
export interface DeadlineCheck {
  run: BlueprintRun;
  /** Set exactly once per state visit: when its time limit has just been found passed. */
  escalation: PlannedNotification | null;
  /** The run reached a final state: nothing to wait for. */
  completed: boolean;
  timeSliceSeconds: number;
}

/**
 * The state machine's periodic check (the `deadline` task). When the current
 * state's time limit has passed and was not escalated yet, marks the run
 * overdue and plans one notification to whoever may perform a transition out
 * of the state (their agents, teams and departments) and the supervisors.
 * Always answers the next time slice.
 */
export function checkDeadline(
  def: BlueprintDefinition,
  run: BlueprintRun,
  now: Date,
  options: { maxSliceSeconds?: number } = {},
): DeadlineCheck {
  checkRunMatches(def, run);
  const completed = run.completedAt !== null;
  const marked = markOverdue(run, now);
  let escalation: PlannedNotification | null = null;
  if (marked.escalate) {
    const state = requireState(def, run.stateId);
    const out = transitionsFrom(def, state.id);
    const recipients: Recipient[] = [];
    const seen = new Set<string>();
    const add = (r: Recipient) => {
      const k = JSON.stringify(r);
      if (!seen.has(k)) {
        seen.add(k);
        recipients.push(r);
      }
    };
    for (const t of out) {
      for (const agentId of t.performers.agentIds ?? []) add({ agentId });
      for (const teamId of t.performers.teamIds ?? []) add({ teamId });
      for (const departmentId of t.performers.departmentIds ?? []) add({ departmentId });
    }
    add('supervisor');
    escalation = {
      type: 'notify',
      reason: 'overdue',
      blueprintId: def.id,
      stateId: state.id,
      transitionId: null,
      recipients,
      template: {
        subject: `Overdue: ticket in "${state.name}" of blueprint "${def.name}"`,
        body:
          `The ticket has been in the state "${state.name}" longer than allowed (due ${run.deadlineAt}). ` +
          `Next steps: ${out.map((t) => `"${t.name}"`).join(', ')}.`,
      },
    };
  }
  return {
    run: marked.run,
    escalation,
    completed,
    timeSliceSeconds: nextTimeSlice(marked.run, now, options.maxSliceSeconds),
  };
}

// ---------------------------------------------------------------------------
// Transitions
// ---------------------------------------------------------------------------

/** Whether `performer` matches any of the transition's performer lists. */
export function canPerform(transition: BlueprintTransition, performer: Performer): boolean {
  const p = transition.performers;
  if (p.agentIds?.includes(performer.agentId)) return true;
  if (p.roles?.includes(performer.role)) return true;
  if (p.teamIds?.some((id) => performer.teamIds.includes(id))) return true;
  if (p.departmentIds?.some((id) => performer.departmentIds.includes(id))) return true;
  return false;
}

/** The transitions out of the run's current state that `performer` may perform (none once complete). */
export function availableTransitions(
  def: BlueprintDefinition,
  run: BlueprintRun,
  performer: Performer,
): BlueprintTransition[] {
  checkRunMatches(def, run);
  if (run.completedAt !== null) return [];
  return transitionsFrom(def, run.stateId).filter((t) => canPerform(t, performer));
}

export interface TransitionInput {
  transitionId: string;
  performer: Performer;
  /** Values of the transition's required fields, by field id. */
  fields?: Readonly<Record<string, unknown>>;
  note?: string | null;
  /** The state the performer saw; a run that has moved on since refuses the transition. */
  expectedStateId?: string;
}

export type TransitionCheck =
  | {
      ok: true;
      transition: BlueprintTransition;
      /** The required fields' values, normalised (text trimmed, picklist spelled as its option). */
      values: Record<string, CustomFieldValue>;
      note: string | null;
    }
  | { ok: false; error: DomainError };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isRealDate = (value: string) =>
  ISO_DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;

function checkFieldValue(
  field: RequiredField,
  value: unknown,
): { ok: true; value: CustomFieldValue } | { ok: false; message: string } {
  const name = `"${field.label}" (${field.fieldId})`;
  switch (field.type) {
    case 'text': {
      if (typeof value !== 'string') return { ok: false, message: `${name} must be text` };
      const text = value.trim();
      if (!text) return { ok: false, message: `${name} is required` };
      if (text.length > 2000) return { ok: false, message: `${name} is longer than 2000 characters` };
      return { ok: true, value: text };
    }
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, message: `${name} must be a number` };
    case 'date':
      return typeof value === 'string' && isRealDate(value)
        ? { ok: true, value }
        : { ok: false, message: `${name} must be a date written YYYY-MM-DD` };
    case 'checkbox':
      return value === true ? { ok: true, value } : { ok: false, message: `${name} must be ticked` };
    case 'picklist': {
      const option =
        typeof value === 'string'
          ? field.options?.find((o) => o.toLowerCase() === value.trim().toLowerCase())
          : undefined;
      return option !== undefined
        ? { ok: true, value: option }
        : {
            ok: false,
            message: `${name} must be one of ${(field.options ?? []).map((o) => `"${o}"`).join(', ')}`,
          };
    }
  }
}

/**
 * Whether `input` may move the run now. Refusals, each naming what is wrong:
 * - TransitionNotAllowed: the run is complete, has moved on from
 *   `expectedStateId`, the transition is unknown or does not leave the
 *   current state;
 * - Forbidden: the performer is not among the transition's performers;
 * - ValidationFailed: a required field is missing or of the wrong kind, a
 *   field the transition does not ask for was sent, or a required note is
 *   missing (details name the fields).
 */
export function checkTransition(
  def: BlueprintDefinition,
  run: BlueprintRun,
  input: TransitionInput,
): TransitionCheck {
  checkRunMatches(def, run);
  const current = findState(def, run.stateId);
  const here = current ? `"${current.name}"` : run.stateId;
  if (run.completedAt !== null) {
    return {
      ok: false,
      error: new TransitionNotAllowed(`The blueprint "${def.name}" is already complete for this ticket`, {
        stateId: run.stateId,
      }),
    };
  }
  if (input.expectedStateId !== undefined && input.expectedStateId !== run.stateId) {
    const expected = findState(def, input.expectedStateId);
    return {
      ok: false,
      error: new TransitionNotAllowed(
        `The ticket is no longer in the state ${expected ? `"${expected.name}"` : input.expectedStateId}; it is now in ${here}. Reload it and pick a transition again`,
        { expectedStateId: input.expectedStateId, stateId: run.stateId },
      ),
    };
  }
  const transition = findTransition(def, input.transitionId);
  if (!transition) {
    return {
      ok: false,
      error: new TransitionNotAllowed(`The blueprint "${def.name}" has no transition ${input.transitionId}`, {
        transitionId: input.transitionId,
      }),
    };
  }
  if (transition.from !== run.stateId) {
    const from = findState(def, transition.from);
    return {
      ok: false,
      error: new TransitionNotAllowed(
        `"${transition.name}" leaves the state "${from?.name ?? transition.from}", but the ticket is in ${here}`,
        { transitionId: transition.id, from: transition.from, stateId: run.stateId },
      ),
    };
  }
  if (!canPerform(transition, input.performer)) {
    return {
      ok: false,
      error: new Forbidden(`You are not among the performers of "${transition.name}"`, {
        transitionId: transition.id,
        agentId: input.performer.agentId,
      }),
    };
  }

  const supplied = input.fields ?? {};
  const asked = transition.requiredFields ?? [];
  const extra = Object.keys(supplied).filter((k) => !asked.some((f) => f.fieldId === k));
  if (extra.length > 0) {
    return {
      ok: false,
      error: new ValidationFailed(`"${transition.name}" does not ask for ${extra.join(', ')}`, {
        transitionId: transition.id,
        fields: extra,
      }),
    };
  }
  const values: Record<string, CustomFieldValue> = {};
  const errors: Array<{ field: string; message: string }> = [];
  for (const field of asked) {
    const value = supplied[field.fieldId];
    if (value === undefined || value === null || value === '') {
      errors.push({ field: field.fieldId, message: `"${field.label}" (${field.fieldId}) is required` });
      continue;
    }
    const checked = checkFieldValue(field, value);
    if (checked.ok) values[field.fieldId] = checked.value;
    else errors.push({ field: field.fieldId, message: checked.message });
  }
  if (errors.length > 0) {
    return {
      ok: false,
      error: new ValidationFailed(
        `"${transition.name}" cannot be done yet: ${errors.map((e) => e.message).join('; ')}`,
        {
          transitionId: transition.id,
          fields: errors,
        },
      ),
    };
  }
  const note = input.note?.trim() || null;
  if (transition.requireNote && note === null) {
    return {
      ok: false,
      error: new ValidationFailed(`"${transition.name}" needs a note explaining it`, {
        transitionId: transition.id,
        fields: [{ field: 'note', message: 'a note is required' }],
      }),
    };
  }
  return { ok: true, transition, values, note };
}

/** What to change on the ticket after a transition. */
export interface BlueprintTicketPatch {
  status: TicketStatus;
  /** Required-field values, then the transition's `set_field` values. */
  customFields: Record<string, CustomFieldValue>;
  /** From a `set_priority` action, when there is one (the last wins). */
  priority?: Priority;
}

export interface AppliedTransition {
  run: BlueprintRun;
  ticketPatch: BlueprintTicketPatch;
  /** Notifications to send (`set_field` and `set_priority` are already in `ticketPatch`). */
  actions: PlannedNotification[];
  /** The run reached a final state. */
  completed: boolean;
  transition: BlueprintTransition;
  note: string | null;
  /** What the API sends to Step Functions with `SendTaskSuccess` for the run's task token. */
  output: { transitionId: string; toStateId: string; final: boolean };
}

function resolveTarget(
  to: Extract<TransitionAction, { type: 'notify' }>['to'],
  transition: BlueprintTransition,
  performer: Performer,
): Recipient[] {
  if (to !== 'performer_team') return [to];
  const teams = transition.performers.teamIds
    ? performer.teamIds.filter((id) => transition.performers.teamIds?.includes(id))
    : [...performer.teamIds];
  return teams.length > 0 ? teams.map((teamId) => ({ teamId })) : [{ agentId: performer.agentId }];
}

/**
 * Performs a transition: checks it (throwing the refusal of
 * `checkTransition`), records the state left in the history, enters the
 * target state with its deadline, clears the task token (it is answered with
 * `output`) and completes the run on a final state. The ticket patch sets the
 * target state's status and the fields; `actions` are the notifications.
 */
export function applyTransition(
  def: BlueprintDefinition,
  run: BlueprintRun,
  input: TransitionInput,
  now: Date,
  calendar: BusinessCalendar,
): AppliedTransition {
  const check = checkTransition(def, run, input);
  if (!check.ok) throw check.error;
  const { transition, values, note } = check;
  const target = requireState(def, transition.to);
  const at = now.toISOString();
  const left: RunHistoryEntry = {
    stateId: run.stateId,
    enteredAt: run.enteredAt,
    leftAt: at,
    transitionId: transition.id,
    performerId: input.performer.agentId,
    overdue: run.overdue || (run.deadlineAt !== null && now.getTime() >= Date.parse(run.deadlineAt)),
  };
  const final = target.final === true;
  const deadline = final ? null : stateDeadline(target, now, calendar);
  const next: BlueprintRun = {
    ...run,
    stateId: target.id,
    enteredAt: at,
    deadlineAt: deadline?.toISOString() ?? null,
    overdue: false,
    taskToken: null,
    history: [...run.history, left].slice(-MAX_RUN_HISTORY),
    completedAt: final ? at : null,
  };

  const ticketPatch: BlueprintTicketPatch = { status: target.status, customFields: { ...values } };
  const actions: PlannedNotification[] = [];
  for (const action of transition.actions ?? []) {
    if (action.type === 'set_field') ticketPatch.customFields[action.fieldId] = action.value;
    else if (action.type === 'set_priority') ticketPatch.priority = action.priority;
    else {
      actions.push({
        type: 'notify',
        reason: 'transition',
        blueprintId: def.id,
        stateId: target.id,
        transitionId: transition.id,
        recipients: resolveTarget(action.to, transition, input.performer),
        template: action.template,
      });
    }
  }
  return {
    run: next,
    ticketPatch,
    actions,
    completed: final,
    transition,
    note,
    output: { transitionId: transition.id, toStateId: target.id, final },
  };
}

// ---------------------------------------------------------------------------
// Status changes outside the blueprint
// ---------------------------------------------------------------------------

export type StatusChangeVerdict = { allowed: true } | { allowed: false; message: string };

/**
 * While a ticket is under a blueprint (a run that is not complete), its status
 * changes only through the blueprint's transitions: a plain status change is
 * refused with `message` (the API answers it as TransitionNotAllowed, 409;
 * `assertStatusChangeAllowed` throws it). Without a run, or once the run is
 * complete, status changes are free again. Pass the definition for a message
 * naming the state and its transitions.
 */
export function isStatusChangeAllowed(
  run: BlueprintRun | null,
  def?: BlueprintDefinition,
): StatusChangeVerdict {
  if (run === null || run.completedAt !== null) return { allowed: true };
  const state = def ? findState(def, run.stateId) : undefined;
  if (!def || !state) {
    return {
      allowed: false,
      message: "This ticket follows a blueprint: its status changes only through the blueprint's transitions",
    };
  }
  const names = transitionsFrom(def, state.id).map((t) => `"${t.name}"`);
  return {
    allowed: false,
    message: `This ticket follows the blueprint "${def.name}" and is in the state "${state.name}": its status changes only through the blueprint's transitions (${names.join(', ')})`,
  };
}

/** Throws TransitionNotAllowed with `isStatusChangeAllowed`'s message when the status may not change freely. */
export function assertStatusChangeAllowed(run: BlueprintRun | null, def?: BlueprintDefinition): void {
  const verdict = isStatusChangeAllowed(run, def);
  if (!verdict.allowed) {
    throw new TransitionNotAllowed(verdict.message, { blueprintId: run?.blueprintId, stateId: run?.stateId });
  }
}
