import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  executionArnFor,
  SfnSlaTimerScheduler,
} from '../../../functions/adapters/sfn/sla-timer-scheduler.js';
import { ValidationFailed } from '../../../functions/domain/shared/errors.js';
import { type SlaTimerInput, slaTimerExecutionName } from '../../../functions/domain/sla/timer-port.js';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:HelpdeskSlaTimers-AbC123';
const client = new SFNClient({ region: 'eu-west-1' });
const sfn = mockClient(client);
const scheduler = new SfnSlaTimerScheduler(client, MACHINE);
const timer: SlaTimerInput = {
  ticketId: '01JD8X3Z9V6Q2W4E5R7T8Y9U0I',
  target: 'next_response',
  generation: 3,
};
const expectedArn = `arn:aws:states:eu-west-1:123456789012:execution:HelpdeskSlaTimers-AbC123:${timer.ticketId}-next_response-g3`;

beforeEach(() => sfn.reset());

describe('slaTimerExecutionName', () => {
  it('is <ticketId>-<target>-g<generation>, the same for the same input', () => {
    expect(slaTimerExecutionName(timer)).toBe(`${timer.ticketId}-next_response-g3`);
    expect(slaTimerExecutionName({ ...timer })).toBe(slaTimerExecutionName(timer));
    expect(slaTimerExecutionName({ ...timer, generation: 4 })).not.toBe(slaTimerExecutionName(timer));
    expect(slaTimerExecutionName({ ...timer, target: 'resolution' })).not.toBe(slaTimerExecutionName(timer));
  });

  it('is a valid Step Functions name for any ULID, target and generation', () => {
    for (const target of ['first_response', 'next_response', 'resolution'] as const) {
      const name = slaTimerExecutionName({
        ticketId: timer.ticketId,
        target,
        generation: Number.MAX_SAFE_INTEGER,
      });
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });

  it('refuses input that would make an invalid or ambiguous name', () => {
    expect(() => slaTimerExecutionName({ ...timer, ticketId: 'a:b' })).toThrow(ValidationFailed);
    expect(() => slaTimerExecutionName({ ...timer, ticketId: '' })).toThrow(ValidationFailed);
    expect(() => slaTimerExecutionName({ ...timer, ticketId: 'x'.repeat(70) })).toThrow(ValidationFailed);
    expect(() => slaTimerExecutionName({ ...timer, generation: -1 })).toThrow(ValidationFailed);
    expect(() => slaTimerExecutionName({ ...timer, generation: 1.5 })).toThrow(ValidationFailed);
    expect(() => slaTimerExecutionName({ ...timer, target: 'breach' as SlaTimerInput['target'] })).toThrow(
      ValidationFailed,
    );
  });
});

describe('SfnSlaTimerScheduler.start', () => {
  it('starts an execution with the deterministic name and the timer as JSON input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: expectedArn, startDate: new Date() });
    await expect(scheduler.start(timer)).resolves.toEqual({ executionArn: expectedArn });

    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const sent = calls[0]?.args[0].input;
    expect(sent).toEqual({
      stateMachineArn: MACHINE,
      name: `${timer.ticketId}-next_response-g3`,
      input: expect.any(String),
    });
    expect(JSON.parse(sent?.input ?? '')).toEqual({
      ticketId: timer.ticketId,
      target: 'next_response',
      generation: 3,
    });
  });

  it('sends only the contract fields, whatever else the caller passes', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: expectedArn, startDate: new Date() });
    await scheduler.start({ ...timer, extra: 'x' } as SlaTimerInput);
    const sent = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '';
    expect(Object.keys(JSON.parse(sent)).sort()).toEqual(['generation', 'target', 'ticketId']);
  });

  it('treats ExecutionAlreadyExists as started, answering the ARN of that name', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(scheduler.start(timer)).resolves.toEqual({ executionArn: expectedArn });
  });

  it('passes other errors on, and sends nothing for an invalid timer', async () => {
    sfn.on(StartExecutionCommand).rejects(new InvalidArn({ message: 'bad arn', $metadata: {} }));
    await expect(scheduler.start(timer)).rejects.toBeInstanceOf(InvalidArn);
    sfn.reset();
    await expect(scheduler.start({ ...timer, ticketId: 'has space' })).rejects.toBeInstanceOf(
      ValidationFailed,
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('SfnSlaTimerScheduler.stop', () => {
  it('stops the execution, without error or cause (so no KMS use)', async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    await scheduler.stop(expectedArn);
    expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: expectedArn },
    ]);
  });

  it('is fine when the execution does not exist', async () => {
    sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));
    await expect(scheduler.stop(expectedArn)).resolves.toBeUndefined();
  });

  it('passes other errors on', async () => {
    sfn.on(StopExecutionCommand).rejects(new InvalidArn({ message: 'bad arn', $metadata: {} }));
    await expect(scheduler.stop('nope')).rejects.toBeInstanceOf(InvalidArn);
  });
});

describe('executionArnFor', () => {
  it('turns a state machine ARN and a name into the execution ARN', () => {
    expect(executionArnFor(MACHINE, slaTimerExecutionName(timer))).toBe(expectedArn);
    expect(executionArnFor('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:M', 'n')).toBe(
      'arn:aws-cn:states:cn-north-1:123456789012:execution:M:n',
    );
  });

  it('refuses anything but an unqualified state machine ARN', () => {
    expect(() => executionArnFor(`${MACHINE}:1`, 'n')).toThrow(/Not a state machine ARN/);
    expect(() => executionArnFor(expectedArn, 'n')).toThrow(/Not a state machine ARN/);
  });
});
