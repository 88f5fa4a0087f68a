import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.js';
import { Api } from '../constructs/api.js';
import { Email, type EmailProps } from '../constructs/email.js';
import { Events } from '../constructs/events.js';
import { grantTableReadWrite, HelpdeskFunction } from '../constructs/helpdesk-function.js';
import { Monitoring } from '../constructs/monitoring.js';
import { SlaTimers } from '../constructs/sla-timers.js';
import { WebApp } from '../constructs/web-app.js';

export const SLA_TIMER_TASK_ENTRY = 'functions/sla/timer-task-handler.ts';

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
    this.events.handler.function.addEnvironment(
      'SLA_TIMER_STATE_MACHINE_ARN',
      this.slaTimers.stateMachine.stateMachineArn,
    );

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
    for (const alarm of this.slaTimers.alarms) this.monitoring.notify(alarm);
  }
}
