import { describe, expect, it } from 'vitest';
import { stripQuotedText } from '../../../functions/domain/email/quotes.js';

const lines = (...parts: string[]): string => parts.join('\n');

describe('stripQuotedText: attribution and > quotes', () => {
  it('strips a Gmail-style attribution and the quoted block below the answer', () => {
    const result = stripQuotedText(
      lines(
        'Thanks, that fixed it!',
        '',
        'Jane',
        '',
        'On Tue, Mar 5, 2024 at 10:00 AM Help Desk <help@desk.example> wrote:',
        '',
        '> Please restart the printer.',
        '>',
        '> > Earlier quote',
        '',
      ),
    );
    expect(result.visible).toBe(lines('Thanks, that fixed it!', '', 'Jane'));
    expect(result.quoted).toBe(
      lines(
        'On Tue, Mar 5, 2024 at 10:00 AM Help Desk <help@desk.example> wrote:',
        '',
        '> Please restart the printer.',
        '>',
        '> > Earlier quote',
      ),
    );
  });

  it('recognises an attribution wrapped over two lines', () => {
    const result = stripQuotedText(
      lines(
        'Works now.',
        '',
        'On Tue, Mar 5, 2024 at 10:00 AM Help Desk Support Team <',
        'help@desk.example> wrote:',
        '> Please restart the printer.',
      ),
    );
    expect(result.visible).toBe('Works now.');
    expect(result.quoted?.startsWith('On Tue, Mar 5, 2024')).toBe(true);
  });

  it.each([
    ['German', 'Am 05.03.2024 um 10:00 schrieb Help Desk <help@desk.example>:'],
    ['French', 'Le mar. 5 mars 2024 à 10:00, Help Desk <help@desk.example> a écrit :'],
    ['Spanish', 'El mar, 5 mar 2024 a las 10:00, Help Desk (<help@desk.example>) escribió:'],
    ['Dutch', 'Op di 5 mrt. 2024 om 10:00 schreef Help Desk <help@desk.example>:'],
  ])('strips a %s attribution with its quote', (_language, attribution) => {
    const result = stripQuotedText(
      lines('Merci / Danke / Gracias / Bedankt', '', attribution, '> Original text'),
    );
    expect(result.visible).toBe('Merci / Danke / Gracias / Bedankt');
    expect(result.quoted).toBe(lines(attribution, '> Original text'));
  });

  it('keeps an inline reply down to the last answer and strips only the trailing quote', () => {
    const text = lines(
      'On Tue, Mar 5, 2024 at 10:00 AM Help Desk <help@desk.example> wrote:',
      '> Which model do you have?',
      'The LaserJet 4000.',
      '',
      '> And which driver?',
      'Version 2.1.',
      '',
      '> Best regards,',
      '> Help Desk',
    );
    const result = stripQuotedText(text);
    expect(result.visible).toBe(
      lines(
        'On Tue, Mar 5, 2024 at 10:00 AM Help Desk <help@desk.example> wrote:',
        '> Which model do you have?',
        'The LaserJet 4000.',
        '',
        '> And which driver?',
        'Version 2.1.',
      ),
    );
    expect(result.quoted).toBe(lines('> Best regards,', '> Help Desk'));
  });

  it('keeps the signature above the quoted history', () => {
    const result = stripQuotedText(
      lines(
        'Yes please.',
        '',
        '-- ',
        'Jane Doe',
        'ACME Corp',
        '',
        'On 5 Mar 2024, at 10:00, Help <h@d.example> wrote:',
        '',
        '> Shall we?',
      ),
    );
    expect(result.visible).toBe(lines('Yes please.', '', '-- ', 'Jane Doe', 'ACME Corp'));
  });

  it('does not take a sentence of the reply for an attribution', () => {
    const result = stripQuotedText(
      lines('On the other hand, I agree.', 'Here is what you wrote:', '> old text'),
    );
    expect(result.visible).toBe(lines('On the other hand, I agree.', 'Here is what you wrote:'));
    expect(result.quoted).toBe('> old text');
  });
});

describe('stripQuotedText: Outlook and forward separators', () => {
  it('strips from -----Original Message----- on', () => {
    const result = stripQuotedText(
      lines(
        'Please see my answer.',
        '',
        '-----Original Message-----',
        'From: Help Desk [mailto:help@desk.example]',
        'Sent: Tuesday, March 5, 2024 10:00 AM',
        'To: Jane Doe',
        'Subject: RE: [#42] Printer',
        '',
        'Old text without any quote marks.',
      ),
    );
    expect(result.visible).toBe('Please see my answer.');
    expect(result.quoted?.split('\n')[0]).toBe('-----Original Message-----');
    expect(result.quoted).toContain('Old text without any quote marks.');
  });

  it('strips an underscore rule followed by a German Von: block', () => {
    const result = stripQuotedText(
      lines(
        'Vielen Dank!',
        '',
        '________________________________',
        'Von: Help Desk <help@desk.example>',
        'Gesendet: Dienstag, 5. März 2024 10:00',
        'An: Jane Doe <jane@example.com>',
        'Betreff: AW: [#42] Drucker',
        '',
        'Alter Text',
      ),
    );
    expect(result.visible).toBe('Vielen Dank!');
    expect(result.quoted?.startsWith('________________________________\nVon: Help Desk')).toBe(true);
  });

  it.each([
    [
      'English',
      [
        'From: Help Desk <help@desk.example>',
        'Sent: Tuesday, March 5, 2024 10:00',
        'To: Jane',
        'Subject: RE: Printer',
      ],
    ],
    [
      'French',
      [
        'De : Help Desk <help@desk.example>',
        'Envoyé : mardi 5 mars 2024 10:00',
        'À : Jane',
        'Objet : RE: Imprimante',
      ],
    ],
    [
      'German',
      ['Von: Help Desk <help@desk.example>', 'Datum: 5. März 2024', 'An: Jane', 'Betreff: AW: Drucker'],
    ],
  ])('strips an unquoted %s header block of the original', (_language, block) => {
    const result = stripQuotedText(lines('New answer.', '', ...block, '', 'Old text.'));
    expect(result.visible).toBe('New answer.');
    expect(result.quoted).toBe(lines(...block, '', 'Old text.'));
  });

  it('takes the rule above a header block (a converted <hr>) into the history', () => {
    const result = stripQuotedText(
      lines(
        'Thanks',
        '',
        '-'.repeat(80),
        '',
        'From: Help Desk <help@desk.example>',
        'Sent: Tuesday, March 5, 2024',
        'To: Jane',
        'Subject: RE: Printer',
        '',
        'Old',
      ),
    );
    expect(result.visible).toBe('Thanks');
    expect(result.quoted?.startsWith('-'.repeat(80))).toBe(true);
  });

  it('strips a header block run together on one line', () => {
    const result = stripQuotedText(
      lines(
        'Short answer.',
        'From: Help Desk Sent: Tuesday, March 5, 2024 To: Jane Subject: Printer',
        'Old text.',
      ),
    );
    expect(result.visible).toBe('Short answer.');
  });

  it('does not take a lone "From:" line in the answer for history', () => {
    const text = lines('From: my home office', 'the printer still jams.');
    expect(stripQuotedText(text)).toEqual({ visible: text, quoted: null });
  });

  it('strips a forwarded message below the forwarder’s note (Gmail and Apple styles)', () => {
    const gmail = stripQuotedText(
      lines(
        'FYI, see below.',
        '',
        '---------- Forwarded message ---------',
        'From: Bob <bob@example.org>',
        '',
        'Text',
      ),
    );
    expect(gmail.visible).toBe('FYI, see below.');
    const apple = stripQuotedText(
      lines('Look at this', '', 'Begin forwarded message:', '', 'From: Bob', 'Text'),
    );
    expect(apple.visible).toBe('Look at this');
    expect(apple.quoted?.startsWith('Begin forwarded message:')).toBe(true);
  });
});

describe('stripQuotedText: edge cases', () => {
  it('returns the whole text when everything is history (a bare forward or a bare quote)', () => {
    const forward = lines(
      '---------- Forwarded message ---------',
      'From: Bob <bob@example.org>',
      'Subject: x',
      '',
      'Text',
    );
    expect(stripQuotedText(forward)).toEqual({ visible: forward, quoted: null });
    const quoteOnly = lines('On Tue, Mar 5, 2024 at 10:00 AM Bob <b@x.example> wrote:', '> only a quote');
    expect(stripQuotedText(quoteOnly)).toEqual({ visible: quoteOnly, quoted: null });
  });

  it('leaves text without history alone (quoted null) and normalises CRLF', () => {
    expect(stripQuotedText('Hello\r\nworld\r\n')).toEqual({ visible: 'Hello\nworld\n', quoted: null });
    expect(stripQuotedText('a > b and c > d')).toEqual({ visible: 'a > b and c > d', quoted: null });
  });

  it('normalises CRLF in stripped results too', () => {
    const result = stripQuotedText('Answer\r\n\r\nOn Mon, 4 Mar 2024, Bob <b@x.example> wrote:\r\n> q\r\n');
    expect(result).toEqual({
      visible: 'Answer',
      quoted: 'On Mon, 4 Mar 2024, Bob <b@x.example> wrote:\n> q',
    });
  });

  it('returns an empty text unchanged', () => {
    expect(stripQuotedText('')).toEqual({ visible: '', quoted: null });
  });
});
