import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer } from '../../domain/email/ports.js';

/**
 * Sends composed MIME through SES. SES keeps our headers but replaces the
 * Message-ID with `<its id>@<region>.amazonses.com`; the id it returns is
 * recorded (MailLedger.recordSent) so replies quoting it still thread.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly configurationSet?: string,
  ) {}

  async send(message: {
    raw: Uint8Array;
    from: string;
    to: string[];
  }): Promise<{ providerMessageId: string | null }> {
    const result = await this.client.send(
      new SendRawEmailCommand({
        RawMessage: { Data: message.raw },
        Source: message.from,
        Destinations: message.to,
        ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
      }),
    );
    return { providerMessageId: result.MessageId ?? null };
  }
}
