import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyAttributeNames, TABLE } from '../../functions/adapters/dynamodb/table-definition.js';
import { logicalId, type SynthesizedHelpdesk, synthHelpdesk } from './synth.js';

let synth: SynthesizedHelpdesk;
let data: Template;

beforeAll(() => {
  synth = synthHelpdesk();
  data = synth.data;
}, 60_000);
afterAll(() => synth?.cleanup());

function tableResource() {
  const tables = data.findResources('AWS::DynamoDB::GlobalTable');
  const entry = tables[logicalId(synth.dataStack.table)];
  if (!entry) throw new Error('table not found');
  return entry as {
    Properties: Record<string, unknown>;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
  };
}

describe('data stack: the table, built from the one table definition', () => {
  it('has the pk/sk key schema of TABLE', () => {
    expect(tableResource().Properties.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
  });

  it('declares every key attribute of the table and its indexes as a string, and nothing else', () => {
    const definitions = tableResource().Properties.AttributeDefinitions as Array<{
      AttributeName: string;
      AttributeType: string;
    }>;
    expect(definitions.map((d) => d.AttributeName).sort()).toEqual([...keyAttributeNames()].sort());
    expect(new Set(definitions.map((d) => d.AttributeType))).toEqual(new Set(['S']));
  });

  it('has exactly the GSIs of TABLE, each with its keys and ProjectionType ALL', () => {
    const expected = TABLE.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }));
    expect(tableResource().Properties.GlobalSecondaryIndexes).toEqual(expected);
  });

  it('is billed per request, with the TTL attribute and stream view type of TABLE', () => {
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: TABLE.streamViewType },
    });
    expect(TABLE.streamViewType).toBe('NEW_AND_OLD_IMAGES');
  });

  it('has point-in-time recovery and deletion protection on its replica', () => {
    const replicas = tableResource().Properties.Replicas as Array<Record<string, unknown>>;
    expect(replicas).toHaveLength(1);
    expect(replicas[0]).toMatchObject({
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is retained when the stack is deleted or the resource replaced', () => {
    const table = tableResource();
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('is encrypted with the AWS-managed key and has a generated name', () => {
    const properties = tableResource().Properties;
    expect(properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(properties.TableName).toBeUndefined();
  });

  it('is protected by stack termination protection', () => {
    expect(synth.dataStack.terminationProtection).toBe(true);
  });
});

describe('data stack: the mail bucket', () => {
  const mailBucketId = () => logicalId(synth.dataStack.mailBucket);

  it('blocks public access, is encrypted, versioned, generated-named and retained', () => {
    const bucket = data.findResources('AWS::S3::Bucket')[mailBucketId()];
    expect(bucket).toBeDefined();
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.Properties.BucketName).toBeUndefined();
    expect(bucket?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('writes server access logs to the retained logs bucket', () => {
    const bucket = data.findResources('AWS::S3::Bucket')[mailBucketId()];
    const logging = bucket?.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } };
    const logsBucket = data.findResources('AWS::S3::Bucket')[logging.DestinationBucketName.Ref];
    expect(logsBucket?.DeletionPolicy).toBe('Retain');
    expect(logsBucket?.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true });
  });

  it('denies every request that is not over TLS', () => {
    data.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: mailBucketId() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('data stack outputs', () => {
  it('names the table under a stable output for operator scripts', () => {
    expect(data.findOutputs('TableName').TableName?.Value).toEqual({ Ref: logicalId(synth.dataStack.table) });
  });
});
