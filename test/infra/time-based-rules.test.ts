import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_READ_WRITE_ACTIONS } from '../../lib/constructs/helpdesk-function.js';
import { TIME_BASED_RULES_ENTRY } from '../../lib/constructs/time-based-rules.js';
import {
  actionsOf,
  logicalId,
  policyStatements,
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

type Json = Record<string, unknown>;

const handlerId = () => logicalId(synth.helpdeskStack.timeBasedRules.handler.function);
const roleStatements = () =>
  policyStatements(template)
    .filter(({ resource }) => resource.startsWith('TimeBasedRulesHandlerRole'))
    .map(({ statement }) => statement);

describe('time-based workflow rules in the help desk stack', () => {
  it('invokes the schedule handler every 15 minutes, retrying a failed invocation twice', () => {
    expect(TIME_BASED_RULES_ENTRY).toBe('functions/rules/schedule-handler.ts');
    const rules = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties as Json);
    const schedule = rules.find((r) => r.ScheduleExpression === 'rate(15 minutes)');
    expect(schedule?.State).toBe('ENABLED');
    const targets = schedule?.Targets as Json[];
    expect(targets).toHaveLength(1);
    expect(targets[0]?.Arn).toEqual({ 'Fn::GetAtt': [handlerId(), 'Arn'] });
    expect(targets[0]?.RetryPolicy).toEqual({ MaximumRetryAttempts: 2 });
    // EventBridge, and only the rule, may invoke it.
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => p.Properties as Json)
      .filter((p) => JSON.stringify(p.FunctionName).includes(handlerId()));
    expect(permissions).toEqual([
      expect.objectContaining({ Principal: 'events.amazonaws.com', Action: 'lambda:InvokeFunction' }),
    ]);
  });

  it('finishes well within the rate, so two runs never overlap', () => {
    const fn = template.findResources('AWS::Lambda::Function')[handlerId()]?.Properties as Json;
    expect(fn.Timeout).toBe(600);
    expect(fn.Timeout as number).toBeLessThan(15 * 60);
    const env = (fn.Environment as { Variables: Json }).Variables;
    expect(env.TABLE_NAME).toBeDefined();
    // Mail for notifications; the signing secret keys webhook signatures.
    expect(env.MAIL_SIGNING_SECRET_ARN).toBeDefined();
    expect(env.MAIL_BUCKET).toBeDefined();
  });

  it('may touch the table (no Scan), send mail from the support domains and read the signing secret, nothing else', () => {
    const actions = new Set(roleStatements().flatMap(actionsOf));
    for (const action of TABLE_READ_WRITE_ACTIONS) expect(actions).toContain(action);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).toContain('ses:SendRawEmail');
    expect(actions).toContain('secretsmanager:GetSecretValue');
    const services = new Set([...actions].map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'logs', 'secretsmanager', 'ses', 'xray']);
    const sending = roleStatements().find((s) => actionsOf(s).includes('ses:SendRawEmail'));
    expect(sending?.Condition).toBeDefined();
    for (const statement of roleStatements().filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    )) {
      expect(JSON.stringify(resourcesOf(statement))).not.toContain('"*"');
    }
  });

  it('alarms on its errors and throttles like the other functions', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties as Json,
    );
    const own = alarms.filter((a) => JSON.stringify(a.Dimensions ?? []).includes(handlerId()));
    expect(own.map((a) => a.MetricName).sort()).toEqual(['Errors', 'Throttles']);
    const topic = logicalId(synth.helpdeskStack.monitoring.topic);
    for (const alarm of own) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
  });
});
