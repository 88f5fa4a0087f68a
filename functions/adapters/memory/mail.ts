/**
 * In-memory implementations of the email ports, for unit tests of the email
 * and SLA code: they keep the same guarantees (one claim per delivery key,
 * suppressions, sent-message ids) as the DynamoDB and S3 adapters.
 */
import type { BlobStore, Mailer, MailLedger } from '../../domain/email/ports.js';

export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, { body: Uint8Array; contentType: string }>();
  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    this.objects.set(key, { body: Uint8Array.from(body), contentType });
  }
  async get(key: string): Promise<Uint8Array | null> {
    return this.objects.get(key)?.body ?? null;
  }
  async signedUrl(key: string): Promise<string> {
    return `memory://${key}`;
  }
}

export class MemoryMailLedger implements MailLedger {
  readonly claims = new Set<string>();
  readonly suppressed = new Map<string, { reason: string; at: string }>();
  readonly sentIds = new Map<string, number>();
  async claimDelivery(key: string): Promise<boolean> {
    if (this.claims.has(key)) return false;
    this.claims.add(key);
    return true;
  }
  async releaseDelivery(key: string): Promise<void> {
    this.claims.delete(key);
  }
  async isSuppressed(address: string) {
    return this.suppressed.get(address.toLowerCase()) ?? null;
  }
  async suppress(address: string, reason: string, at: Date): Promise<void> {
    this.suppressed.set(address.toLowerCase(), { reason, at: at.toISOString() });
  }
  async recordSent(providerMessageId: string, ticketNumber: number): Promise<void> {
    this.sentIds.set(providerMessageId.toLowerCase(), ticketNumber);
  }
  async findSent(providerMessageId: string): Promise<number | null> {
    return this.sentIds.get(providerMessageId.toLowerCase()) ?? null;
  }
}

/**
 * Keeps what it is given; `failures` makes the next sends throw; with
 * `rewriteIds` it answers like SES, with an id of its own for each message.
 */
export class RecordingMailer implements Mailer {
  readonly sent: { raw: Uint8Array; from: string; to: string[] }[] = [];
  failures = 0;
  rewriteIds = false;
  async send(message: {
    raw: Uint8Array;
    from: string;
    to: string[];
  }): Promise<{ providerMessageId: string | null }> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('SES is throttling');
    }
    this.sent.push(message);
    return {
      providerMessageId: this.rewriteIds ? `0100018c${String(this.sent.length).padStart(8, '0')}-ses` : null,
    };
  }
}
