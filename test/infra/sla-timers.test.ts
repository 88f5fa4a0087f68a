import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/constructs/helpdesk-function.js';
import { SLA_TIMER_DEFINITION, SlaTimers } from '../../lib/constructs/sla-timers.js';
import { actionsOf, cdkJsonContext, logicalId, nagFindings, policyStatements, resourcesOf } from './synth.js';

type Json = Record<string, unknown>;

/** The state machine file's DefinitionSubstitutions placeholder for the task function ARN. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation substitution placeholder, not a template
const TASK_ARN_PLACEHOLDER = '${SlaTimerTaskFunctionArn}';

let outdir: string;
let stack: Stack;
let timers: SlaTimers;
let task: lambda.Function;
let caller: iam.Role;
let topic: sns.Topic;
let template: Template;
let assemblyDir: string;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'helpdesk-sla-timers-'));
  const { helpdesk: _defaults, ...featureFlags } = cdkJsonContext();
  const app = new App({ outdir, context: featureFlags, builtinCloudFormationValidation: false });
  stack = new Stack(app, 'SlaTimersTest');
  task = new lambda.Function(stack, 'TaskFunction', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      "exports.handler = async () => ({ next: 'stop', wakeAt: null, reason: 'met' });",
    ),
  });
  topic = new sns.Topic(stack, 'AlarmTopic', { enforceSSL: true });
  timers = new SlaTimers(stack, 'SlaTimers', {
    taskFunction: task,
    logRetention: logs.RetentionDays.ONE_MONTH,
    alarmTopic: topic,
  });
  caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  timers.grantStartAndStop(caller);
  template = Template.fromStack(stack);
  assemblyDir = app.synth().directory;
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const machineId = () => logicalId(timers.stateMachine);
const machine = () =>
  template.findResources('AWS::StepFunctions::StateMachine')[machineId()]?.Properties as Json;
const taskArn = () => ({ 'Fn::GetAtt': [logicalId(task), 'Arn'] });

/** The statements of the policies attached to `role`. */
function statementsOf(role: iam.IRole): Json[] {
  const roleId = logicalId(role.node.defaultChild as iam.CfnRole);
  const policies = template.findResources('AWS::IAM::Policy');
  const ids = Object.entries(policies)
    .filter(([, policy]) =>
      ((policy.Properties as Json).Roles as unknown[]).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .map(([id]) => id);
  return policyStatements(template)
    .filter((s) => ids.includes(s.resource))
    .map((s) => s.statement);
}

describe('SlaTimers: the state machine', () => {
  it('is one Standard state machine whose definition is the ASL file, deployed as an asset', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const props = machine();
    expect(props.StateMachineType).toBe('STANDARD');
    expect(props.DefinitionString).toBeUndefined();

    // The S3 location is the file asset: its staged copy in the cloud assembly is the repository file.
    const { Key } = props.DefinitionS3Location as { Bucket: unknown; Key: string };
    const staged = readFileSync(path.join(assemblyDir, `asset.${Key}`), 'utf8');
    const source = readFileSync(path.join(REPO_ROOT, SLA_TIMER_DEFINITION), 'utf8');
    expect(staged).toBe(source);
    const definition = JSON.parse(staged) as { StartAt: string; States: Record<string, Json> };
    expect(definition.StartAt).toBe('Tick');
    expect(definition.States.Tick).toMatchObject({ Type: 'Task', Resource: TASK_ARN_PLACEHOLDER });
  });

  it('substitutes the task function ARN for every placeholder of the file', () => {
    const source = readFileSync(path.join(REPO_ROOT, SLA_TIMER_DEFINITION), 'utf8');
    const placeholders = new Set([...source.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]));
    expect([...placeholders]).toEqual(['SlaTimerTaskFunctionArn']);
    expect(machine().DefinitionSubstitutions).toEqual({ SlaTimerTaskFunctionArn: taskArn() });
  });

  it('logs every execution with its data to its own log group with retention, and traces with X-Ray', () => {
    const logGroupId = logicalId(timers.logGroup);
    expect(machine().LoggingConfiguration).toEqual({
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      IncludeExecutionData: true,
      Level: 'ALL',
    });
    expect(machine().TracingConfiguration).toEqual({ Enabled: true });
    const logGroup = template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties as Json;
    expect(logGroup.RetentionInDays).toBe(30);
    expect(logGroup.LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\//);
  });

  it('may invoke exactly the task function, and nothing else of Lambda', () => {
    const statements = statementsOf(timers.stateMachine.role);
    const lambdaStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    expect(lambdaStatements).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: taskArn() },
    ]);
    // The other statements are CDK's log delivery and X-Ray actions, which have no resource-level permissions.
    for (const statement of statements.filter((s) => !lambdaStatements.includes(s))) {
      expect(actionsOf(statement).every((a) => a.startsWith('logs:') || a.startsWith('xray:'))).toBe(true);
    }
  });
});

describe('SlaTimers: grantStartAndStop', () => {
  it('grants StartExecution on the machine and Stop/DescribeExecution on its executions only', () => {
    const statements = statementsOf(caller);
    expect(statements).toHaveLength(2);
    const start = statements.find((s) => actionsOf(s).includes('states:StartExecution'));
    expect(actionsOf(start ?? {})).toEqual(['states:StartExecution']);
    expect(resourcesOf(start ?? {})).toEqual([{ Ref: machineId() }]);

    const stop = statements.find((s) => actionsOf(s).includes('states:StopExecution'));
    expect(actionsOf(stop ?? {}).sort()).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(resourcesOf(stop ?? {})).toEqual([
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':states:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':execution:',
            { 'Fn::GetAtt': [machineId(), 'Name'] },
            ':*',
          ],
        ],
      },
    ]);
  });
});

describe('SlaTimers: alarms', () => {
  const alarms = () =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Json);

  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled'])(
    'alarms on %s (≥ 1 in 5 minutes) and notifies the topic',
    (metricName) => {
      const matching = alarms().filter((a) => a.MetricName === metricName);
      expect(matching).toHaveLength(1);
      expect(matching[0]).toMatchObject({
        Namespace: 'AWS/States',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId() } }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: logicalId(topic) }],
        OKActions: [{ Ref: logicalId(topic) }],
      });
    },
  );

  it('has no actions without a topic', () => {
    const { helpdesk: _defaults, ...featureFlags } = cdkJsonContext();
    const other = new Stack(
      new App({ context: featureFlags, builtinCloudFormationValidation: false }),
      'NoTopic',
    );
    const fn = new lambda.Function(other, 'TaskFunction', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => null;'),
    });
    new SlaTimers(other, 'SlaTimers', { taskFunction: fn, logRetention: logs.RetentionDays.ONE_WEEK });
    const found = Object.values(Template.fromStack(other).findResources('AWS::CloudWatch::Alarm'));
    expect(found).toHaveLength(3);
    for (const alarm of found) expect((alarm.Properties as Json).AlarmActions).toBeUndefined();
  });
});

describe('SlaTimers: cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding on the construct or on the grantee', () => {
    const findings = nagFindings(stack);
    const ours = findings.filter((f) => / at SlaTimersTest\/(SlaTimers|Caller)\b/.test(f));
    expect(ours).toEqual([]);
    // Whatever remains belongs to the throw-away task function and topic of this test.
    for (const finding of findings.filter((f) => !ours.includes(f))) {
      expect(finding).toMatch(/ at SlaTimersTest\/(TaskFunction|AlarmTopic)\b/);
    }
  });
});
