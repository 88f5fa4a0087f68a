import { z } from 'zod';
import { ValidationFailed } from '../shared/errors.js';
import { parseOrFail } from '../shared/validation.js';
import type { BlueprintRun, DeadlineCheck } from './runtime.js';

/**
 * The contract between `statemachines/blueprint.asl.json` and the blueprint
 * task function (one Lambda, two actions), and what the API sends back with
 * `SendTaskSuccess`. Pure: the handler loads the ticket's run and definition,
 * calls these and `checkDeadline`, and writes the run back conditionally.
 *
 * - `deadline` (state CheckDeadline; before the first wait, after every
 *   transition and after every timed-out wait): escalate once if the current
 *   state's time limit has passed, answer `DeadlineTaskResult` (the next time
 *   slice, and whether the run is complete).
 * - `await` (state AwaitTransition, `.waitForTaskToken`): store the token on
 *   the run (`acceptTaskToken`). When the run has already moved on from the
 *   state the machine planned for (a transition slipped in between), the
 *   handler answers its own token at once with the `resync` output instead.
 */

const Id = z.string().min(1).max(200);

export const AwaitTaskRequestSchema = z.object({
  action: z.literal('await'),
  ticketId: Id,
  blueprintId: Id,
  version: z.number().int().min(1),
  /** The state CheckDeadline saw: the state this wait is for. */
  stateId: Id,
  taskToken: z.string().min(1).max(4096),
});
export type AwaitTaskRequest = z.infer<typeof AwaitTaskRequestSchema>;

export const DeadlineTaskRequestSchema = z.object({
  action: z.literal('deadline'),
  ticketId: Id,
  blueprintId: Id,
  version: z.number().int().min(1),
});
export type DeadlineTaskRequest = z.infer<typeof DeadlineTaskRequestSchema>;

export const BlueprintTaskRequestSchema = z.discriminatedUnion('action', [
  AwaitTaskRequestSchema,
  DeadlineTaskRequestSchema,
]);
export type BlueprintTaskRequest = z.infer<typeof BlueprintTaskRequestSchema>;

/** Validates the event the state machine sends the task function. */
export function parseBlueprintTaskRequest(input: unknown): BlueprintTaskRequest {
  return parseOrFail(BlueprintTaskRequestSchema, input, 'blueprint task request');
}

/** What the `deadline` action returns (the machine keeps it at `$.Payload`). */
export const DeadlineTaskResultSchema = z.object({
  /** The run's current state: the state the next wait is for. */
  stateId: z.string(),
  completed: z.boolean(),
  overdue: z.boolean(),
  /** True on the one call that escalated. */
  escalated: z.boolean(),
  /** Seconds the next AwaitTransition waits before CheckDeadline runs again (≥ 1). */
  timeSliceSeconds: z.number().int().min(1),
});
export type DeadlineTaskResult = z.infer<typeof DeadlineTaskResultSchema>;

export function deadlineTaskResult(check: DeadlineCheck): DeadlineTaskResult {
  return {
    stateId: check.run.stateId,
    completed: check.completed,
    overdue: check.run.overdue,
    escalated: check.escalation !== null,
    timeSliceSeconds: check.timeSliceSeconds,
  };
}

/**
 * The output of AwaitTransition: sent by the API with `SendTaskSuccess` after
 * it applied a transition (`AppliedTransition.output`), or by the `await`
 * handler itself when it finds the run already moved on (`transitionId` null).
 */
export const TransitionTaskOutputSchema = z.object({
  transitionId: z.string().nullable(),
  toStateId: z.string(),
  final: z.boolean(),
});
export type TransitionTaskOutput = z.infer<typeof TransitionTaskOutputSchema>;

export type AcceptTaskToken =
  /** Store `run` (the token set) conditionally on the run read; the execution now waits for a transition. */
  | { kind: 'store'; run: BlueprintRun }
  /** Do not store; answer the token at once with `output` (SendTaskSuccess). */
  | { kind: 'resync'; output: TransitionTaskOutput };

/**
 * The `await` action's decision for the run read from the ticket: store the
 * new token (replacing any earlier, timed-out one), or, when the run is
 * complete or no longer in the state the machine planned for, answer the
 * token straight away so the machine catches up. Throws ValidationFailed when
 * the request names another blueprint version than the run follows.
 */
export function acceptTaskToken(run: BlueprintRun, request: AwaitTaskRequest): AcceptTaskToken {
  if (run.blueprintId !== request.blueprintId || run.version !== request.version) {
    throw new ValidationFailed(
      `Ticket ${request.ticketId} follows blueprint ${run.blueprintId} version ${run.version}, not ${request.blueprintId} version ${request.version}`,
    );
  }
  if (run.completedAt !== null || run.stateId !== request.stateId) {
    return {
      kind: 'resync',
      output: { transitionId: null, toStateId: run.stateId, final: run.completedAt !== null },
    };
  }
  return { kind: 'store', run: { ...run, taskToken: request.taskToken } };
}
