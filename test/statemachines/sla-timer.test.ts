import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlaTargetKind } from '../../functions/domain/sla/policy.js';
import { type SlaTimerInput, slaTimerExecutionName } from '../../functions/domain/sla/timer-port.js';
import {
  LOCAL_SLA_TIMER_TASK_ARN,
  LocalSlaTimerScheduler,
  registerSlaTimerMachine,
  SLA_TIMER_DEFINITION_FILE,
  SLA_TIMER_MACHINE,
} from '../../local/sla-timer-scheduler.js';
import {
  type ExecutionDescription,
  type ExecutionEndEvent,
  LocalStepFunctions,
  type LocalTaskHandler,
} from '../../local/step-functions.js';
import { eventually } from '../support/eventually.js';

type Json = Record<string, unknown>;
type Validator = (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const validateAsl = createRequire(import.meta.url)('asl-validator') as Validator;

/** The state machine file's DefinitionSubstitutions placeholder for the task function ARN. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation substitution placeholder, not a template
const TASK_ARN_PLACEHOLDER = '${SlaTimerTaskFunctionArn}';

const source = readFileSync(SLA_TIMER_DEFINITION_FILE, 'utf8');
const definition = JSON.parse(source) as { Comment?: string; StartAt: string; States: Record<string, Json> };

interface TickRequest {
  action: string;
  ticketId: string;
  target: SlaTargetKind;
  generation: number;
}
interface TickAnswer {
  next: 'wait' | 'stop';
  wakeAt: string | null;
  reason: string;
}

const wakeIn = (ms: number) => new Date(Date.now() + ms).toISOString();
const stop = (reason: string): TickAnswer => ({ next: 'stop', wakeAt: null, reason });
const lambdaError = (name: string, message = name) => Object.assign(new Error(message), { name });

/**
 * A scripted SLA timer task: answers the calls in order from `script` (an
 * answer, or an error to throw), and records what it received.
 */
function scripted(script: Array<TickAnswer | Error | ((request: TickRequest) => TickAnswer)>) {
  const calls: TickRequest[] = [];
  const handler: LocalTaskHandler = async (input) => {
    const request = input as TickRequest;
    calls.push(request);
    const step = script[Math.min(calls.length, script.length) - 1];
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(request);
    return step;
  };
  return { calls, handler };
}

let engine: LocalStepFunctions;
let ends: ExecutionEndEvent[];

beforeEach(() => {
  ends = [];
  engine = new LocalStepFunctions({ onExecutionEnd: (event) => ends.push(event) });
});
afterEach(() => engine.stopAll());

/** Registers the machine with the Tick task scripted, waits of 1 ms and retries without pause. */
function register(handler: LocalTaskHandler, options: { realWaits?: boolean } = {}): LocalSlaTimerScheduler {
  registerSlaTimerMachine(engine, handler, {
    retryOverrideMs: 0,
    ...(options.realWaits ? {} : { waitOverrideMs: 1 }),
  });
  return new LocalSlaTimerScheduler(engine);
}

function ended(executionArn: string): Promise<ExecutionDescription> {
  return eventually(async () => engine.describeExecution(executionArn), {
    accept: (d) => d !== null && d.status !== 'RUNNING',
    what: `${executionArn} to end`,
  }) as Promise<ExecutionDescription>;
}

function entered(executionArn: string, state: string): number {
  return engine.history(executionArn).filter((e) => e.type === 'StateEntered' && e.state?.name === state)
    .length;
}

const timer: SlaTimerInput = {
  ticketId: '01JTICKET0000000000000000A',
  target: 'first_response',
  generation: 1,
};
const tickOf = (input: SlaTimerInput) => ({ action: 'tick', ...input });

describe('sla-timer.asl.json: the definition', () => {
  it('is valid ASL, as written (with its substitution placeholder) and once substituted', () => {
    const raw = validateAsl(structuredClone(definition));
    expect(raw.errorsText()).toBe('');
    expect(raw.isValid).toBe(true);
    const substituted = JSON.parse(source.replace(TASK_ARN_PLACEHOLDER, LOCAL_SLA_TIMER_TASK_ARN));
    const result = validateAsl(substituted, { checkArn: true, checkPaths: true });
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('comments the machine and every state', () => {
    expect(definition.Comment).toBeTruthy();
    for (const [name, state] of Object.entries(definition.States)) {
      expect(state.Comment, name).toEqual(expect.stringMatching(/\w/));
    }
  });

  it('is Tick → ShouldWait → WaitUntilNextLevel → Tick, with stop to a Succeed state', () => {
    const { States } = definition;
    expect(definition.StartAt).toBe('Tick');
    expect(States.Tick).toMatchObject({
      Type: 'Task',
      Resource: TASK_ARN_PLACEHOLDER,
      Parameters: {
        action: 'tick',
        'ticketId.$': '$.ticketId',
        'target.$': '$.target',
        'generation.$': '$.generation',
      },
      ResultSelector: { 'next.$': '$.next', 'wakeAt.$': '$.wakeAt', 'reason.$': '$.reason' },
      ResultPath: '$.tick',
      Next: 'ShouldWait',
    });
    expect(States.Tick?.TimeoutSeconds).toBeGreaterThan(0);
    expect(States.WaitUntilNextLevel).toMatchObject({
      Type: 'Wait',
      TimestampPath: '$.tick.wakeAt',
      Next: 'Tick',
    });
    const choices = States.ShouldWait?.Choices as Array<Json & { Next: string }>;
    expect(States.ShouldWait?.Type).toBe('Choice');
    expect(choices.map((c) => c.Next)).toEqual(['WaitUntilNextLevel', 'TimerEnded']);
    expect(States.TimerEnded?.Type).toBe('Succeed');
  });

  it('retries Lambda service errors and time-outs with backoff, and catches everything into a Fail state', () => {
    const tick = definition.States.Tick as {
      Retry: Json[];
      Catch: Array<{ ErrorEquals: string[]; Next: string }>;
    };
    const serviceRetrier = tick.Retry.find((r) =>
      (r.ErrorEquals as string[]).includes('Lambda.ServiceException'),
    );
    expect(serviceRetrier?.ErrorEquals).toEqual([
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'States.Timeout',
    ]);
    expect(serviceRetrier?.BackoffRate).toBeGreaterThan(1);
    expect(serviceRetrier?.MaxAttempts).toBeGreaterThan(1);
    expect(tick.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'TickFailed' }]);
    expect(definition.States.TickFailed?.Type).toBe('Fail');
  });
});

describe('sla-timer.asl.json: running', () => {
  it('met before due: one tick says stop, nothing escalates, the execution succeeds', async () => {
    const task = scripted([stop('met')]);
    const scheduler = register(task.handler);

    const { executionArn } = await scheduler.start(timer);
    expect(executionArn).toBe(
      `arn:aws:states:local:000000000000:execution:${SLA_TIMER_MACHINE}:${slaTimerExecutionName(timer)}`,
    );
    const result = await ended(executionArn);

    expect(result.status).toBe('SUCCEEDED');
    // One tick, no sleep, no second tick: nothing could escalate.
    expect(task.calls).toEqual([tickOf(timer)]);
    expect(entered(executionArn, 'WaitUntilNextLevel')).toBe(0);
    expect(result.output).toEqual({ ...timer, tick: stop('met') });
  });

  it('breach: fires the levels in order, one tick each, looping once per level, then stops', async () => {
    const levels = 4;
    const fired: number[] = [];
    // Tick 1 finds nothing due; tick k+1 fires level k; the last level is final.
    const script = Array.from({ length: levels + 1 }, (_, k) => (request: TickRequest): TickAnswer => {
      if (request.generation !== timer.generation) throw new Error('wrong generation');
      if (k > 0) fired.push(k);
      return k === levels
        ? stop('breached-final')
        : { next: 'wait', wakeAt: wakeIn(60_000 * (k + 1)), reason: k === 0 ? 'scheduled' : 'levels-fired' };
    });
    const task = scripted(script);
    const scheduler = register(task.handler);

    const { executionArn } = await scheduler.start({ ...timer, target: 'resolution' });
    const result = await ended(executionArn);

    expect(result.status).toBe('SUCCEEDED');
    expect(fired).toEqual([1, 2, 3, 4]);
    expect(task.calls).toHaveLength(levels + 1);
    expect(entered(executionArn, 'WaitUntilNextLevel')).toBe(levels);
    expect(entered(executionArn, 'Tick')).toBe(levels + 1);
    // The task always gets the same small payload, and the state does not grow with the loops.
    for (const call of task.calls) expect(call).toEqual(tickOf({ ...timer, target: 'resolution' }));
    expect(result.output).toEqual({ ...timer, target: 'resolution', tick: stop('breached-final') });
  });

  it('wakes at once when the task names an instant already past (real waits)', async () => {
    const task = scripted([{ next: 'wait', wakeAt: wakeIn(-60_000), reason: 'levels-fired' }, stop('met')]);
    const scheduler = register(task.handler, { realWaits: true });
    const { executionArn } = await scheduler.start(timer);
    expect((await ended(executionArn)).status).toBe('SUCCEEDED');
    expect(task.calls).toHaveLength(2);
  });

  it('paused: the task says stop and the timer ends', async () => {
    const task = scripted([stop('paused')]);
    const scheduler = register(task.handler);
    const { executionArn } = await scheduler.start(timer);
    const result = await ended(executionArn);
    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as { tick: TickAnswer }).tick.reason).toBe('paused');
  });

  it('re-targeted: stopping the old timer while it sleeps in a real Wait aborts it at once; the next generation runs', async () => {
    let currentGeneration = 1;
    const calls: TickRequest[] = [];
    const scheduler = register(
      async (input) => {
        const request = input as TickRequest;
        calls.push(request);
        if (request.generation !== currentGeneration) return stop('superseded');
        return calls.length === 1
          ? { next: 'wait', wakeAt: wakeIn(30_000), reason: 'scheduled' }
          : stop('met');
      },
      { realWaits: true },
    );

    const old = await scheduler.start(timer);
    await eventually(async () => entered(old.executionArn, 'WaitUntilNextLevel'), {
      accept: (n) => n === 1,
      what: 'the old timer to sleep',
    });

    currentGeneration = 2;
    const stoppedAt = Date.now();
    await scheduler.stop(old.executionArn);
    const oldResult = engine.describeExecution(old.executionArn);
    expect(oldResult?.status).toBe('ABORTED');
    expect(Date.now() - stoppedAt).toBeLessThan(1_000);

    const next = await scheduler.start({ ...timer, generation: 2 });
    expect(next.executionArn).not.toBe(old.executionArn);
    expect(next.executionArn.endsWith(`:${timer.ticketId}-first_response-g2`)).toBe(true);
    expect((await ended(next.executionArn)).status).toBe('SUCCEEDED');

    // The old timer never ticked again: one call from it, one from the new one.
    expect(calls.map((c) => c.generation)).toEqual([1, 2]);
    expect(entered(old.executionArn, 'Tick')).toBe(1);
    expect(ends.map((e) => [e.name, e.status])).toEqual([
      [slaTimerExecutionName(timer), 'ABORTED'],
      [slaTimerExecutionName({ ...timer, generation: 2 }), 'SUCCEEDED'],
    ]);
  });

  it('superseded: a timer that was not stopped in time ends itself', async () => {
    const task = scripted([(request) => (request.generation < 2 ? stop('superseded') : stop('met'))]);
    const scheduler = register(task.handler);
    const { executionArn } = await scheduler.start(timer);
    const result = await ended(executionArn);
    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as { tick: TickAnswer }).tick.reason).toBe('superseded');
  });

  it('retries a Lambda throttling error, then carries on', async () => {
    const task = scripted([
      lambdaError('Lambda.TooManyRequestsException', 'Rate exceeded'),
      lambdaError('Lambda.ServiceException'),
      stop('met'),
    ]);
    const scheduler = register(task.handler);
    const { executionArn } = await scheduler.start(timer);
    const result = await ended(executionArn);

    expect(result.status).toBe('SUCCEEDED');
    expect(task.calls).toHaveLength(3);
    expect(engine.history(executionArn).filter((e) => e.type === 'StateRetried')).toHaveLength(2);
  });

  it('a task that keeps failing with a service error ends in the Fail state after all retries', async () => {
    const task = scripted([lambdaError('Lambda.ServiceException', 'Service unavailable')]);
    const scheduler = register(task.handler);
    const { executionArn } = await scheduler.start(timer);
    const result = await ended(executionArn);

    expect(result.status).toBe('FAILED');
    expect(task.calls).toHaveLength(1 + 6);
    expect(entered(executionArn, 'TickFailed')).toBe(1);
    expect(result.error?.error).toBe('Lambda.ServiceException');
    expect(JSON.parse(result.error?.cause ?? '{}')).toEqual({
      errorType: 'Lambda.ServiceException',
      errorMessage: 'Service unavailable',
    });
    expect(ends).toEqual([
      expect.objectContaining({
        status: 'FAILED',
        name: slaTimerExecutionName(timer),
        machine: SLA_TIMER_MACHINE,
      }),
    ]);
  });

  it("a task's own error is retried twice, then fails the timer", async () => {
    const task = scripted([new TypeError("Cannot read properties of undefined (reading 'sla')")]);
    const scheduler = register(task.handler);
    const { executionArn } = await scheduler.start(timer);
    const result = await ended(executionArn);
    expect(result.status).toBe('FAILED');
    expect(task.calls).toHaveLength(3);
    expect(result.error?.error).toBe('TypeError');
  });

  it('an answer outside the contract fails the timer instead of looping', async () => {
    const task = scripted([{ next: 'wait', wakeAt: null, reason: 'levels-fired' }]);
    const scheduler = register(task.handler);
    const { executionArn } = await scheduler.start(timer);
    const result = await ended(executionArn);
    expect(result.status).toBe('FAILED');
    expect(result.error?.error).toBe('SlaTimer.InvalidTickResult');
    expect(task.calls).toHaveLength(1);
  });
});
