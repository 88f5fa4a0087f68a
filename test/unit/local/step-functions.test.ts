import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ExecutionDescription,
  type ExecutionEndEvent,
  executionArn,
  LocalStepFunctions,
  type LocalTaskHandler,
  MAX_LOCAL_WAIT_MS,
  type TaskContext,
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
