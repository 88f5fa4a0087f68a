import { ValidationFailed } from '../shared/errors.js';
import { SLA_TARGET_KINDS, type SlaTargetKind } from './policy.js';

/**
 * SLA timers: one state machine execution per ticket, SLA target and
 * generation (`statemachines/sla-timer.asl.json`). The generation grows each
 * time the target is re-timed (paused and resumed, re-targeted), so a new
 * timer gets a new execution name while the old one is stopped, and a timer
 * that was not stopped in time sees it is superseded and ends itself.
 */
export interface SlaTimerInput {
  ticketId: string;
  target: SlaTargetKind;
  generation: number;
}

/** Starts and stops SLA timers (Step Functions on AWS, the local runner on a laptop). */
export interface SlaTimerScheduler {
  /** Starts the timer; starting one that exists (same name) is not an error and returns its ARN. */
  start(input: SlaTimerInput): Promise<{ executionArn: string }>;
  /** Stops a timer; unknown or already finished executions are fine. */
  stop(executionArn: string): Promise<void>;
  /** The ARN the execution of `input` has (or will have): names are deterministic. */
  executionArn(input: SlaTimerInput): string;
}

const NAME_PART = /^[A-Za-z0-9_-]+$/;
const MAX_EXECUTION_NAME_LENGTH = 80;

/**
 * The execution name of a timer, `<ticketId>-<target>-g<generation>`: the
 * same input always gives the same name, which makes starting idempotent
 * (a name runs once per state machine). Throws `ValidationFailed` when the
 * ticket id would make an invalid name (Step Functions: at most 80
 * characters; here only letters, digits, `-` and `_`).
 */
export function slaTimerExecutionName(input: SlaTimerInput): string {
  if (!NAME_PART.test(input.ticketId)) {
    throw new ValidationFailed(`Ticket id ${JSON.stringify(input.ticketId)} cannot name an SLA timer`);
  }
  if (!SLA_TARGET_KINDS.includes(input.target)) {
    throw new ValidationFailed(`Unknown SLA target ${JSON.stringify(input.target)}`);
  }
  if (!Number.isSafeInteger(input.generation) || input.generation < 0) {
    throw new ValidationFailed(
      `SLA timer generation must be a non-negative integer, got ${input.generation}`,
    );
  }
  const name = `${input.ticketId}-${input.target}-g${input.generation}`;
  if (name.length > MAX_EXECUTION_NAME_LENGTH) {
    throw new ValidationFailed(
      `SLA timer name ${name} is longer than ${MAX_EXECUTION_NAME_LENGTH} characters`,
    );
  }
  return name;
}
