import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLA_TIMER_TASK_ENTRY } from '../../lib/stacks/helpdesk-stack.js';
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

describe('SLA timers in the help desk stack', () => {
  it('runs the timer state machine with the SLA task function substituted', () => {
    const machine = logicalId(synth.helpdeskStack.slaTimers.stateMachine);
    const properties = template.findResources('AWS::StepFunctions::StateMachine')[machine]
      ?.Properties as Json;
    expect(properties.DefinitionSubstitutions).toEqual({
      SlaTimerTaskFunctionArn: {
        'Fn::GetAtt': [logicalId(synth.helpdeskStack.slaTimerTask.function), 'Arn'],
      },
    });
    expect(SLA_TIMER_TASK_ENTRY).toBe('functions/sla/timer-task-handler.ts');
  });

  it('lets the events function start timers of that machine and stop its executions, nothing more', () => {
    const machine = logicalId(synth.helpdeskStack.slaTimers.stateMachine);
    const statements = policyStatements(template).filter(
      ({ resource, statement }) =>
        resource.startsWith('EventsStreamHandlerRoleDefaultPolicy') &&
        actionsOf(statement).some((a) => a.startsWith('states:')),
    );
    expect(statements.flatMap(({ statement }) => actionsOf(statement)).sort()).toEqual([
      'states:DescribeExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    for (const { statement } of statements)
      expect(JSON.stringify(resourcesOf(statement))).toContain(machine.slice(0, 12));
    const events =
      template.findResources('AWS::Lambda::Function')[logicalId(synth.helpdeskStack.events.handler.function)];
    const env = ((events?.Properties as Json | undefined)?.Environment as { Variables: Json } | undefined)
      ?.Variables;
    expect(env?.SLA_TIMER_STATE_MACHINE_ARN).toEqual({ Ref: machine });
  });

  it('sends the timer alarms (failed, timed out, throttled) to the alarm topic', () => {
    const topic = logicalId(synth.helpdeskStack.monitoring.topic);
    for (const alarm of synth.helpdeskStack.slaTimers.alarms) {
      const props = template.findResources('AWS::CloudWatch::Alarm')[logicalId(alarm)]?.Properties as Json;
      expect(props.AlarmActions).toEqual([{ Ref: topic }]);
    }
    expect(synth.helpdeskStack.slaTimers.alarms.length).toBe(3);
  });
});
