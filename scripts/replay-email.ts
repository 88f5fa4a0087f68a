/**
 * `npx tsx scripts/replay-email.ts --queue-url <url> [--dry-run] [--max N]`
 *
 * Processes inbound mail again that the inbound function gave up on. After
 * its retries, Lambda puts a record of the failed invocation in the inbound
 * dead-letter queue; the record's `requestPayload` is the original SES event,
 * whose raw message is still in the mail bucket. Once the cause is fixed,
 * this runs each record through the same processing as the function
 * (`processInboundRecord`), deletes the queue message only when that
 * succeeded, and prints one line per message and a summary. A message
 * recorded before is not recorded twice (the pipeline answers 'duplicate').
 *
 * `--dry-run` lists the messages with the error that stopped them and
 * changes nothing. Without `--queue-url`, the URL is read from the stack
 * output `InboundDeadLetterQueueUrl` (`--stack`, default `Helpdesk`).
 *
 * Processing needs the configuration the inbound function has, in the
 * environment: AWS_REGION, TABLE_NAME, MAIL_BUCKET, MAIL_SIGNING_SECRET_ARN,
 * SUPPORT_ADDRESSES, and optionally DESK_NAME, MAX_ATTACHMENT_MB,
 * AUTO_REPLIES_PER_HOUR (copy them from the function's configuration).
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { appContext } from '../functions/composition/deps.js';
import { awsMailRuntime } from '../functions/composition/mail.js';
import {
  type InboundSesRecord,
  inboundKey,
  processInboundRecord,
} from '../functions/email/inbound-handler.js';
import type { EmailContext, ReceiveOutcome } from '../functions/email/receive.js';

export const ReplayArgsSchema = z.object({
  queueUrl: z.url('--queue-url must be the URL of the queue').optional(),
  stack: z.string().min(1).default('Helpdesk'),
  dryRun: z.boolean().default(false),
  max: z.coerce
    .number()
    .int('--max must be a whole number')
    .positive('--max must be at least 1')
    .default(100),
});
export type ReplayArgs = z.infer<typeof ReplayArgsSchema>;

const Verdict = z.object({ status: z.string() });
const SesRecordSchema = z.object({
  ses: z.object({
    mail: z.object({ messageId: z.string().min(1), timestamp: z.string(), source: z.string() }),
    receipt: z.object({
      recipients: z.array(z.string()),
      spamVerdict: Verdict.optional(),
      virusVerdict: Verdict.optional(),
      spfVerdict: Verdict.optional(),
      dkimVerdict: Verdict.optional(),
      dmarcVerdict: Verdict.optional(),
    }),
  }),
});

/** What Lambda writes to an on-failure destination: the event it was given, and how it failed. */
const FailureRecordSchema = z.object({
  requestPayload: z.object({ Records: z.array(SesRecordSchema).min(1) }),
  responsePayload: z.unknown().optional(),
});

export interface ReplayDeps {
  sqs: SQSClient;
  /** Processes one SES record as the inbound function does; throws when that fails. */
  processRecord: (record: InboundSesRecord) => Promise<ReceiveOutcome>;
  print: (line: string) => void;
}

export interface ReplayOptions {
  queueUrl: string;
  dryRun: boolean;
  max: number;
}

export interface ReplaySummary {
  /** Processed and deleted from the queue. */
  replayed: number;
  /** Processing failed; left in the queue. */
  failed: number;
  /** Not a failure record of the inbound function; left in the queue. */
  skipped: number;
  /** Dry run: messages listed. */
  listed: number;
}

/** Seconds a received message stays hidden from other readers while it is processed. */
const PROCESSING_SECONDS = 600;
const LISTING_SECONDS = 60;

type Parsed = { ok: true; records: InboundSesRecord[]; error: string | null } | { ok: false; reason: string };

function parseBody(body: string | undefined): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const parsed = FailureRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    return {
      ok: false,
      reason: `not a failure record of the inbound function with an SES event (${where}: ${issue?.message})`,
    };
  }
  return {
    ok: true,
    records: parsed.data.requestPayload.Records,
    error: errorOf(parsed.data.responsePayload),
  };
}

/** The error the function failed with, as Lambda recorded it. */
function errorOf(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { errorType, errorMessage } = payload as { errorType?: unknown; errorMessage?: unknown };
  if (typeof errorMessage !== 'string') return null;
  return typeof errorType === 'string' ? `${errorType}: ${errorMessage}` : errorMessage;
}

function describeOutcome(outcome: ReceiveOutcome): string {
  switch (outcome.outcome) {
    case 'duplicate':
      return 'duplicate (recorded before)';
    case 'dropped':
      return `dropped (${outcome.reason})`;
    default:
      return `${outcome.outcome} #${outcome.ticketNumber} (${outcome.threadedBy})`;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads the dead-letter queue and replays (or, dry, lists) up to `max` messages. */
export async function replayDeadLetters(deps: ReplayDeps, options: ReplayOptions): Promise<ReplaySummary> {
  const { sqs, print } = deps;
  const summary: ReplaySummary = { replayed: 0, failed: 0, skipped: 0, listed: 0 };
  const seen = new Set<string>();
  const kept: Message[] = [];

  const handle = async (message: Message): Promise<void> => {
    const id = message.MessageId ?? '(no id)';
    const parsed = parseBody(message.Body);
    if (!parsed.ok) {
      summary.skipped++;
      kept.push(message);
      print(`${id}  skipped: ${parsed.reason}; left in the queue`);
      return;
    }
    const keys = parsed.records.map(inboundKey).join(', ');
    if (options.dryRun) {
      summary.listed++;
      kept.push(message);
      print(`${keys}  failed before: ${parsed.error ?? 'no error recorded'}`);
      return;
    }
    const outcomes: string[] = [];
    try {
      for (const record of parsed.records) outcomes.push(describeOutcome(await deps.processRecord(record)));
    } catch (error) {
      summary.failed++;
      kept.push(message);
      print(`${keys}  FAILED: ${messageOf(error)}; left in the queue`);
      return;
    }
    try {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    } catch (error) {
      summary.failed++;
      print(`${keys}  ${outcomes.join('; ')}, but not deleted from the queue: ${messageOf(error)}`);
      return;
    }
    summary.replayed++;
    print(`${keys}  ${outcomes.join('; ')}`);
  };

  let count = 0;
  while (count < options.max) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, options.max - count),
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.dryRun ? LISTING_SECONDS : PROCESSING_SECONDS,
      }),
    );
    // A message seen before came back (its visibility ran out): everything there is was seen.
    const fresh = (batch.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? m.ReceiptHandle ?? ''));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      if (count >= options.max) break;
      seen.add(message.MessageId ?? message.ReceiptHandle ?? '');
      count++;
      await handle(message);
    }
  }

  await makeVisibleAgain(sqs, options.queueUrl, kept, print);
  print(
    options.dryRun
      ? `Dry run: ${summary.listed} message(s) listed, ${summary.skipped} skipped; nothing processed or deleted.`
      : `${summary.replayed} replayed and deleted, ${summary.failed} failed, ${summary.skipped} skipped (failed and skipped ones stay in the queue).`,
  );
  return summary;
}

/** Messages left in the queue are visible again at once, for the next run. */
async function makeVisibleAgain(
  sqs: SQSClient,
  queueUrl: string,
  messages: Message[],
  print: (line: string) => void,
): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const entries = messages.slice(i, i + 10).map((m, j) => ({
      Id: String(i + j),
      ReceiptHandle: m.ReceiptHandle,
      VisibilityTimeout: 0,
    }));
    try {
      await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    } catch (error) {
      print(`(messages left in the queue reappear after their visibility timeout: ${messageOf(error)})`);
      return;
    }
  }
}

/** The dead-letter queue's URL from the stack outputs. */
export async function queueUrlFromStack(client: CloudFormationClient, stackName: string): Promise<string> {
  const result = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const output = result.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'InboundDeadLetterQueueUrl');
  if (!output?.OutputValue) {
    throw new Error(`Stack ${stackName} has no output InboundDeadLetterQueueUrl: pass --queue-url`);
  }
  return output.OutputValue;
}

/** The region in a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>). */
function regionOf(queueUrl: string): string | undefined {
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(queueUrl)?.[1];
}

/** The inbound function's processing context, built as the function builds it. */
async function emailContext(): Promise<EmailContext> {
  const app = appContext();
  const mail = await awsMailRuntime(app);
  if (!mail) {
    throw new Error(
      'No mail configuration: set MAIL_BUCKET and MAIL_SIGNING_SECRET_ARN (and TABLE_NAME, SUPPORT_ADDRESSES) as on the inbound function',
    );
  }
  return { deps: app.deps, blobs: mail.blobs, settings: mail.settings, ledger: mail.ledger };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'queue-url': { type: 'string' },
      stack: { type: 'string' },
      'dry-run': { type: 'boolean' },
      max: { type: 'string' },
    },
  });
  const parsed = ReplayArgsSchema.safeParse({
    queueUrl: values['queue-url'],
    stack: values.stack,
    dryRun: values['dry-run'],
    max: values.max,
  });
  if (!parsed.success) {
    console.error(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('\n'),
    );
    console.error(
      'Usage: npx tsx scripts/replay-email.ts [--queue-url <url>] [--stack Helpdesk] [--dry-run] [--max N]',
    );
    process.exit(2);
  }
  const args = parsed.data;
  const queueUrl = args.queueUrl ?? (await queueUrlFromStack(new CloudFormationClient({}), args.stack));
  // Dry runs list only: they need neither the table nor the mail configuration.
  const context = args.dryRun ? null : await emailContext();
  const region = regionOf(queueUrl);
  const summary = await replayDeadLetters(
    {
      sqs: new SQSClient(region ? { region } : {}),
      processRecord: async (record) => {
        if (!context) throw new Error('a dry run processes nothing');
        return processInboundRecord(context, record);
      },
      print: (line) => console.log(line),
    },
    { queueUrl, dryRun: args.dryRun, max: args.max },
  );
  if (summary.failed > 0 || summary.skipped > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
