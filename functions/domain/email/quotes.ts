/**
 * Separates the new text of an email reply from the quoted history below it,
 * so the ticket timeline shows what the customer actually wrote.
 *
 * History starts at the earliest of:
 * - an unquoted separator a mail client writes above the original message
 *   ("-----Original Message-----", "---------- Forwarded message ---------",
 *   "Begin forwarded message:", a rule line followed by "From:"),
 * - an unquoted header block of the original ("From: / Sent: / To: /
 *   Subject:" in the common languages, also run together on one line),
 * - the trailing block of `>` lines, together with the attribution line
 *   ("On ... wrote:", "Am ... schrieb ...:", ...) right above it.
 *
 * Only the trailing `>` block counts, so an inline reply (quote, answer,
 * quote, answer) keeps everything down to its last answer. A signature above
 * the history stays visible. When everything is history (a bare forward), the
 * whole text stays visible.
 */

export function stripQuotedText(text: string): { visible: string; quoted: string | null } {
  const normalised = text.replace(/\r\n?/g, '\n');
  const lines = normalised.split('\n');
  const cut = findHistoryStart(lines);
  if (cut === null) return { visible: normalised, quoted: null };
  const visible = trimBlankLines(lines.slice(0, cut));
  const quoted = trimBlankLines(lines.slice(cut));
  if (visible === '' || quoted === '') return { visible: normalised, quoted: null };
  return { visible, quoted };
}

function findHistoryStart(lines: string[]): number | null {
  const marker = firstMarker(lines);
  const trailing = trailingQuoteStart(lines);
  if (marker === null) return trailing;
  if (trailing === null) return marker;
  return Math.min(marker, trailing);
}

function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === '';
}

function isQuoted(line: string | undefined): boolean {
  return line !== undefined && /^\s*>/.test(line);
}

function trimBlankLines(lines: string[]): string {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start])) start += 1;
  while (end > start && isBlank(lines[end - 1])) end -= 1;
  return lines.slice(start, end).join('\n');
}

// ---------------------------------------------------------------------------
// Separators and header blocks

const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(original message|original-nachricht|ursprüngliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht|messaggio originale|mensagem original|originalmeddelande|oprindelig meddelelse|alkuperäinen viesti)\s*-{2,}\s*$/i;
const FORWARDED_MESSAGE =
  /^\s*-{2,}\s*(forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|doorgestuurd bericht|messaggio inoltrato|mensagem encaminhada)\s*-{2,}\s*$/i;
const BEGIN_FORWARDED =
  /^\s*(begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|begin doorgestuurd bericht)\s*:\s*$/i;
/** A horizontal rule: Outlook's underscores, or a converted `<hr>`. */
const RULE = /^\s*(_{20,}|-{20,})\s*$/;

const FROM_FIELD = /^\s*\*?(from|von|de|van|da|fra|från|od)\s*:\*?\s*\S/i;
const DATE_FIELD =
  /^\s*\*?(sent|date|gesendet|datum|envoyé|enviado|fecha|verzonden|data|inviato|skickat|sendt|wysłano)\s*:/i;
const SUBJECT_FIELD = /^\s*\*?(subject|betreff|objet|asunto|onderwerp|oggetto|ämne|emne|assunto|temat)\s*:/i;
const OTHER_FIELD = /^\s*\*?(to|an|à|a|para|aan|cc|kopie|til|till|do)\s*:/i;
const ONE_LINE_HEADER_BLOCK =
  /^\s*\*?(from|von|de|van)\s*:.{1,300}?\b(sent|date|gesendet|datum|envoyé|enviado|verzonden)\s*:.{1,300}?\b(subject|betreff|objet|asunto|onderwerp)\s*:/i;

function firstMarker(lines: string[]): number | null {
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (isQuoted(line) || isBlank(line)) continue;
    if (ORIGINAL_MESSAGE.test(line) || FORWARDED_MESSAGE.test(line) || BEGIN_FORWARDED.test(line)) return i;
    if (RULE.test(line)) {
      const next = nextNonBlank(lines, i + 1);
      if (next !== null && next <= i + 2 && FROM_FIELD.test(lines[next]!)) return i;
    }
    if (ONE_LINE_HEADER_BLOCK.test(line) || (FROM_FIELD.test(line) && isHeaderBlock(lines, i))) {
      return ruleAbove(lines, i) ?? i;
    }
  }
  return null;
}

/** A rule line just above line `index` (blank lines between allowed), which belongs to the history. */
function ruleAbove(lines: string[], index: number): number | null {
  let above = index - 1;
  while (above >= 0 && isBlank(lines[above])) above -= 1;
  return above >= 0 && index - above <= 3 && RULE.test(lines[above]!) ? above : null;
}

function nextNonBlank(lines: string[], from: number): number | null {
  for (let i = from; i < lines.length; i += 1) if (!isBlank(lines[i])) return i;
  return null;
}

/** A "From:" line followed, before the next blank line, by a date/sent line and a subject line. */
function isHeaderBlock(lines: string[], fromIndex: number): boolean {
  let date = false;
  let subject = false;
  for (let i = fromIndex + 1; i < Math.min(lines.length, fromIndex + 10); i += 1) {
    const line = lines[i]!;
    if (isBlank(line)) break;
    if (DATE_FIELD.test(line)) date = true;
    else if (SUBJECT_FIELD.test(line)) subject = true;
    else if (!OTHER_FIELD.test(line) && /^\s*\S+\s*:/.test(line) && !/@/.test(line)) break;
    if (date && subject) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Trailing quote block and attribution

/** Attribution lines that start with the language's "On"; accepted even without a date. */
const ATTRIBUTIONS = [
  /^on\s.{2,300}\swrote\s*:$/i,
  /^am\s.{2,300}\sschrieb\s.{0,300}:$/i,
  /^am\s.{2,300}\sschrieb\s*:$/i,
  /^le\s.{2,300}\sa\s+écrit\s*:$/i,
  /^el\s.{2,300}\sescribió\s*:$/i,
  /^op\s.{2,300}\sschreef\s.{0,300}:$/i,
  /^op\s.{2,300}\sschreef\s*:$/i,
  /^il\s.{2,300}\sha\s+scritto\s*:$/i,
  /^em\s.{2,300}\sescreveu\s*:$/i,
  /^den\s.{2,300}\sskrev\s.{0,300}:$/i,
];
/** "<someone> wrote:" without the leading "On"; only with a date or an address in it. */
const GENERIC_ATTRIBUTION =
  /^.{1,300}\s(wrote|schrieb|a\s+écrit|escribió|schreef|ha\s+scritto|escreveu|skrev)\s*:$/i;

/** A language-specific attribution ("On ... wrote:"); a wrapped one needs a date or an address in it. */
function isLeadingAttribution(text: string, wrapped: boolean): boolean {
  const line = text.replace(/\s+/g, ' ').trim();
  if (!line.endsWith(':') || line.length > 600) return false;
  return ATTRIBUTIONS.some((pattern) => pattern.test(line)) && (!wrapped || /[\d@]/.test(line));
}

/** "<someone> wrote:" on one line, with a date or an address in it. */
function isGenericAttribution(line: string): boolean {
  const text = line.replace(/\s+/g, ' ').trim();
  return text.length <= 600 && /[\d@]/.test(text) && GENERIC_ATTRIBUTION.test(text);
}

/**
 * The first line of an attribution that ends on line `end`: a language-specific
 * one wrapped over up to three lines, else a generic one on that line alone.
 */
function attributionEndingAt(lines: string[], end: number): number | null {
  for (let span = 1; span <= 3; span += 1) {
    const start = end - span + 1;
    if (start < 0) break;
    const part = lines.slice(start, end + 1);
    if (part.some((line) => isBlank(line) || isQuoted(line))) break;
    if (isLeadingAttribution(part.join(' '), span > 1)) return start;
  }
  return isGenericAttribution(lines[end] ?? '') ? end : null;
}

function trailingQuoteStart(lines: string[]): number | null {
  let end = lines.length - 1;
  while (end >= 0 && isBlank(lines[end])) end -= 1;
  if (end < 0 || !isQuoted(lines[end])) return null;
  let start = end;
  while (start > 0 && (isQuoted(lines[start - 1]) || isBlank(lines[start - 1]))) start -= 1;
  while (isBlank(lines[start])) start += 1;
  let above = start - 1;
  while (above >= 0 && isBlank(lines[above])) above -= 1;
  if (above >= 0) {
    const attribution = attributionEndingAt(lines, above);
    if (attribution !== null) return attribution;
  }
  return start;
}
