import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer } from '../../domain/email/ports.js';

/** Sends composed MIME through SES (SendRawEmail keeps our headers exactly as composed). */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly configurationSet?: string,
  ) {}

  async send(message: { raw: Uint8Array; from: string; to: string[] }): Promise<void> {
    await this.client.send(
      new SendRawEmailCommand({
        RawMessage: { Data: message.raw },
        Source: message.from,
        Destinations: message.to,
        ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
      }),
    );
  }
}
