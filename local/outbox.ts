/**
 * The local stand-in for SES sending: every outgoing mail is written as a raw
 * `.eml` file into the outbox folder, and `GET /local/outbox` lists them
 * (headers that matter for threading and loops, and the text).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEmail } from '../functions/adapters/mail/parse.js';
import type { Mailer } from '../functions/domain/email/ports.js';

export class OutboxMailer implements Mailer {
  private counter = 0;

  constructor(readonly dir: string) {}

  async send(message: { raw: Uint8Array; from: string; to: string[] }): Promise<{ providerMessageId: null }> {
    await mkdir(this.dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name = `${stamp}-${String(++this.counter).padStart(5, '0')}.eml`;
    const envelope = `X-Envelope-From: ${message.from}\r\nX-Envelope-To: ${message.to.join(', ')}\r\n`;
    await writeFile(join(this.dir, name), Buffer.concat([Buffer.from(envelope), message.raw]));
    // Like a relay that keeps our Message-ID.
    return { providerMessageId: null };
  }
}

export interface OutboxMessage {
  file: string;
  envelopeTo: string[];
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: string | null;
  replyTo: string | null;
  to: string[];
  cc: string[];
  subject: string;
  date: string | null;
  autoSubmitted: string | null;
  autoResponseSuppress: string | null;
  text: string;
}

/** The outbox, newest first. */
export async function listOutbox(dir: string, limit = 200): Promise<OutboxMessage[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  files.sort().reverse();
  const messages: OutboxMessage[] = [];
  for (const file of files.slice(0, limit)) {
    const mail = await parseEmail(await readFile(join(dir, file)));
    const header = (name: string) => mail.headers[name]?.[0] ?? null;
    messages.push({
      file,
      envelopeTo: (header('x-envelope-to') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo[0] ?? null,
      references: mail.references,
      from: mail.from?.address ?? null,
      replyTo: mail.replyTo[0]?.address ?? null,
      to: mail.to.map((a) => a.address),
      cc: mail.cc.map((a) => a.address),
      subject: mail.subject,
      date: mail.date,
      autoSubmitted: header('auto-submitted'),
      autoResponseSuppress: header('x-auto-response-suppress'),
      text: mail.text,
    });
  }
  return messages;
}
