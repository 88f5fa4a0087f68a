/**
 * What the email channel needs from the outside world, by role. Implemented
 * on AWS by S3 and SES (functions/adapters/s3, functions/adapters/mail) and
 * locally by files in the data folder and an outbox (local/).
 */

/** Raw messages, attachments: S3 on AWS, the data folder locally. */
export interface BlobStore {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  /** A short-lived link that downloads the object under `filename`, without other credentials. */
  signedUrl(
    key: string,
    options: { filename: string; contentType: string; expiresInSeconds: number },
  ): Promise<string>;
}

/** Hands a composed message to the mail service (SES, or the local outbox). */
export interface Mailer {
  /**
   * Returns the id the mail service gave the message, when it rewrites our
   * Message-ID (SES does: replies then quote `<id>@<region>.amazonses.com`).
   */
  send(message: {
    raw: Uint8Array;
    from: string;
    to: string[];
  }): Promise<{ providerMessageId: string | null }>;
}

/** Bookkeeping of outbound mail: one send per mail, and addresses not to mail any more. */
export interface MailLedger {
  /** Claims the right to send one mail; false when it was claimed before (a redelivered event). */
  claimDelivery(key: string, at: Date): Promise<boolean>;
  /** Gives a claim back after a failed send, so a retry may send. */
  releaseDelivery(key: string): Promise<void>;
  isSuppressed(address: string): Promise<{ reason: string; at: string } | null>;
  /** Remembers the mail service's id of a message we sent, so replies quoting it thread (trusted: only we know it). */
  recordSent(providerMessageId: string, ticketNumber: number, at: Date): Promise<void>;
  /** The ticket a message we sent (by the mail service's id) was about. */
  findSent(providerMessageId: string): Promise<number | null>;
  suppress(address: string, reason: string, at: Date): Promise<void>;
}

export interface SupportAddress {
  address: string;
  departmentId: string | null;
}

export interface MailSettings {
  /** Signs our Message-IDs and reply addresses (see signing.ts). */
  signingSecret: string;
  /** The addresses customers write to; the first one is the default sender. */
  supportAddresses: SupportAddress[];
  deskName: string;
  /** Attachments larger than this are not stored; a note says so on the timeline. */
  maxAttachmentBytes: number;
  /** At most this many automatic mails to one address per hour (loop brake). */
  autoRepliesPerSenderPerHour: number;
}
