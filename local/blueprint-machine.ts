/**
 * The blueprint interpreter in the local runtime: the same state machine file
 * CDK deploys (`statemachines/blueprint.asl.json`), run by
 * {@link LocalStepFunctions}, with both of its Task states answered in-process
 * by the blueprint task function, as the one Lambda answers them on AWS:
 *
 * - CheckDeadline (a plain Lambda task): `task` receives
 *   `{ action: 'deadline', ticketId, blueprintId, version }` and returns the
 *   `DeadlineTaskResult`.
 * - AwaitTransition (`lambda:invoke.waitForTaskToken`): `task` receives the
 *   Lambda's Payload, `{ action: 'await', ticketId, blueprintId, version,
 *   stateId, timeSliceSeconds, taskToken }`, with a fresh token minted by the
 *   runner for this wait; its return value is ignored. The state waits until
 *   the token is answered with `engine.sendTaskSuccess(taskToken, { transitionId,
 *   toStateId, final })` (by the API after a transition, or by the task itself
 *   when it resyncs), or until the time slice ends (`States.Timeout` → the
 *   machine runs CheckDeadline, then waits again with a new token).
 *
 * An error `task` throws is retried and caught as the state machine says (by
 * its `name`, see `step-functions.ts`).
 */

import { fileURLToPath } from 'node:url';
import { blueprintExecutionName } from '../functions/domain/blueprints/execution-name.js';
import type { LocalStepFunctions, LocalTaskHandler } from './step-functions.js';

export const BLUEPRINT_MACHINE = 'blueprint';
export const BLUEPRINT_DEFINITION_FILE = fileURLToPath(
  new URL('../statemachines/blueprint.asl.json', import.meta.url),
);
/** Stands for the task function's ARN; never called (both Task states run locally). */
export const LOCAL_BLUEPRINT_TASK_ARN = 'arn:aws:lambda:local:000000000000:function:blueprint-task';

export interface BlueprintMachineOptions {
  /** The blueprint task function: both actions, `deadline` and `await`, exactly as the Lambda receives them. */
  readonly task: LocalTaskHandler;
  /** Milliseconds before each retry of either task instead of the Retry backoff (tests). */
  readonly retryOverrideMs?: number;
}

/** Registers the blueprint machine under {@link BLUEPRINT_MACHINE}. */
export function registerBlueprintMachine(engine: LocalStepFunctions, options: BlueprintMachineOptions): void {
  engine.register(BLUEPRINT_MACHINE, {
    definition: BLUEPRINT_DEFINITION_FILE,
    substitutions: { BlueprintTaskFunctionArn: LOCAL_BLUEPRINT_TASK_ARN },
    tasks: { CheckDeadline: options.task, AwaitTransition: options.task },
    ...(options.retryOverrideMs === undefined
      ? {}
      : {
          retryOverrides: {
            CheckDeadline: options.retryOverrideMs,
            AwaitTransition: options.retryOverrideMs,
          },
        }),
  });
}

export { blueprintExecutionName };
