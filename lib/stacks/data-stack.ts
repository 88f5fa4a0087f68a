import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE } from '../../functions/adapters/dynamodb/table-definition.js';
import { nagForm } from '../constructs/nag.js';

/**
 * The stateful half of the help desk: the single DynamoDB table and the bucket
 * for raw mail and attachments. Everything here is retained when the stack is
 * deleted and protected against accidental deletion; the stateless
 * {@link HelpdeskStack} receives these resources as props, so it can be
 * destroyed and redeployed freely.
 */
export class DataStack extends Stack {
  /** The one table: keys and indexes come from `functions/adapters/dynamodb/table-definition.ts`. */
  readonly table: dynamodb.TableV2;
  /** Raw inbound MIME messages (`inbound/`), attachments (`attachments/`), copies of sent mail (`outbound/`). */
  readonly mailBucket: s3.Bucket;
  /** Signs our Message-IDs and ticket reply addresses; customers' mailboxes hold them for years. */
  readonly mailSigningSecret: secretsmanager.Secret;
  /**
   * Object access to the mail bucket by role, as managed policies of this stack
   * (so each prefix wildcard is acknowledged here, next to the bucket):
   * processing inbound mail, keeping copies of sent mail, handing out download links.
   */
  readonly mailPolicies: {
    inbound: iam.ManagedPolicy;
    sending: iam.ManagedPolicy;
    downloads: iam.ManagedPolicy;
  };

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { terminationProtection: true, ...props });

    const stringAttribute = (name: string): dynamodb.Attribute => ({
      name,
      type: dynamodb.AttributeType.STRING,
    });

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: stringAttribute(TABLE.partitionKey),
      sortKey: stringAttribute(TABLE.sortKey),
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      dynamoStream: dynamodb.StreamViewType[TABLE.streamViewType],
      globalSecondaryIndexes: TABLE.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: stringAttribute(index.partitionKey),
        sortKey: stringAttribute(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      })),
    });

    new CfnOutput(this, 'TableName', {
      value: this.table.tableName,
      description: 'The help desk table (read by npm run create-agent)',
    }).overrideLogicalId('TableName');

    const accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    Validations.of(accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the server access log destination; logging it into itself would loop.',
    });

    this.mailBucket = new s3.Bucket(this, 'MailBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'mail-bucket/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });
    // SES receipt rules of this account (in the help desk stack) store raw mail under inbound/.
    this.mailBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToStoreInboundMail',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.mailBucket.arnForObjects('inbound/*')],
        conditions: {
          StringEquals: { 'AWS:SourceAccount': this.account },
          ArnLike: {
            'AWS:SourceArn': `arn:${this.partition}:ses:${this.region}:${this.account}:receipt-rule-set/*`,
          },
        },
      }),
    );

    const objects = (prefixes: string[]) => prefixes.map((p) => this.mailBucket.arnForObjects(`${p}*`));
    const mailPolicy = (id: string, description: string, read: string[], write: string[]) => {
      const policy = new iam.ManagedPolicy(this, id, {
        description,
        statements: [
          ...(read.length
            ? [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects(read) })]
            : []),
          ...(write.length
            ? [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: objects(write) })]
            : []),
        ],
      });
      for (const prefix of [...read, ...write]) {
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagForm(this, this.mailBucket.arnForObjects(`${prefix}*`))}]`,
          reason:
            `Objects under ${prefix} of the mail bucket: keys are per message and attachment, known only at ` +
            'run time; GetObject/PutObject only, no listing, no bucket actions.',
        });
      }
      return policy;
    };
    this.mailPolicies = {
      inbound: mailPolicy(
        'InboundMailPolicy',
        'Help desk: read raw inbound mail, store attachments',
        ['inbound/'],
        ['attachments/'],
      ),
      sending: mailPolicy('SentMailPolicy', 'Help desk: keep copies of sent mail', [], ['outbound/']),
      downloads: mailPolicy(
        'MailDownloadsPolicy',
        'Help desk: sign download links for mail parts',
        ['attachments/', 'inbound/'],
        [],
      ),
    };

    this.mailSigningSecret = new secretsmanager.Secret(this, 'MailSigningSecret', {
      description: 'Help desk: key that signs Message-IDs and ticket reply addresses',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.mailSigningSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating this key would invalidate every reply address and Message-ID already in customers’ mailboxes, ' +
        'so their replies would no longer thread; it is rotated deliberately, not on a schedule.',
    });
  }
}
