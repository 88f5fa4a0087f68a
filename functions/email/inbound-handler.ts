/**
 * SES inbound: the receipt rule stores the raw message in the mail bucket
 * (S3 action, prefix `inbound/`) and then invokes this function (Lambda
 * action, asynchronous). A message that fails here is retried by Lambda and
 * then lands in the dead-letter queue with its S3 key (see
 * `scripts/replay-email.ts` to process it again once fixed).
 */
import type { SESEvent, SESReceipt } from 'aws-lambda';
import { appContext } from '../composition/deps.js';
import { awsMailRuntime } from '../composition/mail.js';
import { receiveEmail } from './receive.js';

export const INBOUND_PREFIX = 'inbound/';

function verdicts(receipt: SESReceipt): Record<string, string> {
  return {
    spam: receipt.spamVerdict?.status ?? 'DISABLED',
    virus: receipt.virusVerdict?.status ?? 'DISABLED',
    spf: receipt.spfVerdict?.status ?? 'DISABLED',
    dkim: receipt.dkimVerdict?.status ?? 'DISABLED',
    dmarc: receipt.dmarcVerdict?.status ?? 'DISABLED',
  };
}

const log = (event: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', ...event }));

export async function handler(event: SESEvent): Promise<void> {
  const app = appContext();
  const mail = await awsMailRuntime(app);
  if (!mail)
    throw new Error('the inbound function has no mail configuration (MAIL_BUCKET, MAIL_SIGNING_SECRET_ARN)');
  for (const record of event.Records) {
    const key = `${INBOUND_PREFIX}${record.ses.mail.messageId}`;
    const raw = await mail.blobs.get(key);
    if (!raw) throw new Error(`raw message ${key} is not in the mail bucket`);
    const outcome = await receiveEmail(
      { deps: app.deps, blobs: mail.blobs, settings: mail.settings, log },
      {
        raw,
        storageKey: key,
        receivedAt: new Date(record.ses.mail.timestamp),
        recipients: record.ses.receipt.recipients,
        envelopeFrom: record.ses.mail.source,
        verdicts: verdicts(record.ses.receipt),
      },
    );
    log({ message: 'inbound mail processed', key, ...outcome });
  }
}
