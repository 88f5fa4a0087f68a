import * as path from 'node:path';
import { ArnFormat, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { REPO_ROOT } from './helpdesk-function.js';

export interface TaskStateMachineProps {
  /** The ASL file, relative to the repository root (the local runtime runs the same file). */
  readonly definitionFile: string;
  /** The DefinitionSubstitutions placeholder the file uses for the task function's ARN. */
  readonly taskArnSubstitution: string;
  /** The one Lambda task the machine calls. */
  readonly taskFunction: lambda.IFunction;
  readonly comment: string;
  /** How alarms name an execution, e.g. "An SLA timer". */
  readonly what: string;
  /** What an operator should know when an execution fails. */
  readonly failureImpact: string;
  /** Retention of the state machine's log group. */
  readonly logRetention: logs.RetentionDays;
  /** Where the failure alarms notify, if anywhere. */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A Standard state machine built from one of the ASL files in
 * `statemachines/` whose Task states call one Lambda task function (its ARN
 * filled in by DefinitionSubstitutions, the only function the machine may
 * invoke). Every execution is logged with its data and traced with X-Ray;
 * failed, timed-out and throttled executions alarm.
 */
export class TaskStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /**
   * The machine's ARN built from its (generated, synth-time) name rather than
   * from the resource: grants to the task function itself would otherwise
   * make a dependency cycle (machine → function → its policy → machine).
   */
  readonly stateMachineArnByName: string;
  readonly logGroup: logs.LogGroup;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: TaskStateMachineProps) {
    super(scope, id);

    // The /aws/vendedlogs/ prefix keeps Step Functions from adding a CloudWatch Logs
    // resource policy per log group (that account-wide policy has a small size limit).
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: props.logRetention,
    });

    const stateMachineName = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    this.stateMachineArnByName = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      comment: props.comment,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(path.join(REPO_ROOT, props.definitionFile)),
      definitionSubstitutions: { [props.taskArnSubstitution]: props.taskFunction.functionArn },
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
      `${props.what} failed: ${props.failureImpact}`,
    );
    alarm(
      'ExecutionsTimedOutAlarm',
      this.stateMachine.metricTimedOut(fiveMinutes),
      `${props.what} timed out: ${props.failureImpact}`,
    );
    alarm(
      'ExecutionThrottledAlarm',
      this.stateMachine.metricThrottled(fiveMinutes),
      `${props.what} state transitions were throttled (Step Functions quota).`,
    );
  }
}
