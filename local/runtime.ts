/**
 * The local desk: DynamoDB Local, the table, the same Lambda handlers behind a
 * local HTTP server, the stream poller feeding the events handler, and demo
 * data. `npm start` runs it with data on disk; tests run it in memory.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { readConfig } from '../functions/composition/config.js';
import { type AppContext, createContext, installAppContext } from '../functions/composition/deps.js';
import { handler as streamHandler } from '../functions/events/stream-handler.js';
import { cachingVerifier, issueToken, verifyPassword } from './auth.js';
import { type JvmProfile, startDynamoDbLocal } from './dynamodb-local.js';
import { seedDemoData } from './seed.js';
import { startLocalServer } from './server.js';
import { startStreamPoller } from './stream-poller.js';
import { ensureTable } from './table.js';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface LocalOptions {
  /** HTTP port; 0 picks a free one. Default 3000. */
  port?: number;
  host?: string;
  /** Where DynamoDB Local keeps its files, the stream checkpoint and the local signing secret. */
  dataDir?: string;
  /** Keep the table in memory only (tests). */
  inMemory?: boolean;
  seed?: boolean;
  quiet?: boolean;
  tableName?: string;
  deskName?: string;
  /** DynamoDB Local's JVM settings; tests pick 'fast-start'. Default 'throughput'. */
  jvm?: JvmProfile;
  /** Requests per minute per address on the public web form. */
  publicRateLimitPerMinute?: number;
}

export interface LocalDesk {
  url: string;
  port: number;
  dynamoEndpoint: string;
  app: AppContext;
  seeded: boolean;
  stop(): Promise<void>;
}

const LoginSchema = z
  .object({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) })
  .strict();

function localSecret(dataDir: string, inMemory: boolean): Uint8Array {
  if (inMemory) return randomBytes(32);
  const file = join(dataDir, 'jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return Buffer.from(readFileSync(file, 'utf8'), 'base64');
}

export async function startLocal(options: LocalOptions = {}): Promise<LocalDesk> {
  const inMemory = options.inMemory ?? false;
  const dataDir = resolve(options.dataDir ?? join(PROJECT_ROOT, '.local'));
  mkdirSync(dataDir, { recursive: true });
  const log = options.quiet ? () => undefined : (line: string) => console.log(line);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };

  try {
    const dynamo = await startDynamoDbLocal({
      inMemory,
      dataDir: join(dataDir, 'dynamodb'),
      jvm: options.jvm ?? 'throughput',
    });
    stops.push(dynamo.stop);
    const config = readConfig({
      TABLE_NAME: options.tableName ?? 'helpdesk',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      DESK_NAME: options.deskName ?? 'Demo Desk',
      PUBLIC_RATE_LIMIT_PER_MINUTE: String(options.publicRateLimitPerMinute ?? 10),
    });
    const admin = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: config.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const streamArn = await ensureTable(admin, config.TABLE_NAME);
    admin.destroy();
    const app = createContext(config);
    installAppContext(app);

    const poller = await startStreamPoller({
      endpoint: dynamo.endpoint,
      region: config.AWS_REGION,
      streamArn,
      handler: streamHandler,
      ...(inMemory ? {} : { checkpointFile: join(dataDir, 'stream-checkpoints.json') }),
      onError: (error) => log(`stream poller: ${String(error)}`),
    });
    stops.push(poller.stop);

    const seeded = options.seed === false ? false : await seedDemoData(app);
    const secret = localSecret(dataDir, inMemory);
    const { server, port } = await startLocalServer({
      port: options.port ?? 3000,
      host: options.host ?? '127.0.0.1',
      webRoot: join(PROJECT_ROOT, 'web', 'dist'),
      verifyToken: cachingVerifier(secret),
      localRoutes: {
        'GET /config.json': async () => ({
          status: 200,
          body: { deskName: config.DESK_NAME, apiUrl: '', auth: { mode: 'local' } },
        }),
        'POST /local/login': async (_request, body) => {
          let parsed: z.infer<typeof LoginSchema>;
          try {
            parsed = LoginSchema.parse(JSON.parse(body.toString('utf8')));
          } catch {
            return {
              status: 400,
              body: { error: { code: 'invalid_request', message: 'Send { "email", "password" }' } },
            };
          }
          const agent = await app.directory.findAgentByEmail(parsed.email);
          const hash = agent?.active ? await app.directory.getCredential(agent.id) : null;
          if (!agent || !hash || !(await verifyPassword(parsed.password, hash))) {
            return {
              status: 401,
              body: { error: { code: 'invalid_credentials', message: 'Wrong email or password' } },
            };
          }
          return { status: 200, body: { token: await issueToken(agent, secret) } };
        },
      },
    });
    stops.push(() => closeServer(server));
    const url = `http://${options.host ?? '127.0.0.1'}:${port}`.replace('127.0.0.1', 'localhost');
    return { url, port, dynamoEndpoint: dynamo.endpoint, app, seeded, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeAllConnections();
  });
}
