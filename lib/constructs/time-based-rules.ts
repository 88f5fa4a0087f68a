import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.js';
import { grantTableReadWrite, HelpdeskFunction } from './helpdesk-function.js';

export const TIME_BASED_RULES_ENTRY = 'functions/rules/schedule-handler.ts';

/** How often the time-based workflow rules are evaluated. */
export const TIME_BASED_RULES_RATE = Duration.minutes(15);

export interface TimeBasedRulesProps {
  readonly config: DeploymentConfig;
  readonly table: dynamodb.ITableV2;
}

/**
 * Time-based workflow rules: an EventBridge rule invokes the schedule handler
 * every 15 minutes (like the hourly SLA repair: a rate schedule, two retries
 * of a failed invocation, errors and throttles alarmed by the monitoring).
 * The function reads and writes the table; the stack grants it mail sending
 * (notifications, and the signing secret its webhook signatures derive from).
 * Its timeout stays under the rate, so two runs never overlap.
 */
export class TimeBasedRules extends Construct {
  readonly handler: HelpdeskFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: TimeBasedRulesProps) {
    super(scope, id);
    const { config, table } = props;
    this.handler = new HelpdeskFunction(this, 'Handler', {
      entry: TIME_BASED_RULES_ENTRY,
      description: 'Help desk time-based workflow rules: evaluates them over the open tickets',
      table,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      timeout: Duration.minutes(10),
      environment: { DESK_NAME: config.deskName },
    });
    grantTableReadWrite(table, this.handler);
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Every 15 minutes: evaluate the time-based workflow rules',
      schedule: events.Schedule.rate(TIME_BASED_RULES_RATE),
      targets: [new eventsTargets.LambdaFunction(this.handler.function, { retryAttempts: 2 })],
    });
  }
}
