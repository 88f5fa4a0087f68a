import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct, IConstruct } from 'constructs';
import { flattenCfnReference } from './nag.js';
import { TaskStateMachine } from './task-state-machine.js';

/** The SLA timer state machine, relative to the repository root (the local runtime runs the same file). */
export const SLA_TIMER_DEFINITION = 'statemachines/sla-timer.asl.json';

export interface SlaTimersProps {
  /** The SLA timer task: `{ action: 'tick', ticketId, target, generation }` → `{ next, wakeAt, reason }`. */
  readonly taskFunction: lambda.IFunction;
  /** Retention of the state machine's log group. */
  readonly logRetention: logs.RetentionDays;
  /** Where the failure alarms notify, if anywhere. */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * SLA escalation timers: one execution per ticket, target and generation,
 * that calls the SLA timer task and sleeps until the next escalation level.
 */
export class SlaTimers extends TaskStateMachine {
  constructor(scope: Construct, id: string, props: SlaTimersProps) {
    super(scope, id, {
      ...props,
      definitionFile: SLA_TIMER_DEFINITION,
      taskArnSubstitution: 'SlaTimerTaskFunctionArn',
      comment: 'Help desk SLA escalation timers',
      what: 'An SLA timer',
      failureImpact:
        'escalations of its ticket stopped. Inspect the execution; timers can be rebuilt from the tickets.',
    });
  }

  /**
   * Lets `grantee` start timers (states:StartExecution on this machine) and
   * stop and describe them (states:StopExecution, states:DescribeExecution on
   * this machine's executions only). Execution names are chosen at run time
   * (ticket, target, generation), so the executions need `<machine>:*`; that
   * one wildcard is acknowledged on the grantee when it is in this stack.
   */
  grantStartAndStop(grantee: iam.IGrantable): iam.Grant {
    const start = this.stateMachine.grantStartExecution(grantee);
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const stopAndDescribe = iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StopExecution', 'states:DescribeExecution'],
      resourceArns: [executions],
    });

    const principal = grantee.grantPrincipal as Partial<IConstruct>;
    if (principal.node && Stack.of(principal as IConstruct) === Stack.of(this)) {
      Validations.of(principal as IConstruct).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(executions))}]`,
        reason:
          'Stopping and describing SLA timers: the executions of this one state machine, whose names ' +
          '(ticket, target, generation) are only known at run time.',
      });
    }
    return start.combine(stopAndDescribe);
  }
}
