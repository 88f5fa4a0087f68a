/**
 * The local desk: DynamoDB Local, the table, the same Lambda handlers behind a
 * local HTTP server, the stream poller feeding the events handler, and demo
 * data. `npm start` runs it with data on disk; tests run it in memory.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { DynamoMailLedger } from '../functions/adapters/dynamodb/mail-ledger.js';
import { ulidGenerator } from '../functions/adapters/ids.js';
import { contentDisposition } from '../functions/adapters/s3/blob-store.js';
import { blueprintTask } from '../functions/blueprints/engine.js';
import { blueprintContext } from '../functions/composition/blueprints.js';
import { readConfig } from '../functions/composition/config.js';
import { type AppContext, createContext, installAppContext } from '../functions/composition/deps.js';
import { type MailRuntime, mailSettings } from '../functions/composition/mail.js';
import { parseBlueprintTaskRequest } from '../functions/domain/blueprints/task-contract.js';
import type { SupportAddress } from '../functions/domain/email/ports.js';
import { readReplyAddress } from '../functions/domain/email/signing.js';
import type { SlaTargetKind } from '../functions/domain/sla/policy.js';
import { receiveEmail, supportAddressOf, withDepartmentAddresses } from '../functions/email/receive.js';
import { handler as streamHandler } from '../functions/events/stream-handler.js';
import { runScheduledRules } from '../functions/rules/schedule-handler.js';
import { repairTimers, runTimerTick, type SlaContext } from '../functions/sla/engine.js';
import { localAgentAccounts } from './accounts.js';
import { cachingVerifier, issueToken, verifyPassword } from './auth.js';
import { BLUEPRINT_MACHINE, blueprintExecutionName, registerBlueprintMachine } from './blueprint-machine.js';
import { type JvmProfile, startDynamoDbLocal } from './dynamodb-local.js';
import { FILES_PATH, FileBlobStore } from './file-blob-store.js';
import { startInterval } from './interval.js';
import { listOutbox, OutboxMailer } from './outbox.js';
import { seedDemoData } from './seed.js';
import { startLocalServer } from './server.js';
import { LocalSlaTimerScheduler, registerSlaTimerMachine } from './sla-timer-scheduler.js';
import { startSmtpReceiver } from './smtp.js';
import { LocalStepFunctions } from './step-functions.js';
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
  /** SMTP port of the local mail receiver; 0 picks a free one. Default 2525 (a free one when `port` is 0). */
  smtpPort?: number;
  /** Support addresses and their departments. Default: the demo's addresses. */
  supportAddresses?: SupportAddress[];
  /** Automatic mails to one address per hour (loop brake). Default 5. */
  autoRepliesPerHour?: number;
  /**
   * How often the time-based workflow rules run (EventBridge does it every 15
   * minutes on AWS). Default: env `RULES_INTERVAL_SECONDS`, else 300; 0 turns it off.
   */
  rulesIntervalSeconds?: number;
  /**
   * Webhooks may use http and call loopback/private hosts (a receiver on
   * 127.0.0.1). Default true locally; on AWS it is always https to public hosts.
   */
  allowLocalWebhooks?: boolean;
}

/** The demo desk's support addresses: general mail goes to triage, the others to their department. */
export const DEMO_SUPPORT_ADDRESSES: SupportAddress[] = [
  { address: 'support@demo.local', departmentId: null },
  { address: 'returns@demo.local', departmentId: 'returns' },
  { address: 'billing@demo.local', departmentId: 'billing' },
];

/** SES's receiving limit: 40 MB per message including encoding. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export interface LocalDesk {
  url: string;
  port: number;
  smtpPort: number;
  /** Where outgoing mail is written (raw .eml files). */
  outboxDir: string;
  mail: MailRuntime;
  dynamoEndpoint: string;
  app: AppContext;
  seeded: boolean;
  stop(): Promise<void>;
}

const LoginSchema = z
  .object({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) })
  .strict();

function localSecret(dataDir: string, inMemory: boolean, name = 'jwt-secret'): Uint8Array {
  if (inMemory) return randomBytes(32);
  const file = join(dataDir, name);
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
      WEBHOOK_ALLOW_HTTP: String(options.allowLocalWebhooks ?? true),
      WEBHOOK_ALLOW_PRIVATE_HOSTS: String(options.allowLocalWebhooks ?? true),
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

    // Mail: files stand in for the bucket, an outbox for SES sending.
    const mailDir = inMemory ? mkdtempSync(join(tmpdir(), 'helpdesk-mail-')) : join(dataDir, 'mail');
    if (inMemory) stops.push(async () => rmSync(mailDir, { recursive: true, force: true }));
    let baseUrl = '';
    const blobs = new FileBlobStore(
      join(mailDir, 'bucket'),
      localSecret(dataDir, inMemory, 'files-secret'),
      () => baseUrl,
    );
    const outboxDir = join(mailDir, 'outbox');
    const mail: MailRuntime = {
      blobs,
      mailer: new OutboxMailer(outboxDir),
      ledger: new DynamoMailLedger(app.documentClient, config.TABLE_NAME),
      settings: {
        ...mailSettings(
          config,
          Buffer.from(localSecret(dataDir, inMemory, 'mail-secret')).toString('base64'),
        ),
        supportAddresses: options.supportAddresses ?? DEMO_SUPPORT_ADDRESSES,
        autoRepliesPerSenderPerHour: options.autoRepliesPerHour ?? 5,
      },
    };
    app.blobs = blobs;
    app.mail = mail;
    // Agents created by admins sign in with the local login (a password hash in the table).
    app.accounts = localAgentAccounts();

    // Step Functions: the same ASL files, run in-process; SLA timers tick the same task code.
    const stepFunctions = new LocalStepFunctions({
      onExecutionEnd: (end) => {
        if (end.status === 'FAILED' || end.status === 'TIMED_OUT') {
          log(
            `state machine ${end.machine} execution ${end.name} ${end.status}: ${JSON.stringify(end.error ?? null)}`,
          );
        }
      },
    });
    stops.push(() => stepFunctions.stopAll());
    const slaContext = (): SlaContext => ({ deps: app.deps, store: app.sla, timers: null, mail });
    registerSlaTimerMachine(stepFunctions, async (input) => {
      const tick = input as { ticketId: string; target: SlaTargetKind; generation: number };
      return runTimerTick(slaContext(), tick);
    });
    app.slaTimers = new LocalSlaTimerScheduler(stepFunctions);
    // Blueprints: the interpreter ASL, its tasks answered by the same task code; tokens by the runner.
    registerBlueprintMachine(stepFunctions, {
      task: async (payload) => blueprintTask(blueprintContext(app), parseBlueprintTaskRequest(payload)),
    });
    app.blueprintMachine = {
      start: async (input) => {
        await stepFunctions.startExecution(BLUEPRINT_MACHINE, {
          name: blueprintExecutionName(input.ticketId, input.blueprintId, input.version),
          input,
        });
      },
      sendTaskSuccess: (token, output) => stepFunctions.sendTaskSuccess(token, output),
    };

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
    // Timers live in memory: restart those of open tickets from the table (nothing lost across restarts).
    const restarted = await repairTimers({ ...slaContext(), timers: app.slaTimers });
    if (restarted > 0) log(`restarted ${restarted} SLA timers`);
    // Blueprint executions (and their task tokens) live in memory too: restore the waiting runs.
    const waiting = await blueprintContext(app).store.listActiveRuns();
    for (const { ticketId, run } of waiting) {
      await app.blueprintMachine.start({ ticketId, blueprintId: run.blueprintId, version: run.version });
    }
    if (waiting.length > 0) log(`restored ${waiting.length} blueprint processes`);
    // Time-based workflow rules on an interval (EventBridge every 15 minutes on AWS); runs never overlap.
    const rulesInterval = options.rulesIntervalSeconds ?? Number(process.env.RULES_INTERVAL_SECONDS ?? 300);
    if (!Number.isFinite(rulesInterval) || rulesInterval < 0) {
      throw new Error(`RULES_INTERVAL_SECONDS must be a number of seconds, got "${rulesInterval}"`);
    }
    if (rulesInterval > 0) {
      const rulesJob = startInterval({
        intervalMs: rulesInterval * 1000,
        run: () => runScheduledRules(app, () => undefined),
        onError: (error) => log(`time-based rules: ${String(error)}`),
      });
      stops.push(() => rulesJob.stop());
    }
    const smtp = await startSmtpReceiver({
      port: options.smtpPort ?? (options.port === 0 ? 0 : 2525),
      host: options.host ?? '127.0.0.1',
      maxBytes: MAX_MESSAGE_BYTES,
      acceptsRecipient: async (address) =>
        supportAddressOf(await withDepartmentAddresses(app.deps, mail.settings), address) !== null ||
        readReplyAddress(mail.settings.signingSecret, address) !== null,
      onMessage: async (raw, envelope) => {
        const key = `inbound/${ulidGenerator.newId()}`;
        await blobs.put(key, raw, 'message/rfc822');
        try {
          const outcome = await receiveEmail(
            { deps: app.deps, blobs, settings: mail.settings, ledger: mail.ledger },
            {
              raw,
              storageKey: key,
              receivedAt: new Date(),
              recipients: envelope.to,
              envelopeFrom: envelope.from,
              verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
            },
          );
          if (outcome.outcome === 'dropped') log(`mail ${key} dropped: ${outcome.reason}`);
        } catch (error) {
          // Stored but not processed: kept as a dead letter, like the DLQ on AWS.
          log(`mail ${key} could not be processed (kept in dead-letter/): ${String(error)}`);
          await blobs.put(
            `dead-letter/${key.slice('inbound/'.length)}.json`,
            Buffer.from(JSON.stringify({ key, envelope, error: String(error) })),
            'application/json',
          );
        }
      },
      log,
    });
    stops.push(smtp.stop);
    const secret = localSecret(dataDir, inMemory);
    const verifyToken = cachingVerifier(secret);
    const { server, port } = await startLocalServer({
      port: options.port ?? 3000,
      host: options.host ?? '127.0.0.1',
      webRoot: join(PROJECT_ROOT, 'web', 'dist'),
      verifyToken,
      prefixRoutes: {
        [FILES_PATH]: async (url, rest) => {
          const key = rest.split('/').map(decodeURIComponent).join('/');
          const check = blobs.verifySignedPath(key, url.searchParams);
          if (!check.ok)
            return { status: check.status, body: { error: { code: 'link_invalid', message: check.reason } } };
          const body = await blobs.get(key);
          if (!body)
            return {
              status: 404,
              body: { error: { code: 'not_found', message: 'This file no longer exists.' } },
            };
          return {
            status: 200,
            body: Buffer.from(body),
            headers: {
              'content-type': check.type,
              'content-disposition': contentDisposition(check.name),
              'x-content-type-options': 'nosniff',
              'content-security-policy': "default-src 'none'; sandbox",
            },
          };
        },
      },
      localRoutes: {
        'GET /local/outbox': async (request) => {
          // Outgoing mail carries signed reply addresses: agents only, like the API.
          if (!(await verifyToken(request.headers.authorization))) {
            return { status: 401, body: { error: { code: 'unauthorized', message: 'Sign in first' } } };
          }
          return { status: 200, body: { items: await listOutbox(outboxDir) } };
        },
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
    baseUrl = url;
    return {
      url,
      port,
      smtpPort: smtp.port,
      outboxDir,
      mail,
      dynamoEndpoint: dynamo.endpoint,
      app,
      seeded,
      stop: stopAll,
    };
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
