/**
 * `npm run bench`: measures the local desk (DynamoDB Local + the real Lambda
 * handlers behind the local HTTP server), see docs/benchmarks.md.
 *
 *   1. starts the local runtime in-process (in-memory DynamoDB Local, demo seed);
 *   2. signs in as the demo admin;
 *   3. DynamoDB capacity per request: N sequential requests of each operation,
 *      read from `capacityMeter` plus a call ledger that attributes every call;
 *   4. list-inbox scaling: grows the table to 1,000 tickets (createTicket in-process),
 *      measures the list (3 autocannon rounds, medians; plus 500 sequential
 *      requests and 50 GET /views — the sidebar's counts — for information),
 *      grows it to 20,000 (BENCH_LARGE), measures
 *      again, compares;
 *   5. load: autocannon, 20 connections, BENCH_SECONDS (default 10) after a 2 s
 *      warm-up, for create / list / get / reply, on the grown table;
 *   6. email: BENCH_EMAILS (default 1,000) mails over SMTP into the local
 *      receiver, SMTP accepted → ticket visible in the list, completeness and
 *      redeliveries (bench/email.ts);
 *   7. prints tables, PASS/FAIL per target and one `BENCH_RESULT {json}` line.
 *
 * `BENCH_ONLY=email` runs the email section alone, on the freshly seeded desk.
 *
 * Exits 0 even when a target fails: it is a measurement, not a test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { capacityMeter } from '../functions/adapters/dynamodb/capacity.js';
import type { AppContext } from '../functions/composition/deps.js';
import { PROJECT_ROOT, startLocal } from '../local/runtime.js';
import { seededRandom } from '../test/support/seeded-random.js';
import { type EmailFigures, emailTargets, printEmail, runEmailSection } from './email.js';
import { type GrownTicket, growTickets, STATUS_MIX, ticketCount } from './grow.js';
import { CallLedger, diffTotals, type SourceTotals } from './ledger.js';
import type { LoadOperation, LoadResult, LoadSpec } from './load.js';
import { fmt, percentile, round, seconds, sortedCopy, table } from './stats.js';

const CONNECTIONS = 20;
const WARMUP_SECONDS = 2;
const MEASURE_SECONDS = positiveNumber('BENCH_SECONDS', 10);
const SMALL_TABLE = positiveNumber('BENCH_SMALL', 1_000);
const LARGE_TABLE = positiveNumber('BENCH_LARGE', 20_000);
const SCALING_ROUNDS = Math.round(positiveNumber('BENCH_SCALING_ROUNDS', 3));
const CAPACITY_REQUESTS = 50;
const INSERT_CONCURRENCY = 16;
const PROGRESS_EVERY = 2_000;
const POOL_SIZE = 5_000;
const LIST_PATH = '/tickets?status=new&limit=25';
const P99_TARGET_MS = 100;
const SCALING_TARGET = 1.2;
const EMAILS = Math.round(positiveNumber('BENCH_EMAILS', 1_000));
const EMAIL_CONNECTIONS = 10;
const EMAIL_WARMUP = 20;
const EMAIL_REDELIVERIES = 20;
const EMAIL_POLL_MS = positiveNumber('BENCH_EMAIL_POLL_MS', 100);
const ONLY = process.env.BENCH_ONLY ?? '';
if (ONLY !== '' && ONLY !== 'email') throw new Error(`BENCH_ONLY must be "email" or unset, got ${ONLY}`);

const OPERATIONS: { op: LoadOperation; label: string; expect: number }[] = [
  { op: 'create', label: 'create ticket', expect: 201 },
  { op: 'list', label: 'list inbox', expect: 200 },
  { op: 'get', label: 'get ticket', expect: 200 },
  { op: 'reply', label: 'add reply', expect: 201 },
];

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

const startedAt = Date.now();
const log = (line = '') => console.log(line);
const elapsed = () => seconds(Date.now() - startedAt);

// ---------------------------------------------------------------- HTTP helpers

interface Api {
  url: string;
  token: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
}

async function signIn(url: string): Promise<Api> {
  const response = await fetch(`${url}/local/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.local', password: 'demo' }),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  return {
    url,
    token,
    async call(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = text;
      }
      return { status: res.status, json };
    },
  };
}

function createBody(tag: string) {
  return {
    subject: `Cannot pair my headphones (${tag})`,
    description: `Capacity probe ${tag}: the headphones do not show up in the Bluetooth list.`,
    customer: { email: `capacity-${tag}@bench.example`, name: `Capacity ${tag}` },
    priority: 'normal',
    channel: 'phone',
  };
}

// ---------------------------------------------------------------- CPU accounting (Linux /proc)

function dynamoPid(): number | null {
  const ps = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  const line = (ps.stdout ?? '').split('\n').find((l) => /\bjava\b/.test(l));
  return line ? Number(line.trim().split(/\s+/)[0]) : null;
}

function procCpuSeconds(pid: number | null): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
  } catch {
    return null;
  }
}

function selfCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Machine-wide busy and steal CPU seconds so far (/proc/stat, all cores), or null off Linux. */
function machineCpuSeconds(): { busy: number; steal: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return {
      busy: ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / 100,
      steal: (steal ?? 0) / 100,
    };
  } catch {
    return null;
  }
}

/** DynamoDB Local's garbage collector so far (jstat from the same JDK, when there is one). */
interface JvmGc {
  youngCollections: number;
  fullCollections: number;
  gcSeconds: number;
  oldUsedMb: number;
  heapCapacityMb: number;
}

function jvmGc(pid: number | null): JvmGc | null {
  if (!pid) return null;
  try {
    const jstat = join(dirname(readlinkSync(`/proc/${pid}/exe`)), 'jstat');
    const out = spawnSync(jstat, ['-gc', String(pid)], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
    const [header, values] = out
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    if (!header || !values) return null;
    const column = (name: string) => Number(values[header.indexOf(name)] ?? Number.NaN);
    const heapKb = ['S0C', 'S1C', 'EC', 'OC'].reduce((sum, name) => sum + column(name), 0);
    return {
      youngCollections: column('YGC'),
      fullCollections: column('FGC'),
      gcSeconds: column('GCT'),
      oldUsedMb: round(column('OU') / 1024, 1),
      heapCapacityMb: round(heapKb / 1024, 1),
    };
  } catch {
    return null;
  }
}

function gcDelta(before: JvmGc | null, after: JvmGc | null) {
  if (!before || !after) return null;
  return {
    youngCollections: after.youngCollections - before.youngCollections,
    fullCollections: after.fullCollections - before.fullCollections,
    gcSeconds: round(after.gcSeconds - before.gcSeconds, 2),
    oldUsedMb: after.oldUsedMb,
    heapCapacityMb: after.heapCapacityMb,
  };
}

function describeGc(gc: ReturnType<typeof gcDelta>): string {
  if (!gc) return 'n/a';
  return `${gc.gcSeconds} s (${gc.youngCollections} young, ${gc.fullCollections} full; old gen ${gc.oldUsedMb}/${gc.heapCapacityMb} MB heap)`;
}

interface CpuSplit {
  wallSeconds: number;
  dynamoDbLocal: number | null;
  /** This process: HTTP server, handlers, stream poller + events handler, the bench's own bookkeeping. */
  apiServer: number;
  loadGenerator: number | null;
  /** CPU used by processes that are not part of the benchmark (other work on the shared machine). */
  otherProcesses: number | null;
  /** CPU time the hypervisor took away from this VM. */
  steal: number | null;
}

// ---------------------------------------------------------------- load runs (autocannon in a child process)

/** Time the request path spent in DynamoDB client calls (SDK + DynamoDB Local), per response. */
interface DynamoTime {
  msPerResponse: number;
  callsPerResponse: number;
  meanMsPerCommand: Record<string, number>;
}

interface LoadRun extends LoadResult {
  cpu: CpuSplit;
  dynamo: DynamoTime;
  /** DynamoDB Local's GC over the warm-up and the measured run. */
  dynamoDbLocalGc: ReturnType<typeof gcDelta>;
  expectedStatus: number;
}

async function runLoad(
  api: Api,
  work: string,
  op: LoadOperation,
  options: { ids?: string[]; expect: number; javaPid: number | null; ledger: CallLedger },
): Promise<LoadRun> {
  const spec: LoadSpec = {
    url: api.url,
    token: api.token,
    op,
    connections: CONNECTIONS,
    warmupSeconds: WARMUP_SECONDS,
    seconds: MEASURE_SECONDS,
    listPath: LIST_PATH,
    tag: `${process.pid}-${Date.now().toString(36)}`,
    ...(options.ids ? { ids: options.ids } : {}),
  };
  const specFile = join(work, `load-${op}-${Date.now()}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const gcBefore = jvmGc(options.javaPid);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'load.ts'), specFile],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    },
  );
  let stdout = '';
  let stderr = '';
  // CPU and DynamoDB time are sampled over the measured window only, between the child's PHASE markers.
  const sample = () => ({
    java: procCpuSeconds(options.javaPid),
    self: selfCpuSeconds(),
    machine: machineCpuSeconds(),
    at: Date.now(),
    ledger: options.ledger.snapshot(),
  });
  let windowStart: ReturnType<typeof sample> | undefined;
  let windowEnd: ReturnType<typeof sample> | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!windowStart && stdout.includes('PHASE measure\n')) windowStart = sample();
    if (!windowEnd && stdout.includes('PHASE done\n')) windowEnd = sample();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const gc = gcDelta(gcBefore, jvmGc(options.javaPid));
  const line = stdout.split('\n').find((l) => l.startsWith('LOAD_RESULT '));
  if (code !== 0 || !line || !windowStart || !windowEnd) {
    throw new Error(`load generator for ${op} failed (exit ${code}):\n${stderr}\n${stdout}`);
  }
  const result = JSON.parse(line.slice('LOAD_RESULT '.length)) as LoadResult;
  const cpu: CpuSplit = {
    wallSeconds: round((windowEnd.at - windowStart.at) / 1000, 1),
    dynamoDbLocal:
      windowStart.java !== null && windowEnd.java !== null
        ? round(windowEnd.java - windowStart.java, 1)
        : null,
    apiServer: round(windowEnd.self - windowStart.self, 1),
    loadGenerator: result.clientCpuSeconds,
    otherProcesses: null,
    steal: null,
  };
  if (windowStart.machine && windowEnd.machine && cpu.dynamoDbLocal !== null) {
    const busy = windowEnd.machine.busy - windowStart.machine.busy;
    cpu.otherProcesses = round(
      Math.max(0, busy - cpu.dynamoDbLocal - cpu.apiServer - result.clientCpuSeconds),
      1,
    );
    cpu.steal = round(windowEnd.machine.steal - windowStart.machine.steal, 1);
  }
  const inDynamo = diffTotals(windowEnd.ledger.request, windowStart.ledger.request);
  const dynamo: DynamoTime = {
    msPerResponse: round(inDynamo.ms / Math.max(1, result.responses), 1),
    callsPerResponse: round(inDynamo.calls / Math.max(1, result.responses), 2),
    meanMsPerCommand: meanPerCommand(inDynamo),
  };
  return { ...result, cpu, dynamo, dynamoDbLocalGc: gc, expectedStatus: options.expect };
}

/** Mean milliseconds per call, per command name. */
function meanPerCommand(totals: SourceTotals): Record<string, number> {
  return Object.fromEntries(
    Object.entries(totals.commands).map(([name, count]) => [
      name.replace(/Command$/, ''),
      round((totals.commandMs[name] ?? 0) / count, 1),
    ]),
  );
}

// ---------------------------------------------------------------- capacity per request

interface PerRequest {
  rcu: number;
  wcu: number;
  transactions: number;
  calls: number;
}

interface CapacityFigures {
  op: LoadOperation;
  label: string;
  requests: number;
  ok: number;
  statuses: Record<string, number>;
  /** capacityMeter, everything this process did (request path + principal lookups + async stream handler). */
  meter: PerRequest;
  requestPath: PerRequest & { commands: Record<string, number> };
  authLookups: number;
  streamHandler: PerRequest;
  /** Calls for which DynamoDB Local returned no ConsumedCapacity. */
  unreportedCalls: number;
  /** True when DynamoDB Local reported no read or write units at all for this operation. */
  zeroReported: boolean;
  /** Unloaded latency of these sequential requests, seen by the client (fetch), and the part spent in DynamoDB calls. */
  sequential: {
    p50: number;
    p95: number;
    mean: number;
    dynamoMsPerRequest: number;
    meanMsPerCommand: Record<string, number>;
  };
}

const perRequest = (
  totals: Pick<SourceTotals, 'read' | 'write' | 'transactions' | 'calls'>,
  n: number,
): PerRequest => ({
  rcu: round(totals.read / n, 2),
  wcu: round(totals.write / n, 2),
  transactions: round(totals.transactions / n, 2),
  calls: round(totals.calls / n, 2),
});

async function measureCapacity(
  ledger: CallLedger,
  op: LoadOperation,
  label: string,
  expect: number,
  send: (i: number) => Promise<number>,
): Promise<CapacityFigures> {
  await ledger.drainStream();
  capacityMeter.reset();
  const before = ledger.snapshot();
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  for (let i = 0; i < CAPACITY_REQUESTS; i++) {
    const started = performance.now();
    const status = await send(i);
    latencies.push(performance.now() - started);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  const sorted = sortedCopy(latencies);
  // Let the stream handler catch up, so its asynchronous roll-ups are counted too.
  await ledger.drainStream();
  const after = ledger.snapshot();
  const meter = {
    read: capacityMeter.read,
    write: capacityMeter.write,
    transactions: capacityMeter.transactions,
  };
  const request = diffTotals(after.request, before.request);
  const auth = diffTotals(after.auth, before.auth);
  const stream = diffTotals(after.stream, before.stream);
  const n = CAPACITY_REQUESTS;
  const calls = request.calls + auth.calls + stream.calls;
  return {
    op,
    label,
    requests: n,
    ok: statuses[expect] ?? 0,
    statuses,
    meter: perRequest({ ...meter, calls }, n),
    requestPath: { ...perRequest(request, n), commands: request.commands },
    authLookups: auth.calls,
    streamHandler: perRequest(stream, n),
    unreportedCalls: request.unreported + auth.unreported + stream.unreported,
    zeroReported: calls > 0 && meter.read === 0 && meter.write === 0,
    sequential: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      mean: round(latencies.reduce((a, b) => a + b, 0) / n),
      dynamoMsPerRequest: round(request.ms / n),
      meanMsPerCommand: meanPerCommand(request),
    },
  };
}

// ---------------------------------------------------------------- table growth and the list query

interface RoundMedian {
  p50: number;
  p95: number;
  p99: number;
  throughput: number;
  responses: number;
  non2xx: number;
  /** Time in the DynamoDB Query call per response. */
  queryMs: number;
  /** CPU seconds used by processes outside the benchmark during the round (shared-machine noise). */
  otherCpu: number;
}

interface ScalingPoint {
  tickets: number;
  newTickets: number;
  firstPage: number;
  rounds: LoadRun[];
  median: RoundMedian;
  /** Informational: the same query one request at a time, no queueing. */
  sequential: { requests: number; p50: number; p95: number; p99: number };
  /** Informational: GET /views (the sidebar's view counts) one request at a time. */
  views: { requests: number; p50: number; p95: number; p99: number };
}

const SEQUENTIAL_VIEWS_REQUESTS = 50;

const SEQUENTIAL_LIST_REQUESTS = 500;

async function sequentialLatency(api: Api, path: string, n: number): Promise<ScalingPoint['sequential']> {
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const { status } = await api.call('GET', path);
    latencies.push(performance.now() - started);
    if (status !== 200) throw new Error(`sequential ${path} answered ${status}`);
  }
  const sorted = sortedCopy(latencies);
  return {
    requests: n,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median of each figure over the rounds (figure by figure, so a single noisy round does not decide). */
function medianOfRounds(rounds: LoadRun[]): RoundMedian {
  return {
    p50: round(median(rounds.map((r) => r.latencyMs.p50))),
    p95: round(median(rounds.map((r) => r.latencyMs.p95))),
    p99: round(median(rounds.map((r) => r.latencyMs.p99))),
    throughput: round(median(rounds.map((r) => r.throughput)), 1),
    responses: Math.round(median(rounds.map((r) => r.responses))),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
    queryMs: round(median(rounds.map((r) => r.dynamo.msPerResponse)), 1),
    otherCpu: round(median(rounds.map((r) => r.cpu.otherProcesses ?? Number.NaN)), 1),
  };
}

/** Tickets matching the measured list query, counted by paging through the API itself (independent of the key design). */
async function countMatching(api: Api, path: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  const base = path.replace(/([?&])limit=\d+/, '$1limit=100');
  do {
    const url: string = cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base;
    const page = (await api.call('GET', url)).json as { items?: unknown[]; nextCursor?: string | null };
    count += page.items?.length ?? 0;
    cursor = page.nextCursor ?? null;
  } while (cursor);
  return count;
}

async function growTo(
  app: AppContext,
  ledger: CallLedger,
  target: number,
  seed: number,
): Promise<GrownTicket[]> {
  const current = await ticketCount(app);
  const missing = target - current;
  if (missing <= 0) {
    log(`  table already has ${current} tickets (target ${target})`);
    return [];
  }
  log(
    `  inserting ${missing} tickets (${current} → ${target}) through createTicket, ${INSERT_CONCURRENCY} in flight...`,
  );
  const started = Date.now();
  const grown = await growTickets(app, missing, {
    concurrency: INSERT_CONCURRENCY,
    seed,
    customers: Math.max(50, Math.round(target / 3)),
    progressEvery: PROGRESS_EVERY,
    onProgress: (done, total, ms) =>
      log(
        `    ${String(done).padStart(6)}/${total} inserted, ${fmt(done / (ms / 1000), 0)} tickets/s, ${seconds(ms)}  [${elapsed()}]`,
      ),
  });
  const insertMs = Date.now() - started;
  const drain = await ledger.drainStream();
  log(
    `  inserted ${grown.length} in ${seconds(insertMs)} (${fmt(grown.length / (insertMs / 1000), 0)}/s); ` +
      `stream handler ${drain.drained ? 'caught up' : 'NOT caught up'} after ${seconds(drain.waitedMs)} more`,
  );
  return grown;
}

function shuffled<T>(values: T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---------------------------------------------------------------- report

function loadRow(label: string, run: LoadRun): string[] {
  return [
    label,
    String(run.responses),
    fmt(run.throughput, 0),
    fmt(run.latencyMs.p50),
    fmt(run.latencyMs.p95),
    fmt(run.latencyMs.p99),
    fmt(run.latencyMs.max),
    String(run.non2xx + run.errors + run.timeouts),
    fmt(run.dynamo.msPerResponse),
    fmt(run.dynamoDbLocalGc?.gcSeconds, 2),
    `${fmt(run.cpu.dynamoDbLocal)} / ${fmt(run.cpu.apiServer)} / ${fmt(run.cpu.loadGenerator)} / ${fmt(run.cpu.otherProcesses)}`,
  ];
}

const LOAD_HEADER = [
  'operation',
  'responses',
  'req/s',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'max ms',
  'non-2xx',
  'in DDB ms/resp',
  'DDB GC s',
  'CPU s: DDB Local / desk / loadgen / other',
];

function printTargets(targets: { name: string; pass: boolean; detail: string }[]): void {
  log();
  log('Targets');
  for (const t of targets) log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name} — ${t.detail}`);
  const failed = targets.filter((t) => !t.pass).length;
  log(failed ? `  ${failed} of ${targets.length} targets FAILED` : `  all ${targets.length} targets passed`);
}

function capacityCell(value: number, zero: boolean): string {
  return zero ? 'not reported' : fmt(value, 2);
}

async function main(): Promise<void> {
  // The AWS SDK's notice that releases after January 2027 need Node 22 is noise here; other warnings still show.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    const text = `${warning.name}: ${warning.message}`;
    if (!text.includes('NodeVersionSupportWarning')) console.warn(text);
  });
  const work = mkdtempSync(join(tmpdir(), 'helpdesk-bench-'));
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr?.split('\n')[0] ?? 'unknown';
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    java,
    loadAverageAtStart: loadavg().map((l) => round(l, 2)),
  };
  const git = (...args: string[]) =>
    spawnSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout?.trimEnd() ?? '';
  const code = {
    commit: git('rev-parse', '--short', 'HEAD') || 'unknown',
    /** Uncommitted changes to the code under test, so a figure can be tied to what was measured. */
    uncommitted: git('status', '--porcelain', '--', 'functions', 'local')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3)),
  };
  log(`open-helpdesk benchmark — ${new Date().toISOString()}`);
  log(
    `machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${java}, load average ${machine.loadAverageAtStart.join(' ')}`,
  );
  log(
    `code: git ${code.commit}${code.uncommitted.length ? ` + uncommitted changes in ${code.uncommitted.join(', ')}` : ''}`,
  );
  const emailSettings =
    `email: ${EMAILS} mails, ${EMAIL_CONNECTIONS} SMTP connections, ${EMAIL_WARMUP} warm-up mails, ` +
    `${EMAIL_REDELIVERIES} redelivered, poll every ${EMAIL_POLL_MS} ms`;
  if (ONLY === 'email') log(`settings: BENCH_ONLY=email; ${emailSettings}`);
  else
    log(
      `settings: ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${MEASURE_SECONDS} s per run, ` +
        `capacity N=${CAPACITY_REQUESTS}, tables ${SMALL_TABLE} → ${LARGE_TABLE} tickets, ${SCALING_ROUNDS} list rounds per size; ` +
        emailSettings,
    );

  const desk = await startLocal({
    port: 0,
    inMemory: true,
    seed: true,
    quiet: true,
    dataDir: work,
    publicRateLimitPerMinute: 1_000_000,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await desk.stop();
    rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void stop().finally(() => process.exit(130));
  });

  try {
    const ledger = new CallLedger();
    ledger.attach(desk.app.documentClient);
    const javaPid = dynamoPid();
    log(
      `desk up at ${desk.url} (DynamoDB Local ${desk.dynamoEndpoint}, pid ${javaPid ?? '?'}) [${elapsed()}]`,
    );
    const api = await signIn(desk.url);
    const emailSection = async (): Promise<EmailFigures> => {
      log();
      log(
        `[${elapsed()}] Email: ${EMAILS} mails over SMTP, ${EMAIL_CONNECTIONS} connections, after ${EMAIL_WARMUP} warm-up mails`,
      );
      return runEmailSection({
        desk,
        api,
        ledger,
        work,
        count: EMAILS,
        connections: EMAIL_CONNECTIONS,
        warmup: EMAIL_WARMUP,
        redeliveries: EMAIL_REDELIVERIES,
        pollMs: EMAIL_POLL_MS,
        log,
        elapsed,
        sampleCpu: () => ({
          dynamoDbLocal: procCpuSeconds(javaPid),
          desk: selfCpuSeconds(),
          machine: machineCpuSeconds(),
        }),
      });
    };
    if (ONLY === 'email') {
      const email = await emailSection();
      const finalTickets = await ticketCount(desk.app);
      log();
      log('='.repeat(100));
      log(
        `RESULTS — ${new Date().toISOString()}, ${machine.cores} cores, BENCH_ONLY=email, ${finalTickets} tickets by the end`,
      );
      log('='.repeat(100));
      log();
      printEmail(email, log);
      const targets = emailTargets(email);
      printTargets(targets);
      const wallSeconds = round((Date.now() - startedAt) / 1000, 1);
      log();
      log(`bench wall time ${wallSeconds} s`);
      const result = {
        date: new Date(startedAt).toISOString(),
        machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => round(l, 2)) },
        code,
        only: ONLY,
        email,
        targets,
        finalTickets,
        wallSeconds,
      };
      log(`BENCH_RESULT ${JSON.stringify(result)}`);
      return;
    }

    // ------------------------------------------------ warm-up: JIT on both sides, principal cache
    const warmIds: string[] = [];
    for (let i = 0; i < 30; i++) {
      const created = await api.call('POST', '/tickets', createBody(`warm-${i}`));
      if (created.status !== 201)
        throw new Error(`warm-up create failed: ${created.status} ${JSON.stringify(created.json)}`);
      const id = (created.json as { id: string }).id;
      warmIds.push(id);
      await api.call('GET', LIST_PATH);
      await api.call('GET', `/tickets/${id}`);
      await api.call('POST', `/tickets/${id}/replies`, { body: 'Warm-up reply.' });
    }

    // ------------------------------------------------ 1. capacity per request
    log();
    log(`[${elapsed()}] DynamoDB capacity: ${CAPACITY_REQUESTS} sequential requests per operation`);
    const capacityIds: string[] = [];
    const capacity: CapacityFigures[] = [];
    capacity.push(
      await measureCapacity(ledger, 'create', 'create ticket', 201, async (i) => {
        const res = await api.call('POST', '/tickets', createBody(`cap-${process.pid}-${i}`));
        if (res.status === 201) capacityIds.push((res.json as { id: string }).id);
        return res.status;
      }),
    );
    capacity.push(
      await measureCapacity(
        ledger,
        'list',
        'list inbox',
        200,
        async () => (await api.call('GET', LIST_PATH)).status,
      ),
    );
    capacity.push(
      await measureCapacity(ledger, 'get', 'get ticket', 200, async (i) => {
        return (await api.call('GET', `/tickets/${capacityIds[i % capacityIds.length]}`)).status;
      }),
    );
    capacity.push(
      await measureCapacity(ledger, 'reply', 'add reply', 201, async (i) => {
        const res = await api.call('POST', `/tickets/${capacityIds[i % capacityIds.length]}/replies`, {
          body: `Hello, thanks for reaching out (capacity probe ${i}).`,
        });
        return res.status;
      }),
    );
    for (const c of capacity) log(`  ${c.label}: done, statuses ${JSON.stringify(c.statuses)}`);

    // ------------------------------------------------ 2. list-inbox scaling
    log();
    log(`[${elapsed()}] List-inbox scaling: ${LIST_PATH}`);
    const grown: GrownTicket[] = [];
    const scaling: ScalingPoint[] = [];
    for (const [index, size] of [SMALL_TABLE, LARGE_TABLE].entries()) {
      grown.push(...(await growTo(desk.app, ledger, size, 1000 + index)));
      const tickets = await ticketCount(desk.app);
      const newTickets = await countMatching(api, LIST_PATH);
      const firstPage = ((await api.call('GET', LIST_PATH)).json as { items?: unknown[] }).items?.length ?? 0;
      log(
        `  ${tickets} tickets, ${newTickets} of them new; first page has ${firstPage} items. Measuring... [${elapsed()}]`,
      );
      const rounds: LoadRun[] = [];
      for (let round = 1; round <= SCALING_ROUNDS; round++) {
        const run = await runLoad(api, work, 'list', { expect: 200, javaPid, ledger });
        log(
          `  round ${round}/${SCALING_ROUNDS}: p50 ${fmt(run.latencyMs.p50)} ms, p95 ${fmt(run.latencyMs.p95)} ms, ` +
            `p99 ${fmt(run.latencyMs.p99)} ms, ${fmt(run.throughput, 0)} req/s, Query ${fmt(run.dynamo.msPerResponse)} ms/resp, ` +
            `CPU s DDB Local ${fmt(run.cpu.dynamoDbLocal)} / desk ${fmt(run.cpu.apiServer)} / other processes ${fmt(run.cpu.otherProcesses)}, ` +
            `DDB Local GC ${describeGc(run.dynamoDbLocalGc)} [${elapsed()}]`,
        );
        rounds.push(run);
      }
      const sequential = await sequentialLatency(api, LIST_PATH, SEQUENTIAL_LIST_REQUESTS);
      log(
        `  informational, ${SEQUENTIAL_LIST_REQUESTS} sequential requests: p50 ${fmt(sequential.p50)} ms, ` +
          `p95 ${fmt(sequential.p95)} ms, p99 ${fmt(sequential.p99)} ms [${elapsed()}]`,
      );
      const views = await sequentialLatency(api, '/views', SEQUENTIAL_VIEWS_REQUESTS);
      log(
        `  informational, ${SEQUENTIAL_VIEWS_REQUESTS} sequential GET /views (view counts): p50 ${fmt(views.p50)} ms, ` +
          `p95 ${fmt(views.p95)} ms, p99 ${fmt(views.p99)} ms [${elapsed()}]`,
      );
      scaling.push({
        tickets,
        newTickets,
        firstPage,
        rounds,
        median: medianOfRounds(rounds),
        sequential,
        views,
      });
    }

    // ------------------------------------------------ 3. load per operation
    log();
    log(
      `[${elapsed()}] Load: ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${MEASURE_SECONDS} s`,
    );
    const getPool = shuffled(
      grown.map((t) => t.id),
      7,
    ).slice(0, POOL_SIZE);
    const replyPool = shuffled(
      grown.filter((t) => t.status !== 'closed').map((t) => t.id),
      11,
    ).slice(0, POOL_SIZE);
    const loads: Record<LoadOperation, LoadRun> = {} as Record<LoadOperation, LoadRun>;
    for (const { op, label, expect } of OPERATIONS) {
      await ledger.drainStream();
      const ids = op === 'get' ? getPool : op === 'reply' ? replyPool : undefined;
      const run = await runLoad(api, work, op, { expect, javaPid, ledger, ...(ids ? { ids } : {}) });
      loads[op] = run;
      log(
        `  ${label}: p50 ${fmt(run.latencyMs.p50)} ms, p95 ${fmt(run.latencyMs.p95)} ms, p99 ${fmt(run.latencyMs.p99)} ms, ` +
          `${fmt(run.throughput, 0)} req/s, statuses ${JSON.stringify(run.statusCodes)} [${elapsed()}]`,
      );
    }
    const loadTickets = await ticketCount(desk.app);

    // ------------------------------------------------ 4. email, on the grown table (it first waits for the desk to go quiet)
    const email = await emailSection();
    const finalTickets = await ticketCount(desk.app);

    // ------------------------------------------------ report
    log();
    log('='.repeat(100));
    log(
      `RESULTS — ${new Date().toISOString()}, ${machine.cores} cores, table grew to ${finalTickets} tickets by the end`,
    );
    log('='.repeat(100));
    log();
    log(
      `Load: autocannon, ${CONNECTIONS} connections, ${MEASURE_SECONDS} s after a ${WARMUP_SECONDS} s warm-up, on the ${scaling.at(-1)?.tickets ?? '?'}-ticket table`,
    );
    log(
      '(latency per response, measured by the load generator; "in DDB" = time the request path spent in DynamoDB client calls,',
    );
    log(
      `SDK + DynamoDB Local, per response; CPU seconds used during the ~${MEASURE_SECONDS} s measured window by DynamoDB Local, ` +
        'the desk process, the load generator, and other processes on the machine)',
    );
    log(
      table(
        LOAD_HEADER,
        OPERATIONS.map(({ op, label }) => loadRow(label, loads[op])),
      ),
    );
    log();
    log(`DynamoDB capacity per request: ${CAPACITY_REQUESTS} sequential requests each, after warm-up`);
    log(
      '(capacityMeter = every call this process made, incl. the stream handler run in-process by the local stream poller)',
    );
    log(
      table(
        [
          'operation',
          'RCU/req',
          'WCU/req',
          'TransactWriteItems/req',
          'request path: RCU',
          'WCU',
          'tx',
          'calls',
          'stream (async): WCU',
          'tx',
          'auth lookups',
        ],
        capacity.map((c) => [
          c.label,
          capacityCell(c.meter.rcu, c.zeroReported),
          capacityCell(c.meter.wcu, c.zeroReported),
          fmt(c.meter.transactions, 2),
          capacityCell(c.requestPath.rcu, c.zeroReported),
          capacityCell(c.requestPath.wcu, c.zeroReported),
          fmt(c.requestPath.transactions, 2),
          fmt(c.requestPath.calls, 2),
          capacityCell(c.streamHandler.wcu, c.zeroReported),
          fmt(c.streamHandler.transactions, 2),
          String(c.authLookups),
        ]),
      ),
    );
    for (const c of capacity) {
      const commands = Object.entries(c.requestPath.commands)
        .map(([name, count]) => {
          const short = name.replace(/Command$/, '');
          return `${short} ×${round(count / c.requests, 2)} (${fmt(c.sequential.meanMsPerCommand[short])} ms)`;
        })
        .join(', ');
      log(`  ${c.label}: per request ${commands || 'no DynamoDB calls'}`);
      if (c.zeroReported)
        log(
          `  ${c.label}: DynamoDB Local reported ZERO consumed capacity — the units above are not a measurement.`,
        );
      else if (c.unreportedCalls > 0)
        log(`  ${c.label}: ${c.unreportedCalls} calls came back without ConsumedCapacity (not counted).`);
      if (c.ok !== c.requests)
        log(
          `  ${c.label}: WARNING only ${c.ok}/${c.requests} requests succeeded: ${JSON.stringify(c.statuses)}`,
        );
    }
    log();
    log(
      `Unloaded latency: the same ${CAPACITY_REQUESTS} sequential requests (one at a time), as seen by fetch`,
    );
    log(
      table(
        ['operation', 'p50 ms', 'p95 ms', 'mean ms', 'in DynamoDB calls ms', 'rest (HTTP, auth, handler) ms'],
        capacity.map((c) => [
          c.label,
          fmt(c.sequential.p50),
          fmt(c.sequential.p95),
          fmt(c.sequential.mean),
          fmt(c.sequential.dynamoMsPerRequest),
          fmt(c.sequential.mean - c.sequential.dynamoMsPerRequest),
        ]),
      ),
    );
    log();
    const [small, large] = scaling;
    const ratio = (key: 'p50' | 'p95' | 'p99' | 'throughput' | 'queryMs') =>
      small && large ? round(large.median[key] / small.median[key], 2) : Number.NaN;
    log(
      `List-inbox scaling: ${LIST_PATH}, autocannon ${CONNECTIONS} connections, ${SCALING_ROUNDS} rounds × ${MEASURE_SECONDS} s ` +
        `(each after a ${WARMUP_SECONDS} s warm-up); figures are the median over the rounds`,
    );
    log(
      `(inserted with createTicket, status mix ${STATUS_MIX.map(([s, w]) => `${s} ${w}%`).join(', ')}; the measured query returns the 'new' ones)`,
    );
    log(
      table(
        [
          'tickets',
          'new',
          'page',
          'responses',
          'req/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'non-2xx',
          'Query ms/resp',
          'other procs CPU s',
        ],
        [
          ...scaling.map((s) => [
            String(s.tickets),
            String(s.newTickets),
            String(s.firstPage),
            String(s.median.responses),
            fmt(s.median.throughput, 0),
            fmt(s.median.p50),
            fmt(s.median.p95),
            fmt(s.median.p99),
            String(s.median.non2xx),
            fmt(s.median.queryMs),
            fmt(s.median.otherCpu),
          ]),
          [
            'ratio large/small',
            '',
            '',
            '',
            fmt(ratio('throughput'), 2),
            fmt(ratio('p50'), 2),
            fmt(ratio('p95'), 2),
            fmt(ratio('p99'), 2),
            '',
            fmt(ratio('queryMs'), 2),
            '',
          ],
        ],
      ),
    );

    if (small && large) {
      const seqRatio = (key: 'p50' | 'p95' | 'p99') =>
        round(large.sequential[key] / small.sequential[key], 2);
      log(
        `  informational (not a target), ${SEQUENTIAL_LIST_REQUESTS} sequential requests, no queueing: ` +
          `${small.tickets}: p50 ${fmt(small.sequential.p50)} / p95 ${fmt(small.sequential.p95)} / p99 ${fmt(small.sequential.p99)} ms; ` +
          `${large.tickets}: p50 ${fmt(large.sequential.p50)} / p95 ${fmt(large.sequential.p95)} / p99 ${fmt(large.sequential.p99)} ms; ` +
          `ratio p50 ${fmt(seqRatio('p50'), 2)}, p99 ${fmt(seqRatio('p99'), 2)}`,
      );
    }
    const listLoad = loads.list;
    log(
      `  cross-check: the same query in the load section above, on the ${loadTickets}-ticket table: ` +
        `p50 ${fmt(listLoad.latencyMs.p50)} ms, p95 ${fmt(listLoad.latencyMs.p95)} ms, p99 ${fmt(listLoad.latencyMs.p99)} ms, ` +
        `${fmt(listLoad.throughput, 0)} req/s (other processes ${fmt(listLoad.cpu.otherProcesses)} CPU s)`,
    );
    log();
    printEmail(email, log);

    // ------------------------------------------------ targets
    const targets: { name: string; pass: boolean; detail: string }[] = [];
    for (const { op, label } of OPERATIONS) {
      const run = loads[op];
      targets.push({
        name: `p99 < ${P99_TARGET_MS} ms at ${CONNECTIONS} clients: ${label}`,
        pass: run.latencyMs.p99 < P99_TARGET_MS && run.non2xx === 0,
        detail: `p99 ${fmt(run.latencyMs.p99)} ms${run.non2xx ? `, ${run.non2xx} non-2xx` : ''}`,
      });
    }
    const fullPages = scaling.every((s) => s.firstPage >= 25);
    for (const key of ['p50', 'p99'] as const) {
      targets.push({
        name: `list ${key} at ${LARGE_TABLE} tickets within ${Math.round((SCALING_TARGET - 1) * 100)}% of ${SMALL_TABLE}`,
        pass: ratio(key) <= SCALING_TARGET && fullPages,
        detail: `median ${fmt(small?.median[key])} → ${fmt(large?.median[key])} ms, ratio ${fmt(ratio(key), 2)}${fullPages ? '' : ' (a page was not full!)'}`,
      });
    }
    const create = capacity.find((c) => c.op === 'create')!;
    targets.push({
      name: '≤ 1 write transaction per ticket creation (request path)',
      pass: create.requestPath.transactions <= 1 && create.ok === create.requests,
      detail:
        `${fmt(create.requestPath.transactions, 2)} TransactWriteItems per POST /tickets; capacityMeter counts ` +
        `${fmt(create.meter.transactions, 2)} incl. ${fmt(create.streamHandler.transactions, 2)} async roll-up by the stream handler`,
    });
    targets.push(...emailTargets(email));
    printTargets(targets);

    const wallSeconds = round((Date.now() - startedAt) / 1000, 1);
    log();
    log(`bench wall time ${wallSeconds} s`);
    const result = {
      date: new Date(startedAt).toISOString(),
      machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => round(l, 2)) },
      code,
      settings: {
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_SECONDS,
        measureSeconds: MEASURE_SECONDS,
        capacityRequests: CAPACITY_REQUESTS,
        smallTable: SMALL_TABLE,
        largeTable: LARGE_TABLE,
        listPath: LIST_PATH,
        scalingRounds: SCALING_ROUNDS,
        insertConcurrency: INSERT_CONCURRENCY,
      },
      load: Object.fromEntries(OPERATIONS.map(({ op }) => [op, loads[op]])),
      capacity: Object.fromEntries(capacity.map((c) => [c.op, c])),
      scaling: {
        rounds: SCALING_ROUNDS,
        small,
        large,
        ratio: {
          p50: ratio('p50'),
          p95: ratio('p95'),
          p99: ratio('p99'),
          throughput: ratio('throughput'),
          queryMs: ratio('queryMs'),
          sequentialP50: small && large ? round(large.sequential.p50 / small.sequential.p50, 2) : null,
          sequentialP99: small && large ? round(large.sequential.p99 / small.sequential.p99, 2) : null,
        },
      },
      email,
      targets,
      finalTickets,
      wallSeconds,
    };
    log(`BENCH_RESULT ${JSON.stringify(result)}`);
  } finally {
    await stop();
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error('benchmark failed:', error);
    process.exit(1);
  });
