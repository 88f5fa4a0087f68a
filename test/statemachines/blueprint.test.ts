import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { type BlueprintDefinition, validateBlueprint } from '../../functions/domain/blueprints/definition.js';
import {
  applyTransition,
  type BlueprintRun,
  checkDeadline,
  type Performer,
  type PlannedNotification,
  startRun,
  type TransitionInput,
} from '../../functions/domain/blueprints/runtime.js';
import {
  acceptTaskToken,
  type DeadlineTaskResult,
  deadlineTaskResult,
  parseBlueprintTaskRequest,
  type TransitionTaskOutput,
} from '../../functions/domain/blueprints/task-contract.js';
import { TWENTY_FOUR_SEVEN } from '../../functions/domain/business-hours/calendar.js';
import {
  Forbidden,
  TicketNotFound,
  ValidationFailed,
  VersionConflict,
} from '../../functions/domain/shared/errors.js';
import type { CustomFieldValue, Priority, TicketStatus } from '../../functions/domain/tickets/model.js';
import {
  BLUEPRINT_DEFINITION_FILE,
  BLUEPRINT_MACHINE,
  blueprintExecutionName,
  registerBlueprintMachine,
} from '../../local/blueprint-machine.js';
import {
  type ExecutionDescription,
  LocalStepFunctions,
  type LocalTaskHandler,
  TaskTimedOut,
} from '../../local/step-functions.js';
import { eventually } from '../support/eventually.js';

/**
 * The blueprint interpreter (statemachines/blueprint.asl.json) run by the
 * local runner (`LocalStepFunctions` + `registerBlueprintMachine`), its two
 * Task states answered by one task function, as the Lambda answers them on
 * AWS: `deadline` (CheckDeadline) and `await` (AwaitTransition, which gets
 * the task token the runner minted for the wait). First with a scripted task
 * function and the test answering the tokens; then with an in-memory desk
 * built on the blueprint domain, whose `transition` plays the API: it applies
 * a transition with a compare-and-set on the ticket's version and answers the
 * stored token with the runner's `sendTaskSuccess`.
 */

const PLACEHOLDER = '$' + '{BlueprintTaskFunctionArn}';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:blueprint-task';
const aslText = readFileSync(BLUEPRINT_DEFINITION_FILE, 'utf8');
const rawDefinition = JSON.parse(aslText) as AslDefinition;
const definition = JSON.parse(aslText.replaceAll(PLACEHOLDER, FUNCTION_ARN)) as AslDefinition;

interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, Record<string, unknown> & { Type: string; Comment?: string }>;
}

type AslValidator = (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const T0 = new Date('2026-03-02T09:00:00.000Z');

const alice: Performer = { agentId: 'alice', role: 'agent', teamIds: ['tier-1'], departmentIds: ['support'] };
const bob: Performer = {
  agentId: 'bob',
  role: 'agent',
  teamIds: ['billing-team'],
  departmentIds: ['billing'],
};
const sue: Performer = { agentId: 'sue', role: 'supervisor', teamIds: [], departmentIds: ['support'] };
const mallory: Performer = {
  agentId: 'mallory',
  role: 'agent',
  teamIds: ['tier-2'],
  departmentIds: ['support'],
};

/** triage (30 min) → review (2 h) → resolved → closed; review can send the ticket back to triage. */
const blueprint: BlueprintDefinition = validateBlueprint({
  id: 'complaints',
  name: 'Complaints',
  departmentId: 'support',
  version: 3,
  entry: { conditions: [] },
  startState: 'triage',
  states: [
    { id: 'triage', name: 'Triage', status: 'open', timeLimit: { minutes: 30, clock: 'calendar' } },
    { id: 'review', name: 'Review', status: 'on_hold', timeLimit: { minutes: 120, clock: 'calendar' } },
    { id: 'resolved', name: 'Resolved', status: 'solved' },
    { id: 'closed', name: 'Closed', status: 'closed', final: true },
  ],
  transitions: [
    {
      id: 'to-review',
      name: 'Send to review',
      from: 'triage',
      to: 'review',
      performers: { teamIds: ['tier-1'] },
      requiredFields: [{ fieldId: 'order_ref', label: 'Order reference', type: 'text' }],
      actions: [
        { type: 'notify', to: { teamId: 'billing-team' }, template: { subject: 'Review', body: 'Please' } },
      ],
    },
    {
      id: 'resolve',
      name: 'Resolve',
      from: 'review',
      to: 'resolved',
      performers: { departmentIds: ['billing'] },
      requireNote: true,
    },
    {
      id: 'send-back',
      name: 'Send back',
      from: 'review',
      to: 'triage',
      performers: { roles: ['supervisor'] },
    },
    { id: 'close', name: 'Close', from: 'resolved', to: 'closed', performers: { teamIds: ['tier-1'] } },
  ],
});

const toReview = (performer: Performer = alice): TransitionInput => ({
  transitionId: 'to-review',
  performer,
  fields: { order_ref: 'ORD-7' },
});

interface TicketItem {
  id: string;
  status: TicketStatus;
  priority: Priority;
  customFields: Record<string, CustomFieldValue>;
  run: BlueprintRun;
  /** Bumped by every write; writes are conditional on it (the table's optimistic lock). */
  version: number;
}

const storeRoundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether Step Functions still waits for `token` (SendTaskHeartbeat answers TaskTimedOut otherwise). */
async function tokenWaits(engine: LocalStepFunctions, token: string): Promise<boolean> {
  try {
    await engine.sendTaskHeartbeat(token);
    return true;
  } catch (error) {
    if (error instanceof TaskTimedOut) return false;
    throw error;
  }
}

/** The tickets table, the blueprint task function and the API's transition endpoint, in memory. */
class Desk {
  now = T0;
  readonly tickets = new Map<string, TicketItem>();
  readonly notifications: Array<PlannedNotification & { ticketId: string }> = [];
  readonly deadlineCalls: Array<{ at: number; result: DeadlineTaskResult | null }> = [];
  /** What AwaitTransition's task received: the Lambda's payload, with the task token. */
  readonly awaitInputs: Array<Record<string, unknown>> = [];
  /** Errors the deadline task throws before it answers (one per call). */
  readonly deadlineFaults: Error[] = [];

  constructor(
    readonly engine: LocalStepFunctions,
    private readonly maxSliceSeconds: number,
  ) {}

  open(ticketId: string): TicketItem {
    const run = startRun(blueprint, this.now, TWENTY_FOUR_SEVEN);
    const start = blueprint.states.find((s) => s.id === run.stateId)!;
    const item: TicketItem = {
      id: ticketId,
      status: start.status,
      priority: 'normal',
      customFields: {},
      run,
      version: 1,
    };
    this.tickets.set(ticketId, item);
    return item;
  }

  read(ticketId: string): TicketItem {
    const item = this.tickets.get(ticketId);
    if (!item) throw new TicketNotFound(ticketId);
    return item;
  }

  /** A conditional write: refused when the ticket changed since `read` was read. */
  private write(read: TicketItem, changes: Partial<Omit<TicketItem, 'id' | 'version'>>): TicketItem {
    const current = this.read(read.id);
    if (current.version !== read.version) throw new VersionConflict('Ticket', read.version, current.version);
    const next = { ...current, ...changes, version: current.version + 1 };
    this.tickets.set(read.id, next);
    return next;
  }

  /** The blueprint task function: one Lambda, two actions. */
  readonly task: LocalTaskHandler = async (event) =>
    (event as { action?: unknown }).action === 'await' ? this.awaitTask(event) : this.deadlineTask(event);

  /** Action `deadline` (state CheckDeadline). */
  private async deadlineTask(event: unknown): Promise<DeadlineTaskResult> {
    const fault = this.deadlineFaults.shift();
    if (fault) {
      this.deadlineCalls.push({ at: Date.now(), result: null });
      throw fault;
    }
    const request = parseBlueprintTaskRequest(event);
    if (request.action !== 'deadline') throw new Error(`unexpected action ${request.action}`);
    const item = this.read(request.ticketId);
    const check = checkDeadline(blueprint, item.run, this.now, { maxSliceSeconds: this.maxSliceSeconds });
    if (check.run !== item.run) this.write(item, { run: check.run });
    if (check.escalation) this.notifications.push({ ...check.escalation, ticketId: item.id });
    const result = deadlineTaskResult(check);
    this.deadlineCalls.push({ at: Date.now(), result });
    return result;
  }

  /** Action `await` (state AwaitTransition): store the token, or answer it at once when the run moved on. */
  private async awaitTask(event: unknown): Promise<void> {
    this.awaitInputs.push(event as Record<string, unknown>);
    const request = parseBlueprintTaskRequest(event);
    if (request.action !== 'await') throw new Error(`unexpected action ${request.action}`);
    const item = this.read(request.ticketId);
    const decision = acceptTaskToken(item.run, request);
    if (decision.kind === 'resync') await this.engine.sendTaskSuccess(request.taskToken, decision.output);
    else this.write(item, { run: decision.run });
  }

  /**
   * The API: apply an agent's transition (conditional on the version read),
   * then answer the run's token. A token that is no longer waiting (its wait
   * timed out meanwhile: TaskTimedOut) is not an error: the run is the truth
   * and the machine catches up in CheckDeadline.
   */
  async transition(
    ticketId: string,
    input: TransitionInput,
  ): Promise<{ output: TransitionTaskOutput; answered: boolean }> {
    const item = this.read(ticketId);
    const applied = applyTransition(blueprint, item.run, input, this.now, TWENTY_FOUR_SEVEN);
    await storeRoundTrip();
    this.write(item, {
      run: applied.run,
      status: applied.ticketPatch.status,
      customFields: { ...item.customFields, ...applied.ticketPatch.customFields },
      priority: applied.ticketPatch.priority ?? item.priority,
    });
    this.notifications.push(...applied.actions.map((a) => ({ ...a, ticketId })));
    const token = item.run.taskToken;
    return { output: applied.output, answered: token !== null && (await this.answer(token, applied.output)) };
  }

  private async answer(token: string, output: TransitionTaskOutput): Promise<boolean> {
    try {
      await this.engine.sendTaskSuccess(token, output);
      return true;
    } catch (error) {
      if (error instanceof TaskTimedOut) return false;
      throw error;
    }
  }

  /** Resolves with the token once the ticket waits for a transition in `stateId`. */
  waitingIn(ticketId: string, stateId: string): Promise<string> {
    return eventually(
      async () => {
        const { run } = this.read(ticketId);
        return run.stateId === stateId &&
          run.taskToken !== null &&
          (await tokenWaits(this.engine, run.taskToken))
          ? run.taskToken
          : null;
      },
      { what: `ticket ${ticketId} waiting in ${stateId}`, timeoutMs: 10_000, intervalMs: 20 },
    ) as Promise<string>;
  }

  overdueNotices(ticketId: string): PlannedNotification[] {
    return this.notifications.filter((n) => n.ticketId === ticketId && n.reason === 'overdue');
  }
}

const engines: LocalStepFunctions[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.stopAll({ graceMs: 1_000 })));
});

/** A runner with the blueprint machine registered, its task answered by `task`, retries without pause. */
function runner(task: (engine: LocalStepFunctions) => LocalTaskHandler): LocalStepFunctions {
  const engine = new LocalStepFunctions({ onExecutionEnd: () => undefined });
  engines.push(engine);
  registerBlueprintMachine(engine, { task: task(engine), retryOverrideMs: 0 });
  return engine;
}

/** A desk whose task function answers the blueprint machine of a new runner. */
function newDesk(maxSliceSeconds: number): Desk {
  let desk: Desk | undefined;
  runner((engine) => {
    desk = new Desk(engine, maxSliceSeconds);
    return desk.task;
  });
  return desk!;
}

/** Starts the interpreter for a ticket, named as the runtime names it. */
async function start(
  engine: LocalStepFunctions,
  run: { ticketId: string; blueprintId: string; version: number },
) {
  const { executionArn, started } = await engine.startExecution(BLUEPRINT_MACHINE, {
    name: blueprintExecutionName(run.ticketId, run.blueprintId, run.version),
    input: { ticketId: run.ticketId, blueprintId: run.blueprintId, version: run.version },
  });
  expect(started).toBe(true);
  const entered = () =>
    engine.history(executionArn).flatMap((e) => (e.type === 'StateEntered' && e.state ? [e.state.name] : []));
  const ended = () =>
    eventually(async () => engine.describeExecution(executionArn), {
      accept: (d) => d !== null && d.status !== 'RUNNING',
      what: `${executionArn} to end`,
    }) as Promise<ExecutionDescription>;
  return { arn: executionArn, entered, ended };
}

function startExecution(desk: Desk, ticketId: string) {
  const { run } = desk.read(ticketId);
  return start(desk.engine, { ticketId, blueprintId: run.blueprintId, version: run.version });
}

describe('the blueprint state machine definition', () => {
  it('is valid ASL, before and after the substitution', () => {
    for (const candidate of [rawDefinition, definition]) {
      const { isValid, errorsText } = aslValidator(candidate, { checkArn: true, checkPaths: true });
      expect(errorsText(), errorsText()).toBe('');
      expect(isValid).toBe(true);
    }
  });

  it('comments the machine and every state', () => {
    expect(rawDefinition.Comment).toBeTruthy();
    const uncommented = Object.entries(rawDefinition.States).filter(([, state]) => !state.Comment);
    expect(uncommented.map(([name]) => name)).toEqual([]);
  });

  it('reads the time slice under the same key in the state input and after Parameters', () => {
    const wait = rawDefinition.States.AwaitTransition!;
    const payload = (wait.Parameters as { Payload: Record<string, string> }).Payload;
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.TimeoutSecondsPath).toBe('$.Payload.timeSliceSeconds');
    expect(wait.TimeoutSeconds).toBeUndefined();
    expect(payload['timeSliceSeconds.$']).toBe('$.Payload.timeSliceSeconds');
    expect(payload['taskToken.$']).toBe('$$.Task.Token');
    expect(rawDefinition.States.CheckDeadline!.ResultPath).toBe('$.Payload');
  });
});

describe('the blueprint state machine, run by the local runner with task tokens', () => {
  const run = { ticketId: '01JTICKET0000000000000000A', blueprintId: 'complaints', version: 3 };
  const deadline = { action: 'deadline', ...run };
  const answer = (stateId: string, timeSliceSeconds: number, extra: Partial<DeadlineTaskResult> = {}) =>
    ({ stateId, completed: false, overdue: false, escalated: false, timeSliceSeconds, ...extra }) as const;

  /** A task function that answers `deadline` from `answers` (in order) and records every call. */
  function scripted(answers: DeadlineTaskResult[]) {
    const calls: Array<Record<string, unknown>> = [];
    const engine = runner(() => async (event) => {
      const request = event as Record<string, unknown>;
      calls.push(request);
      if (request.action !== 'deadline') return { ignored: 'the await task answers with its token' };
      const next = answers.shift();
      if (!next) throw new Error('no more deadline answers scripted');
      return next;
    });
    const awaits = () => calls.filter((c) => c.action === 'await');
    /** Resolves with the `n`th await call (1-based) once the task got it. */
    const awaitCall = (n: number) =>
      eventually(async () => awaits()[n - 1], { what: `await call ${n}` }) as Promise<
        Record<string, unknown>
      >;
    return { engine, calls, awaitCall };
  }

  it('waits on a token, continues with the transition sent for it, and succeeds at a final state', async () => {
    const { engine, calls, awaitCall } = scripted([answer('triage', 1800), answer('review', 7200)]);
    const execution = await start(engine, run);
    expect(execution.arn).toMatch(/:execution:blueprint:01JTICKET0000000000000000A-complaints-v3$/);

    // Exactly what the Lambda receives: the deadline check, then the await payload with a real token.
    const first = await awaitCall(1);
    const token1 = first.taskToken as string;
    expect(token1).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(calls).toEqual([
      deadline,
      { action: 'await', ...run, stateId: 'triage', timeSliceSeconds: 1800, taskToken: token1 },
    ]);
    expect(parseBlueprintTaskRequest(first)).toMatchObject({ action: 'await', taskToken: token1 });
    expect(engine.describeExecution(execution.arn)?.status).toBe('RUNNING');

    // The API answers the token after a non-final transition: the machine checks the new state's deadline and waits again.
    const toReviewOutput: TransitionTaskOutput = {
      transitionId: 'to-review',
      toStateId: 'review',
      final: false,
    };
    await engine.sendTaskSuccess(token1, toReviewOutput);
    const second = await awaitCall(2);
    const token2 = second.taskToken as string;
    expect(token2).not.toBe(token1);
    expect(calls.slice(2)).toEqual([
      deadline,
      { action: 'await', ...run, stateId: 'review', timeSliceSeconds: 7200, taskToken: token2 },
    ]);
    await expect(engine.sendTaskSuccess(token1, toReviewOutput)).rejects.toBeInstanceOf(TaskTimedOut);

    // A transition into a final state ends the execution.
    const closeOutput = {
      transitionId: 'close',
      toStateId: 'closed',
      final: true,
      ignored: 'by ResultSelector',
    };
    await engine.sendTaskSuccess(token2, closeOutput);
    const ended = await execution.ended();
    expect(ended).toMatchObject({
      status: 'SUCCEEDED',
      output: {
        ...run,
        Payload: answer('review', 7200),
        transition: { transitionId: 'close', toStateId: 'closed', final: true },
      },
    });
    expect(ended.output).not.toHaveProperty('transition.ignored');
    expect(execution.entered()).toEqual([
      'CheckDeadline',
      'IsRunComplete',
      'AwaitTransition',
      'IsFinalState',
      'CheckDeadline',
      'IsRunComplete',
      'AwaitTransition',
      'IsFinalState',
      'BlueprintCompleted',
    ]);
  });

  it('ends a wait after its time slice, checks the deadline, and waits again on a new token', async () => {
    const { engine, calls, awaitCall } = scripted([
      answer('triage', 1),
      answer('triage', 3600, { overdue: true, escalated: true }),
    ]);
    const execution = await start(engine, run);
    const token1 = (await awaitCall(1)).taskToken as string;
    const waitedFrom = Date.now();

    // Nobody answers: after one second (TimeoutSecondsPath $.Payload.timeSliceSeconds) States.Timeout is caught.
    const second = await awaitCall(2);
    expect(Date.now() - waitedFrom).toBeGreaterThanOrEqual(900);
    const token2 = second.taskToken as string;
    expect(token2).not.toBe(token1);
    expect(calls.map((c) => c.action)).toEqual(['deadline', 'await', 'deadline', 'await']);
    expect(second).toEqual({
      action: 'await',
      ...run,
      stateId: 'triage',
      timeSliceSeconds: 3600,
      taskToken: token2,
    });
    const timedOut = engine
      .history(execution.arn)
      .filter((e) => e.type === 'StateFailed' && e.state?.name === 'AwaitTransition');
    expect(timedOut.map((e) => e.error)).toEqual(['States.Timeout']);

    // The timed-out token is dead; the new one is answered and the machine goes on.
    await expect(
      engine.sendTaskSuccess(token1, { transitionId: 'x', toStateId: 'y', final: true }),
    ).rejects.toThrow(TaskTimedOut);
    expect(engine.describeExecution(execution.arn)?.status).toBe('RUNNING');
    await engine.sendTaskSuccess(token2, { transitionId: 'close', toStateId: 'closed', final: true });
    expect(await execution.ended()).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('a stopped execution ends its wait and its token', async () => {
    const { engine, awaitCall } = scripted([answer('triage', 3600)]);
    const execution = await start(engine, run);
    const token = (await awaitCall(1)).taskToken as string;
    await engine.stopExecution(execution.arn);
    expect(engine.describeExecution(execution.arn)?.status).toBe('ABORTED');
    await expect(tokenWaits(engine, token)).resolves.toBe(false);
  });
});

describe('the blueprint state machine, run locally', () => {
  it('follows a ticket through every state until it succeeds', async () => {
    const desk = newDesk(3600);
    desk.open('t1');
    const execution = await startExecution(desk, 't1');

    await desk.waitingIn('t1', 'triage');
    expect(desk.deadlineCalls[0]?.result).toMatchObject({ stateId: 'triage', timeSliceSeconds: 1800 });
    expect(await desk.transition('t1', toReview())).toMatchObject({ answered: true });

    await desk.waitingIn('t1', 'review');
    expect(desk.read('t1')).toMatchObject({ status: 'on_hold', customFields: { order_ref: 'ORD-7' } });
    await desk.transition('t1', { transitionId: 'resolve', performer: bob, note: 'Refunded in full' });

    await desk.waitingIn('t1', 'resolved');
    expect(desk.read('t1').status).toBe('solved');
    expect(await desk.transition('t1', { transitionId: 'close', performer: alice })).toMatchObject({
      output: { transitionId: 'close', toStateId: 'closed', final: true },
      answered: true,
    });

    const ended = await execution.ended();
    expect(ended.status).toBe('SUCCEEDED');
    const output = ended.output as { transition: TransitionTaskOutput };
    expect(output.transition).toEqual({ transitionId: 'close', toStateId: 'closed', final: true });
    const ticket = desk.read('t1');
    expect(ticket.status).toBe('closed');
    expect(ticket.run.completedAt).toBe(T0.toISOString());
    expect(ticket.run.history.map((h) => [h.stateId, h.transitionId, h.performerId])).toEqual([
      ['triage', 'to-review', 'alice'],
      ['review', 'resolve', 'bob'],
      ['resolved', 'close', 'alice'],
    ]);
    expect(desk.notifications.map((n) => n.recipients)).toEqual([[{ teamId: 'billing-team' }]]);
    expect(execution.entered().at(-1)).toBe('BlueprintCompleted');
    // One CheckDeadline per state entered, one wait per state: no timeouts along the way.
    expect(desk.deadlineCalls).toHaveLength(3);
    expect(desk.awaitInputs).toHaveLength(3);
  });

  it('keeps waiting in the same state after a refused transition, then continues with a valid one', async () => {
    const desk = newDesk(3600);
    desk.open('t2');
    await startExecution(desk, 't2');
    const token = await desk.waitingIn('t2', 'triage');

    await expect(desk.transition('t2', toReview(mallory))).rejects.toThrow(Forbidden);
    const missing = desk.transition('t2', { ...toReview(), fields: {} });
    await expect(missing).rejects.toThrow(ValidationFailed);
    await expect(missing).rejects.toThrow(
      '"Send to review" cannot be done yet: "Order reference" (order_ref) is required',
    );
    await expect(desk.transition('t2', { transitionId: 'close', performer: alice })).rejects.toThrow(
      /leaves the state "Resolved", but the ticket is in "Triage"/,
    );

    // Nothing moved: same state, same token still waiting, no new task call.
    expect(desk.read('t2').run).toMatchObject({ stateId: 'triage', taskToken: token, history: [] });
    expect(await tokenWaits(desk.engine, token)).toBe(true);
    expect(desk.deadlineCalls).toHaveLength(1);
    expect(desk.awaitInputs).toHaveLength(1);

    await desk.transition('t2', toReview());
    await desk.waitingIn('t2', 'review');
    expect(desk.read('t2').run.history).toHaveLength(1);
  });

  it('escalates once when a time limit passes while the ticket keeps waiting, then goes on', async () => {
    const desk = newDesk(1);
    desk.open('t3');
    await startExecution(desk, 't3');
    await desk.waitingIn('t3', 'triage');

    // Half an hour and a minute later (on the desk's clock) the triage limit has passed.
    desk.now = new Date(T0.getTime() + 31 * 60_000);
    await eventually(async () => desk.overdueNotices('t3').length === 1, { what: 'the escalation' });
    const escalatedAt = desk.deadlineCalls.length;

    // Two more time slices go by: the ticket keeps waiting, no second escalation.
    await eventually(async () => desk.deadlineCalls.length >= escalatedAt + 2, {
      what: 'two more time slices',
    });
    const token = await desk.waitingIn('t3', 'triage');
    expect(desk.overdueNotices('t3')).toHaveLength(1);
    expect(desk.overdueNotices('t3')[0]).toMatchObject({
      stateId: 'triage',
      recipients: [{ teamId: 'tier-1' }, 'supervisor'],
    });
    expect(desk.deadlineCalls.filter((c) => c.result?.escalated)).toHaveLength(1);
    expect(desk.read('t3').run).toMatchObject({ stateId: 'triage', overdue: true, taskToken: token });

    // Each slice was one second (TimeoutSecondsPath), not the engine's 60 s default.
    const gaps = desk.deadlineCalls.slice(1).map((c, i) => c.at - desk.deadlineCalls[i]!.at);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(900);
      expect(gap).toBeLessThan(5000);
    }
    // Each wait had its own token, every earlier one dead.
    const tokens = desk.awaitInputs.map((input) => input.taskToken as string);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const old of tokens.slice(0, -1)) expect(await tokenWaits(desk.engine, old)).toBe(false);
    for (const input of desk.awaitInputs) expect(input).toMatchObject({ timeSliceSeconds: 1 });

    await desk.transition('t3', toReview());
    await desk.waitingIn('t3', 'review');
    const run = desk.read('t3').run;
    expect(run).toMatchObject({
      overdue: false,
      deadlineAt: new Date(desk.now.getTime() + 120 * 60_000).toISOString(),
    });
    expect(run.history[0]).toMatchObject({ stateId: 'triage', overdue: true });
  });

  it('lets exactly one of two concurrent transitions win, and advances once', async () => {
    const desk = newDesk(3600);
    desk.open('t4');
    await startExecution(desk, 't4');
    await desk.waitingIn('t4', 'triage');
    await desk.transition('t4', toReview());
    const token = await desk.waitingIn('t4', 'review');

    const outcomes = await Promise.allSettled([
      desk.transition('t4', { transitionId: 'resolve', performer: bob, note: 'Refund' }),
      desk.transition('t4', { transitionId: 'send-back', performer: sue }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(VersionConflict);
    expect(String(lost[0]?.reason)).toMatch(/Ticket was changed by someone else.*reload it and try again/);

    const winner = (won[0] as PromiseFulfilledResult<{ output: TransitionTaskOutput }>).value.output;
    await desk.waitingIn('t4', winner.toStateId);
    expect(await tokenWaits(desk.engine, token)).toBe(false);
    expect(desk.read('t4').run.history.map((h) => h.transitionId)).toEqual([
      'to-review',
      winner.transitionId,
    ]);
    // One CheckDeadline and one wait per state entered: the machine moved exactly once.
    expect(desk.deadlineCalls).toHaveLength(3);
    expect(desk.awaitInputs).toHaveLength(3);
  });

  it('catches up at the next time slice when a transition could not answer the token', async () => {
    const desk = newDesk(1);
    desk.open('t5');
    await startExecution(desk, 't5');
    const token = await desk.waitingIn('t5', 'triage');

    // The API applied the transition but its SendTaskSuccess never arrived.
    const item = desk.read('t5');
    const applied = applyTransition(blueprint, item.run, toReview(), desk.now, TWENTY_FOUR_SEVEN);
    desk.tickets.set('t5', {
      ...item,
      run: applied.run,
      status: applied.ticketPatch.status,
      version: item.version + 1,
    });

    const next = await desk.waitingIn('t5', 'review');
    expect(next).not.toBe(token);
    expect(desk.awaitInputs.at(-1)).toMatchObject({ stateId: 'review', taskToken: next });
  });

  it('retries a throttled task and fails the execution when a task keeps failing', async () => {
    const desk = newDesk(3600);
    desk.open('t6');
    desk.deadlineFaults.push(
      Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' }),
    );
    await startExecution(desk, 't6');
    await desk.waitingIn('t6', 'triage');
    expect(desk.deadlineCalls.map((c) => c.result === null)).toEqual([true, false]);

    // The ticket is gone: the task keeps throwing TicketNotFound.
    const gone = newDesk(3600);
    gone.open('t7');
    gone.deadlineFaults.push(...Array.from({ length: 4 }, () => new TicketNotFound('t7')));
    const execution = await startExecution(gone, 't7');
    expect(await execution.ended()).toMatchObject({ status: 'FAILED', error: { error: 'TicketNotFound' } });
    expect(execution.entered().at(-1)).toBe('BlueprintFailed');
    // The first call and the three retries of States.TaskFailed, then the Catch.
    expect(gone.deadlineCalls).toHaveLength(4);
    expect(gone.awaitInputs).toHaveLength(0);
  });
});
