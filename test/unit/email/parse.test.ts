import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { type InboundEmail, parseEmail } from '../../../functions/adapters/mail/parse.js';
import { seededRandom } from '../../support/seeded-random.js';

/** A message from header lines and a body, with CRLF line ends. */
function message(headers: string[], body: string | Buffer = ''): Buffer {
  const head = Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1');
  return Buffer.concat([
    head,
    typeof body === 'string' ? Buffer.from(body.replace(/\r?\n/g, '\r\n'), 'latin1') : body,
  ]);
}

const base64 = (bytes: Buffer | string): string =>
  (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64');
const encodedWord = (text: string, charset: string): string =>
  `=?${charset}?B?${iconv.encode(text, charset).toString('base64')}?=`;

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

function textMail(charset: string, body: Buffer, encoding = 'base64'): Buffer {
  return message(
    [
      'From: a@example.com',
      'Subject: charset',
      `Content-Type: text/plain; charset=${charset}`,
      `Content-Transfer-Encoding: ${encoding}`,
    ],
    encoding === 'base64' ? body.toString('base64') : body,
  );
}

describe('parseEmail: headers', () => {
  it('reads addresses, ids, date, subject and the header record of a plain message', async () => {
    const mail = await parseEmail(
      message(
        [
          'Received: from mx1.example.net by inbound',
          'Received: from client.example.org by mx1.example.net',
          'From: "Doe, Jane" <Jane.Doe@Example.COM>',
          'Reply-To: Support Replies <replies@example.com>, second@example.com',
          'To: help@desk.example, "Bob" <bob@example.org>',
          'Cc: carol@example.org, Undisclosed recipients:;',
          'Delivered-To: help@desk.example',
          'X-Original-To: Alias@Desk.Example',
          'Subject:   Printer\r\n   on fire\t again  ',
          'Date: Tue, 5 Mar 2024 10:00:00 +0100 (CET)',
          'Message-ID: <abc.123@mail.example.com>',
          'Thread-Index: AdpvE1p0ZxX2AbCdEfGhIjKlMn==',
          'Content-Type: text/plain; charset=utf-8',
        ],
        'Hello\r\nthere\r\n',
      ),
    );
    expect(mail.from).toEqual({ address: 'jane.doe@example.com', name: 'Doe, Jane' });
    expect(mail.replyTo).toEqual([
      { address: 'replies@example.com', name: 'Support Replies' },
      { address: 'second@example.com', name: null },
    ]);
    expect(mail.to.map((a) => a.address)).toEqual(['help@desk.example', 'bob@example.org']);
    expect(mail.cc).toEqual([{ address: 'carol@example.org', name: null }]);
    expect(mail.deliveredTo.map((a) => a.address)).toEqual(['help@desk.example', 'alias@desk.example']);
    expect(mail.subject).toBe('Printer on fire again');
    expect(mail.date).toBe('2024-03-05T09:00:00.000Z');
    expect(mail.messageId).toBe('abc.123@mail.example.com');
    expect(mail.threadIndex).toBe('AdpvE1p0ZxX2AbCdEfGhIjKlMn==');
    expect(mail.text).toBe('Hello\nthere\n');
    expect(mail.html).toBeNull();
    expect(mail.headers.received).toHaveLength(2);
    expect(mail.headers['message-id']).toEqual(['<abc.123@mail.example.com>']);
    expect(mail.parseProblem).toBeNull();
    expect(mail.isDeliveryReport).toBe(false);
  });

  it('extracts malformed Message-ID, In-Reply-To and References robustly', async () => {
    const mail = await parseEmail(
      message(
        [
          'From: a@example.com',
          'Message-ID: abc@example.com (no brackets, a comment)',
          'In-Reply-To: Your message of "Mon, 4 Mar" <one@x.example> (comment <not@an.id>) <two@x.example>',
          'References: <r1@x.example> <r2@x.example>\r\n\t<r3@x.example><r1@x.example>',
          'References: r4@x.example r5@x.example',
        ],
        'body',
      ),
    );
    expect(mail.messageId).toBe('abc@example.com');
    expect(mail.inReplyTo).toEqual(['one@x.example', 'two@x.example']);
    expect(mail.references).toEqual([
      'r1@x.example',
      'r2@x.example',
      'r3@x.example',
      'r4@x.example',
      'r5@x.example',
    ]);
  });

  it('keeps folded ids whole and takes a bracket-less id without @', async () => {
    const mail = await parseEmail(
      message(
        ['From: a@example.com', 'Message-ID:   <very-long-id\r\n .part2@example.com>  ', 'In-Reply-To:'],
        'x',
      ),
    );
    expect(mail.messageId).toBe('very-long-id.part2@example.com');
    expect(mail.inReplyTo).toEqual([]);
    const bare = await parseEmail(message(['From: a@example.com', 'Message-ID: 1234567890'], 'x'));
    expect(bare.messageId).toBe('1234567890');
  });

  it('decodes RFC 2047 subjects and names, also split inside a multibyte character', async () => {
    const bytes = Buffer.from('Grüße aus Köln', 'utf8');
    const split = `=?UTF-8?B?${base64(bytes.subarray(0, 3))}?= =?UTF-8?B?${base64(bytes.subarray(3))}?=`;
    const mail = await parseEmail(
      message(
        [
          'From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.de>',
          `To: ${encodedWord('山田太郎', 'Shift_JIS')} <yamada@example.jp>, "=?UTF-8?Q?Zo=C3=AB?=" <zoe@example.com>`,
          `Subject: ${split}`,
        ],
        'x',
      ),
    );
    expect(mail.subject).toBe('Grüße aus Köln');
    expect(mail.from).toEqual({ address: 'joerg@example.de', name: 'Jörg Müller' });
    expect(mail.to).toEqual([
      { address: 'yamada@example.jp', name: '山田太郎' },
      { address: 'zoe@example.com', name: 'Zoë' },
    ]);
    expect(mail.headers.from).toEqual(['Jörg Müller <joerg@example.de>']);
  });

  it('decodes subjects in legacy charsets (KOI8-R, ISO-2022-JP, GB2312, Windows-1252) and raw UTF-8 headers', async () => {
    const koi = await parseEmail(
      message(['From: a@example.com', `Subject: ${encodedWord('Привет, мир', 'KOI8-R')}`]),
    );
    expect(koi.subject).toBe('Привет, мир');
    const jis = await parseEmail(
      message([
        'From: a@example.com',
        `Subject: =?ISO-2022-JP?B?${base64(Buffer.from('\x1b$B$3$s$K$A$O\x1b(B', 'latin1'))}?=`,
      ]),
    );
    expect(jis.subject).toBe('こんにちは');
    const gb = await parseEmail(
      message(['From: a@example.com', `Subject: ${encodedWord('你好，世界', 'GB2312')}`]),
    );
    expect(gb.subject).toBe('你好，世界');
    const cp = await parseEmail(
      message(['From: a@example.com', 'Subject: =?windows-1252?Q?=93Quoted=94_=80_price?=']),
    );
    expect(cp.subject).toBe('“Quoted” € price');
    const utf8 = await parseEmail(
      Buffer.concat([
        Buffer.from('From: a@example.com\r\nSubject: ', 'latin1'),
        Buffer.from('Ünïcödé 日本\r\n\r\nx'),
      ]),
    );
    expect(utf8.subject).toBe('Ünïcödé 日本');
    // Not valid UTF-8: read as Latin-1 instead of turning into replacement characters.
    const latin = await parseEmail(Buffer.from('From: a@example.com\r\nSubject: Caf\xe9\r\n\r\nx', 'latin1'));
    expect(latin.subject).toBe('Café');
  });

  it('gives an ISO date for valid dates and null for missing, invalid or impossible ones', async () => {
    const dateOf = async (value: string | null) =>
      (await parseEmail(message(['From: a@example.com', ...(value === null ? [] : [`Date: ${value}`])], 'x')))
        .date;
    expect(await dateOf('Mon, 15 Jan 2024 09:30:00 -0500 (EST)')).toBe('2024-01-15T14:30:00.000Z');
    expect(await dateOf('15 Jan 24 09:30 GMT')).toBe('2024-01-15T09:30:00.000Z');
    expect(await dateOf('Mon, 15 Jan 2024 09:30:00 PST')).toBe('2024-01-15T17:30:00.000Z');
    expect(await dateOf('2024-01-15T09:30:00Z')).toBe('2024-01-15T09:30:00.000Z');
    expect(await dateOf('Tue, 31 Feb 2024 10:00:00 +0000')).toBeNull();
    expect(await dateOf('yesterday at noon')).toBeNull();
    expect(await dateOf('5')).toBeNull();
    expect(await dateOf(null)).toBeNull();
  });

  it('returns from null when From is missing or has no usable address, without calling it a problem', async () => {
    const missing = await parseEmail(message(['To: help@desk.example', 'Subject: no sender'], 'hello'));
    expect(missing.from).toBeNull();
    expect(missing.text).toBe('hello');
    expect(missing.parseProblem).toBeNull();
    const unusable = await parseEmail(message(['From: MAILER-DAEMON (Mail Delivery System)'], 'x'));
    expect(unusable.from).toBeNull();
    const empty = await parseEmail(message(['From: <>'], 'x'));
    expect(empty.from).toBeNull();
  });
});

describe('parseEmail: bodies and charsets', () => {
  it('decodes ISO-8859-1 quoted-printable bodies', async () => {
    const mail = await parseEmail(
      textMail('ISO-8859-1', Buffer.from('Gr=FC=DFe, J=F6rg =\r\nM=FCller', 'latin1'), 'quoted-printable'),
    );
    expect(mail.text).toBe('Grüße, Jörg Müller');
  });

  it('decodes Windows-1252 8bit bodies', async () => {
    const mail = await parseEmail(
      textMail('windows-1252', iconv.encode('“Smart” quotes cost 5 €', 'windows-1252'), '8bit'),
    );
    expect(mail.text).toBe('“Smart” quotes cost 5 €');
  });

  it.each([
    ['KOI8-R', 'Здравствуйте, у меня вопрос'],
    ['Shift_JIS', 'こんにちは、質問があります'],
    ['GB2312', '你好，我有一个问题'],
  ])('decodes %s base64 bodies', async (charset, text) => {
    const mail = await parseEmail(textMail(charset, iconv.encode(text, charset)));
    expect(mail.text).toBe(text);
  });

  it('derives readable text from HTML-only mail and keeps the raw HTML', async () => {
    const html =
      '<html><head><style>p{color:red}</style></head><body><p>Hello &amp; welcome, J&ouml;rg&nbsp;&#8212; <b>thanks</b></p><script>alert(1)</script><ul><li>one</li><li>two</li></ul></body></html>';
    const mail = await parseEmail(
      message(
        ['From: a@example.com', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit'],
        html,
      ),
    );
    expect(mail.html).toBe(html);
    expect(mail.text).toContain('Hello & welcome, Jörg');
    expect(mail.text).toContain('thanks');
    expect(mail.text).toMatch(/one[\s\S]*two/);
    expect(mail.text).not.toMatch(/<[a-z/]/i);
    expect(mail.text).not.toContain('&amp;');
    expect(mail.text).not.toContain('alert(1)');
    expect(mail.text).not.toContain('color:red');
  });

  it('takes text and HTML from multipart/alternative', async () => {
    const mail = await parseEmail(
      message(
        ['From: a@example.com', 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="alt"'],
        [
          '--alt',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: quoted-printable',
          '',
          'Plain version =E2=9C=93',
          '--alt',
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>HTML version</p>',
          '--alt--',
          '',
        ].join('\r\n'),
      ),
    );
    expect(mail.text).toBe('Plain version ✓');
    expect(mail.html).toBe('<p>HTML version</p>');
    expect(mail.attachments).toEqual([]);
  });

  it('marks a cid-referenced image of multipart/related inline, and a plain attachment not', async () => {
    const mail = await parseEmail(
      message(
        ['From: a@example.com', 'Content-Type: multipart/mixed; boundary="mixed"'],
        [
          '--mixed',
          'Content-Type: multipart/related; boundary="rel"',
          '',
          '--rel',
          'Content-Type: multipart/alternative; boundary="alt"',
          '',
          '--alt',
          'Content-Type: text/plain',
          '',
          'See the logo',
          '--alt',
          'Content-Type: text/html',
          '',
          '<p>See the logo <img src="cid:logo.123@example.com"></p>',
          '--alt--',
          '--rel',
          'Content-Type: image/png; name="logo.png"',
          'Content-Disposition: inline; filename="logo.png"',
          'Content-ID: <logo.123@example.com>',
          'Content-Transfer-Encoding: base64',
          '',
          PNG.toString('base64'),
          '--rel--',
          '--mixed',
          'Content-Type: image/png',
          'Content-Disposition: attachment',
          'Content-ID: <unused@example.com>',
          'Content-Transfer-Encoding: base64',
          '',
          PNG.toString('base64'),
          '--mixed--',
          '',
        ].join('\r\n'),
      ),
    );
    expect(mail.text).toBe('See the logo');
    expect(mail.html).toContain('cid:logo.123@example.com');
    expect(mail.attachments).toHaveLength(2);
    const [logo, other] = mail.attachments;
    expect(logo).toMatchObject({
      filename: 'logo.png',
      contentType: 'image/png',
      contentId: 'logo.123@example.com',
      inline: true,
      forwarded: false,
      size: PNG.length,
    });
    expect(logo?.content.equals(PNG)).toBe(true);
    expect(other).toMatchObject({
      filename: 'attachment-2.png',
      contentId: 'unused@example.com',
      inline: false,
    });
  });

  it('decodes RFC 2231 and RFC 2047 file names and strips paths and control characters', async () => {
    const part = (disposition: string) =>
      [
        '--b',
        'Content-Type: application/pdf',
        disposition,
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0=',
        '',
      ].join('\r\n');
    const mail = await parseEmail(
      message(
        ['From: a@example.com', 'Content-Type: multipart/mixed; boundary="b"'],
        [
          '--b',
          'Content-Type: text/plain',
          '',
          'files',
          '',
          part("Content-Disposition: attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz%202024.pdf"),
          part(
            "Content-Disposition: attachment;\r\n filename*0*=ISO-8859-1''%DCber;\r\n filename*1*=sicht.pdf",
          ),
          part('Content-Disposition: attachment; filename="=?UTF-8?Q?Gr=C3=BC=C3=9Fe.pdf?="'),
          part('Content-Disposition: attachment; filename="../../etc/passwd"'),
          part('Content-Disposition: attachment; filename="C:\\\\Users\\\\me\\\\report.pdf"'),
          part("Content-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe"),
          part('Content-Disposition: attachment; filename=".."'),
          '--b--',
          '',
        ].join('\r\n'),
      ),
    );
    expect(mail.attachments.map((a) => a.filename)).toEqual([
      'Rechnung März 2024.pdf',
      'Übersicht.pdf',
      'Grüße.pdf',
      'passwd',
      'report.pdf',
      'invoicefdp.exe',
      'attachment-7.pdf',
    ]);
    expect(mail.attachments.every((a) => a.size === 5 && a.contentType === 'application/pdf')).toBe(true);
  });

  it('keeps a forwarded message/rfc822 part as a forwarded attachment named after its subject', async () => {
    const forwarded = [
      'From: Original Sender <orig@example.net>',
      'Subject: =?UTF-8?Q?Angebot_f=C3=BCr_Q3/Q4?=',
      'Message-ID: <fwd@example.net>',
      '',
      'The forwarded body',
    ].join('\r\n');
    const mail = await parseEmail(
      message(
        ['From: a@example.com', 'Subject: Fwd: offer', 'Content-Type: multipart/mixed; boundary="b"'],
        [
          '--b',
          'Content-Type: text/plain',
          '',
          'Please see the forwarded offer.',
          '--b',
          'Content-Type: message/rfc822',
          'Content-Disposition: inline',
          '',
          forwarded,
          '--b',
          'Content-Type: message/rfc822',
          '',
          'From: x@example.net',
          '',
          'no subject here',
          '--b--',
          '',
        ].join('\r\n'),
      ),
    );
    expect(mail.text).toBe('Please see the forwarded offer.');
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.forwarded])).toEqual([
      ['Angebot für Q3-Q4.eml', 'message/rfc822', true],
      ['forwarded-message.eml', 'message/rfc822', true],
    ]);
    expect(mail.attachments[0]?.content.toString('utf8')).toContain('The forwarded body');
    expect(mail.isDeliveryReport).toBe(false);
    expect(mail.reportedMessageIds).toEqual([]);
  });
});

describe('parseEmail: delivery reports', () => {
  const dsn = (headers: string[], returned: string[]) =>
    message(
      headers,
      [
        '--r',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        'Delivery to the following recipient failed permanently: nobody@example.org',
        '--r',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.org',
        '',
        'Final-Recipient: rfc822; nobody@example.org',
        'Action: failed',
        'Status: 5.1.1',
        '--r',
        ...returned,
        '--r--',
        '',
      ].join('\r\n'),
    );

  it('recognises multipart/report with text/rfc822-headers and reports the original Message-ID', async () => {
    const mail = await parseEmail(
      dsn(
        [
          'From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>',
          'Subject: Undelivered Mail Returned to Sender',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        ],
        [
          'Content-Type: text/rfc822-headers',
          '',
          'From: support@desk.example',
          'To: nobody@example.org',
          'Message-ID: <reply-42.abc@desk.example>',
          'Subject: Re: [#42] Help',
        ],
      ),
    );
    expect(mail.isDeliveryReport).toBe(true);
    expect(mail.reportedMessageIds).toEqual(['reply-42.abc@desk.example']);
    expect(mail.text).toContain('failed permanently');
    expect(mail.from?.address).toBe('mailer-daemon@mx.example.org');
  });

  it('reads the Message-ID of a returned message/rfc822 original', async () => {
    const mail = await parseEmail(
      dsn(
        [
          'From: postmaster@example.org',
          'Content-Type: multipart/report; report-type="Delivery-Status"; boundary="r"',
        ],
        [
          'Content-Type: message/rfc822',
          '',
          'Message-ID: <orig-7@desk.example>',
          'Subject: hi',
          '',
          'original body',
        ],
      ),
    );
    expect(mail.isDeliveryReport).toBe(true);
    expect(mail.reportedMessageIds).toEqual(['orig-7@desk.example']);
  });

  it('recognises a mailer-daemon message with a delivery-status part outside multipart/report', async () => {
    const mail = await parseEmail(
      dsn(
        ['From: MAILER-DAEMON@mx.example.org', 'Content-Type: multipart/mixed; boundary="r"'],
        ['Content-Type: text/rfc822-headers', '', 'Message-ID: <m1@desk.example>'],
      ),
    );
    expect(mail.isDeliveryReport).toBe(true);
    expect(mail.reportedMessageIds).toEqual(['m1@desk.example']);
  });

  it('does not take read receipts or ordinary mail with returned headers for delivery reports', async () => {
    const receipt = await parseEmail(
      dsn(
        [
          'From: bob@example.org',
          'Content-Type: multipart/report; report-type=disposition-notification; boundary="r"',
        ],
        ['Content-Type: text/rfc822-headers', '', 'Message-ID: <m2@desk.example>'],
      ),
    );
    expect(receipt.isDeliveryReport).toBe(false);
    expect(receipt.reportedMessageIds).toEqual([]);
    const ordinary = await parseEmail(
      dsn(
        ['From: bob@example.org', 'Content-Type: multipart/mixed; boundary="r"'],
        ['Content-Type: text/rfc822-headers', '', 'Message-ID: <m3@desk.example>'],
      ),
    );
    expect(ordinary.isDeliveryReport).toBe(false);
  });
});

describe('parseEmail: malformed input never throws', () => {
  function expectWellFormed(mail: InboundEmail): void {
    expect(typeof mail.subject).toBe('string');
    expect(typeof mail.text).toBe('string');
    expect(Array.isArray(mail.attachments)).toBe(true);
    expect(Array.isArray(mail.references)).toBe(true);
    expect(mail.parseProblem === null || typeof mail.parseProblem === 'string').toBe(true);
  }

  it('returns an empty value with a problem for empty input', async () => {
    const mail = await parseEmail(Buffer.alloc(0));
    expectWellFormed(mail);
    expect(mail.parseProblem).toBe('empty message');
    expect(mail.from).toBeNull();
    expect(mail.headers).toEqual({});
  });

  it('accepts a Uint8Array view into a larger buffer', async () => {
    const whole = Buffer.from('XXXXFrom: a@example.com\r\nSubject: view\r\n\r\nbody', 'latin1');
    const mail = await parseEmail(new Uint8Array(whole.buffer, whole.byteOffset + 4, whole.length - 4));
    expect(mail.subject).toBe('view');
    expect(mail.text).toBe('body');
  });

  it('names the problem for binary junk without headers', async () => {
    const random = seededRandom(7);
    const junk = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
    const mail = await parseEmail(junk);
    expectWellFormed(mail);
    expect(mail.parseProblem).not.toBeNull();
  });

  it('recovers the body of a multipart message whose closing boundary is missing', async () => {
    const mail = await parseEmail(
      message(
        ['From: a@example.com', 'Content-Type: multipart/mixed; boundary="XX"'],
        [
          '--XX',
          'Content-Type: text/plain',
          '',
          'visible text',
          '--XX',
          'Content-Type: application/pdf; name="a.pdf"',
          'Content-Transfer-Encoding: base64',
          '',
          'JVBERi0=',
        ].join('\r\n'),
      ),
    );
    expect(mail.text).toBe('visible text');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['a.pdf']);
    expect(mail.parseProblem).toMatch(/not terminated/);
  });

  it('keeps headers and body when one header is enormous', async () => {
    const mail = await parseEmail(
      message(
        [
          `X-Huge: ${'a'.repeat(5_000_000)}`,
          'From: a@example.com',
          'Subject: still here',
          'Message-ID: <big@x>',
        ],
        'the body survives',
      ),
    );
    expect(mail.from?.address).toBe('a@example.com');
    expect(mail.subject).toBe('still here');
    expect(mail.messageId).toBe('big@x');
    expect(mail.text).toBe('the body survives');
    expect(mail.headers['x-huge']?.[0]?.length).toBeLessThan(100_000);
    expect(mail.parseProblem).toMatch(/x-huge/);
  });

  it('survives unknown charsets, broken base64, broken encoded words and a message that is only headers', async () => {
    const unknown = await parseEmail(
      message(
        [
          'From: a@example.com',
          'Subject: =?x-no-such-charset?Q?caf=E9?= and =?utf-8?B?!!!?= and =?utf-8?Q?unterminated',
          'Content-Type: text/plain; charset=x-no-such-charset',
          'Content-Transfer-Encoding: base64',
        ],
        '!!!not base64 at all%%%',
      ),
    );
    expectWellFormed(unknown);
    expect(unknown.subject).toContain('and =?utf-8?Q?unterminated');
    const headersOnly = await parseEmail(
      Buffer.from('From: a@example.com\r\nSubject: only headers', 'latin1'),
    );
    expect(headersOnly.subject).toBe('only headers');
    expect(headersOnly.text).toBe('');
  });

  it('never throws for truncated or corrupted variants of a real message', async () => {
    const original = message(
      [
        'From: "Jörg" <j@example.com>',
        'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=',
        'Message-ID: <m@example.com>',
        'Content-Type: multipart/mixed; boundary="b"',
      ],
      [
        '--b',
        'Content-Type: multipart/alternative; boundary="c"',
        '',
        '--c',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Gr=FC=DFe',
        '--c',
        'Content-Type: text/html',
        '',
        '<p>Hi <img src="cid:x@y"></p>',
        '--c--',
        '--b',
        "Content-Type: image/png; name*=utf-8''%E2%9C%93.png",
        'Content-ID: <x@y>',
        'Content-Transfer-Encoding: base64',
        '',
        PNG.toString('base64'),
        '--b--',
        '',
      ].join('\r\n'),
    );
    const random = seededRandom(2024);
    for (let round = 0; round < 60; round += 1) {
      const variant = Buffer.from(original.subarray(0, Math.floor(random() * original.length)));
      for (let flips = Math.floor(random() * 8); flips > 0; flips -= 1) {
        variant[Math.floor(random() * variant.length)] = Math.floor(random() * 256);
      }
      const mail = await parseEmail(variant);
      expectWellFormed(mail);
    }
    const intact = await parseEmail(original);
    expect(intact.text).toBe('Grüße');
    expect(intact.attachments[0]).toMatchObject({ filename: '✓.png', inline: true, contentId: 'x@y' });
  });
});
