/**
 * Ticket tags in subjects ("[#1042]") and the reply/forward prefixes mail
 * clients put in front of them, in the languages customers write in.
 */

/**
 * Reply and forward prefixes: Re, Fwd/Fw, German AW/WG, Scandinavian SV/VS/VB,
 * Dutch Antw, French Réf/TR, Italian Rif, Spanish/Portuguese RV/Enc/Res,
 * Polish Odp, Finnish VL/VS, Chinese and Japanese forms.
 * A count may follow ("Re[2]:", "Re(3):", "Re^2:"); the colon may be full-width.
 */
const PREFIX =
  /^\s*(re|fwd?|aw|wg|sv|vs|vb|antw|antwort|réf|tr|rif|rv|enc|res|odp|vl|回复|回覆|答复|转发|轉寄|転送|返信)\s*(\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]/i;
const TAG = /\[#(\d{1,15})\]/g;
const LEADING_TAG = /^\s*\[#\d{1,15}\]/;

function tag(ticketNumber: number): string {
  return `[#${ticketNumber}]`;
}

/** Every `[#<digits>]` tag in order, deduplicated; tags of other systems are ignored. */
export function findTicketTags(subject: string): number[] {
  const numbers: number[] = [];
  for (const match of subject.matchAll(TAG)) {
    const value = Number(match[1]);
    if (Number.isSafeInteger(value) && !numbers.includes(value)) numbers.push(value);
  }
  return numbers;
}

/** Strips reply/forward prefixes (repeated, any case, with counts) and ticket tags; collapses whitespace. */
export function normaliseSubject(subject: string): string {
  let rest = subject;
  for (;;) {
    const prefix = PREFIX.exec(rest) ?? LEADING_TAG.exec(rest);
    if (!prefix) break;
    rest = rest.slice(prefix[0].length);
  }
  return rest.replace(TAG, ' ').replace(/\s+/g, ' ').trim();
}

/** Leading reply/forward prefixes as written, each followed by one space ("Re: AW: "). */
function leadingPrefixes(subject: string): { prefixes: string; rest: string } {
  let rest = subject;
  let prefixes = '';
  for (;;) {
    const prefix = PREFIX.exec(rest);
    if (!prefix) break;
    prefixes += `${prefix[0].trim()} `;
    rest = rest.slice(prefix[0].length);
  }
  return { prefixes, rest: rest.trim() };
}

/**
 * "[#1042] subject"; a subject that already carries this ticket's tag is
 * returned unchanged, and reply prefixes stay in front ("Re: [#1042] x").
 */
export function withTicketTag(subject: string, ticketNumber: number): string {
  const collapsed = subject.replace(/\s+/g, ' ').trim();
  if (findTicketTags(collapsed).includes(ticketNumber)) return collapsed;
  const { prefixes, rest } = leadingPrefixes(collapsed);
  return `${prefixes}${tag(ticketNumber)}${rest === '' ? '' : ` ${rest}`}`;
}

/** "Re: [#1042] <subject without prefixes and tags>". */
export function replySubject(subject: string, ticketNumber: number): string {
  const rest = normaliseSubject(subject);
  return `Re: ${tag(ticketNumber)}${rest === '' ? '' : ` ${rest}`}`;
}
