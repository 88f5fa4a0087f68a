/**
 * Starts AWS's DynamoDB Local (the real engine, a Java program shipped inside
 * the npm package `amplify-dynamodb-simulator`) with the machine's Java.
 * Nothing is downloaded: the jar comes with `npm install`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  constructor() {
    super(
      'Java was not found. DynamoDB Local (the real DynamoDB engine used locally) needs Java 17 or newer.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS (Homebrew): brew install openjdk@17\n' +
        'Then run npm start again.',
    );
  }
}

function emulatorDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('amplify-dynamodb-simulator/package.json');
  const directory = join(dirname(packageJson), 'emulator');
  if (!existsSync(join(directory, 'DynamoDBLocal.jar'))) {
    throw new Error(`DynamoDBLocal.jar is missing from ${directory}; run npm install`);
  }
  return directory;
}

function javaAvailable(): boolean {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return result.status === 0;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`);
    }
    try {
      // Any HTTP answer (DynamoDB Local answers a bare POST with a 400) means it is listening.
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`DynamoDB Local did not start within 30 s:\n${output()}`);
}

/**
 * JVM settings: `fast-start` (tests) compiles less and starts sooner;
 * `throughput` (npm start, the benchmark) lets the JIT optimise fully, which
 * about doubles DynamoDB Local's transaction rate once warm.
 */
export type JvmProfile = 'fast-start' | 'throughput';

const JVM_FLAGS: Record<JvmProfile, string[]> = {
  'fast-start': ['-Xms64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'],
  throughput: ['-Xms256m'],
};

/**
 * Starts DynamoDB Local on a free loopback port, either in memory (tests) or
 * with its data in `dataDir` (npm start: a restart finds the data again).
 */
export async function startDynamoDbLocal(options: {
  jvm?: JvmProfile;
  inMemory: boolean;
  dataDir?: string;
  port?: number;
}): Promise<DynamoDbLocal> {
  if (!javaAvailable()) throw new JavaMissingError();
  const directory = emulatorDirectory();
  const port = options.port ?? (await freePort());
  const dataDir = resolve(options.dataDir ?? '.local/dynamodb');
  const storage: string[] = options.inMemory ? ['-inMemory'] : ['-dbPath', dataDir];
  if (!options.inMemory) mkdirSync(dataDir, { recursive: true });
  const child = spawn(
    'java',
    [
      ...JVM_FLAGS[options.jvm ?? 'fast-start'],
      `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(directory, 'DynamoDBLocal.jar'),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
      '-port',
      String(port),
    ],
    // Its working directory receives a metadata file: keep it out of the project.
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.inMemory ? tmpdir() : dataDir },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    if (log.length < 10_000) log += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (log.length < 10_000) log += chunk.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, () => log);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
