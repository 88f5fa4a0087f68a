/**
 * SLA timers in the local runtime: the same state machine file CDK deploys,
 * run by {@link LocalStepFunctions} with its `Tick` task answered by the SLA
 * timer task function in-process.
 */
import { fileURLToPath } from 'node:url';
import {
  type SlaTimerInput,
  type SlaTimerScheduler,
  slaTimerExecutionName,
} from '../functions/domain/sla/timer-port.js';
import { executionArn, type LocalStepFunctions, type LocalTaskHandler } from './step-functions.js';

export const SLA_TIMER_MACHINE = 'sla-timer';
export const SLA_TIMER_DEFINITION_FILE = fileURLToPath(
  new URL('../statemachines/sla-timer.asl.json', import.meta.url),
);
/** Stands for the task function's ARN; never called (the Tick state runs locally). */
export const LOCAL_SLA_TIMER_TASK_ARN = 'arn:aws:lambda:local:000000000000:function:sla-timer-task';

/**
 * Registers the SLA timer machine. `tick` receives exactly what the Lambda
 * receives on AWS, `{ action: 'tick', ticketId, target, generation }`, and
 * returns `{ next, wakeAt, reason }`; an error it throws is retried and caught
 * as the state machine says (by its `name`, see `step-functions.ts`).
 */
export function registerSlaTimerMachine(
  engine: LocalStepFunctions,
  tick: LocalTaskHandler,
  options: { waitOverrideMs?: number; retryOverrideMs?: number } = {},
): void {
  engine.register(SLA_TIMER_MACHINE, {
    definition: SLA_TIMER_DEFINITION_FILE,
    substitutions: { SlaTimerTaskFunctionArn: LOCAL_SLA_TIMER_TASK_ARN },
    tasks: { Tick: tick },
    ...(options.waitOverrideMs === undefined
      ? {}
      : { waitOverrides: { WaitUntilNextLevel: options.waitOverrideMs } }),
    ...(options.retryOverrideMs === undefined ? {} : { retryOverrides: { Tick: options.retryOverrideMs } }),
  });
}

/** The scheduler port over the local runner (the machine must be registered, see above). */
export class LocalSlaTimerScheduler implements SlaTimerScheduler {
  constructor(
    private readonly engine: LocalStepFunctions,
    private readonly machineName: string = SLA_TIMER_MACHINE,
  ) {}

  async start(input: SlaTimerInput): Promise<{ executionArn: string }> {
    const { executionArn } = await this.engine.startExecution(this.machineName, {
      name: slaTimerExecutionName(input),
      input: { ticketId: input.ticketId, target: input.target, generation: input.generation },
    });
    return { executionArn };
  }

  async stop(executionArn: string): Promise<void> {
    await this.engine.stopExecution(executionArn);
  }

  executionArn(input: SlaTimerInput): string {
    return executionArn(this.machineName, slaTimerExecutionName(input));
  }
}
