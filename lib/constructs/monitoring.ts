import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { HelpdeskFunction } from './helpdesk-function.js';

export interface MonitoringProps {
  /** Where alarm notifications are mailed, if anywhere. */
  readonly alarmEmail: string | null;
  /** The API stage whose 5xx responses alarm. */
  readonly apiStage: apigwv2.IHttpStage;
  /** Functions whose errors and throttles alarm, by a short readable name. */
  readonly functions: Record<string, HelpdeskFunction>;
  /** The stream handler, whose iterator age (lag behind the table) alarms. */
  readonly streamHandler: HelpdeskFunction;
  /** Dead-letter queues by a short readable name: any message in one is work nobody finished. */
  readonly deadLetterQueues: Record<string, { queue: sqs.IQueue; description: string }>;
}

/**
 * Alarms on what an operator must act on: API 5xx, function errors and
 * throttles, a stream handler falling behind, records in the events dead-letter
 * queue. They all notify one encrypted SNS topic, optionally mailed.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key:
    // a customer-managed key whose policy lets CloudWatch use it is required.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the help desk alarm topic',
      enableKeyRotation: true,
      // The key only protects alarm notifications in flight, no stored data.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Help desk alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.topic);

    const fiveMinutes = Duration.minutes(5);
    this.addAlarm('Api5xx', {
      metric: props.apiStage.metricServerError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      alarmDescription: 'The help desk API answered with 5xx (server errors).',
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      this.addAlarm(`${name}Errors`, {
        metric: fn.function.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        alarmDescription: `The ${name} function failed (invocation errors).`,
      });
      this.addAlarm(`${name}Throttles`, {
        metric: fn.function.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        alarmDescription: `The ${name} function was throttled.`,
      });
    }

    this.addAlarm('StreamIteratorAge', {
      metric: props.streamHandler.function.metric('IteratorAge', {
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: Duration.minutes(5).toMilliseconds(),
      evaluationPeriods: 5,
      alarmDescription: 'The events handler lags more than 5 minutes behind the table stream.',
    });

    for (const [name, { queue, description }] of Object.entries(props.deadLetterQueues)) {
      this.addAlarm(`${name}DeadLetters`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        alarmDescription: description,
      });
    }
  }

  /** Sends an alarm made elsewhere (e.g. by the SLA timers construct) to the alarm topic too. */
  notify(alarm: cloudwatch.Alarm): void {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }

  private addAlarm(
    id: string,
    options: Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'alarmDescription'> & {
      readonly evaluationPeriods?: number;
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, `${id}Alarm`, {
      ...options,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
