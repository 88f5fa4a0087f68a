import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ExecutionDescription,
  type ExecutionEndEvent,
  executionArn,
  InvalidOutput,
  InvalidToken,
  LocalStepFunctions,
  type LocalTaskHandler,
  MAX_LOCAL_WAIT_MS,
  type TaskContext,
  TaskTimedOut,
} from '../../../local/step-functions.js';
import { eventually } from '../../support/eventually.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:work';
const nothing: LocalTaskHandler = async () => null;
// biome-ignore lint/suspicious/noTemplateCurlyInString: a DefinitionSubstitutions placeholder, not a template
const WORK_ARN_PLACEHOLDER = '${WorkArn}';

/** Work (a task) → Sleep (a Wait on $.wakeAt) → Done. */
const workThenSleep = {
  Comment: 'test machine',
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: WORK_ARN_PLACEHOLDER,
      InputPath: '$.job',
      Parameters: { 'id.$': '$.id', constant: 7 },
      ResultPath: '$.result',
      TimeoutSeconds: 30,
      Catch: [{ ErrorEquals: ['Custom.Error'], ResultPath: '$.caught', Next: 'Caught' }],
      Next: 'Sleep',
    },
    Sleep: { Type: 'Wait', TimestampPath: '$.wakeAt', Next: 'Done' },
    Done: { Type: 'Succeed' },
    Caught: { Type: 'Pass', End: true },
  },
};

let engine: LocalStepFunctions;
let ends: ExecutionEndEvent[];

beforeEach(() => {
  ends = [];
  engine = new LocalStepFunctions({ onExecutionEnd: (event) => ends.push(event) });
});
afterEach(async () => {
  vi.useRealTimers();
  await engine.stopAll({ graceMs: 1_000 });
});

function registerWork(work: LocalTaskHandler, options: { waitMs?: number; name?: string } = {}) {
  engine.register(options.name ?? 'work', {
    definition: workThenSleep,
    substitutions: { WorkArn: FN },
    tasks: { Work: work },
    ...(options.waitMs === undefined ? {} : { waitOverrides: { Sleep: options.waitMs } }),
  });
}

function ended(arn: string): Promise<ExecutionDescription> {
  return eventually(async () => engine.describeExecution(arn), {
    accept: (d) => d !== null && d.status !== 'RUNNING',
    what: `${arn} to end`,
  }) as Promise<ExecutionDescription>;
}

function sleeping(arn: string): Promise<unknown> {
  return eventually(
    async () => engine.history(arn).some((e) => e.type === 'StateEntered' && e.state?.name === 'Sleep'),
    { what: `${arn} to sleep` },
  );
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe('LocalStepFunctions: names and ARNs', () => {
  it('starts a name once: a second start, running or finished, returns the same ARN without running again', async () => {
    let runs = 0;
    registerWork(async () => {
      runs += 1;
      return 'ok';
    });
    const input = { job: { id: 'j1' }, wakeAt: inAnHour() };
    const first = await engine.startExecution('work', { name: 'job-1', input });
    expect(first).toEqual({ executionArn: executionArn('work', 'job-1'), started: true });
    expect(first.executionArn).toBe('arn:aws:states:local:000000000000:execution:work:job-1');
    await sleeping(first.executionArn);

    expect(await engine.startExecution('work', { name: 'job-1', input })).toEqual({
      executionArn: first.executionArn,
      started: false,
    });
    await engine.stopExecution(first.executionArn);
    expect(await engine.startExecution('work', { name: 'job-1', input })).toEqual({
      executionArn: first.executionArn,
      started: false,
    });
    expect(runs).toBe(1);
    expect(engine.listExecutions('work')).toHaveLength(1);
  });

  it('keeps names per state machine', async () => {
    registerWork(async () => 'ok', { waitMs: 0 });
    registerWork(async () => 'ok', { waitMs: 0, name: 'other' });
    const a = await engine.startExecution('work', {
      name: 'same',
      input: { job: { id: 'a' }, wakeAt: inAnHour() },
    });
    const b = await engine.startExecution('other', {
      name: 'same',
      input: { job: { id: 'b' }, wakeAt: inAnHour() },
    });
    expect(a.started && b.started).toBe(true);
    expect(a.executionArn).not.toBe(b.executionArn);
  });

  it('rejects invalid execution names and unknown machines', async () => {
    registerWork(async () => 'ok');
    await expect(engine.startExecution('work', { name: 'has space' })).rejects.toThrow(
      /Invalid execution name/,
    );
    await expect(engine.startExecution('work', { name: 'x'.repeat(81) })).rejects.toThrow(
      /Invalid execution name/,
    );
    await expect(engine.startExecution('nope', { name: 'a' })).rejects.toThrow(/not registered/);
  });
});

describe('LocalStepFunctions: registering', () => {
  it('needs a handler for every Task state, and every handler names a Task state', () => {
    expect(() =>
      engine.register('m', { definition: workThenSleep, substitutions: { WorkArn: FN }, tasks: {} }),
    ).toThrow(/Task state Work has no local handler/);
    expect(() =>
      engine.register('m', {
        definition: workThenSleep,
        substitutions: { WorkArn: FN },
        tasks: { Work: nothing, Sleep: nothing },
      }),
    ).toThrow(/handler Sleep names no Task state/);
  });

  it('needs a value for every substitution placeholder', () => {
    expect(() => engine.register('m', { definition: workThenSleep, tasks: { Work: nothing } })).toThrow(
      /no substitution for \$\{WorkArn\}/,
    );
  });

  it('keeps a task time limit longer than a Node timer allows from firing at once', async () => {
    const slowly: LocalTaskHandler = () => new Promise((resolve) => setTimeout(() => resolve('done'), 20));
    engine.register('patient', {
      definition: {
        StartAt: 'Slow',
        TimeoutSeconds: 31_536_000,
        States: { Slow: { Type: 'Task', Resource: FN, TimeoutSeconds: 31_536_000, End: true } },
      },
      tasks: { Slow: slowly },
    });
    const { executionArn: arn } = await engine.startExecution('patient', { name: 'p' });
    expect(await ended(arn)).toMatchObject({ status: 'SUCCEEDED', output: 'done' });
  });

  it('validates the definition like the engine does', () => {
    const broken = { StartAt: 'Missing', States: { Done: { Type: 'Succeed' } } };
    expect(() => engine.register('m', { definition: broken, tasks: {} })).toThrow(/invalid/i);
  });
});

describe('LocalStepFunctions: tasks', () => {
  it('gives a task its effective input (after InputPath and Parameters) and names the execution', async () => {
    const seen: Array<{ input: unknown; context: TaskContext }> = [];
    registerWork(
      async (input, context) => {
        seen.push({ input, context });
        return { at: new Date('2026-01-02T03:04:05.000Z'), nothing: undefined };
      },
      { waitMs: 0 },
    );
    const { executionArn: arn } = await engine.startExecution('work', {
      name: 'effective-input',
      input: { job: { id: 'j9', secret: 'not passed' }, wakeAt: inAnHour() },
    });
    const result = await ended(arn);

    expect(seen).toHaveLength(1);
    expect(seen[0]?.input).toEqual({ id: 'j9', constant: 7 });
    expect(seen[0]?.context).toMatchObject({
      machineName: 'work',
      executionName: 'effective-input',
      executionArn: arn,
      stateName: 'Work',
    });
    // The result went through JSON, like a Lambda response, then ResultPath.
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ result: { at: '2026-01-02T03:04:05.000Z' } });
  });

  it("matches a thrown error by its name, with Lambda's JSON cause", async () => {
    registerWork(async () => {
      throw Object.assign(new Error('no such ticket'), { name: 'Custom.Error' });
    });
    const { executionArn: arn } = await engine.startExecution('work', {
      name: 'caught',
      input: { job: { id: 'x' }, wakeAt: inAnHour() },
    });
    const result = await ended(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      caught: {
        Error: 'Custom.Error',
        Cause: JSON.stringify({ errorType: 'Custom.Error', errorMessage: 'no such ticket' }),
      },
    });
  });

  it('fails the execution with an uncaught error and reports it', async () => {
    registerWork(async () => {
      throw new RangeError('bad');
    });
    const { executionArn: arn } = await engine.startExecution('work', {
      name: 'fails',
      input: { job: { id: 'x' }, wakeAt: inAnHour() },
    });
    const result = await ended(arn);
    expect(result).toMatchObject({ status: 'FAILED', error: { error: 'RangeError' } });
    expect(ends).toEqual([
      {
        machine: 'work',
        name: 'fails',
        executionArn: arn,
        status: 'FAILED',
        error: {
          error: 'RangeError',
          cause: JSON.stringify({ errorType: 'RangeError', errorMessage: 'bad' }),
        },
      },
    ]);
    expect(engine.listExecutions('work', 'FAILED').map((e) => e.name)).toEqual(['fails']);
    expect(engine.listExecutions('work', 'RUNNING')).toEqual([]);
  });
});

describe('LocalStepFunctions: waits and stopping', () => {
  it('waits in real time by default: a future timestamp keeps it RUNNING, a past one continues at once', async () => {
    registerWork(async () => 'ok');
    const future = await engine.startExecution('work', {
      name: 'future',
      input: { job: { id: 'a' }, wakeAt: inAnHour() },
    });
    const past = await engine.startExecution('work', {
      name: 'past',
      input: { job: { id: 'b' }, wakeAt: '2020-01-01T00:00:00Z' },
    });
    expect((await ended(past.executionArn)).status).toBe('SUCCEEDED');
    await sleeping(future.executionArn);
    expect(engine.describeExecution(future.executionArn)?.status).toBe('RUNNING');
  });

  it('a stop ends an execution sleeping in a Wait at once, as ABORTED', async () => {
    registerWork(async () => 'ok');
    const { executionArn: arn } = await engine.startExecution('work', {
      name: 'stopped',
      input: { job: { id: 'a' }, wakeAt: inAnHour() },
    });
    await sleeping(arn);
    const before = Date.now();
    await engine.stopExecution(arn);
    expect(Date.now() - before).toBeLessThan(500);
    expect(engine.describeExecution(arn)).toMatchObject({ status: 'ABORTED', stopDate: expect.any(Date) });
    expect(ends).toEqual([expect.objectContaining({ name: 'stopped', status: 'ABORTED' })]);
    expect(engine.history(arn).some((e) => e.type === 'StateExited' && e.state?.name === 'Sleep')).toBe(
      false,
    );
  });

  it('stopping an unknown or finished execution is fine', async () => {
    await expect(engine.stopExecution(executionArn('work', 'never'))).resolves.toBeUndefined();
    registerWork(async () => 'ok', { waitMs: 0 });
    const { executionArn: arn } = await engine.startExecution('work', {
      name: 'done',
      input: { job: { id: 'a' }, wakeAt: inAnHour() },
    });
    await ended(arn);
    await engine.stopExecution(arn);
    expect(engine.describeExecution(arn)?.status).toBe('SUCCEEDED');
    expect(engine.describeExecution(executionArn('work', 'never'))).toBeNull();
  });

  it('stopAll aborts every running execution and waits for the task handlers still running', async () => {
    let handlerReturned = false;
    registerWork(async (input, context) => {
      if ((input as { id: string }).id !== 'busy') return 'ok';
      // A long task (a task-token wait, say) that ends when its execution is stopped.
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      handlerReturned = true;
      return 'late';
    });
    const sleepers = await Promise.all(
      ['s1', 's2'].map((name) =>
        engine.startExecution('work', { name, input: { job: { id: name }, wakeAt: inAnHour() } }),
      ),
    );
    const busy = await engine.startExecution('work', {
      name: 'busy',
      input: { job: { id: 'busy' }, wakeAt: inAnHour() },
    });
    await Promise.all(sleepers.map((s) => sleeping(s.executionArn)));

    await engine.stopAll();

    expect(handlerReturned).toBe(true);
    for (const { executionArn: arn } of [...sleepers, busy]) {
      expect(engine.describeExecution(arn)?.status).toBe('ABORTED');
    }
    expect(ends.map((e) => e.status)).toEqual(['ABORTED', 'ABORTED', 'ABORTED']);
    // The late result of the stopped task ran nothing further.
    expect(engine.history(busy.executionArn).some((e) => e.state?.name === 'Sleep')).toBe(false);
  });

  it('sleeps through waits longer than a Node timer allows, in steps of at most 20 days', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    registerWork(async () => 'ok');
    const { executionArn: arn } = await engine.startExecution('work', {
      name: 'month',
      input: { job: { id: 'a' }, wakeAt: new Date(Date.now() + 30 * 86_400_000).toISOString() },
    });
    // With one plain setTimeout, Node would end this 30-day wait after 1 ms.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(engine.describeExecution(arn)?.status).toBe('RUNNING');
    await vi.advanceTimersByTimeAsync(MAX_LOCAL_WAIT_MS);
    // The state after the wait then runs early; the machines re-check and wait again.
    expect(engine.describeExecution(arn)?.status).toBe('SUCCEEDED');
  });
});

/**
 * Ask (a Lambda invoked with a task token; its time limit read from the state
 * input, a key Parameters does not keep) → Done; a timeout and a rejection are
 * caught. States.TaskFailed is retried once (without pause, see `registerAsk`).
 */
const askAndWait = {
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: FN,
        Payload: {
          'question.$': '$.question',
          'taskToken.$': '$$.Task.Token',
          'link.$': "States.Format('https://desk.example/answer?token={}', $$.Task.Token)",
        },
      },
      TimeoutSecondsPath: '$.limitSeconds',
      ResultSelector: { 'answer.$': '$.answer' },
      ResultPath: '$.reply',
      Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1 }],
      Catch: [
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'TimedOut' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failed', Next: 'Failed' },
      ],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    TimedOut: { Type: 'Pass', End: true },
    Failed: { Type: 'Pass', End: true },
  },
};

interface AskCall {
  payload: { question: string; taskToken: string; link: string };
  context: TaskContext;
}

/** Registers `askAndWait` with a handler that records its calls (and runs `then`, if given, on each). */
function registerAsk(then?: (call: AskCall) => Promise<unknown>) {
  const calls: AskCall[] = [];
  engine.register('ask', {
    definition: askAndWait,
    tasks: {
      Ask: async (payload, context) => {
        const call = { payload: payload as AskCall['payload'], context };
        calls.push(call);
        return then ? then(call) : { ignored: true };
      },
    },
    retryOverrides: { Ask: 0 },
  });
  /** Resolves with the `n`th call (1-based) once the handler got it. */
  const call = (n: number) =>
    eventually(async () => calls[n - 1], { what: `call ${n} of Ask` }) as Promise<AskCall>;
  return { calls, call };
}

const ask = (name: string, limitSeconds = 60) =>
  engine.startExecution('ask', { name, input: { question: 'Refund?', limitSeconds } });

describe('LocalStepFunctions: task tokens', () => {
  it('hands the handler a fresh token where $$.Task.Token is read, and continues with the success output', async () => {
    const { calls, call } = registerAsk();
    const { executionArn: arn } = await ask('success');
    const { payload, context } = await call(1);

    expect(payload.taskToken).toMatch(/^[A-Za-z0-9_-]{64}$/);
    // Only the Lambda's Payload, as lambda:invoke sends it; the token also inside States.Format.
    expect(payload).toEqual({
      question: 'Refund?',
      taskToken: payload.taskToken,
      link: `https://desk.example/answer?token=${payload.taskToken}`,
    });
    expect(context).toMatchObject({ executionArn: arn, stateName: 'Ask', taskToken: payload.taskToken });
    // The handler's own result ({ ignored: true }) did not end the wait.
    expect(engine.describeExecution(arn)?.status).toBe('RUNNING');
    await expect(engine.sendTaskHeartbeat(payload.taskToken)).resolves.toBeUndefined();

    await engine.sendTaskSuccess(payload.taskToken, { answer: 'yes', extra: 'dropped by ResultSelector' });
    expect(await ended(arn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { question: 'Refund?', limitSeconds: 60, reply: { answer: 'yes' } },
    });
    expect(calls).toHaveLength(1);
  });

  it('fails the state with the error and cause of sendTaskFailure: retried with a new token, then caught', async () => {
    const { call } = registerAsk();
    const { executionArn: arn } = await ask('failure');
    const first = (await call(1)).payload.taskToken;
    await engine.sendTaskFailure(first, 'Desk.Rejected', 'The agent said no');

    // The States.TaskFailed retrier ran the state again: a new attempt, a new token; the old one is dead.
    const second = (await call(2)).payload.taskToken;
    expect(second).not.toBe(first);
    await expect(engine.sendTaskSuccess(first, { answer: 'late' })).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    await engine.sendTaskFailure(second, 'Desk.Rejected', 'Still no');

    expect(await ended(arn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { failed: { Error: 'Desk.Rejected', Cause: 'Still no' } },
    });
  });

  it('fails the attempt when the handler throws, as a failed invocation, and kills its token', async () => {
    let attempts = 0;
    const { call } = registerAsk(async () => {
      attempts += 1;
      throw Object.assign(new Error('table unavailable'), { name: 'Desk.Unavailable' });
    });
    const { executionArn: arn } = await ask('handler-throws');
    const token = (await call(1)).payload.taskToken;
    expect(await ended(arn)).toMatchObject({
      status: 'SUCCEEDED',
      output: {
        failed: {
          Error: 'Desk.Unavailable',
          Cause: JSON.stringify({ errorType: 'Desk.Unavailable', errorMessage: 'table unavailable' }),
        },
      },
    });
    expect(attempts).toBe(2);
    await expect(engine.sendTaskSuccess(token, { answer: 'x' })).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('lets the handler answer its own token before it returns', async () => {
    registerAsk(async ({ payload }) => engine.sendTaskSuccess(payload.taskToken, { answer: 'at once' }));
    const { executionArn: arn } = await ask('self-answered');
    expect(await ended(arn)).toMatchObject({ status: 'SUCCEEDED', output: { reply: { answer: 'at once' } } });
  });

  it('raises States.Timeout after TimeoutSecondsPath (read from the state input), not retried as States.TaskFailed', async () => {
    const { calls, call } = registerAsk();
    const started = Date.now();
    const { executionArn: arn } = await ask('timeout', 1);
    const token = (await call(1)).payload.taskToken;

    const result = await ended(arn);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { timedOut: { Error: 'States.Timeout' } } });
    expect(calls).toHaveLength(1);
    await expect(engine.sendTaskSuccess(token, { answer: 'too late' })).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    await expect(engine.sendTaskHeartbeat(token)).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('accepts exactly one answer: a second one, concurrent or later, fails with TaskTimedOut', async () => {
    const { call } = registerAsk();
    const { executionArn: arn } = await ask('twice');
    const token = (await call(1)).payload.taskToken;

    const outcomes = await Promise.allSettled([
      engine.sendTaskSuccess(token, { answer: 'first' }),
      engine.sendTaskSuccess(token, { answer: 'second' }),
      engine.sendTaskFailure(token, 'Desk.Rejected'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const lost of outcomes.slice(1)) {
      expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(TaskTimedOut);
    }
    expect(await ended(arn)).toMatchObject({ status: 'SUCCEEDED', output: { reply: { answer: 'first' } } });
    await expect(engine.sendTaskSuccess(token, { answer: 'after the end' })).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('tells a malformed token and an output that is not JSON apart from a dead token', async () => {
    const { call } = registerAsk();
    await ask('checks');
    const token = (await call(1)).payload.taskToken;

    await expect(engine.sendTaskSuccess('not-a-token', {})).rejects.toBeInstanceOf(InvalidToken);
    await expect(engine.sendTaskFailure('', 'E')).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(engine.sendTaskSuccess('A'.repeat(64), {})).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(engine.sendTaskSuccess(token, undefined)).rejects.toBeInstanceOf(InvalidOutput);
    await expect(engine.sendTaskSuccess(token, { n: 1n })).rejects.toMatchObject({ name: 'InvalidOutput' });
    await expect(engine.sendTaskSuccess(token, 'x'.repeat(300_000))).rejects.toMatchObject({
      name: 'InvalidOutput',
    });
    // None of these answered it.
    await expect(engine.sendTaskHeartbeat(token)).resolves.toBeUndefined();
  });

  it('a stop ends the wait at once, as ABORTED, and kills the token', async () => {
    const { call } = registerAsk();
    // A year: longer than a Node timer allows, so shortened (it would otherwise time out at once).
    const { executionArn: arn } = await ask('stopped', 31_536_000);
    const { payload, context } = await call(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(engine.describeExecution(arn)?.status).toBe('RUNNING');

    const before = Date.now();
    await engine.stopExecution(arn);
    expect(Date.now() - before).toBeLessThan(500);
    expect(context.signal.aborted).toBe(true);
    expect(engine.describeExecution(arn)).toMatchObject({ status: 'ABORTED' });
    await expect(engine.sendTaskSuccess(payload.taskToken, { answer: 'late' })).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    expect(engine.history(arn).some((e) => e.state?.name === 'Done')).toBe(false);
    expect(ends).toEqual([expect.objectContaining({ name: 'stopped', status: 'ABORTED' })]);
  });

  it('without a time limit, waits longer than the engine’s 60 s default for plain tasks', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const calls: unknown[] = [];
    const send: LocalTaskHandler = async (request) => {
      calls.push(request);
    };
    engine.register('patient-ask', {
      definition: {
        StartAt: 'Ask',
        States: {
          Ask: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
            Parameters: { QueueUrl: 'https://sqs.local/q', MessageBody: { 'token.$': '$$.Task.Token' } },
            End: true,
          },
        },
      },
      tasks: { Ask: send },
    });
    const { executionArn: arn } = await engine.startExecution('patient-ask', { name: 'days' });
    await vi.advanceTimersByTimeAsync(3 * 86_400_000);
    expect(engine.describeExecution(arn)?.status).toBe('RUNNING');

    // Another service integration: the handler gets the whole request (its Parameters).
    const [request] = calls as Array<{ QueueUrl: string; MessageBody: { token: string } }>;
    expect(request?.QueueUrl).toBe('https://sqs.local/q');
    await engine.sendTaskSuccess(request!.MessageBody.token, { delivered: true });
    await vi.advanceTimersByTimeAsync(10);
    expect(engine.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', output: { delivered: true } });
  });
});

describe('LocalStepFunctions: lambda:invoke', () => {
  it('sends the function the Payload and answers with its result under Payload, as that integration does', async () => {
    const events: unknown[] = [];
    const work: LocalTaskHandler = async (event) => {
      events.push(event);
      return { doubled: 42 };
    };
    engine.register('invoke', {
      definition: {
        StartAt: 'Invoke',
        States: {
          Invoke: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: FN, Payload: { 'n.$': '$.n' } },
            ResultSelector: { 'result.$': '$.Payload', 'status.$': '$.StatusCode' },
            ResultPath: '$.invoked',
            TimeoutSeconds: 30,
            End: true,
          },
        },
      },
      tasks: { Invoke: work },
    });
    const { executionArn: arn } = await engine.startExecution('invoke', { name: 'i', input: { n: 21 } });
    expect(await ended(arn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { n: 21, invoked: { result: { doubled: 42 }, status: 200 } },
    });
    expect(events).toEqual([{ n: 21 }]);
  });
});

describe('LocalStepFunctions: time limits', () => {
  it('reads TimeoutSecondsPath from the state input, and gives the handler the effective input', async () => {
    const inputs: unknown[] = [];
    const slow: LocalTaskHandler = async (input) => {
      inputs.push(input);
      return new Promise((resolve) => setTimeout(() => resolve('late'), 3_000));
    };
    engine.register('limited', {
      definition: {
        StartAt: 'Slow',
        States: {
          Slow: {
            Type: 'Task',
            Resource: FN,
            InputPath: '$.job',
            Parameters: { 'id.$': '$.id' },
            TimeoutSecondsPath: '$.limitSeconds',
            Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'TimedOut' }],
            End: true,
          },
          TimedOut: { Type: 'Pass', End: true },
        },
      },
      tasks: { Slow: slow },
    });
    // The handler would answer after 3 s: the 1 s limit, read from the state input, ends it first.
    const { executionArn: arn } = await engine.startExecution('limited', {
      name: 'path',
      input: { job: { id: 'j1', limitSeconds: 1 } },
    });
    expect(await ended(arn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { job: { id: 'j1', limitSeconds: 1 }, timedOut: { Error: 'States.Timeout' } },
    });
    expect(inputs).toEqual([{ id: 'j1' }]);
  });
});
