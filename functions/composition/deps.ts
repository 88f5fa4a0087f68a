import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAgentNotificationRepository } from '../adapters/dynamodb/agent-notification-repository.js';
import { DynamoAuditLog } from '../adapters/dynamodb/audit-log.js';
import type { DynamoBlueprintRepository } from '../adapters/dynamodb/blueprint-repository.js';
import { meterCapacity } from '../adapters/dynamodb/capacity.js';
import { DynamoCustomerRepository } from '../adapters/dynamodb/customer-repository.js';
import { DynamoDirectoryRepository } from '../adapters/dynamodb/directory-repository.js';
import { DynamoFieldRepository } from '../adapters/dynamodb/field-repository.js';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store.js';
import { DynamoRateLimiter } from '../adapters/dynamodb/rate-limiter.js';
import { DynamoRoutingRepository } from '../adapters/dynamodb/routing-repository.js';
import { DynamoSlaRepository } from '../adapters/dynamodb/sla-repository.js';
import { DynamoTicketRepository } from '../adapters/dynamodb/ticket-repository.js';
import { DynamoViewRepository } from '../adapters/dynamodb/view-repository.js';
import { DynamoWorkflowRepository } from '../adapters/dynamodb/workflow-repository.js';
import { FetchWebhookSender } from '../adapters/http/webhook-sender.js';
import { ulidGenerator } from '../adapters/ids.js';
import { SfnSlaTimerScheduler } from '../adapters/sfn/sla-timer-scheduler.js';
import type { BlueprintMachine } from '../blueprints/engine.js';
import type { AgentAccounts } from '../domain/agents/accounts.js';
import type { BlobStore } from '../domain/email/ports.js';
import type { Deps } from '../domain/ports.js';
import type { WebhookPolicy, WebhookSender } from '../domain/rules/webhooks.js';
import { systemClock } from '../domain/shared/ports.js';
import type { SlaTimerScheduler } from '../domain/sla/timer-port.js';
import { type RuntimeConfig, readConfig } from './config.js';
import { type MailRuntime, s3BlobStore } from './mail.js';

export interface AppContext {
  config: RuntimeConfig;
  deps: Deps;
  directory: DynamoDirectoryRepository;
  documentClient: DynamoDBDocumentClient;
  /** Raw mail and attachments (signed download links on the timeline); absent without a mail bucket. */
  blobs?: BlobStore;
  /** The email channel, once built (see composition/mail.ts; the local runtime installs its own). */
  mail?: MailRuntime;
  /** SLA records, policies and calendars. */
  sla: DynamoSlaRepository;
  /** Routing rules, round-robin cursors and agents' open-ticket counters. */
  routing: DynamoRoutingRepository;
  /** Workflow rules, macros, the rules each ticket fired. */
  workflow: DynamoWorkflowRepository;
  /** Agents' notification feeds (the SPA's bell). */
  notifications: DynamoAgentNotificationRepository;
  /** Calls the webhooks of rules and macros (https to public hosts unless the config allows more). */
  webhooks: WebhookSender;
  /** Which webhook URLs rules and macros may be saved with (the same policy the sender applies). */
  webhookPolicy: WebhookPolicy;
  /** Saved views (with the ticket reads behind them) and canned responses. */
  views: DynamoViewRepository;
  /** Custom-field definitions and department layouts (the same store as `deps.fields`). */
  fields: DynamoFieldRepository;
  /** Who changed which setting: read by `GET /audit` (every store writes it with its changes). */
  audit: DynamoAuditLog;
  /** Agents' sign-in accounts (Cognito, or the local login); see composition/accounts.ts. */
  accounts?: AgentAccounts;
  /** Starts and stops SLA timers; absent where the function has no timers to manage. */
  slaTimers?: SlaTimerScheduler;
  /** Blueprint definitions, runs and dashboards (see composition/blueprints.ts). */
  blueprints?: DynamoBlueprintRepository;
  /** Starts blueprint executions and answers their task tokens. */
  blueprintMachine?: BlueprintMachine;
}

/** Builds the DynamoDB document client used by every repository. */
export function createDocumentClient(
  config: Pick<RuntimeConfig, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>,
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT
      ? {
          endpoint: config.DYNAMODB_ENDPOINT,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    maxAttempts: 5,
  });
  // No SDK logger is configured, yet its middleware would still filter every
  // input and output for secrets: about a tenth of the CPU of a list request.
  client.middlewareStack.remove('loggerMiddleware');
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  meterCapacity(documentClient);
  return documentClient;
}

/** Wires the DynamoDB adapters into the use cases' ports. */
export function createContext(config: RuntimeConfig): AppContext {
  const documentClient = createDocumentClient(config);
  const table = config.TABLE_NAME;
  const directory = new DynamoDirectoryRepository(documentClient, table);
  const fields = new DynamoFieldRepository(documentClient, table);
  const blobs = s3BlobStore(config);
  const webhookPolicy: WebhookPolicy = {
    allowHttp: config.WEBHOOK_ALLOW_HTTP,
    allowPrivateHosts: config.WEBHOOK_ALLOW_PRIVATE_HOSTS,
  };
  const slaTimers = config.SLA_TIMER_STATE_MACHINE_ARN
    ? new SfnSlaTimerScheduler(
        new SFNClient({ region: config.AWS_REGION }),
        config.SLA_TIMER_STATE_MACHINE_ARN,
      )
    : undefined;
  return {
    config,
    documentClient,
    directory,
    sla: new DynamoSlaRepository(documentClient, table),
    routing: new DynamoRoutingRepository(documentClient, table),
    workflow: new DynamoWorkflowRepository(documentClient, table),
    notifications: new DynamoAgentNotificationRepository(documentClient, table),
    webhooks: new FetchWebhookSender({ policy: webhookPolicy }),
    webhookPolicy,
    audit: new DynamoAuditLog(documentClient, table),
    views: new DynamoViewRepository(documentClient, table),
    fields,
    ...(slaTimers ? { slaTimers } : {}),
    ...(blobs ? { blobs } : {}),
    deps: {
      tickets: new DynamoTicketRepository(documentClient, table),
      customers: new DynamoCustomerRepository(documentClient, table),
      directory,
      idempotency: new DynamoIdempotencyStore(documentClient, table),
      rateLimiter: new DynamoRateLimiter(documentClient, table, systemClock),
      fields,
      clock: systemClock,
      ids: ulidGenerator,
    },
  };
}

let current: AppContext | undefined;

/** The process-wide context, created on first use (at cold start on Lambda) and reused. */
export function appContext(): AppContext {
  current ??= createContext(readConfig());
  return current;
}

/** Installs an explicitly built context (the local runtime and tests), instead of reading the environment. */
export function installAppContext(context: AppContext): void {
  current = context;
}
