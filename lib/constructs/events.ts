import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.js';
import { grantTableReadWrite, HelpdeskFunction } from './helpdesk-function.js';

export const EVENTS_ENTRY = 'functions/events/stream-handler.ts';

export interface EventsProps {
  readonly config: DeploymentConfig;
  /** The help desk table; its stream (NEW_AND_OLD_IMAGES) feeds the handler. */
  readonly table: dynamodb.ITableV2;
}

/**
 * The events handler: reacts to every change of the table through its stream
 * (the write is the outbox). Batches that keep failing are bisected to isolate
 * the bad record; a record that still fails after the retries is described in
 * an SQS dead-letter queue (which alarms) instead of blocking its shard.
 * The handler must report partial failures (`batchItemFailures`).
 */
export class Events extends Construct {
  readonly handler: HelpdeskFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    const { config, table } = props;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter (on-failure) destination of the stream event source.',
    });

    this.handler = new HelpdeskFunction(this, 'StreamHandler', {
      entry: EVENTS_ENTRY,
      description: 'Help desk events: reacts to table changes from the DynamoDB stream',
      table,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      timeout: Duration.seconds(60),
      environment: { DESK_NAME: config.deskName },
    });
    grantTableReadWrite(table, this.handler);

    this.handler.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 5,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
  }
}
