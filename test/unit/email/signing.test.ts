import { describe, expect, it } from 'vitest';
import {
  ourMessageId,
  readOurMessageId,
  readReplyAddress,
  replyAddressFor,
  threadIndexRoot,
} from '../../../functions/domain/email/signing.js';

const SECRET = 'signing-secret-for-tests-0123456789';
const OTHER_SECRET = 'another-desk-secret-9876543210';
const ENTRY = '01HZX3K6W8Q2N4M7P9R1T5V0YB';

/** Replaces the 16-character signature of a signed id with another valid-looking one. */
function withSignature(value: string, signature: string): string {
  return value.replace(/[a-z2-7]{16}(?=@)/, signature);
}

describe('our Message-IDs', () => {
  it('round-trips the ticket number and (lower-cased) entry id', () => {
    const id = ourMessageId(SECRET, 1042, ENTRY, 'Desk.Example');
    expect(id).toMatch(/^t1042\.01hzx3k6w8q2n4m7p9r1t5v0yb\.[a-z2-7]{16}@desk\.example$/);
    expect(readOurMessageId(SECRET, id)).toEqual({ ticketNumber: 1042, entryId: ENTRY.toLowerCase() });
  });

  it('is the same id for the same inputs, another id for another entry or ticket', () => {
    const id = ourMessageId(SECRET, 1042, ENTRY, 'desk.example');
    expect(ourMessageId(SECRET, 1042, ENTRY, 'desk.example')).toBe(id);
    expect(ourMessageId(SECRET, 1042, '01HZX3K6W8Q2N4M7P9R1T5V0YC', 'desk.example')).not.toBe(id);
    expect(ourMessageId(SECRET, 1043, ENTRY, 'desk.example')).not.toBe(id);
  });

  it('accepts the id whatever case a mail system gave it, with surrounding whitespace', () => {
    const id = ourMessageId(SECRET, 1042, ENTRY, 'desk.example');
    expect(readOurMessageId(SECRET, id.toUpperCase())).toEqual({
      ticketNumber: 1042,
      entryId: ENTRY.toLowerCase(),
    });
    expect(readOurMessageId(SECRET, `  ${id}\t`)).not.toBeNull();
  });

  it('rejects a tampered signature', () => {
    const id = ourMessageId(SECRET, 1042, ENTRY, 'desk.example');
    const signature = /\.([a-z2-7]{16})@/.exec(id)![1]!;
    const flipped = (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1);
    expect(readOurMessageId(SECRET, withSignature(id, flipped))).toBeNull();
    expect(readOurMessageId(SECRET, withSignature(id, 'aaaaaaaaaaaaaaaa'))).toBeNull();
    expect(readOurMessageId(SECRET, id.replace(/@/, '2@'))).toBeNull();
  });

  it('rejects the signature of one ticket put on another ticket number or entry', () => {
    const id = ourMessageId(SECRET, 1042, ENTRY, 'desk.example');
    expect(readOurMessageId(SECRET, id.replace(/^t1042\./, 't1043.'))).toBeNull();
    expect(readOurMessageId(SECRET, id.replace(/^t1042\./, 't10420.'))).toBeNull();
    expect(readOurMessageId(SECRET, id.replace('01hzx3k6', '01hzx3k7'))).toBeNull();
  });

  it('rejects an id signed with another secret (another desk)', () => {
    const foreign = ourMessageId(OTHER_SECRET, 1042, ENTRY, 'desk.example');
    expect(readOurMessageId(SECRET, foreign)).toBeNull();
  });

  it('ignores the domain: the signature covers ticket and entry only', () => {
    const id = ourMessageId(SECRET, 1042, ENTRY, 'desk.example');
    expect(readOurMessageId(SECRET, id.replace('@desk.example', '@mail.desk.example'))).not.toBeNull();
  });

  it('returns null for ids that are not ours at all', () => {
    for (const id of [
      '',
      'CAF=abc123@mail.gmail.com',
      't1042@desk.example',
      't1042.abc.def@desk.example',
      't.entry.aaaaaaaaaaaaaaaa@desk.example',
      `t1042.${ENTRY.toLowerCase()}.aaaaaaaaaaaaaaaa`,
    ]) {
      expect(readOurMessageId(SECRET, id)).toBeNull();
    }
  });
});

describe('reply addresses', () => {
  it('round-trips ticket number and support address', () => {
    const address = replyAddressFor(SECRET, 'support@desk.example', 1042);
    expect(address).toMatch(/^support\+t1042\.[a-z2-7]{16}@desk\.example$/);
    expect(readReplyAddress(SECRET, address)).toEqual({
      ticketNumber: 1042,
      supportAddress: 'support@desk.example',
    });
  });

  it('is built from the base support address, whatever case or plus tag it was given with', () => {
    const plain = replyAddressFor(SECRET, 'support@desk.example', 1042);
    expect(replyAddressFor(SECRET, 'Support@Desk.Example', 1042)).toBe(plain);
    expect(replyAddressFor(SECRET, 'support+web@desk.example', 1042)).toBe(plain);
  });

  it('accepts the address in any case (mail systems may change the local part)', () => {
    const address = replyAddressFor(SECRET, 'support@desk.example', 1042);
    expect(readReplyAddress(SECRET, address.toUpperCase())).toEqual({
      ticketNumber: 1042,
      supportAddress: 'support@desk.example',
    });
  });

  it('rejects a forged ticket number, a tampered signature and another desk’s signature', () => {
    const address = replyAddressFor(SECRET, 'support@desk.example', 1042);
    expect(readReplyAddress(SECRET, address.replace('+t1042.', '+t1043.'))).toBeNull();
    expect(readReplyAddress(SECRET, withSignature(address, 'aaaaaaaaaaaaaaaa'))).toBeNull();
    expect(readReplyAddress(SECRET, replyAddressFor(OTHER_SECRET, 'support@desk.example', 1042))).toBeNull();
  });

  it('binds the signature to the support address it was made for', () => {
    const address = replyAddressFor(SECRET, 'support@desk.example', 1042);
    expect(readReplyAddress(SECRET, address.replace(/^support\+/, 'billing+'))).toBeNull();
    expect(readReplyAddress(SECRET, address.replace('@desk.example', '@other.example'))).toBeNull();
  });

  it('a Message-ID signature does not pass as a reply address signature', () => {
    const id = ourMessageId(SECRET, 1042, ENTRY, 'desk.example');
    const signature = /\.([a-z2-7]{16})@/.exec(id)![1]!;
    expect(readReplyAddress(SECRET, `support+t1042.${signature}@desk.example`)).toBeNull();
  });

  it('returns null for plain and malformed addresses', () => {
    for (const address of [
      'support@desk.example',
      'support+t1042@desk.example',
      'support+1042.aaaaaaaaaaaaaaaa@desk.example',
      'not an address',
      '@desk.example',
      'support+t1042.aaaaaaaaaaaaaaaa@',
    ]) {
      expect(readReplyAddress(SECRET, address)).toBeNull();
    }
  });

  it('refuses to build a reply address from something that is not an address', () => {
    expect(() => replyAddressFor(SECRET, 'support', 1042)).toThrow(/not an email address/);
  });
});

describe('threadIndexRoot', () => {
  // Outlook's Thread-Index: base64 of 22 bytes (6 of FILETIME, 16 of a GUID)
  // on the first message; every reply appends a 5-byte child block.
  const FIRST = 'Ado7fpEsT4ocdyA+RbGaDW5Sw4F/FA==';
  const REPLY = 'Ado7fpEsT4ocdyA+RbGaDW5Sw4F/FAAAGis8';
  const ROOT = '01da3b7e912c4f8a1c77203e45b19a0d6e52c3817f14';

  it('is the hex of the first 22 bytes, the same for every message of the conversation', () => {
    expect(threadIndexRoot(FIRST)).toBe(ROOT);
    expect(threadIndexRoot(REPLY)).toBe(ROOT);
    expect(ROOT).toHaveLength(44);
  });

  it('differs between conversations', () => {
    const other = Buffer.from(FIRST, 'base64');
    other[21] = 0x15;
    expect(threadIndexRoot(other.toString('base64'))).not.toBe(ROOT);
  });

  it('tolerates folding whitespace inside the header value', () => {
    expect(threadIndexRoot(`${REPLY.slice(0, 10)}\r\n ${REPLY.slice(10)}`)).toBe(ROOT);
  });

  it('is null for no header, junk, and values too short to hold a root', () => {
    expect(threadIndexRoot(null)).toBeNull();
    expect(threadIndexRoot('')).toBeNull();
    expect(threadIndexRoot('not base64 at all!')).toBeNull();
    expect(threadIndexRoot('<CAF=abc@mail.gmail.com>')).toBeNull();
    expect(threadIndexRoot('Ado7fpEsT4oc')).toBeNull();
    expect(threadIndexRoot('=====')).toBeNull();
  });
});
