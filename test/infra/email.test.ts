import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEEDBACK_ENTRY, INBOUND_ENTRY } from '../../lib/constructs/email.js';
import {
  actionsOf,
  logicalId,
  policyStatements,
  resourcesOf,
  type SynthesizedHelpdesk,
  synthHelpdesk,
} from './synth.js';

let synth: SynthesizedHelpdesk;
let helpdesk: Template;
let data: Template;

beforeAll(() => {
  synth = synthHelpdesk({
    supportAddresses: [
      { address: 'help@support.example.com', departmentId: 'general' },
      { address: 'returns@support.example.com', departmentId: 'returns' },
      { address: 'billing@billing.example.org', departmentId: 'billing' },
    ],
  });
  helpdesk = synth.helpdesk;
  data = synth.data;
}, 60_000);
afterAll(() => synth?.cleanup());

type Json = Record<string, unknown>;
const email = () => synth.helpdeskStack.email;

function managedPolicy(id: string): Json {
  const policy = data.findResources('AWS::IAM::ManagedPolicy')[id];
  if (!policy) throw new Error(`no managed policy ${id}`);
  return (policy.Properties as Json).PolicyDocument as Json;
}

describe('inbound mail on SES', () => {
  it('has a receipt rule for the support domains: raw message to S3 under inbound/, then the function, asynchronously', () => {
    const rules = Object.values(helpdesk.findResources('AWS::SES::ReceiptRule'));
    expect(rules).toHaveLength(1);
    const rule = (rules[0]?.Properties as Json | undefined)?.Rule as Json;
    expect(rule.Recipients).toEqual(['support.example.com', 'billing.example.org']);
    expect(rule.ScanEnabled).toBe(true);
    expect(rule.Enabled).toBe(true);
    const actions = rule.Actions as Json[];
    expect(actions[0]).toEqual({ S3Action: { BucketName: expect.anything(), ObjectKeyPrefix: 'inbound/' } });
    expect(JSON.stringify(actions[0])).toContain('MailBucket');
    expect(actions[1]).toEqual({
      LambdaAction: {
        FunctionArn: { 'Fn::GetAtt': [logicalId(email().inboundHandler.function), 'Arn'] },
        InvocationType: 'Event',
      },
    });
  });

  it('activates its rule set and lets only SES of this account invoke the function', () => {
    const activation = Object.values(helpdesk.findResources('Custom::AWS'));
    expect(activation).toHaveLength(1);
    const create = JSON.stringify((activation[0]?.Properties as Json | undefined)?.Create);
    expect(create).toContain('setActiveReceiptRuleSet');
    expect(create).toContain(logicalId(email().ruleSet));
    helpdesk.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'ses.amazonaws.com',
      Action: 'lambda:InvokeFunction',
      SourceAccount: { Ref: 'AWS::AccountId' },
      FunctionName: { 'Fn::GetAtt': [logicalId(email().inboundHandler.function), 'Arn'] },
    });
  });

  it('lets SES of this account write raw mail under inbound/ of the mail bucket, nothing else', () => {
    const statements = Object.values(data.findResources('AWS::S3::BucketPolicy')).flatMap(
      (p) => ((p.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement,
    );
    const ses = statements.filter((s) => JSON.stringify(s.Principal).includes('ses.amazonaws.com'));
    expect(ses).toHaveLength(1);
    expect(ses[0]).toMatchObject({
      Effect: 'Allow',
      Action: 's3:PutObject',
      Condition: { StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(JSON.stringify(ses[0]?.Resource)).toContain('/inbound/*');
  });

  it('sends failed invocations to a dead-letter queue that alarms', () => {
    const queue = logicalId(email().deadLetterQueue);
    helpdesk.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(email().inboundHandler.function) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    helpdesk.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
    });
  });

  it('gives the inbound function read on inbound/ and write on attachments/ only', () => {
    const document = managedPolicy(logicalId(synth.dataStack.mailPolicies.inbound));
    const statements = (document as { Statement: Json[] }).Statement;
    expect(statements.map((s) => [actionsOf(s), JSON.stringify(resourcesOf(s))])).toEqual([
      [['s3:GetObject'], expect.stringContaining('/inbound/*')],
      [['s3:PutObject'], expect.stringContaining('/attachments/*')],
    ]);
    const role = helpdesk.findResources('AWS::IAM::Role')[logicalId(email().inboundHandler.role)];
    expect(JSON.stringify((role?.Properties as Json | undefined)?.ManagedPolicyArns)).toContain(
      'InboundMailPolicy',
    );
  });

  it('builds the functions from their entries', () => {
    expect(email().inboundHandler.node.tryFindChild('Function')).toBeDefined();
    expect(INBOUND_ENTRY).toBe('functions/email/inbound-handler.ts');
    expect(FEEDBACK_ENTRY).toBe('functions/email/feedback-handler.ts');
  });
});

describe('outbound mail on SES', () => {
  it('lets only the functions that mail (events, SLA and blueprint tasks, blueprint API, time-based rules) send, and only from the support addresses’ domains', () => {
    const sending = policyStatements(helpdesk).filter(({ statement }) =>
      actionsOf(statement).includes('ses:SendRawEmail'),
    );
    expect(sending.map((s) => s.resource.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ApiBlueprintsFunctionRoleDefaultPolicy',
      'BlueprintTaskRoleDefaultPolicy',
      'EventsStreamHandlerRoleDefaultPolicy',
      'SlaTimerTaskRoleDefaultPolicy',
      'TimeBasedRulesHandlerRoleDefaultPolicy',
    ]);
    for (const { statement } of sending) {
      // Departments get support addresses at run time, on the same domains the receipt rules cover.
      expect(statement.Condition).toEqual({
        StringLike: { 'ses:FromAddress': ['*@support.example.com', '*@billing.example.org'] },
      });
      expect(actionsOf(statement)).toEqual(['ses:SendRawEmail']);
    }
  });

  it('routes bounces and complaints of its configuration set to the feedback function', () => {
    helpdesk.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: Match.arrayEquals(['bounce', 'complaint']),
        SnsDestination: { TopicARN: { Ref: logicalId(email().feedbackTopic) } },
      }),
    });
    helpdesk.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: logicalId(email().feedbackTopic) },
      Endpoint: { 'Fn::GetAtt': [logicalId(email().feedbackHandler.function), 'Arn'] },
    });
    helpdesk.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  it('keeps the signing key in a retained secret that only mail functions read', () => {
    const secrets = data.findResources('AWS::SecretsManager::Secret');
    const [id, secret] = Object.entries(secrets)[0] ?? [];
    expect(secret?.DeletionPolicy).toBe('Retain');
    const readers = policyStatements(helpdesk)
      .filter(({ statement }) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
      .map(({ resource }) => resource);
    expect(readers.length).toBeGreaterThanOrEqual(3);
    for (const reader of readers)
      expect(reader).toMatch(
        /Inbound|Feedback|StreamHandler|Events|SlaTimerTask|BlueprintTask|ApiBlueprints|TimeBasedRules/,
      );
    expect(id).toBeDefined();
  });
});
