/**
 * The load generator, run by `bench/run.ts` as a separate Node process so the
 * client's own work (building requests, parsing responses) does not run on the
 * event loop of the server it measures. Reads a LoadSpec from the JSON file
 * named by argv[2], runs an autocannon warm-up and then the measured run, and
 * prints one line `LOAD_RESULT {json}` with every response's latency
 * summarised (p50/p95/p99 computed from the raw per-response times).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { percentile, round, sortedCopy } from './stats.js';

export type LoadOperation = 'create' | 'list' | 'get' | 'reply';

export interface LoadSpec {
  url: string;
  token: string;
  op: LoadOperation;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** For `list`: the path with its query string. */
  listPath?: string;
  /** For `get` and `reply`: ticket ids to spread the requests over. */
  ids?: string[];
  /** Makes generated subjects and emails unique across runs and processes. */
  tag: string;
}

export interface LoadResult {
  op: LoadOperation;
  connections: number;
  seconds: number;
  responses: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  throughput: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /** CPU time the load generator itself used during the run. */
  clientCpuSeconds: number;
  /** autocannon's own histogram figures, for cross-checking. */
  autocannon: { p50: number; p99: number; requestsPerSecondMean: number };
}

function requestFor(spec: LoadSpec, phase: string): autocannon.Request {
  let counter = 0;
  let cursor = 0;
  const ids = spec.ids ?? [];
  const nextId = () => {
    if (ids.length === 0) throw new Error(`${spec.op} needs a pool of ticket ids`);
    // Round robin over a shuffled pool: two in-flight requests only share a ticket when the pool is tiny.
    return ids[cursor++ % ids.length]!;
  };
  switch (spec.op) {
    case 'create':
      return {
        method: 'POST',
        path: '/tickets',
        setupRequest: (request) => {
          const n = counter++;
          const who = `${spec.tag}-${phase}-${n}`;
          return {
            ...request,
            body: JSON.stringify({
              subject: `Order ${n} arrived damaged (${who})`,
              description: `Load test ticket ${who}: the parcel arrived with a crushed corner and the item inside is cracked.`,
              customer: { email: `bench-${who}@load.example`, name: `Bench Customer ${n}` },
              priority: 'normal',
              channel: 'phone',
            }),
          };
        },
      };
    case 'list':
      return { method: 'GET', path: spec.listPath ?? '/tickets?status=new&limit=25' };
    case 'get':
      return {
        method: 'GET',
        path: '/tickets',
        setupRequest: (request) => ({ ...request, path: `/tickets/${nextId()}` }),
      };
    case 'reply':
      return {
        method: 'POST',
        path: '/tickets',
        setupRequest: (request) => {
          const n = counter++;
          return {
            ...request,
            path: `/tickets/${nextId()}/replies`,
            body: JSON.stringify({
              body: `Thanks for your patience — update ${n} from the load test (${spec.tag}-${phase}).`,
            }),
          };
        },
      };
  }
}

async function fire(spec: LoadSpec, phase: 'warmup' | 'measure', duration: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const statusCodes: Record<string, number> = {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration,
        timeout: 30,
        headers: {
          authorization: `Bearer ${spec.token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        requests: [requestFor(spec, phase)],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
  });
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = sortedCopy(latencies);
  const ok = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  const elapsed = result.duration > 0 ? result.duration : duration;
  return {
    op: spec.op,
    connections: spec.connections,
    seconds: round(elapsed, 2),
    responses: latencies.length,
    ok,
    non2xx: latencies.length - ok,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    throughput: round(latencies.length / elapsed, 1),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.length ? sorted[sorted.length - 1]! : Number.NaN),
      mean: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
    },
    clientCpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
    autocannon: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      requestsPerSecondMean: result.requests.average,
    },
  };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: load.ts <spec.json>');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as LoadSpec;
  if (spec.warmupSeconds > 0) await fire(spec, 'warmup', spec.warmupSeconds);
  // Markers let the parent sample CPU and DynamoDB time over the measured window only.
  process.stdout.write('PHASE measure\n');
  const result = await fire(spec, 'measure', spec.seconds);
  process.stdout.write('PHASE done\n');
  process.stdout.write(`LOAD_RESULT ${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
