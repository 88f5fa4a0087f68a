import * as path from 'node:path';
import { ArnFormat, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { REPO_ROOT } from './helpdesk-function.js';
import { flattenCfnReference } from './nag.js';

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
 * SLA escalation timers: a Standard state machine, one execution per ticket,
 * target and generation, that calls the SLA timer task and sleeps until the
 * next escalation level. Its definition is the ASL file (deployed as an asset,
 * the task's ARN filled in by DefinitionSubstitutions). Every execution is
 * logged with its data and traced with X-Ray; failed, timed-out and throttled
 * executions alarm.
 */
export class SlaTimers extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: SlaTimersProps) {
    super(scope, id);

    // The /aws/vendedlogs/ prefix keeps Step Functions from adding a CloudWatch Logs
    // resource policy per log group (that account-wide policy has a small size limit).
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: props.logRetention,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Help desk SLA escalation timers',
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(path.join(REPO_ROOT, SLA_TIMER_DEFINITION)),
      definitionSubstitutions: { SlaTimerTaskFunctionArn: props.taskFunction.functionArn },
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // The definition names the unqualified function ARN: exactly that, no versions or aliases.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.taskFunction.functionArn],
      }),
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CDK grants the log delivery actions (logs:CreateLogDelivery, logs:PutResourcePolicy, ...) and X-Ray ' +
        'tracing actions on "*": neither supports resource-level permissions. lambda:InvokeFunction names ' +
        'the task function.',
    });

    const action = props.alarmTopic ? new SnsAction(props.alarmTopic) : undefined;
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, alarmDescription: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription,
      });
      if (action) {
        created.addAlarmAction(action);
        created.addOkAction(action);
      }
      this.alarms.push(created);
    };
    alarm(
      'ExecutionsFailedAlarm',
      this.stateMachine.metricFailed(fiveMinutes),
      'An SLA timer failed: escalations of its ticket stopped. Inspect the execution; timers can be rebuilt from the tickets.',
    );
    alarm(
      'ExecutionsTimedOutAlarm',
      this.stateMachine.metricTimedOut(fiveMinutes),
      'An SLA timer timed out: escalations of its ticket stopped.',
    );
    alarm(
      'ExecutionThrottledAlarm',
      this.stateMachine.metricThrottled(fiveMinutes),
      'SLA timer state transitions were throttled (Step Functions quota).',
    );
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
