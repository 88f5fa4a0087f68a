/**
 * Outbound mail as RFC 5322 bytes, ready for SES `SendRawEmail` or an SMTP
 * server. MIME structure, header encoding (RFC 2047 for non-ASCII names and
 * subjects), line folding and transfer encodings are nodemailer's composer.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { EmailAddress } from './parse.js';

export interface OutboundEmail {
  from: EmailAddress;
  to: EmailAddress[];
  cc?: EmailAddress[];
  replyTo?: EmailAddress;
  subject: string;
  text: string;
  html?: string;
  /** Without <>. */
  messageId: string;
  /** Without <>. */
  inReplyTo?: string;
  /** Without <>. */
  references?: string[];
  /** Automatic mail (acknowledgements, notifications): adds `Auto-Submitted: auto-replied` (auto-generated when `automatic === 'generated'`) and `X-Auto-Response-Suppress: All`. */
  automatic?: false | 'replied' | 'generated';
  headers?: Record<string, string>;
  date: Date;
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

/** Headers the composer writes from the message fields; custom headers may not replace them. */
const RESERVED_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'auto-submitted',
  'x-auto-response-suppress',
]);

const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

function assertId(id: string, field: string): string {
  const value = id.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are rejected here
  if (value === '' || /[\s<>\u0000-\u001f\u007f]/.test(value)) {
    throw new TypeError(`${field} is not a valid message id: ${JSON.stringify(id)}`);
  }
  return `<${value}>`;
}

function toAddress(address: EmailAddress): { name: string; address: string } {
  return { name: address.name ?? '', address: address.address };
}

export async function composeEmail(message: OutboundEmail): Promise<Buffer> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw new TypeError(`invalid header name: ${JSON.stringify(name)}`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) continue;
    headers[name] = value.replace(/[\r\n]+/g, ' ');
  }
  if (message.automatic) {
    headers['Auto-Submitted'] = message.automatic === 'generated' ? 'auto-generated' : 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }

  const composer = new MailComposer({
    from: toAddress(message.from),
    to: message.to.map(toAddress),
    cc: message.cc && message.cc.length > 0 ? message.cc.map(toAddress) : undefined,
    replyTo: message.replyTo ? toAddress(message.replyTo) : undefined,
    subject: message.subject.replace(/[\r\n]+/g, ' '),
    text: message.text,
    html: message.html,
    messageId: assertId(message.messageId, 'messageId'),
    inReplyTo: message.inReplyTo === undefined ? undefined : assertId(message.inReplyTo, 'inReplyTo'),
    references:
      message.references && message.references.length > 0
        ? message.references.map((id) => assertId(id, 'references')).join(' ')
        : undefined,
    date: message.date,
    headers,
    attachments: (message.attachments ?? []).map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content,
      contentDisposition: 'attachment',
    })),
    // Content only ever comes from the message itself, never from a path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'win',
  });
  return composer.compile().build();
}
