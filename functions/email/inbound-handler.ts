/**
 * SES inbound: the receipt rule stores the raw message in the mail bucket
 * (S3 action, prefix `inbound/`) and then invokes this function (Lambda
 * action, asynchronous). A message that fails here is retried by Lambda and
 * then lands in the dead-letter queue with its S3 key (see
 * `scripts/replay-email.ts` to process it again once fixed).
 */
import type { SESEvent } from 'aws-lambda';
import { appContext } from '../composition/deps.js';
import { awsMailRuntime } from '../composition/mail.js';
import { type EmailContext, type ReceiveOutcome, receiveEmail } from './receive.js';

export const INBOUND_PREFIX = 'inbound/';

/**
 * The parts of an SES receipt event record the inbound pipeline reads. An
 * `SESEventRecord` is one; so is the record the replay script recovers from
 * the dead-letter queue.
 */
export interface InboundSesRecord {
  ses: {
    mail: { messageId: string; timestamp: string; source: string };
    receipt: {
      recipients: string[];
      spamVerdict?: { status: string };
      virusVerdict?: { status: string };
      spfVerdict?: { status: string };
      dkimVerdict?: { status: string };
      dmarcVerdict?: { status: string };
    };
  };
}

function verdicts(receipt: InboundSesRecord['ses']['receipt']): Record<string, string> {
  return {
    spam: receipt.spamVerdict?.status ?? 'DISABLED',
    virus: receipt.virusVerdict?.status ?? 'DISABLED',
    spf: receipt.spfVerdict?.status ?? 'DISABLED',
    dkim: receipt.dkimVerdict?.status ?? 'DISABLED',
    dmarc: receipt.dmarcVerdict?.status ?? 'DISABLED',
  };
}

/** Where the receipt rule stored the raw message of a record. */
export function inboundKey(record: InboundSesRecord): string {
  return `${INBOUND_PREFIX}${record.ses.mail.messageId}`;
}

/**
 * Processes one SES record: reads the raw message from the mail bucket and
 * runs it through the inbound pipeline. Throws when the message cannot be
 * processed (so Lambda retries it); processing the same record again records
 * it once (the pipeline answers 'duplicate').
 */
export async function processInboundRecord(
  context: EmailContext,
  record: InboundSesRecord,
): Promise<ReceiveOutcome> {
  const key = inboundKey(record);
  const raw = await context.blobs.get(key);
  if (!raw) throw new Error(`raw message ${key} is not in the mail bucket`);
  return receiveEmail(context, {
    raw,
    storageKey: key,
    receivedAt: new Date(record.ses.mail.timestamp),
    recipients: record.ses.receipt.recipients,
    envelopeFrom: record.ses.mail.source,
    verdicts: verdicts(record.ses.receipt),
  });
}

const log = (event: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', ...event }));

export async function handler(event: SESEvent): Promise<void> {
  const app = appContext();
  const mail = await awsMailRuntime(app);
  if (!mail)
    throw new Error('the inbound function has no mail configuration (MAIL_BUCKET, MAIL_SIGNING_SECRET_ARN)');
  const context: EmailContext = {
    deps: app.deps,
    blobs: mail.blobs,
    settings: mail.settings,
    ledger: mail.ledger,
    log,
  };
  for (const record of event.Records) {
    const outcome = await processInboundRecord(context, record);
    log({ message: 'inbound mail processed', key: inboundKey(record), ...outcome });
  }
}
