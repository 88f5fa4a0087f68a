import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  type SlaTimerInput,
  type SlaTimerScheduler,
  slaTimerExecutionName,
} from '../../domain/sla/timer-port.js';

/**
 * SLA timers on AWS Step Functions: one execution of the SLA timer state
 * machine per ticket, target and generation, named deterministically so that
 * starting twice is harmless.
 */
export class SfnSlaTimerScheduler implements SlaTimerScheduler {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: SlaTimerInput): Promise<{ executionArn: string }> {
    const name = slaTimerExecutionName(input);
    const payload: SlaTimerInput = {
      ticketId: input.ticketId,
      target: input.target,
      generation: input.generation,
    };
    try {
      const output = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(payload),
        }),
      );
      return { executionArn: output.executionArn ?? executionArnFor(this.stateMachineArn, name) };
    } catch (error) {
      // The name ran or runs already (a retried start, a redelivered stream record): that timer is this one.
      if (error instanceof ExecutionAlreadyExists || isNamed(error, 'ExecutionAlreadyExists')) {
        return { executionArn: executionArnFor(this.stateMachineArn, name) };
      }
      throw error;
    }
  }

  /**
   * Stops the execution. A finished one is left as it is by the service; one
   * that does not exist (never started, or expired from history) is fine too.
   * No error/cause is sent, so stopping needs no KMS access even if the
   * machine is ever encrypted with a customer key.
   */
  executionArn(input: SlaTimerInput): string {
    return executionArnFor(this.stateMachineArn, slaTimerExecutionName(input));
  }

  async stop(executionArn: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn }));
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist || isNamed(error, 'ExecutionDoesNotExist')) return;
      throw error;
    }
  }
}

/** `arn:…:stateMachine:<machine>` + name → `arn:…:execution:<machine>:<name>`. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[5] !== 'stateMachine') {
    throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  }
  parts[5] = 'execution';
  return `${parts.join(':')}:${name}`;
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
