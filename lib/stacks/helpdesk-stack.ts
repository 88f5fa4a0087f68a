import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.js';
import { Api } from '../constructs/api.js';
import { BlueprintProcesses } from '../constructs/blueprint-processes.js';
import { Email, type EmailProps } from '../constructs/email.js';
import { Events } from '../constructs/events.js';
import { grantTableReadWrite, HelpdeskFunction } from '../constructs/helpdesk-function.js';
import { Monitoring } from '../constructs/monitoring.js';
import { SlaTimers } from '../constructs/sla-timers.js';
import { TimeBasedRules } from '../constructs/time-based-rules.js';
import { WebApp } from '../constructs/web-app.js';

export const SLA_TIMER_TASK_ENTRY = 'functions/sla/timer-task-handler.ts';
export const BLUEPRINT_TASK_ENTRY = 'functions/blueprints/task-handler.ts';

export interface HelpdeskStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** The table of the {@link DataStack}. */
  readonly table: dynamodb.ITableV2;
  /** The mail bucket of the {@link DataStack}. */
  readonly mailBucket: s3.IBucket;
  /** The mail signing key of the {@link DataStack}. */
  readonly mailSigningSecret: secretsmanager.ISecret;
  /** The mail bucket access policies of the {@link DataStack}. */
  readonly mailPolicies: EmailProps['mailPolicies'];
  /**
   * Directory of the SPA build.
   * @default `web/dist`
   */
  readonly webAssetPath?: string;
}

/**
 * The stateless half of the help desk: API, functions, SPA hosting and
 * monitoring. It holds no data of its own (agent accounts in Cognito are
 * retained), so it can be destroyed and redeployed without loss.
 */
export class HelpdeskStack extends Stack {
  readonly api: Api;
  readonly events: Events;
  readonly email: Email;
  readonly slaTimerTask: HelpdeskFunction;
  readonly slaTimers: SlaTimers;
  readonly blueprintTask: HelpdeskFunction;
  readonly blueprints: BlueprintProcesses;
  readonly timeBasedRules: TimeBasedRules;
  readonly webApp: WebApp;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: HelpdeskStackProps) {
    super(scope, id, props);
    const { config, table } = props;

    this.webApp = new WebApp(this, 'Web', { spaDomain: config.spaDomain, assetPath: props.webAssetPath });
    this.api = new Api(this, 'Api', { config, table, allowedOrigins: this.webApp.origins });
    this.events = new Events(this, 'Events', { config, table });
    this.email = new Email(this, 'Email', {
      config,
      table,
      mailBucket: props.mailBucket,
      signingSecret: props.mailSigningSecret,
      mailPolicies: props.mailPolicies,
    });
    this.email.grantSending(this.events.handler);
    new CfnOutput(this, 'InboundDeadLetterQueueUrl', {
      value: this.email.deadLetterQueue.queueUrl,
      description: 'Inbound mail that could not be processed (npm run replay-email drains it)',
    }).overrideLogicalId('InboundDeadLetterQueueUrl');
    this.email.grantReadingMail(this.api.functions.tickets);

    // SLA timers: the state machine from statemachines/sla-timer.asl.json and its task function.
    this.slaTimerTask = new HelpdeskFunction(this, 'SlaTimerTask', {
      entry: SLA_TIMER_TASK_ENTRY,
      description: 'Help desk SLA timer task: fires due escalation levels and records breaches',
      table,
      logRetention: config.logRetentionDays as RetentionDays,
      timeout: Duration.seconds(30),
      environment: { DESK_NAME: config.deskName },
    });
    grantTableReadWrite(table, this.slaTimerTask);
    this.email.grantSending(this.slaTimerTask);
    this.slaTimers = new SlaTimers(this, 'SlaTimers', {
      taskFunction: this.slaTimerTask.function,
      logRetention: config.logRetentionDays as RetentionDays,
    });
    this.slaTimers.grantStartAndStop(this.events.handler);
    // The hourly repair starts timers missing from the table's view (by name: no dependency cycle).
    this.slaTimerTask.function.addEnvironment(
      'SLA_TIMER_STATE_MACHINE_ARN',
      this.slaTimers.stateMachineArnByName,
    );
    this.slaTimerTask.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [this.slaTimers.stateMachineArnByName],
      }),
    );
    new events.Rule(this, 'SlaTimerRepairSchedule', {
      description: 'Hourly: restart SLA timers that should run and do not',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [
        new eventsTargets.LambdaFunction(this.slaTimerTask.function, {
          event: events.RuleTargetInput.fromObject({ action: 'repair' }),
          retryAttempts: 2,
        }),
      ],
    });
    this.events.handler.function.addEnvironment(
      'SLA_TIMER_STATE_MACHINE_ARN',
      this.slaTimers.stateMachine.stateMachineArn,
    );

    // Blueprint processes: statemachines/blueprint.asl.json and its task function.
    this.blueprintTask = new HelpdeskFunction(this, 'BlueprintTask', {
      entry: BLUEPRINT_TASK_ENTRY,
      description: 'Help desk Blueprint task: stores task tokens, escalates overdue states',
      table,
      logRetention: config.logRetentionDays as RetentionDays,
      timeout: Duration.seconds(30),
      environment: { DESK_NAME: config.deskName },
    });
    grantTableReadWrite(table, this.blueprintTask);
    this.email.grantSending(this.blueprintTask);
    this.blueprints = new BlueprintProcesses(this, 'Blueprints', {
      taskFunction: this.blueprintTask.function,
      logRetention: config.logRetentionDays as RetentionDays,
    });
    const blueprintArn = this.blueprints.stateMachine.stateMachineArn;
    // The task answers its own token when the run moved on; the API answers agents' transitions.
    this.blueprints.grantTaskResponse(this.blueprintTask);
    this.blueprints.grantTaskResponse(this.api.functions.blueprints);
    this.api.functions.blueprints.function.addEnvironment('BLUEPRINT_STATE_MACHINE_ARN', blueprintArn);
    this.email.grantSending(this.api.functions.blueprints);
    this.blueprints.grantStart(this.events.handler);
    this.events.handler.function.addEnvironment('BLUEPRINT_STATE_MACHINE_ARN', blueprintArn);

    // Time-based workflow rules every 15 minutes: the table, and mail for their notifications
    // (the signing secret also keys their webhook signatures).
    this.timeBasedRules = new TimeBasedRules(this, 'TimeBasedRules', { config, table });
    this.email.grantSending(this.timeBasedRules.handler);

    this.webApp.deploySite({
      apiUrl: this.api.url,
      userPoolId: this.api.userPool.userPoolId,
      userPoolClientId: this.api.userPoolClient.userPoolClientId,
      deskName: config.deskName,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      alarmEmail: config.alarmEmail,
      apiStage: this.api.stage,
      functions: {
        ...Object.fromEntries(
          Object.entries(this.api.functions).map(([group, fn]) => [
            `Api${group.charAt(0).toUpperCase()}${group.slice(1)}`,
            fn,
          ]),
        ),
        Events: this.events.handler,
        InboundMail: this.email.inboundHandler,
        MailFeedback: this.email.feedbackHandler,
        SlaTimerTask: this.slaTimerTask,
        BlueprintTask: this.blueprintTask,
        TimeBasedRules: this.timeBasedRules.handler,
      },
      streamHandler: this.events.handler,
      deadLetterQueues: {
        Events: {
          queue: this.events.deadLetterQueue,
          description: 'Table changes the events handler could not process: inspect and redrive.',
        },
        InboundMail: {
          queue: this.email.deadLetterQueue,
          description:
            'Inbound mail that could not be turned into tickets: fix, then run npm run replay-email.',
        },
      },
    });
    for (const alarm of [...this.slaTimers.alarms, ...this.blueprints.alarms]) this.monitoring.notify(alarm);
  }
}
