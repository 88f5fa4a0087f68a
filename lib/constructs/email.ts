import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.js';
import { grantTableReadWrite, HelpdeskFunction } from './helpdesk-function.js';

export const INBOUND_ENTRY = 'functions/email/inbound-handler.ts';
export const FEEDBACK_ENTRY = 'functions/email/feedback-handler.ts';

export interface EmailProps {
  readonly config: DeploymentConfig;
  readonly table: dynamodb.ITableV2;
  readonly mailBucket: s3.IBucket;
  readonly signingSecret: secretsmanager.ISecret;
  /** The data stack's object-access policies for the mail bucket. */
  readonly mailPolicies: {
    inbound: iam.IManagedPolicy;
    sending: iam.IManagedPolicy;
    downloads: iam.IManagedPolicy;
  };
}

/**
 * The email channel on SES.
 *
 * Inbound: an active receipt rule set whose rule covers the support
 * addresses' domains stores each raw message in the mail bucket (`inbound/`)
 * and invokes the inbound function asynchronously; Lambda retries twice, then
 * the event (with the message id, hence the S3 key) goes to a dead-letter
 * queue that alarms and that `npm run replay-email` drains.
 *
 * Outbound: functions that send get `ses:SendRawEmail` only for the support
 * addresses as sender, through a configuration set whose bounces and
 * complaints reach the feedback function (SNS), which marks addresses
 * undeliverable.
 */
export class Email extends Construct {
  readonly inboundHandler: HelpdeskFunction;
  readonly feedbackHandler: HelpdeskFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly configurationSet: ses.ConfigurationSet;
  readonly feedbackTopic: sns.Topic;
  readonly ruleSet: ses.CfnReceiptRuleSet;
  private readonly props: EmailProps;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.props = props;
    const { config, table, mailBucket } = props;
    const stack = Stack.of(this);
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'InboundDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination of the inbound mail function.',
    });

    this.inboundHandler = new HelpdeskFunction(this, 'InboundHandler', {
      entry: INBOUND_ENTRY,
      description: 'Help desk email: turns inbound SES mail into tickets and timeline entries',
      table,
      logRetention,
      memorySize: 1024,
      timeout: Duration.minutes(2),
      environment: this.mailEnvironment(),
    });
    grantTableReadWrite(table, this.inboundHandler);
    this.inboundHandler.role.addManagedPolicy(props.mailPolicies.inbound);
    props.signingSecret.grantRead(this.inboundHandler);
    this.inboundHandler.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    this.inboundHandler.function.addPermission('AllowSesInvoke', {
      principal: new iam.ServicePrincipal('ses.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceAccount: stack.account,
    });

    // Receipt rules: raw message to S3 first, then the function (which reads it from there).
    this.ruleSet = new ses.CfnReceiptRuleSet(this, 'ReceiptRuleSet', {});
    const domains = [...new Set(config.supportAddresses.map((a) => a.address.split('@')[1]!.toLowerCase()))];
    const rule = new ses.CfnReceiptRule(this, 'ToTickets', {
      ruleSetName: this.ruleSet.ref,
      rule: {
        enabled: true,
        scanEnabled: true,
        tlsPolicy: 'Optional',
        recipients: domains,
        actions: [
          { s3Action: { bucketName: mailBucket.bucketName, objectKeyPrefix: 'inbound/' } },
          {
            lambdaAction: { functionArn: this.inboundHandler.function.functionArn, invocationType: 'Event' },
          },
        ],
      },
    });
    rule.node.addDependency(this.inboundHandler.function);

    // Only one rule set is active per account and region: this stack makes its own the active one.
    const activation = new cr.AwsCustomResource(this, 'ActivateRuleSet', {
      onCreate: {
        service: 'SES',
        action: 'setActiveReceiptRuleSet',
        parameters: { RuleSetName: this.ruleSet.ref },
        physicalResourceId: cr.PhysicalResourceId.of(`active-${this.ruleSet.node.addr}`),
      },
      onUpdate: {
        service: 'SES',
        action: 'setActiveReceiptRuleSet',
        parameters: { RuleSetName: this.ruleSet.ref },
        physicalResourceId: cr.PhysicalResourceId.of(`active-${this.ruleSet.node.addr}`),
      },
      onDelete: { service: 'SES', action: 'setActiveReceiptRuleSet', parameters: {} },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
    });
    activation.node.addDependency(rule);
    Validations.of(activation).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ses:SetActiveReceiptRuleSet has no resource-level permissions (it acts on the account).',
    });
    for (const child of stack.node.findAll()) {
      if (child.node.path.includes('AWS679f53fac002430cb0da5b7982bd2287')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            'The CDK custom-resource provider that activates the rule set uses the basic execution role.',
        });
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-L1',
          reason: 'The CDK custom-resource provider runtime is chosen and kept current by aws-cdk-lib.',
        });
      }
    }

    // Feedback: bounces and complaints of our sending, through an encrypted topic.
    const topicKey = new kms.Key(this, 'FeedbackTopicKey', {
      description: 'Encrypts the help desk SES feedback topic',
      enableKeyRotation: true,
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToPublish',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'AWS:SourceAccount': stack.account } },
      }),
    );
    this.feedbackTopic = new sns.Topic(this, 'FeedbackTopic', {
      displayName: 'Help desk mail feedback',
      masterKey: topicKey,
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('Feedback', {
      destination: ses.EventDestination.snsTopic(this.feedbackTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    this.feedbackHandler = new HelpdeskFunction(this, 'FeedbackHandler', {
      entry: FEEDBACK_ENTRY,
      description: 'Help desk email: marks bounced and complaining addresses undeliverable',
      table,
      logRetention,
      environment: this.mailEnvironment(),
    });
    grantTableReadWrite(table, this.feedbackHandler);
    props.signingSecret.grantRead(this.feedbackHandler);
    this.feedbackTopic.addSubscription(new LambdaSubscription(this.feedbackHandler.function));
  }

  /** Environment of every function that handles mail (see functions/composition/config.ts). */
  mailEnvironment(): Record<string, string> {
    const { config, mailBucket, signingSecret } = this.props;
    return {
      DESK_NAME: config.deskName,
      MAIL_BUCKET: mailBucket.bucketName,
      SUPPORT_ADDRESSES: JSON.stringify(config.supportAddresses),
      MAIL_SIGNING_SECRET_ARN: signingSecret.secretArn,
      ...(this.configurationSet ? { SES_CONFIGURATION_SET: this.configurationSet.configurationSetName } : {}),
    };
  }

  /** What a function needs to send mail: the runtime config, SES sending from the support addresses, copies in outbound/. */
  grantSending(fn: HelpdeskFunction): void {
    const stack = Stack.of(this);
    for (const [name, value] of Object.entries(this.mailEnvironment()))
      fn.function.addEnvironment(name, value);
    this.props.signingSecret.grantRead(fn);
    fn.role.addManagedPolicy(this.props.mailPolicies.sending);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [
          `arn:${stack.partition}:ses:${stack.region}:${stack.account}:identity/*`,
          this.configurationSetArn(),
        ],
        // Any address on the desk's own mail domains: admins give departments support addresses
        // there at run time (the receipt rules cover the same domains).
        conditions: {
          StringLike: {
            'ses:FromAddress': [
              ...new Set(
                this.props.config.supportAddresses.map((a) => `*@${a.address.split('@')[1]!.toLowerCase()}`),
              ),
            ],
          },
        },
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
      reason:
        'SES checks sending against every identity involved (sender and, in the sandbox, recipients); the ' +
        'statement is limited by the ses:FromAddress condition to addresses on the support addresses’ domains.',
    });
  }

  /** What a function needs to hand out signed download links for mail parts. */
  grantReadingMail(fn: HelpdeskFunction): void {
    fn.function.addEnvironment('MAIL_BUCKET', this.props.mailBucket.bucketName);
    fn.role.addManagedPolicy(this.props.mailPolicies.downloads);
  }

  private configurationSetArn(): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:ses:${stack.region}:${stack.account}:configuration-set/${this.configurationSet.configurationSetName}`;
  }
}
