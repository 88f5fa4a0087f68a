/**
 * The local runtime's Step Functions: the same ASL files that CDK deploys,
 * run in-process by aws-local-stepfunctions, with every Task state answered by
 * a local function (the code the Lambda would run) instead of a Lambda call.
 * It keeps executions by name like the service does (a name runs once per
 * state machine), stops them on request, and reports how each one ended.
 *
 * What a task handler sees, and how its errors travel:
 * - It receives the state's effective input: the state input after `InputPath`
 *   and `Parameters`, the very payload a Lambda named in `Resource` receives
 *   as its event. Its return value is passed through JSON (like a Lambda
 *   response; `undefined` becomes `null`) and then goes through
 *   `ResultSelector`, `ResultPath` and `OutputPath` as on AWS.
 * - The engine matches a thrown error against `Retry`/`Catch` by the error's
 *   `name`; `States.ALL` and `States.TaskFailed` match any of them. On AWS a
 *   Node.js Lambda error reaches the state machine with `errorType` = the
 *   error's `name`, so a handler that throws `Object.assign(new Error('x'),
 *   { name: 'Lambda.TooManyRequestsException' })` exercises the same retrier
 *   as the service would. The error's `Cause` (in a `Catch` result and in
 *   `describeExecution`) is the JSON `{"errorType","errorMessage"}` string
 *   Lambda produces.
 * - The second argument names the execution and carries an `AbortSignal` that
 *   fires when the execution is stopped (for long waits such as task tokens).
 *
 * Differences from the service that callers should know:
 * - Wait states run as runner-managed sleeps (they appear as Task events in
 *   the engine): the engine sleeps with one `setTimeout`, which Node fires
 *   after 1 ms for any delay above ~24.8 days. Here a wait longer than
 *   {@link MAX_LOCAL_WAIT_MS} ends after that long; the state after it runs
 *   early (state machines here re-check and wait again). A past timestamp
 *   continues at once; a stop interrupts the sleep immediately.
 * - Executions live in memory: a restart forgets them (the desk rebuilds its
 *   timers from the table). Finished executions are kept, so their names
 *   stay taken, up to `maxFinishedExecutions` (the oldest are forgotten).
 * - `TimeoutSeconds` above ~24.8 days (machine or Task) is shortened to that
 *   (the engine's single timer would otherwise fire at once).
 * - The engine does not support `HeartbeatSeconds` or JSONata, and a Task
 *   without `TimeoutSeconds` times out after 60 s.
 */
import './promise-polyfill.js';
import { readFileSync } from 'node:fs';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';

type Overrides = NonNullable<RunOptions['overrides']>;
type EngineTaskHandler = NonNullable<Overrides['taskResourceLocalHandlers']>[string];
type EngineInput = Parameters<StateMachine['run']>[0];
type JsonObject = Record<string, unknown>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What a task handler learns about the execution that calls it. */
export interface TaskContext {
  readonly machineName: string;
  readonly executionName: string;
  readonly executionArn: string;
  readonly stateName: string;
  /** Aborted when the execution is stopped. */
  readonly signal: AbortSignal;
}

/** A Task state's local implementation: gets the effective input (after Parameters), returns the result. */
export type LocalTaskHandler = (input: unknown, context: TaskContext) => Promise<unknown>;

export interface MachineRegistration {
  /** The ASL definition, or the path of an `.asl.json` file. */
  readonly definition: object | string;
  /** Values for `${Name}` placeholders, as CloudFormation's DefinitionSubstitutions. */
  readonly substitutions?: Record<string, string>;
  /** One handler per Task state, by state name. Every Task state needs one. */
  readonly tasks: Record<string, LocalTaskHandler>;
  /** Wait state name → milliseconds to wait instead (tests). */
  readonly waitOverrides?: Record<string, number>;
  /** Task state name → milliseconds before each retry instead of the Retry backoff (tests). */
  readonly retryOverrides?: Record<string, number | number[]>;
}

export interface ExecutionErrorInfo {
  readonly error: string;
  readonly cause: string;
}

export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineName: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: ExecutionErrorInfo;
  readonly startDate: Date;
  readonly stopDate?: Date;
}

export interface ExecutionEndEvent {
  readonly machine: string;
  readonly name: string;
  readonly executionArn: string;
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly error?: ExecutionErrorInfo;
  readonly output?: unknown;
}

/** One entry of an execution's (local, abridged) history. */
export interface HistoryEvent {
  readonly type: string;
  readonly timestamp: number;
  /** The state, with its type as written in the definition (Wait, not the engine's stand-in Task). */
  readonly state?: { readonly name: string; readonly type: string };
  readonly error?: string;
}

export interface LocalStepFunctionsOptions {
  /** Called once per execution when it ends (any status). Default: failures and time-outs go to stderr. */
  readonly onExecutionEnd?: (event: ExecutionEndEvent) => void;
  /** Finished executions kept for describe and name uniqueness. Default 10 000. */
  readonly maxFinishedExecutions?: number;
}

/** The longest delay a Node timer honours, in whole seconds (2^31 − 1 ms). */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** The longest a Wait state sleeps locally in one go (20 days); see the module comment. */
export const MAX_LOCAL_WAIT_MS = 20 * 24 * 60 * 60 * 1000;
/** The engine's time limit for the stand-in of a Wait state: above the longest sleep, below Node's timer limit. */
const WAIT_TASK_TIMEOUT_SECONDS = MAX_LOCAL_WAIT_MS / 1000 + 3600;
/** Never invoked (the stand-in always has a local handler); it only has to be a valid ARN. */
const WAIT_STAND_IN_RESOURCE = 'arn:aws:lambda:local:000000000000:function:local-wait-state';
const ARN_PREFIX = 'arn:aws:states:local:000000000000';
const HISTORY_LIMIT = 1000;
const STOP_ALL_GRACE_MS = 10_000;

/** AWS: 1–80 characters, no whitespace, brackets, wildcards, `"#%\^|~\`$&,;:/` or control characters. */
const VALID_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const PLACEHOLDER = /\$\{([^}]+)\}/g;
const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export function stateMachineArn(machineName: string): string {
  return `${ARN_PREFIX}:stateMachine:${machineName}`;
}

export function executionArn(machineName: string, executionName: string): string {
  return `${ARN_PREFIX}:execution:${machineName}:${executionName}`;
}

/**
 * An error the engine treats like its own `States.Runtime`: neither retried
 * nor caught, it fails the execution (as a bad Wait timestamp does on AWS).
 */
class StatesRuntimeError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}

interface Machine {
  readonly name: string;
  readonly engine: StateMachine;
  readonly tasks: Record<string, LocalTaskHandler>;
  /** Wait state name → its definition (before the stand-in rewrite). */
  readonly waits: Map<string, JsonObject>;
  /** State name → type as written. */
  readonly stateTypes: Map<string, string>;
  readonly waitOverrides: Record<string, number>;
  readonly retryOverrides: Record<string, number | number[]>;
}

interface Execution {
  readonly machine: Machine;
  readonly name: string;
  readonly arn: string;
  readonly input: unknown;
  readonly startDate: Date;
  readonly controller: AbortController;
  readonly inFlight: Set<Promise<unknown>>;
  readonly history: HistoryEvent[];
  status: ExecutionStatus;
  output?: unknown;
  error?: ExecutionErrorInfo;
  stopDate?: Date;
  abortEngine: () => void;
  /** Settles once the status is final and the end was reported. */
  ended: Promise<void>;
}

export class LocalStepFunctions {
  private readonly machines = new Map<string, Machine>();
  /** By ARN, in start order (Map keeps insertion order; eviction takes the oldest finished). */
  private readonly executions = new Map<string, Execution>();
  private readonly onExecutionEnd: (event: ExecutionEndEvent) => void;
  private readonly maxFinished: number;
  private finishedCount = 0;

  constructor(options: LocalStepFunctionsOptions = {}) {
    this.onExecutionEnd = options.onExecutionEnd ?? logUnsuccessfulEnd;
    this.maxFinished = options.maxFinishedExecutions ?? 10_000;
  }

  /**
   * Adds a state machine. The definition is checked as the engine checks it
   * (asl-validator, ARNs and paths) after substitution; every Task state must
   * have a handler and every handler a Task state.
   */
  register(machineName: string, registration: MachineRegistration): void {
    if (!VALID_NAME.test(machineName)) throw new Error(`Invalid state machine name: ${machineName}`);
    if (this.machines.has(machineName)) throw new Error(`State machine ${machineName} is already registered`);

    const source =
      typeof registration.definition === 'string'
        ? (JSON.parse(readFileSync(registration.definition, 'utf8')) as unknown)
        : registration.definition;
    const definition = substitute(structuredClone(source), registration.substitutions ?? {});
    const unresolved = [...JSON.stringify(definition).matchAll(PLACEHOLDER)].map((m) => m[1]);
    if (unresolved.length > 0) {
      throw new Error(
        `State machine ${machineName}: no substitution for ${[...new Set(unresolved)].map((n) => `\${${n}}`).join(', ')}`,
      );
    }

    const stateTypes = new Map<string, string>();
    const waits = new Map<string, JsonObject>();
    clampTimeout(definition as JsonObject);
    forEachState(definition, (name, state) => {
      stateTypes.set(name, String(state.Type));
      if (state.Type === 'Task') clampTimeout(state);
      if (state.Type === 'Task' && !registration.tasks[name]) {
        throw new Error(`State machine ${machineName}: Task state ${name} has no local handler`);
      }
      if (state.Type === 'Wait') {
        waits.set(name, { ...state });
        replaceWithStandIn(state);
      }
    });
    for (const name of Object.keys(registration.tasks)) {
      if (stateTypes.get(name) !== 'Task') {
        throw new Error(`State machine ${machineName}: handler ${name} names no Task state`);
      }
    }
    for (const name of Object.keys(registration.waitOverrides ?? {})) {
      if (!waits.has(name))
        throw new Error(`State machine ${machineName}: wait override ${name} names no Wait state`);
    }

    const engine = new StateMachine(definition as StateMachineDefinition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    this.machines.set(machineName, {
      name: machineName,
      engine,
      tasks: { ...registration.tasks },
      waits,
      stateTypes,
      waitOverrides: { ...registration.waitOverrides },
      retryOverrides: { ...registration.retryOverrides },
    });
  }

  /**
   * Starts an execution named `name`, unless one with that name exists for
   * this machine, running or finished (the service keeps names unique for 90
   * days): then nothing starts and the existing ARN comes back with
   * `started: false`.
   */
  async startExecution(
    machineName: string,
    request: { name: string; input?: unknown },
  ): Promise<{ executionArn: string; started: boolean }> {
    const machine = this.machines.get(machineName);
    if (!machine) throw new Error(`State machine ${machineName} is not registered`);
    if (!VALID_NAME.test(request.name)) throw new Error(`Invalid execution name: ${request.name}`);
    const arn = executionArn(machineName, request.name);
    if (this.executions.has(arn)) return { executionArn: arn, started: false };

    const input = toJson(request.input ?? {});
    const execution: Execution = {
      machine,
      name: request.name,
      arn,
      input,
      startDate: new Date(),
      controller: new AbortController(),
      inFlight: new Set(),
      history: [],
      status: 'RUNNING',
      abortEngine: () => undefined,
      ended: Promise.resolve(),
    };
    this.executions.set(arn, execution);

    const run = machine.engine.run(input as EngineInput, {
      overrides: {
        taskResourceLocalHandlers: this.handlersFor(execution),
        retryIntervalOverrides: machine.retryOverrides,
      },
      context: {
        Execution: { Id: arn, Name: request.name },
        StateMachine: { Id: stateMachineArn(machineName), Name: machineName },
      },
    });
    execution.abortEngine = run.abort;
    const drained = this.recordHistory(execution, run.eventLogs);
    execution.ended = run.result.then(
      (output) => this.finish(execution, drained, 'SUCCEEDED', { output }),
      (error: unknown) => this.finish(execution, drained, ...endOf(error)),
    );
    return { executionArn: arn, started: true };
  }

  /**
   * Stops a running execution (also one sleeping in a Wait state, at once) and
   * resolves when it has ended as ABORTED. Unknown or finished: nothing happens.
   * A task handler already running is not interrupted (its `signal` fires);
   * its result is dropped and no further state runs.
   */
  async stopExecution(executionArn: string): Promise<void> {
    const execution = this.executions.get(executionArn);
    if (execution?.status !== 'RUNNING') return;
    execution.status = 'ABORTED';
    execution.stopDate = new Date();
    execution.abortEngine();
    execution.controller.abort();
    await execution.ended;
  }

  describeExecution(executionArn: string): ExecutionDescription | null {
    const execution = this.executions.get(executionArn);
    return execution ? describe(execution) : null;
  }

  /** Executions of a machine, newest first, optionally of one status. */
  listExecutions(machineName: string, status?: ExecutionStatus): ExecutionDescription[] {
    return [...this.executions.values()]
      .filter((e) => e.machine.name === machineName && (status === undefined || e.status === status))
      .reverse()
      .map(describe);
  }

  /** The execution's state events, oldest first (at most the last 1000). */
  history(executionArn: string): HistoryEvent[] {
    return [...(this.executions.get(executionArn)?.history ?? [])];
  }

  /**
   * Stops every running execution and resolves when they have ended and their
   * task handlers have returned (waiting at most `graceMs` for handlers).
   */
  async stopAll(options: { graceMs?: number } = {}): Promise<void> {
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    await Promise.all(running.map((e) => this.stopExecution(e.arn)));
    const handlers = running.flatMap((e) => [...e.inFlight]);
    if (handlers.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.graceMs ?? STOP_ALL_GRACE_MS);
    });
    await Promise.race([Promise.allSettled(handlers), grace]);
    clearTimeout(timer);
  }

  private handlersFor(execution: Execution): Record<string, EngineTaskHandler> {
    const { machine } = execution;
    const handlers: Record<string, EngineTaskHandler> = {};
    for (const [stateName, handler] of Object.entries(machine.tasks)) {
      handlers[stateName] = (input) =>
        this.track(execution, async () => {
          const context: TaskContext = {
            machineName: machine.name,
            executionName: execution.name,
            executionArn: execution.arn,
            stateName,
            signal: execution.controller.signal,
          };
          let result: unknown;
          try {
            result = await handler(input, context);
          } catch (error) {
            throw asLambdaError(error);
          }
          return toJson(result) as Awaited<ReturnType<EngineTaskHandler>>;
        });
    }
    for (const [stateName, wait] of machine.waits) {
      handlers[stateName] = (input) =>
        this.track(execution, async () => {
          const { input: stateInput, ...evaluated } = input as JsonObject;
          const override = machine.waitOverrides[stateName];
          const ms = override ?? waitMillis(wait, evaluated);
          await sleep(Math.min(ms, MAX_LOCAL_WAIT_MS), execution.controller.signal);
          return stateInput as Awaited<ReturnType<EngineTaskHandler>>;
        });
    }
    return handlers;
  }

  /** Runs a handler unless the execution was stopped, remembering it while it runs (for stopAll). */
  private track<T>(execution: Execution, call: () => Promise<T>): Promise<T> {
    // The engine re-enters a state after a retry pause even when stopped; nothing may run then.
    if (execution.controller.signal.aborted) {
      return Promise.reject(new StatesRuntimeError('The execution was stopped'));
    }
    const running = call();
    execution.inFlight.add(running);
    const forget = () => execution.inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  private async recordHistory(
    execution: Execution,
    events: ReturnType<StateMachine['run']>['eventLogs'],
  ): Promise<void> {
    for await (const event of events) {
      const entry: HistoryEvent = {
        type: event.type,
        timestamp: event.timestamp,
        ...('state' in event
          ? {
              state: {
                name: event.state.name,
                type: execution.machine.stateTypes.get(event.state.name) ?? event.state.type,
              },
            }
          : {}),
        ...('Error' in event ? { error: event.Error } : {}),
      };
      execution.history.push(entry);
      if (execution.history.length > HISTORY_LIMIT) execution.history.shift();
    }
  }

  private async finish(
    execution: Execution,
    drained: Promise<void>,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    result: { output?: unknown; error?: ExecutionErrorInfo },
  ): Promise<void> {
    // A stop decided the outcome already, whatever the engine reports afterwards.
    if (execution.status === 'RUNNING') {
      execution.status = status;
      execution.stopDate = new Date();
      if (status === 'SUCCEEDED') execution.output = result.output;
      if (result.error) execution.error = result.error;
      execution.controller.abort();
    }
    await drained.catch(() => undefined);
    try {
      this.onExecutionEnd({
        machine: execution.machine.name,
        name: execution.name,
        executionArn: execution.arn,
        status: execution.status as Exclude<ExecutionStatus, 'RUNNING'>,
        ...(execution.error ? { error: execution.error } : {}),
        ...(execution.status === 'SUCCEEDED' ? { output: execution.output } : {}),
      });
    } catch {
      // A reporting callback must not break the runner.
    }
    this.finishedCount += 1;
    this.evictFinished();
  }

  private evictFinished(): void {
    if (this.finishedCount <= this.maxFinished) return;
    for (const [arn, execution] of this.executions) {
      if (this.finishedCount <= this.maxFinished) break;
      if (execution.status !== 'RUNNING') {
        this.executions.delete(arn);
        this.finishedCount -= 1;
      }
    }
  }
}

function describe(execution: Execution): ExecutionDescription {
  return {
    executionArn: execution.arn,
    stateMachineName: execution.machine.name,
    name: execution.name,
    status: execution.status,
    input: execution.input,
    startDate: execution.startDate,
    ...(execution.status === 'SUCCEEDED' ? { output: execution.output } : {}),
    ...(execution.error ? { error: execution.error } : {}),
    ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
  };
}

/** How the engine's rejection translates into an end status. */
function endOf(
  error: unknown,
): [Exclude<ExecutionStatus, 'RUNNING'>, { error?: ExecutionErrorInfo; output?: unknown }] {
  if (error instanceof ExecutionAbortedError) return ['ABORTED', {}];
  if (error instanceof ExecutionTimeoutError) {
    return [
      'TIMED_OUT',
      { error: { error: 'States.Timeout', cause: 'The execution ran longer than TimeoutSeconds' } },
    ];
  }
  // ExecutionError wraps the state's error (a Fail state's Error/Cause, or the task's error) as `cause`.
  const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  return [
    'FAILED',
    {
      error:
        cause instanceof Error
          ? { error: cause.name, cause: cause.message }
          : { error: 'States.Runtime', cause: String(cause) },
    },
  ];
}

function logUnsuccessfulEnd(event: ExecutionEndEvent): void {
  if (event.status !== 'FAILED' && event.status !== 'TIMED_OUT') return;
  console.error(
    `step functions: ${event.machine} execution ${event.name} ${event.status}` +
      (event.error ? `: ${event.error.error}: ${event.error.cause}` : ''),
  );
}

/** A thrown value as the engine should see a Lambda error: `name` = errorType, message = Lambda's JSON cause. */
function asLambdaError(error: unknown): Error {
  const errorType = error instanceof Error && error.name ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const lambdaError = new Error(JSON.stringify({ errorType, errorMessage }), { cause: error });
  lambdaError.name = errorType;
  return lambdaError;
}

/** JSON round trip, as values crossing the Lambda boundary are. */
function toJson(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** Replaces `${Name}` in every string (keys included) from `substitutions`; unknown names stay. */
function substitute(value: unknown, substitutions: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (whole, name: string) => substitutions[name] ?? whole);
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, substitutions));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        substitute(key, substitutions) as string,
        substitute(item, substitutions),
      ]),
    );
  }
  return value;
}

/** Visits every state, including those of Parallel branches and Map processors. */
function forEachState(machine: unknown, visit: (name: string, state: JsonObject) => void): void {
  const states = (machine as { States?: Record<string, JsonObject> } | null)?.States;
  if (!states) throw new Error('A state machine definition needs States');
  for (const [name, state] of Object.entries(states)) {
    visit(name, state);
    for (const branch of (state.Branches as unknown[] | undefined) ?? []) forEachState(branch, visit);
    if (state.Iterator) forEachState(state.Iterator, visit);
    if (state.ItemProcessor) forEachState(state.ItemProcessor, visit);
  }
}

/**
 * Turns a Wait state, in place, into a Task answered by the runner's sleep:
 * same name, InputPath, OutputPath and transition; the Parameters hand the
 * handler the effective input and the evaluated SecondsPath/TimestampPath, and
 * the handler returns that input, so the state's output is what the Wait's
 * would be.
 */
function replaceWithStandIn(state: JsonObject): void {
  const parameters: JsonObject = { 'input.$': '$' };
  if (typeof state.SecondsPath === 'string') parameters['seconds.$'] = state.SecondsPath;
  if (typeof state.TimestampPath === 'string') parameters['timestamp.$'] = state.TimestampPath;
  for (const key of ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath']) delete state[key];
  Object.assign(state, {
    Type: 'Task',
    Resource: WAIT_STAND_IN_RESOURCE,
    Parameters: parameters,
    TimeoutSeconds: WAIT_TASK_TIMEOUT_SECONDS,
  });
}

/**
 * The engine turns `TimeoutSeconds` (of the machine or of a Task) into one
 * `setTimeout`, which Node fires after 1 ms beyond ~24.8 days: a task-token
 * wait with a long limit would time out at once. Longer limits are shortened
 * to the longest the timer allows. (`TimeoutSecondsPath` is read at run time
 * and cannot be adjusted here.)
 */
function clampTimeout(node: JsonObject): void {
  if (typeof node.TimeoutSeconds === 'number' && node.TimeoutSeconds > MAX_TIMER_SECONDS) {
    node.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
}

/**
 * Milliseconds a Wait state sleeps from now, validated as the service does.
 * `evaluated` holds what the stand-in's Parameters read from SecondsPath/TimestampPath.
 */
function waitMillis(wait: JsonObject, evaluated: JsonObject): number {
  const seconds = 'SecondsPath' in wait ? evaluated.seconds : wait.Seconds;
  const timestamp = 'TimestampPath' in wait ? evaluated.timestamp : wait.Timestamp;
  if ('Seconds' in wait || 'SecondsPath' in wait) {
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new StatesRuntimeError(
        `Wait seconds must be a non-negative integer, got ${JSON.stringify(seconds)}`,
      );
    }
    return seconds * 1000;
  }
  if (typeof timestamp !== 'string' || !RFC3339.test(timestamp)) {
    throw new StatesRuntimeError(
      `Wait ${wait.TimestampPath ? `TimestampPath ${String(wait.TimestampPath)}` : 'Timestamp'} must be an ISO 8601 timestamp, got ${JSON.stringify(timestamp)}`,
    );
  }
  return Math.max(0, Date.parse(timestamp) - Date.now());
}

/** Resolves after `ms` (at once for 0 or less) or as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
