import { describe, expect, it } from 'vitest';
import { composeEmail, type OutboundEmail } from '../../../functions/adapters/mail/compose.js';
import { parseEmail } from '../../../functions/adapters/mail/parse.js';

function outbound(overrides: Partial<OutboundEmail> = {}): OutboundEmail {
  return {
    from: { address: 'support@desk.example', name: 'Hilfe – Müller, GmbH' },
    to: [{ address: 'kunde@example.com', name: 'Zoë "Z" Ångström' }],
    cc: [{ address: 'boss@example.com', name: null }],
    replyTo: { address: 'reply+42@desk.example', name: 'Support' },
    subject: 'Re: [#42] Grüße aus Köln – 日本語のテスト',
    text: 'Hallo Zoë,\n\nder Drucker läuft wieder.\n',
    html: '<p>Hallo Zoë,</p><p>der Drucker läuft wieder.</p>',
    messageId: 'reply-42.01HXYZ@desk.example',
    inReplyTo: 'orig@example.com',
    references: ['first@example.com', 'orig@example.com'],
    date: new Date('2024-03-05T10:00:00Z'),
    ...overrides,
  };
}

/** The header section of a raw message. */
function headerSection(raw: Buffer): string {
  const text = raw.toString('latin1');
  return text.slice(0, text.indexOf('\r\n\r\n'));
}

describe('composeEmail', () => {
  it('round-trips ids, subject, addresses, date and bodies through parseEmail', async () => {
    const raw = await composeEmail(outbound());
    const mail = await parseEmail(raw);
    expect(mail.parseProblem).toBeNull();
    expect(mail.messageId).toBe('reply-42.01HXYZ@desk.example');
    expect(mail.inReplyTo).toEqual(['orig@example.com']);
    expect(mail.references).toEqual(['first@example.com', 'orig@example.com']);
    expect(mail.subject).toBe('Re: [#42] Grüße aus Köln – 日本語のテスト');
    expect(mail.from).toEqual({ address: 'support@desk.example', name: 'Hilfe – Müller, GmbH' });
    expect(mail.to).toEqual([{ address: 'kunde@example.com', name: 'Zoë "Z" Ångström' }]);
    expect(mail.cc).toEqual([{ address: 'boss@example.com', name: null }]);
    expect(mail.replyTo).toEqual([{ address: 'reply+42@desk.example', name: 'Support' }]);
    expect(mail.date).toBe('2024-03-05T10:00:00.000Z');
    expect(mail.text).toBe('Hallo Zoë,\n\nder Drucker läuft wieder.\n');
    expect(mail.html).toBe('<p>Hallo Zoë,</p><p>der Drucker läuft wieder.</p>');
  });

  it('writes ids in angle brackets and only 7-bit, CRLF-terminated header lines', async () => {
    const head = headerSection(await composeEmail(outbound()));
    expect(head).toMatch(/^Message-ID: <reply-42\.01HXYZ@desk\.example>$/m);
    expect(head).toMatch(/^In-Reply-To: <orig@example\.com>$/m);
    expect(head).toMatch(/^References: <first@example\.com> <orig@example\.com>$/m);
    expect(head).toMatch(/^Subject: =\?UTF-8\?/m);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checks for 7-bit text
    expect(head).toMatch(/^[\x00-\x7f]*$/);
    expect(head.split('\r\n').every((line) => !line.includes('\n'))).toBe(true);
  });

  it('marks automatic replies with Auto-Submitted: auto-replied and X-Auto-Response-Suppress', async () => {
    const mail = await parseEmail(await composeEmail(outbound({ automatic: 'replied' })));
    expect(mail.headers['auto-submitted']).toEqual(['auto-replied']);
    expect(mail.headers['x-auto-response-suppress']).toEqual(['All']);
  });

  it('marks generated notifications with Auto-Submitted: auto-generated', async () => {
    const mail = await parseEmail(await composeEmail(outbound({ automatic: 'generated' })));
    expect(mail.headers['auto-submitted']).toEqual(['auto-generated']);
    expect(mail.headers['x-auto-response-suppress']).toEqual(['All']);
  });

  it('adds neither header to a personal reply', async () => {
    for (const automatic of [undefined, false] as const) {
      const mail = await parseEmail(await composeEmail(outbound({ automatic })));
      expect(mail.headers['auto-submitted']).toBeUndefined();
      expect(mail.headers['x-auto-response-suppress']).toBeUndefined();
    }
  });

  it('adds custom headers but never lets them inject lines or replace the composed ones', async () => {
    const raw = await composeEmail(
      outbound({
        headers: {
          'X-Helpdesk-Ticket': '42\r\nBcc: victim@example.org',
          'Message-ID': '<forged@evil.example>',
          'Auto-Submitted': 'no',
        },
      }),
    );
    const mail = await parseEmail(raw);
    expect(mail.headers['x-helpdesk-ticket']).toEqual(['42 Bcc: victim@example.org']);
    expect(mail.headers.bcc).toBeUndefined();
    expect(mail.messageId).toBe('reply-42.01HXYZ@desk.example');
    expect(mail.headers['message-id']).toHaveLength(1);
    expect(mail.headers['auto-submitted']).toBeUndefined();
  });

  it('rejects ids with brackets, whitespace or line breaks', async () => {
    await expect(composeEmail(outbound({ messageId: '<x@y>' }))).rejects.toThrow(/messageId/);
    await expect(composeEmail(outbound({ inReplyTo: 'a@b\r\nBcc: x@y' }))).rejects.toThrow(/inReplyTo/);
    await expect(composeEmail(outbound({ references: ['ok@x', 'not ok@x'] }))).rejects.toThrow(/references/);
  });

  it('writes a text-only message without HTML and keeps attachments with non-ASCII names', async () => {
    const pdf = Buffer.from('%PDF-1.4 test');
    const mail = await parseEmail(
      await composeEmail(
        outbound({
          html: undefined,
          attachments: [{ filename: 'Übersicht März.pdf', contentType: 'application/pdf', content: pdf }],
        }),
      ),
    );
    expect(mail.html).toBeNull();
    expect(mail.text).toBe('Hallo Zoë,\n\nder Drucker läuft wieder.\n');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({
      filename: 'Übersicht März.pdf',
      contentType: 'application/pdf',
      inline: false,
      forwarded: false,
    });
    expect(mail.attachments[0]?.content.equals(pdf)).toBe(true);
  });
});
