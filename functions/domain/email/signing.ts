import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Unguessable mail identifiers. Every Message-ID the desk sends and every
 * ticket reply address carries an HMAC of what it names, so a reply that
 * quotes one can be trusted to belong to that ticket, while a guessed or
 * copied-by-hand value is recognised as forged.
 *
 * - Message-ID: `t<number>.<entry id>.<signature>@<support domain>`
 * - Reply address: `<support local part>+t<number>.<signature>@<support domain>`
 *
 * Signatures are 16 base32 characters (80 bits), lower case, because mail
 * systems may change the case of local parts.
 */

const SIGNATURE_LENGTH = 16;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length >= length) break;
  }
  return out;
}

function sign(secret: string, purpose: string, value: string): string {
  const mac = createHmac('sha256', secret).update(`${purpose}\u0000${value}`).digest();
  return base32(mac, SIGNATURE_LENGTH);
}

function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

/** The Message-ID (without angle brackets) of a mail the desk sends for a timeline entry. */
export function ourMessageId(secret: string, ticketNumber: number, entryId: string, domain: string): string {
  const entry = entryId.toLowerCase();
  return `t${ticketNumber}.${entry}.${sign(secret, 'message-id', `${ticketNumber}.${entry}`)}@${domain.toLowerCase()}`;
}

const OUR_MESSAGE_ID = /^t(\d{1,12})\.([0-9a-z]{1,40})\.([a-z2-7]{16})@[^@\s]+$/;

/** The ticket a Message-ID of ours names, or null for any id we did not sign. */
export function readOurMessageId(
  secret: string,
  messageId: string,
): { ticketNumber: number; entryId: string } | null {
  const match = OUR_MESSAGE_ID.exec(messageId.trim().toLowerCase());
  if (!match) return null;
  const [, number, entry, signature] = match as unknown as [string, string, string, string];
  const expected = sign(secret, 'message-id', `${number}.${entry}`);
  return sameSignature(signature, expected) ? { ticketNumber: Number(number), entryId: entry } : null;
}

/** The address a customer replies to for one ticket: the support address plus a signed tag. */
export function replyAddressFor(secret: string, supportAddress: string, ticketNumber: number): string {
  const parts = splitAddress(supportAddress.toLowerCase());
  if (!parts) throw new Error(`not an email address: ${supportAddress}`);
  const local = parts.local.split('+')[0];
  return `${local}+t${ticketNumber}.${sign(secret, 'reply-to', `${local}@${parts.domain}#${ticketNumber}`)}@${parts.domain}`;
}

/** Reads a signed reply address: the ticket number and the support address it belongs to. */
export function readReplyAddress(
  secret: string,
  address: string,
): { ticketNumber: number; supportAddress: string } | null {
  const parts = splitAddress(address.trim().toLowerCase());
  if (!parts) return null;
  const match = /^([^+]+)\+t(\d{1,12})\.([a-z2-7]{16})$/.exec(parts.local);
  if (!match) return null;
  const [, local, number, signature] = match as unknown as [string, string, string, string];
  const expected = sign(secret, 'reply-to', `${local}@${parts.domain}#${Number(number)}`);
  if (!sameSignature(signature, expected)) return null;
  return { ticketNumber: Number(number), supportAddress: `${local}@${parts.domain}` };
}

/**
 * The conversation key of an Outlook `Thread-Index` header: its first 22
 * bytes (a timestamp and a GUID) are the same on every message of a thread.
 */
export function threadIndexRoot(threadIndex: string | null): string | null {
  if (!threadIndex) return null;
  const compact = threadIndex.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(compact)) return null;
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length < 22) return null;
  return bytes.subarray(0, 22).toString('hex');
}
