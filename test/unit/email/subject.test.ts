import { describe, expect, it } from 'vitest';
import {
  findTicketTags,
  normaliseSubject,
  replySubject,
  withTicketTag,
} from '../../../functions/domain/email/subject.js';

describe('findTicketTags', () => {
  it('finds every [#digits] tag in order, deduplicated', () => {
    expect(findTicketTags('Re: AW: [#1042] Printer [#7] and again [#1042]')).toEqual([1042, 7]);
  });

  it('ignores tags of other systems and malformed tags', () => {
    expect(findTicketTags('[JIRA-12] [#abc] [# 12] [#12a] #13 [Ticket#14] (#15)')).toEqual([]);
  });

  it('returns nothing for a subject without tags', () => {
    expect(findTicketTags('Printer on fire')).toEqual([]);
  });
});

describe('normaliseSubject', () => {
  it.each([
    ['Re: Printer', 'Printer'],
    ['RE: re: Re:Printer', 'Printer'],
    ['Fwd: FW: Printer', 'Printer'],
    ['AW: WG: Drucker', 'Drucker'],
    ['SV: VS: Skrivare', 'Skrivare'],
    ['Antw: Printer', 'Printer'],
    ['Réf : TR : Imprimante', 'Imprimante'],
    ['Re[2]: Re(3): Re^4: Printer', 'Printer'],
    ['回复：打印机', '打印机'],
    ['Re: [#1042] Printer', 'Printer'],
    ['[#1042] Re: Printer   on\tfire', 'Printer on fire'],
    ['Re: AW: [#1042] Fwd: Printer [#1042]', 'Printer'],
    ['  ', ''],
  ])('%j becomes %j', (subject, expected) => {
    expect(normaliseSubject(subject)).toBe(expected);
  });

  it('keeps words that only look like prefixes and other systems’ tags', () => {
    expect(normaliseSubject('Reply needed: [JIRA-12] Regarding invoice')).toBe(
      'Reply needed: [JIRA-12] Regarding invoice',
    );
    expect(normaliseSubject('Review: contract')).toBe('Review: contract');
  });
});

describe('withTicketTag', () => {
  it('puts the tag in front', () => {
    expect(withTicketTag('Printer on fire', 1042)).toBe('[#1042] Printer on fire');
  });

  it('is idempotent', () => {
    const once = withTicketTag('Printer', 1042);
    expect(withTicketTag(once, 1042)).toBe(once);
    expect(withTicketTag('Re: [#1042] Printer', 1042)).toBe('Re: [#1042] Printer');
  });

  it('keeps reply prefixes in front of the tag', () => {
    expect(withTicketTag('Re: AW: Printer', 1042)).toBe('Re: AW: [#1042] Printer');
  });

  it('tags an empty subject', () => {
    expect(withTicketTag('', 5)).toBe('[#5]');
  });
});

describe('replySubject', () => {
  it('builds "Re: [#n] subject" without existing prefixes or tags', () => {
    expect(replySubject('AW: Re: [#1042] Printer', 1042)).toBe('Re: [#1042] Printer');
    expect(replySubject('Printer', 7)).toBe('Re: [#7] Printer');
    expect(replySubject('Réf: WG: SV: Antw: RE: [#99] x', 7)).toBe('Re: [#7] x');
  });

  it('is stable when applied to its own output', () => {
    const first = replySubject('Printer', 1042);
    expect(replySubject(first, 1042)).toBe(first);
  });

  it('handles an empty subject', () => {
    expect(replySubject('', 3)).toBe('Re: [#3]');
  });
});
