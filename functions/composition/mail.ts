/**
 * The email channel's adapters on AWS: S3 for raw mail and attachments, SES
 * for sending, the table for delivery claims and suppressions, and the
 * signing key from Secrets Manager (read once per cold start). The local
 * runtime builds the same `MailRuntime` from files and an outbox instead.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoMailLedger } from '../adapters/dynamodb/mail-ledger.js';
import { SesMailer } from '../adapters/mail/ses-mailer.js';
import { S3BlobStore } from '../adapters/s3/blob-store.js';
import type { BlobStore, Mailer, MailLedger, MailSettings } from '../domain/email/ports.js';
import type { RuntimeConfig } from './config.js';
import type { AppContext } from './deps.js';

export interface MailRuntime {
  blobs: BlobStore;
  mailer: Mailer;
  ledger: MailLedger;
  settings: MailSettings;
}

export function s3BlobStore(config: RuntimeConfig): BlobStore | undefined {
  return config.MAIL_BUCKET
    ? new S3BlobStore(new S3Client({ region: config.AWS_REGION }), config.MAIL_BUCKET)
    : undefined;
}

export function mailSettings(config: RuntimeConfig, signingSecret: string): MailSettings {
  return {
    signingSecret,
    supportAddresses: config.SUPPORT_ADDRESSES,
    deskName: config.DESK_NAME,
    maxAttachmentBytes: Math.round(config.MAX_ATTACHMENT_MB * 1024 * 1024),
    autoRepliesPerSenderPerHour: config.AUTO_REPLIES_PER_HOUR,
  };
}

/** The deployment's configured support addresses (locally: those of the local runtime's mail settings). */
export function configuredSupportAddresses(app: AppContext): string[] {
  return (app.mail?.settings.supportAddresses ?? app.config.SUPPORT_ADDRESSES).map((a) => a.address);
}

let pending: Promise<MailRuntime> | undefined;

/** The mail runtime of a deployed function, or null when the function has no mail configuration. */
export async function awsMailRuntime(app: AppContext): Promise<MailRuntime | null> {
  if (app.mail) return app.mail;
  const { config } = app;
  if (!config.MAIL_BUCKET || !config.MAIL_SIGNING_SECRET_ARN || !app.blobs) return null;
  const blobs = app.blobs;
  pending ??= (async () => {
    const secrets = new SecretsManagerClient({ region: config.AWS_REGION });
    const secret = await secrets.send(
      new GetSecretValueCommand({ SecretId: config.MAIL_SIGNING_SECRET_ARN }),
    );
    if (!secret.SecretString) throw new Error('the mail signing secret is empty');
    const runtime: MailRuntime = {
      blobs,
      mailer: new SesMailer(new SESClient({ region: config.AWS_REGION }), config.SES_CONFIGURATION_SET),
      ledger: new DynamoMailLedger(app.documentClient, config.TABLE_NAME),
      settings: mailSettings(config, secret.SecretString),
    };
    app.mail = runtime;
    return runtime;
  })().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}
