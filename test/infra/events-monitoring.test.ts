import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_GROUP_ENTRY, type RouteGroup } from '../../functions/api/routes.js';
import { EVENTS_ENTRY } from '../../lib/constructs/events.js';
import {
  actionsOf,
  exportNameOf,
  logicalId,
  resourcesOf,
  type SynthesizedHelpdesk,
  synthHelpdesk,
} from './synth.js';

let synth: SynthesizedHelpdesk;
let template: Template;

beforeAll(() => {
  synth = synthHelpdesk();
  template = synth.helpdesk;
}, 60_000);
afterAll(() => synth?.cleanup());

const events = () => synth.helpdeskStack.events;
const monitoring = () => synth.helpdeskStack.monitoring;

function alarms(): Array<Record<string, unknown>> {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties as Record<string, unknown>,
  );
}

function alarmsOn(metricName: string, dimension: Record<string, unknown>) {
  return alarms().filter(
    (alarm) =>
      alarm.MetricName === metricName &&
      ((alarm.Dimensions as Array<{ Name: string; Value: unknown }> | undefined) ?? []).some(
        (d) => JSON.stringify({ [d.Name]: d.Value }) === JSON.stringify(dimension),
      ),
  );
}

describe('events: the DynamoDB stream handler', () => {
  it('is a Node.js 22 arm64 function bundled from the stream handler entry', () => {
    expect(EVENTS_ENTRY).toBe('functions/events/stream-handler.ts');
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(events().handler.function)];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('reads the table stream in batches of 100, bisecting, retrying 5 times, reporting item failures', () => {
    const streamExport = exportNameOf(synth.data, logicalId(synth.dataStack.table), 'StreamArn');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(events().handler.function) },
      EventSourceArn: { 'Fn::ImportValue': streamExport },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(events().deadLetterQueue), 'Arn'] } },
      },
    });
  });

  it('has an encrypted dead-letter queue that refuses non-TLS requests', () => {
    const queueId = logicalId(events().deadLetterQueue);
    expect(template.findResources('AWS::SQS::Queue')[queueId]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('may read the stream only on the stream ARN and send only to its DLQ', () => {
    const roleId = logicalId(events().handler.role);
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
      }),
    );
    const statements = policies.flatMap(
      (policy) =>
        (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
    );
    const streamExport = exportNameOf(synth.data, logicalId(synth.dataStack.table), 'StreamArn');
    const streamStatements = statements.filter((s) => actionsOf(s).includes('dynamodb:GetRecords'));
    expect(streamStatements).toHaveLength(1);
    expect(resourcesOf(streamStatements[0] ?? {})).toEqual([{ 'Fn::ImportValue': streamExport }]);
    const sqsStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements.flatMap(resourcesOf)).toEqual([
      { 'Fn::GetAtt': [logicalId(events().deadLetterQueue), 'Arn'] },
    ]);
  });
});

describe('monitoring', () => {
  it('alarms as soon as a message lands in the events dead-letter queue', () => {
    const dlqAlarms = alarmsOn('ApproximateNumberOfMessagesVisible', {
      QueueName: { 'Fn::GetAtt': [logicalId(events().deadLetterQueue), 'QueueName'] },
    });
    expect(dlqAlarms).toHaveLength(1);
    expect(dlqAlarms[0]).toMatchObject({
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on 5xx responses of the API stage', () => {
    const apiAlarms = alarmsOn('5xx', { ApiId: { Ref: logicalId(synth.helpdeskStack.api.httpApi) } });
    expect(apiAlarms).toHaveLength(1);
    expect(apiAlarms[0]).toMatchObject({ Namespace: 'AWS/ApiGateway', Statistic: 'Sum', Threshold: 1 });
  });

  it('alarms on errors and on throttles of every function', () => {
    const functions = [
      ...(Object.keys(ROUTE_GROUP_ENTRY) as RouteGroup[]).map((g) => synth.helpdeskStack.api.functions[g]),
      events().handler,
    ];
    for (const fn of functions) {
      const dimension = { FunctionName: { Ref: logicalId(fn.function) } };
      expect(alarmsOn('Errors', dimension), fn.node.path).toHaveLength(1);
      expect(alarmsOn('Throttles', dimension), fn.node.path).toHaveLength(1);
    }
  });

  it('alarms when the stream handler falls behind', () => {
    const lag = alarmsOn('IteratorAge', { FunctionName: { Ref: logicalId(events().handler.function) } });
    expect(lag).toHaveLength(1);
    expect(lag[0]).toMatchObject({ Statistic: 'Maximum', Threshold: 300_000 });
  });

  it('sends every alarm (and its recovery) to the alarm topic', () => {
    const topic = { Ref: logicalId(monitoring().topic) };
    const all = alarms();
    expect(all.length).toBe(monitoring().alarms.length);
    for (const alarm of all) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
  });

  it('encrypts the topic with a rotated key CloudWatch may use, and requires TLS to publish', () => {
    const topicId = logicalId(monitoring().topic);
    const keyRef = (template.findResources('AWS::SNS::Topic')[topicId]?.Properties.KmsMasterKeyId ?? {}) as {
      'Fn::GetAtt'?: [string, string];
    };
    const keyId = keyRef['Fn::GetAtt']?.[0] ?? '';
    const key = template.findResources('AWS::KMS::Key')[keyId];
    expect(key?.Properties.EnableKeyRotation).toBe(true);
    expect(key?.Properties.KeyPolicy).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('mails the alarms to the configured address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalId(monitoring().topic) },
    });
  });
});
