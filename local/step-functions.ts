/**
 * The local runtime's Step Functions: the same ASL files that CDK deploys,
 * run in-process by aws-local-stepfunctions, with every Task state answered by
 * a local function (the code the Lambda would run) instead of a Lambda call.
 * It keeps executions by name like the service does (a name runs once per
 * state machine), stops them on request, and reports how each one ended.
 *
 * What a task handler sees, and how its errors travel:
 * - It receives what the service would send: for a Lambda ARN in `Resource`,
 *   the state's effective input (after `InputPath` and `Parameters`), the very
 *   event the Lambda receives; for `arn:aws:states:::lambda:invoke` (and its
 *   `.waitForTaskToken` form), the `Payload` of the effective input (`{}`
 *   without one), as that integration invokes the function with it; for any
 *   other service integration, the effective input (the API request).
 * - Its return value is passed through JSON (like a Lambda response;
 *   `undefined` becomes `null`) and then goes through `ResultSelector`,
 *   `ResultPath` and `OutputPath` as on AWS. For `lambda:invoke` the result is
 *   wrapped as that integration does: `{ ExecutedVersion, Payload, StatusCode }`
 *   (without the SDK's HTTP metadata).
 * - The engine matches a thrown error against `Retry`/`Catch` by the error's
 *   `name`; `States.ALL` and `States.TaskFailed` match any of them. On AWS a
 *   Node.js Lambda error reaches the state machine with `errorType` = the
 *   error's `name`, so a handler that throws `Object.assign(new Error('x'),
 *   { name: 'Lambda.TooManyRequestsException' })` exercises the same retrier
 *   as the service would. The error's `Cause` (in a `Catch` result and in
 *   `describeExecution`) is the JSON `{"errorType","errorMessage"}` string
 *   Lambda produces.
 * - The second argument names the execution and carries an `AbortSignal` that
 *   fires when the execution is stopped.
 *
 * Task tokens (`Resource` ending in `.waitForTaskToken`), as on AWS:
 * - Each attempt of such a Task state (the first, and every retry) gets a new
 *   token: 64 URL-safe characters from 48 random bytes, opaque to callers.
 *   `$$.Task.Token` resolves to it wherever the state's `Parameters` read it
 *   (the runner passes the engine a Context Object whose `Task.Token` is a
 *   placeholder, and puts the attempt's token in its place in what the
 *   handler receives, also inside strings built with `States.Format`). The
 *   handler's context has it as `taskToken` too.
 * - The handler is called once per attempt (it stores the token or hands it
 *   on); what it returns is ignored. If it throws, the attempt fails with that
 *   error (Lambda's shape, as above), like a failed invocation on AWS. It may
 *   answer its own token before it returns.
 * - The state then waits for {@link LocalStepFunctions.sendTaskSuccess} (the
 *   output becomes the task result: `ResultSelector`, `ResultPath`,
 *   `OutputPath` apply) or {@link LocalStepFunctions.sendTaskFailure} (its
 *   `error` and `cause` are the state's error, for `Retry` and `Catch`), or for
 *   its time limit: `TimeoutSeconds` or `TimeoutSecondsPath` (see below)
 *   raises `States.Timeout`, which `States.TaskFailed` does not match (as on
 *   AWS). Without either, the wait lasts up to ~24.8 days (AWS: until the
 *   execution's own limit, up to a year), not the engine's 60 s default.
 * - A token is answered once. Answering one that is unknown, already
 *   answered, timed out, or whose execution ended or was stopped throws
 *   `TaskTimedOut`, as the service does; a string that cannot be a token
 *   throws `InvalidToken`; an output that is not JSON (or above 256 KiB)
 *   throws `InvalidOutput`. Of two concurrent answers exactly one wins.
 *   `sendTaskHeartbeat` only checks that the token is still waiting (the
 *   engine has no `HeartbeatSeconds`).
 * - Stopping the execution (or its end, e.g. its own `TimeoutSeconds`) ends
 *   every wait of it at once and makes its tokens dead.
 *
 * Time limits of Task states: `TimeoutSecondsPath` is read from the state's
 * input (after `InputPath`, before `Parameters`), as on AWS; the engine alone
 * would read it from the result of `Parameters`. For that, the runner rewrites
 * such states (and every `.waitForTaskToken` state) before the engine sees
 * them: `Parameters` are nested under a wrapper that also evaluates the time
 * limit, which the engine's `TimeoutSecondsPath` then reads, and the handler
 * gets the original effective input back. The ASL files stay as deployed.
 *
 * Differences from the service that callers should know:
 * - Wait states run as runner-managed sleeps (they appear as Task events in
 *   the engine): the engine sleeps with one `setTimeout`, which Node fires
 *   after 1 ms for any delay above ~24.8 days. Here a wait longer than
 *   {@link MAX_LOCAL_WAIT_MS} ends after that long; the state after it runs
 *   early (state machines here re-check and wait again). A past timestamp
 *   continues at once; a stop interrupts the sleep immediately.
 * - Executions and task tokens live in memory: a restart forgets them (the
 *   desk rebuilds its timers from the table). Finished executions are kept,
 *   so their names stay taken, up to `maxFinishedExecutions` (the oldest are
 *   forgotten).
 * - `TimeoutSeconds` or a `TimeoutSecondsPath` value above ~24.8 days is
 *   shortened to that (the engine's single timer would otherwise fire at
 *   once).
 * - A task-token wait inside a Parallel branch or Map iteration that the
 *   engine abandons (a sibling failed) keeps its token until its time limit
 *   or the execution's end.
 * - The engine does not support `HeartbeatSeconds` or JSONata, and a Task
 *   (other than a task-token wait) without `TimeoutSeconds` or
 *   `TimeoutSecondsPath` times out after 60 s. `$$` holds only `Execution` (Id, Name, Input, StartTime),
 *   `StateMachine` (Id, Name), `Task.Token` and, in a Map, `Map.Item`; there
 *   is no `$$.State`.
 */
import './promise-polyfill.js';
import { randomBytes } from 'node:crypto';
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
  /** The attempt's task token, for a `.waitForTaskToken` state (also wherever its Parameters read `$$.Task.Token`). */
  readonly taskToken?: string;
}

/**
 * A Task state's local implementation: gets what the service would send (see
 * the module comment), returns the result. For a `.waitForTaskToken` state
 * the return value is ignored: the state waits for the token to be answered.
 */
export type LocalTaskHandler = (input: unknown, context: TaskContext) => Promise<unknown>;

export interface MachineRegistration {
  /** The ASL definition, or the path of an `.asl.json` file. */
  readonly definition: object | string;
  /** Values for `${Name}` placeholders, as CloudFormation's DefinitionSubstitutions. */
  readonly substitutions?: Record<string, string>;
  /**
   * One handler per Task state, by state name. Every Task state needs one,
   * `.waitForTaskToken` states included (the handler is what the service
   * would invoke with the token; the wait is the runner's).
   */
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

/** The engine's time limit for a Task without one. */
const DEFAULT_TASK_TIMEOUT_SECONDS = 60;
/** What `TimeoutSeconds` of a task-token wait becomes without a limit of its own: the longest the engine's timer allows. */
const UNLIMITED_TOKEN_WAIT_SECONDS = MAX_TIMER_SECONDS;
/** AWS: a task's output (SendTaskSuccess) is at most 256 KiB of UTF-8 JSON. */
const MAX_OUTPUT_BYTES = 256 * 1024;
/** Random bytes per task token (base64url: 64 characters). */
const TOKEN_BYTES = 48;
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{64}$/;
/**
 * What `$$.Task.Token` holds for the engine; the runner replaces it with the
 * attempt's token in what the handler receives. Only seen as such where a
 * state other than a `.waitForTaskToken` Task reads `$$.Task.Token` (AWS has
 * no token there).
 */
const TOKEN_PLACEHOLDER = `[no task token here: $$.Task.Token is set in .waitForTaskToken Task states only; ${randomBytes(12).toString('base64url')}]`;
/** The keys of the wrapper a rewritten Task state's Parameters are nested under (see `wrapTimedState`). */
const WRAPPED_PARAMETERS = 'parameters';
const WRAPPED_TIMEOUT = 'timeoutSeconds';
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;
const WAIT_FOR_TASK_TOKEN = /^arn:aws[a-z-]*:states:::[^\s]+\.waitForTaskToken$/;

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

/** SendTaskSuccess/Failure/Heartbeat: the token is not waiting (unknown, answered, timed out, or its execution ended). */
export class TaskTimedOut extends Error {
  constructor(message = 'Task Timed Out: the task token does not exist anymore') {
    super(message);
    this.name = 'TaskTimedOut';
  }
}

/** SendTaskSuccess/Failure/Heartbeat: the string cannot be a task token. */
export class InvalidToken extends Error {
  constructor(message = 'Invalid token') {
    super(message);
    this.name = 'InvalidToken';
  }
}

/** SendTaskSuccess: the output is not JSON, or too large. */
export class InvalidOutput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidOutput';
  }
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

/** How a Task state's resource is called, by its `Resource`. */
interface Integration {
  /** `lambda:invoke`: the handler gets `Payload`, the result is wrapped like that integration's. */
  readonly lambdaInvoke: boolean;
  /** `.waitForTaskToken`: the state waits for its token to be answered. */
  readonly waitForTaskToken: boolean;
  /** Rewritten by `wrapTimedState` (task-token states, and Tasks with TimeoutSecondsPath). */
  readonly wrapped: boolean;
}

/** The effective input of a rewritten Task state: the original Parameters' result and its time limit. */
interface WrappedInput {
  [WRAPPED_PARAMETERS]: unknown;
  [WRAPPED_TIMEOUT]: unknown;
}

type TokenOutcome = { readonly output: unknown } | { readonly error: Error };

/** A task-token wait in progress: one per token. */
interface TokenWait {
  readonly execution: Execution;
  readonly settle: (outcome: TokenOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

interface Machine {
  readonly name: string;
  readonly engine: StateMachine;
  readonly tasks: Record<string, LocalTaskHandler>;
  /** Task state name → how its resource is called. */
  readonly integrations: Map<string, Integration>;
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
  /** Task tokens of this execution still waiting for an answer. */
  readonly tokens: Set<string>;
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
  /** Task token → its wait, while it waits. */
  private readonly tokenWaits = new Map<string, TokenWait>();
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

    // Checked as written (the rewrites below must not hide a mistake in it); the rewritten one is the runner's.
    try {
      new StateMachine(structuredClone(definition) as StateMachineDefinition, {
        validationOptions: { checkArn: true, checkPaths: true },
      });
    } catch (error) {
      throw new Error(
        `State machine ${machineName}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }

    const stateTypes = new Map<string, string>();
    const waits = new Map<string, JsonObject>();
    const integrations = new Map<string, Integration>();
    clampTimeout(definition as JsonObject);
    forEachState(definition, (name, state) => {
      stateTypes.set(name, String(state.Type));
      if (state.Type === 'Task') {
        if (!registration.tasks[name]) {
          throw new Error(`State machine ${machineName}: Task state ${name} has no local handler`);
        }
        const resource = String(state.Resource);
        const waitForTaskToken = WAIT_FOR_TASK_TOKEN.test(resource);
        const wrapped = waitForTaskToken || typeof state.TimeoutSecondsPath === 'string';
        integrations.set(name, { lambdaInvoke: LAMBDA_INVOKE.test(resource), waitForTaskToken, wrapped });
        if (wrapped) wrapTimedState(state, waitForTaskToken ? UNLIMITED_TOKEN_WAIT_SECONDS : undefined);
        else clampTimeout(state);
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
      validationOptions: { noValidate: true },
    });
    this.machines.set(machineName, {
      name: machineName,
      engine,
      tasks: { ...registration.tasks },
      integrations,
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
      tokens: new Set(),
      history: [],
      status: 'RUNNING',
      abortEngine: () => undefined,
      ended: Promise.resolve(),
    };
    this.executions.set(arn, execution);
    // A stop or the end of the execution ends its task-token waits; their tokens are dead.
    execution.controller.signal.addEventListener('abort', () => this.endTokenWaits(execution), {
      once: true,
    });

    const run = machine.engine.run(input as EngineInput, {
      overrides: {
        taskResourceLocalHandlers: this.handlersFor(execution),
        retryIntervalOverrides: machine.retryOverrides,
      },
      context: {
        Execution: { Id: arn, Name: request.name },
        StateMachine: { Id: stateMachineArn(machineName), Name: machineName },
        Task: { Token: TOKEN_PLACEHOLDER },
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

  /**
   * Answers a task token with success (SendTaskSuccess): its state continues
   * with `output` (passed through JSON) as the task's result. Throws
   * `TaskTimedOut` when the token is not waiting (unknown, already answered,
   * timed out, its execution ended), `InvalidToken` for a string that cannot
   * be a token, `InvalidOutput` for an output that is not JSON or above 256 KiB.
   */
  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    checkToken(taskToken);
    const result = outputJson(output);
    if (!this.settleToken(taskToken, { output: result })) throw new TaskTimedOut();
  }

  /**
   * Answers a task token with a failure (SendTaskFailure): its state fails with
   * `error` (the name `Retry` and `Catch` match; `States.ALL` and
   * `States.TaskFailed` match any) and `cause`, both empty strings when
   * omitted. Throws like {@link sendTaskSuccess}.
   */
  async sendTaskFailure(taskToken: string, error = '', cause = ''): Promise<void> {
    checkToken(taskToken);
    const failure = new Error(cause);
    failure.name = error;
    if (!this.settleToken(taskToken, { error: failure })) throw new TaskTimedOut();
  }

  /**
   * SendTaskHeartbeat: resolves when the token is still waiting, throws
   * `TaskTimedOut` (or `InvalidToken`) otherwise. It extends nothing: the
   * engine has no `HeartbeatSeconds`.
   */
  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    checkToken(taskToken);
    if (!this.tokenWaits.has(taskToken)) throw new TaskTimedOut();
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
      const integration = machine.integrations.get(stateName)!;
      const context: TaskContext = {
        machineName: machine.name,
        executionName: execution.name,
        executionArn: execution.arn,
        stateName,
        signal: execution.controller.signal,
      };
      if (integration.waitForTaskToken) {
        handlers[stateName] = (input) =>
          this.waitForTaskToken(execution, handler, context, integration, input as unknown as WrappedInput);
        continue;
      }
      handlers[stateName] = (input) => {
        // Synchronously, before the engine reads the time limit from the same object.
        const effective = integration.wrapped ? unwrap(input as unknown as WrappedInput) : input;
        return this.track(execution, async () => {
          let result: unknown;
          try {
            result = await handler(integration.lambdaInvoke ? lambdaPayload(effective) : effective, context);
          } catch (error) {
            throw asLambdaError(error);
          }
          const json = toJson(result);
          return (integration.lambdaInvoke ? lambdaInvokeResult(json) : json) as Awaited<
            ReturnType<EngineTaskHandler>
          >;
        });
      };
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

  /**
   * One attempt of a `.waitForTaskToken` state: mints its token, calls the
   * handler with it, and settles when the token is answered, the handler
   * throws, or the execution ends. The time limit is the engine's: it reads
   * `timeoutSeconds` from `input` right after this returns (a genuine
   * `States.Timeout`, which `States.TaskFailed` does not match); the timer
   * here, set first with the same delay, makes the token dead at that moment.
   */
  private waitForTaskToken(
    execution: Execution,
    handler: LocalTaskHandler,
    context: TaskContext,
    integration: Integration,
    input: WrappedInput,
  ): Promise<never> {
    if (execution.controller.signal.aborted) {
      return Promise.reject(new StatesRuntimeError('The execution was stopped'));
    }
    const parameters = unwrap(input);
    const limit = input[WRAPPED_TIMEOUT];
    // Not a valid limit: the engine fails the state with its own States.Runtime as it reads it; no token.
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      return Promise.reject(new StatesRuntimeError(`Invalid task timeout ${JSON.stringify(limit)}`));
    }

    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const waiting = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.forgetToken(token), limit * 1000);
      this.tokenWaits.set(token, {
        execution,
        timer,
        settle: (outcome) => ('error' in outcome ? reject(outcome.error) : resolve(outcome.output)),
      });
      execution.tokens.add(token);
    });

    const request = withToken(integration.lambdaInvoke ? lambdaPayload(parameters) : parameters, token);
    this.track(execution, async () => handler(request, { ...context, taskToken: token })).then(
      () => undefined,
      (error: unknown) => this.settleToken(token, { error: asLambdaError(error) }),
    );
    return waiting as Promise<never>;
  }

  /** Settles a waiting token's state (once); false when the token is not waiting. */
  private settleToken(token: string, outcome: TokenOutcome): boolean {
    const wait = this.forgetToken(token);
    wait?.settle(outcome);
    return wait !== undefined;
  }

  /** Makes a token dead without settling its wait (its time limit passed: the engine raises States.Timeout). */
  private forgetToken(token: string): TokenWait | undefined {
    const wait = this.tokenWaits.get(token);
    if (!wait) return undefined;
    this.tokenWaits.delete(token);
    wait.execution.tokens.delete(token);
    clearTimeout(wait.timer);
    return wait;
  }

  /** The execution was stopped or ended: its waits end (nothing runs after them) and their tokens die. */
  private endTokenWaits(execution: Execution): void {
    for (const token of [...execution.tokens]) {
      this.settleToken(token, { error: new StatesRuntimeError('The execution was stopped') });
    }
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

/** SendTask*: the token must be one this runner could have minted. */
function checkToken(taskToken: unknown): void {
  if (typeof taskToken !== 'string' || !TOKEN_FORMAT.test(taskToken)) throw new InvalidToken();
}

/** SendTaskSuccess's output as the state receives it: JSON, at most 256 KiB. */
function outputJson(output: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(output);
  } catch (error) {
    throw new InvalidOutput(
      `The output is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (text === undefined) throw new InvalidOutput('The output is not JSON');
  if (Buffer.byteLength(text, 'utf8') > MAX_OUTPUT_BYTES) {
    throw new InvalidOutput(`The output is larger than ${MAX_OUTPUT_BYTES} bytes`);
  }
  return JSON.parse(text) as unknown;
}

/**
 * The original effective input of a rewritten Task state. The engine reads
 * the time limit from this very object right after the handler is called, so
 * a limit longer than a Node timer allows is shortened here, in place.
 */
function unwrap(input: WrappedInput): unknown {
  const seconds = input[WRAPPED_TIMEOUT];
  if (typeof seconds === 'number' && seconds > MAX_TIMER_SECONDS) input[WRAPPED_TIMEOUT] = MAX_TIMER_SECONDS;
  return input[WRAPPED_PARAMETERS];
}

/** What `lambda:invoke` sends the function: the `Payload` of the effective input. */
function lambdaPayload(input: unknown): unknown {
  const payload = (input as { Payload?: unknown } | null)?.Payload;
  return payload === undefined ? {} : payload;
}

/** What `lambda:invoke` (request-response) answers: the function's result under `Payload`. */
function lambdaInvokeResult(payload: unknown): JsonObject {
  return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
}

/** A copy of `value` with the `$$.Task.Token` placeholder replaced by the attempt's token, in every string. */
function withToken(value: unknown, token: string): unknown {
  if (typeof value === 'string') return value.replaceAll(TOKEN_PLACEHOLDER, token);
  if (Array.isArray(value)) return value.map((item) => withToken(item, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withToken(item, token)]));
  }
  return value;
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
 * Rewrites a Task state, in place, so the engine reads its time limit from the
 * state input as AWS does (the engine would read `TimeoutSecondsPath` after
 * `Parameters`): the Parameters (or the whole effective input) are nested
 * under `parameters`, next to `timeoutSeconds` (the `TimeoutSecondsPath`
 * evaluated on the same input as the Parameters, or the constant, or
 * `defaultSeconds`), and the engine's `TimeoutSecondsPath` points at that.
 * InputPath, ResultSelector, ResultPath, OutputPath, Retry, Catch and the
 * transition stay as written; the handler gets the original effective input
 * back (`unwrap`).
 */
function wrapTimedState(state: JsonObject, defaultSeconds = DEFAULT_TASK_TIMEOUT_SECONDS): void {
  const wrapper: JsonObject =
    'Parameters' in state ? { [WRAPPED_PARAMETERS]: state.Parameters } : { [`${WRAPPED_PARAMETERS}.$`]: '$' };
  if (typeof state.TimeoutSecondsPath === 'string') {
    wrapper[`${WRAPPED_TIMEOUT}.$`] = state.TimeoutSecondsPath;
  } else {
    wrapper[WRAPPED_TIMEOUT] =
      typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : defaultSeconds;
  }
  delete state.TimeoutSeconds;
  Object.assign(state, { Parameters: wrapper, TimeoutSecondsPath: `$.${WRAPPED_TIMEOUT}` });
}

/**
 * The engine turns `TimeoutSeconds` (of the machine or of a Task) into one
 * `setTimeout`, which Node fires after 1 ms beyond ~24.8 days: a task with a
 * long limit would time out at once. Longer limits are shortened to the
 * longest the timer allows. (A `TimeoutSecondsPath` value is shortened at run
 * time, see `unwrap`.)
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
