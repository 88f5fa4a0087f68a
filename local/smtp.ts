/**
 * The local stand-in for SES receiving: an SMTP server on 127.0.0.1 that
 * accepts mail for the desk's support addresses (and their plus-addressed
 * reply addresses), and hands each message to `onMessage`, which stores the
 * raw message where the S3 action would and runs the same inbound pipeline.
 * The SMTP reply comes after the message is stored and processed: "250"
 * means the mail is on a ticket, deliberately dropped, or — when processing
 * failed — kept as a dead letter next to the raw message (like SES, which
 * accepts and then retries into a dead-letter queue); a storage failure
 * answers 451 so the sender retries.
 */
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface SmtpReceiverOptions {
  port: number;
  host?: string;
  /** SES accepts messages up to 40 MB including encoding. */
  maxBytes: number;
  /** May ask the table (support addresses admins gave departments). */
  acceptsRecipient(address: string): boolean | Promise<boolean>;
  onMessage(raw: Buffer, envelope: { from: string | null; to: string[] }): Promise<void>;
  log?: (line: string) => void;
}

export interface SmtpReceiver {
  port: number;
  stop(): Promise<void>;
}

class SmtpError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const server = new SMTPServer({
    name: 'helpdesk.local',
    banner: 'help desk local mail receiver',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxBytes,
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      Promise.resolve(options.acceptsRecipient(address.address)).then(
        (accepted) =>
          accepted ? callback() : callback(new SmtpError(`No such mailbox here: ${address.address}`, 550)),
        (error: unknown) => callback(new SmtpError(`Cannot check the mailbox now: ${String(error)}`, 451)),
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(new SmtpError(`Message larger than ${options.maxBytes} bytes`, 552));
        }
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        const to = session.envelope.rcptTo.map((r) => r.address);
        options
          .onMessage(Buffer.concat(chunks), { from, to })
          .then(() => callback())
          .catch((error: unknown) => {
            options.log?.(`smtp: message not stored: ${String(error)}`);
            callback(new SmtpError('Temporary failure storing the message; try again later', 451));
          });
      });
    },
  });
  server.on('error', (error) => options.log?.(`smtp: ${String(error)}`));
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolvePromise());
  });
  const address = (
    server as unknown as { server: { address(): { port: number } | string | null } }
  ).server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    stop: () => new Promise<void>((resolvePromise) => server.close(() => resolvePromise())),
  };
}
