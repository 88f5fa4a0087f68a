import '../../local/promise-polyfill.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
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
import { eventually } from '../support/eventually.js';

/**
 * The blueprint interpreter (statemachines/blueprint.asl.json) run by
 * aws-local-stepfunctions, its two Task states answered by an in-memory desk
 * built on the blueprint domain: `deadline` (CheckDeadline) and `await`
 * (AwaitTransition, which mints the task token itself: the local engine has
 * no `$$.Task.Token`). The desk's `transition` plays the API: it applies a
 * transition with a compare-and-set on the ticket's version and answers the
 * stored token, as SendTaskSuccess would.
 */

const ASL_PATH = join(import.meta.dirname, '..', '..', 'statemachines', 'blueprint.asl.json');
const PLACEHOLDER = '$' + '{BlueprintTaskFunctionArn}';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:blueprint-task';
const aslText = readFileSync(ASL_PATH, 'utf8');
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

type Handler = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string];
type Execution = ReturnType<StateMachine['run']>;
type EngineEvent = Execution['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

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

/** The tickets table, the blueprint task function and the API's transition endpoint, in memory. */
class Desk {
  now = T0;
  readonly tickets = new Map<string, TicketItem>();
  readonly notifications: Array<PlannedNotification & { ticketId: string }> = [];
  readonly deadlineCalls: Array<{ at: number; result: DeadlineTaskResult | null }> = [];
  /** What AwaitTransition's task received: its effective input, after Parameters. */
  readonly awaitInputs: unknown[] = [];
  /** Tokens whose wait is still open, as Step Functions knows them. */
  readonly waiting = new Map<string, { ticketId: string; resolve: (output: TransitionTaskOutput) => void }>();
  /** Errors the deadline task throws before it answers (one per call). */
  readonly deadlineFaults: Error[] = [];
  private tokens = 0;

  constructor(private readonly maxSliceSeconds: number) {}

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

  /** The task function, action `deadline` (state CheckDeadline). */
  readonly deadlineTask = async (event: unknown): Promise<DeadlineTaskResult> => {
    const fault = this.deadlineFaults.shift();
    if (fault) {
      this.deadlineCalls.push({ at: Date.now(), result: null });
      throw fault;
    }
    const request = parseBlueprintTaskRequest(event);
    if (request.action !== 'deadline') throw new Error(`unexpected action ${request.action}`);
    // The wait that led here (if any) timed out: Step Functions forgets its token.
    for (const [token, wait] of this.waiting)
      if (wait.ticketId === request.ticketId) this.waiting.delete(token);
    const item = this.read(request.ticketId);
    const check = checkDeadline(blueprint, item.run, this.now, { maxSliceSeconds: this.maxSliceSeconds });
    if (check.run !== item.run) this.write(item, { run: check.run });
    if (check.escalation) this.notifications.push({ ...check.escalation, ticketId: item.id });
    const result = deadlineTaskResult(check);
    this.deadlineCalls.push({ at: Date.now(), result });
    return result;
  };

  /** The task function, action `await` (state AwaitTransition), with the token Step Functions would pass. */
  readonly awaitTask = (parameters: unknown): Promise<TransitionTaskOutput> => {
    this.awaitInputs.push(parameters);
    const { Payload } = parameters as { Payload: Record<string, unknown> };
    this.tokens += 1;
    const token = `token-${this.tokens}`;
    const request = parseBlueprintTaskRequest({ ...Payload, taskToken: token });
    if (request.action !== 'await') throw new Error(`unexpected action ${request.action}`);
    const item = this.read(request.ticketId);
    const decision = acceptTaskToken(item.run, request);
    if (decision.kind === 'resync') return Promise.resolve(decision.output);
    return new Promise((resolve) => {
      this.waiting.set(token, { ticketId: item.id, resolve });
      this.write(item, { run: decision.run });
    });
  };

  /**
   * The API: apply an agent's transition (conditional on the version read),
   * then answer the run's token. A token that is no longer waiting (its wait
   * timed out meanwhile) is not an error: the run is the truth and the
   * machine catches up in CheckDeadline.
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
    return {
      output: applied.output,
      answered: token !== null && this.sendTaskSuccess(token, applied.output),
    };
  }

  private sendTaskSuccess(token: string, output: TransitionTaskOutput): boolean {
    const wait = this.waiting.get(token);
    if (!wait) return false;
    this.waiting.delete(token);
    wait.resolve(output);
    return true;
  }

  /** Resolves with the token once the ticket waits for a transition in `stateId`. */
  waitingIn(ticketId: string, stateId: string): Promise<string> {
    return eventually(
      async () => {
        const { run } = this.read(ticketId);
        return run.stateId === stateId && run.taskToken !== null && this.waiting.has(run.taskToken)
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

const executions: Execution[] = [];

afterEach(() => {
  for (const execution of executions.splice(0)) execution.abort();
});

function handler(task: (input: unknown) => Promise<unknown>): Handler {
  return async (input) => (await task(input)) as Awaited<ReturnType<Handler>>;
}

/** Starts the interpreter for a ticket; collects the engine's events. */
function startExecution(desk: Desk, ticketId: string) {
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  const item = desk.read(ticketId);
  const execution = machine.run(
    { ticketId, blueprintId: item.run.blueprintId, version: item.run.version },
    {
      // The engine has no task token of its own; AwaitTransition's task mints the real one.
      context: { Task: { Token: 'minted-by-the-task' } },
      overrides: {
        taskResourceLocalHandlers: {
          CheckDeadline: handler(desk.deadlineTask),
          AwaitTransition: handler(desk.awaitTask),
        },
        retryIntervalOverrides: { CheckDeadline: 0, AwaitTransition: 0 },
      },
      noThrowOnAbort: true,
    },
  );
  executions.push(execution);
  const events: EngineEvent[] = [];
  /** Settles once the engine has logged its last event (after the execution ended). */
  const drained = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  const entered = () => events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
  return { result: execution.result, events, drained, entered };
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

describe('the blueprint state machine, run locally', () => {
  it('follows a ticket through every state until it succeeds', async () => {
    const desk = new Desk(3600);
    desk.open('t1');
    const execution = startExecution(desk, 't1');

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

    const output = (await execution.result) as { transition: TransitionTaskOutput };
    await execution.drained;
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
    const desk = new Desk(3600);
    desk.open('t2');
    startExecution(desk, 't2');
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
    expect(desk.waiting.has(token)).toBe(true);
    expect(desk.deadlineCalls).toHaveLength(1);
    expect(desk.awaitInputs).toHaveLength(1);

    await desk.transition('t2', toReview());
    await desk.waitingIn('t2', 'review');
    expect(desk.read('t2').run.history).toHaveLength(1);
  });

  it('escalates once when a time limit passes while the ticket keeps waiting, then goes on', async () => {
    const desk = new Desk(1);
    desk.open('t3');
    const execution = startExecution(desk, 't3');
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
    // The slice sits under the same key in the state input (AWS reads it there) and after Parameters (the local engine).
    const stateInputs = execution.events.flatMap((e) =>
      e.type === 'StateEntered' && e.state.name === 'AwaitTransition' ? [e.state.input] : [],
    );
    expect(stateInputs.length).toBeGreaterThan(1);
    for (const input of stateInputs) {
      expect(input).toMatchObject({ Payload: { timeSliceSeconds: 1 } });
    }
    for (const input of desk.awaitInputs) expect(input).toMatchObject({ Payload: { timeSliceSeconds: 1 } });

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
    const desk = new Desk(3600);
    desk.open('t4');
    startExecution(desk, 't4');
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
    expect(desk.waiting.has(token)).toBe(false);
    expect(desk.read('t4').run.history.map((h) => h.transitionId)).toEqual([
      'to-review',
      winner.transitionId,
    ]);
    // One CheckDeadline and one wait per state entered: the machine moved exactly once.
    expect(desk.deadlineCalls).toHaveLength(3);
    expect(desk.awaitInputs).toHaveLength(3);
  });

  it('catches up at the next time slice when a transition could not answer the token', async () => {
    const desk = new Desk(1);
    desk.open('t5');
    startExecution(desk, 't5');
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
    expect(desk.awaitInputs.at(-1)).toMatchObject({ Payload: { stateId: 'review' } });
  });

  it('retries a throttled task and fails the execution when a task keeps failing', async () => {
    const desk = new Desk(3600);
    desk.open('t6');
    desk.deadlineFaults.push(
      Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' }),
    );
    startExecution(desk, 't6');
    await desk.waitingIn('t6', 'triage');
    expect(desk.deadlineCalls.map((c) => c.result === null)).toEqual([true, false]);

    // The ticket is gone: the task keeps throwing TicketNotFound.
    const gone = new Desk(3600);
    gone.open('t7');
    gone.deadlineFaults.push(...Array.from({ length: 4 }, () => new TicketNotFound('t7')));
    const execution = startExecution(gone, 't7');
    await expect(execution.result).rejects.toThrow();
    await execution.drained;
    expect(execution.entered().at(-1)).toBe('BlueprintFailed');
    // The first call and the three retries of States.TaskFailed, then the Catch.
    expect(gone.deadlineCalls).toHaveLength(4);
    expect(gone.awaitInputs).toHaveLength(0);
  });
});
