/**
 * Inbound mail parsing: raw RFC 5322 bytes (as SES stores them) into a plain
 * value the email channel works with.
 *
 * The MIME tree, transfer encodings and body charsets are mailparser's job.
 * Everything taken from the top-level header block (addresses, ids, date,
 * subject, the header record) is read here from the raw bytes instead, so the
 * result is the same whether or not mailparser gets through the body, and so
 * malformed ids and dates are handled the way the threading code needs them.
 *
 * `parseEmail` never throws: whatever cannot be read is left empty and named
 * in `parseProblem`.
 */
import iconv from 'iconv-lite';
import { type Attachment, type ParsedMail, type SimpleParserOptions, simpleParser } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import { detectExtension, parseHeaderValue } from 'nodemailer/lib/mime-funcs';

export interface EmailAddress {
  /** Trimmed and lowercased. */
  address: string;
  name: string | null;
}

export interface InboundAttachment {
  /** Decoded, without path or control characters, never empty. */
  filename: string;
  /** Lowercased `type/subtype`. */
  contentType: string;
  size: number;
  content: Buffer;
  /** Without the angle brackets. */
  contentId: string | null;
  /** An image shown in the HTML body (referenced there as `cid:`), not a file to list. */
  inline: boolean;
  /** A `message/rfc822` part: a forwarded or returned message. */
  forwarded: boolean;
}

export interface InboundEmail {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  threadIndex: string | null;
  from: EmailAddress | null;
  replyTo: EmailAddress[];
  to: EmailAddress[];
  cc: EmailAddress[];
  deliveredTo: EmailAddress[];
  subject: string;
  date: string | null;
  text: string;
  html: string | null;
  headers: Record<string, string[]>;
  attachments: InboundAttachment[];
  isDeliveryReport: boolean;
  reportedMessageIds: string[];
  parseProblem: string | null;
}

/** The largest header block of one MIME part mailparser accepts. */
const MAX_HEAD_BYTES = 4 * 1024 * 1024;
/** A single header value longer than this is truncated in the result. */
const MAX_HEADER_VALUE_CHARS = 64 * 1024;
/** HTML longer than this is converted to text with the simple converter below. */
const MAX_HTML_FOR_TEXT = 2 * 1024 * 1024;
const MAX_FILENAME_CHARS = 200;

const PARSER_OPTIONS: SimpleParserOptions = {
  // The raw HTML keeps its cid: links; the sanitiser resolves them.
  keepCidLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  // Delivery-status and forwarded messages stay attachments (not merged into
  // the text), so reports can be recognised and forwards kept whole.
  keepDeliveryStatus: true,
  ignoreEmbedded: true,
  maxHtmlLengthToParse: MAX_HTML_FOR_TEXT,
  maxHeadSize: MAX_HEAD_BYTES,
  checksumAlgo: false,
};

export async function parseEmail(raw: Buffer | Uint8Array): Promise<InboundEmail> {
  const problems: string[] = [];
  try {
    return await parseOrThrow(toBuffer(raw), problems);
  } catch (error) {
    problems.push(`unexpected parser failure: ${describe(error)}`);
    return { ...emptyEmail(), parseProblem: problems.join('; ') };
  }
}

function emptyEmail(): InboundEmail {
  return {
    messageId: null,
    inReplyTo: [],
    references: [],
    threadIndex: null,
    from: null,
    replyTo: [],
    to: [],
    cc: [],
    deliveredTo: [],
    subject: '',
    date: null,
    text: '',
    html: null,
    headers: {},
    attachments: [],
    isDeliveryReport: false,
    reportedMessageIds: [],
    parseProblem: null,
  };
}

async function parseOrThrow(original: Buffer, problems: string[]): Promise<InboundEmail> {
  if (original.length === 0) {
    return { ...emptyEmail(), parseProblem: 'empty message' };
  }
  const buffer = repairHeaderSeparator(original, problems);

  const { head, body } = splitHeadAndBody(buffer);
  const fields = readHeaderFields(bytesToString(head));
  if (fields.fields.length === 0) problems.push('no header block');
  if (fields.truncated.length > 0)
    problems.push(`header value too long, truncated: ${fields.truncated.join(', ')}`);

  const rawHeaders = new Map<string, string[]>();
  for (const { name, value } of fields.fields) {
    const list = rawHeaders.get(name);
    if (list) list.push(value);
    else rawHeaders.set(name, [value]);
  }
  const first = (name: string): string | undefined => rawHeaders.get(name)?.[0];
  const all = (...names: string[]): string[] => names.flatMap((name) => rawHeaders.get(name) ?? []);

  const parsed = await parseBody(buffer, body, rawHeaders, problems);

  const rootType = readContentType(first('content-type'));
  if (rootType.type.startsWith('multipart/') && rootType.boundary) {
    if (!buffer.includes(`--${rootType.boundary}--`)) problems.push('multipart body not terminated');
  }

  const html = typeof parsed?.html === 'string' && parsed.html.trim() !== '' ? parsed.html : null;
  let text = parsed?.text ?? '';
  if (html !== null && (text.trim() === '' || parsed?.textConversionError)) text = htmlToPlainText(html);
  text = text.replace(/\r\n?/g, '\n').replace(/\0/g, '');

  const attachments = (parsed?.attachments ?? []).map((attachment, index) =>
    toInboundAttachment(attachment, index, html),
  );
  if (text.trim() === '' && html === null && rootType.type.startsWith('multipart/') && !rootType.boundary) {
    // A multipart type without a boundary cannot be split: show its body as the plain text it is.
    problems.push('multipart type without a boundary');
    text = bytesToString(body).replace(/\r\n?/g, '\n').trim();
  }

  const from = parseAddressList(all('from'))[0] ?? null;
  const hasDeliveryStatus = attachments.some((a) => DELIVERY_STATUS_TYPES.has(a.contentType));
  const fromDaemon =
    (from !== null && /^(mailer-daemon|mailerdaemon|postmaster)@/.test(from.address)) ||
    all('from').some((value) => /(^|[\s<"])(mailer-daemon|postmaster)(@|>|\s|$)/i.test(value));
  const reportType = (rootType.params['report-type'] ?? '').toLowerCase();
  const isDeliveryReport =
    (rootType.type === 'multipart/report' &&
      (reportType === 'delivery-status' || (reportType === '' && hasDeliveryStatus))) ||
    (fromDaemon && hasDeliveryStatus);

  const reportedMessageIds = isDeliveryReport
    ? unique(
        attachments
          .filter((a) => RETURNED_MESSAGE_TYPES.has(a.contentType))
          .flatMap((a) => returnedMessageIds(a.content)),
      )
    : [];

  if (text.trim() === '' && isDeliveryReport) {
    // A report with no human-readable part: its machine-readable status is the best text there is.
    text = attachments
      .filter((a) => DELIVERY_STATUS_TYPES.has(a.contentType))
      .map((a) => bytesToString(a.content).replace(/\r\n?/g, '\n').trim())
      .join('\n\n');
  }

  const messageIdValue = first('message-id');
  return {
    messageId: messageIdValue === undefined ? null : (firstId(messageIdValue) ?? null),
    inReplyTo: unique(all('in-reply-to').flatMap(extractIds)),
    references: unique(all('references').flatMap(extractIds)),
    threadIndex: first('thread-index')?.trim() || null,
    from,
    replyTo: parseAddressList(all('reply-to')),
    to: parseAddressList(all('to')),
    cc: parseAddressList(all('cc')),
    deliveredTo: parseAddressList(all('delivered-to', 'x-original-to')),
    subject: collapse(decodeWords(first('subject') ?? '')),
    date: parseDate(first('date')),
    text,
    html,
    headers: Object.fromEntries(
      [...rawHeaders].map(([name, values]) => [name, values.map((value) => decodeWords(value))]),
    ),
    attachments,
    isDeliveryReport,
    reportedMessageIds,
    parseProblem: problems.length > 0 ? problems.join('; ') : null,
  };
}

/**
 * Runs mailparser over the message. When it gives up (an oversized header
 * block somewhere, too many parts), a second attempt parses the body under
 * only the MIME headers of the top level, so one bad header does not cost the
 * whole body.
 */
async function parseBody(
  buffer: Buffer,
  body: Buffer,
  rawHeaders: Map<string, string[]>,
  problems: string[],
): Promise<ParsedMail | null> {
  try {
    return await simpleParser(buffer, PARSER_OPTIONS);
  } catch (error) {
    problems.push(`MIME structure could not be parsed: ${describe(error)}`);
  }
  try {
    const mimeHeaders = ['content-type', 'content-transfer-encoding', 'mime-version']
      .flatMap((name) => {
        const value = rawHeaders.get(name)?.[0];
        return value === undefined || value.length > 4096 ? [] : [`${name}: ${value}\r\n`];
      })
      .join('');
    return await simpleParser(
      Buffer.concat([Buffer.from(`${mimeHeaders}\r\n`, 'utf8'), body]),
      PARSER_OPTIONS,
    );
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// Header block

const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/**
 * A message whose header block runs straight into the body (no empty line)
 * would lose its first body line as a bogus header: like Python's parser, the
 * first line that is neither a header field nor a continuation starts the body.
 */
function repairHeaderSeparator(buffer: Buffer, problems: string[]): Buffer {
  let start = 0;
  let line = 0;
  while (start < buffer.length) {
    const end = buffer.indexOf(0x0a, start);
    const stop = end === -1 ? buffer.length : end;
    const text = buffer.subarray(start, stop).toString('latin1').replace(/\r$/, '');
    if (text === '') return buffer;
    const continuation = text.startsWith(' ') || text.startsWith('\t');
    const mboxFrom = line === 0 && text.startsWith('From ');
    if (!continuation && !mboxFrom && !HEADER_LINE.test(text)) {
      if (line === 0) return buffer;
      problems.push('no empty line between header and body');
      const eol = buffer[start - 2] === 0x0d ? '\r\n' : '\n';
      return Buffer.concat([buffer.subarray(0, start), Buffer.from(eol), buffer.subarray(start)]);
    }
    if (end === -1) return buffer;
    start = end + 1;
    line++;
  }
  return buffer;
}

function toBuffer(raw: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** Splits at the first empty line (CRLF or bare LF line ends). */
function splitHeadAndBody(buffer: Buffer): { head: Buffer; body: Buffer } {
  if (buffer[0] === 0x0a || (buffer[0] === 0x0d && buffer[1] === 0x0a)) {
    return { head: buffer.subarray(0, 0), body: buffer.subarray(buffer[0] === 0x0a ? 1 : 2) };
  }
  let newline = buffer.indexOf(0x0a);
  while (newline !== -1) {
    let next = newline + 1;
    if (buffer[next] === 0x0d) next += 1;
    if (buffer[next] === 0x0a) {
      return { head: buffer.subarray(0, newline + 1), body: buffer.subarray(next + 1) };
    }
    newline = buffer.indexOf(0x0a, newline + 1);
  }
  // No empty line at all: the whole input is a header block without a body.
  return { head: buffer, body: buffer.subarray(buffer.length) };
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 when the bytes are valid UTF-8 (RFC 6532), otherwise Latin-1/Windows-1252. */
function bytesToString(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'windows-1252');
  }
}

interface HeaderField {
  name: string;
  value: string;
}

const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** Unfolds the header block into fields; lines that are not headers are skipped. */
function readHeaderFields(text: string): { fields: HeaderField[]; truncated: string[] } {
  const fields: { name: string; parts: string[]; length: number }[] = [];
  let current: { name: string; parts: string[]; length: number } | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line === '\r') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current && current.length < MAX_HEADER_VALUE_CHARS + 1) {
        current.parts.push(line);
        current.length += line.length;
      }
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!HEADER_NAME.test(name)) {
      current = null;
      continue;
    }
    const value = line.slice(colon + 1);
    current = { name, parts: [value], length: value.length };
    fields.push(current);
  }
  const truncated: string[] = [];
  return {
    fields: fields.map(({ name, parts }) => {
      let value = parts.join('').replace(/\r/g, '').trim();
      if (value.length > MAX_HEADER_VALUE_CHARS) {
        value = value.slice(0, MAX_HEADER_VALUE_CHARS);
        if (!truncated.includes(name)) truncated.push(name);
      }
      return { name, value };
    }),
    truncated,
  };
}

// ---------------------------------------------------------------------------
// RFC 2047 encoded words

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words. Adjacent words in the same charset are
 * joined as bytes before decoding, so a multibyte character split across two
 * words survives; the whitespace between adjacent words is dropped.
 */
function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let pending: { charset: string; chunks: Buffer[] } | null = null;
  let last = 0;
  for (const match of value.matchAll(ENCODED_WORD)) {
    const index = match.index;
    const between = value.slice(last, index);
    const charset = (match[1] ?? '').split('*')[0]!.toLowerCase();
    const data = match[3] ?? '';
    const bytes = (match[2] ?? '').toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQ(data);
    if (pending && /^\s*$/.test(between)) {
      if (pending.charset === charset) {
        pending.chunks.push(bytes);
      } else {
        out += decodeCharset(Buffer.concat(pending.chunks), pending.charset);
        pending = { charset, chunks: [bytes] };
      }
    } else {
      if (pending) out += decodeCharset(Buffer.concat(pending.chunks), pending.charset);
      out += between;
      pending = { charset, chunks: [bytes] };
    }
    last = index + match[0].length;
  }
  if (pending) out += decodeCharset(Buffer.concat(pending.chunks), pending.charset);
  return out + value.slice(last);
}

function decodeQ(data: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < data.length; i += 1) {
    const char = data[i]!;
    if (char === '_') {
      bytes.push(0x20);
    } else if (char === '=' && /^[0-9a-fA-F]{2}$/.test(data.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(data.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

const textDecoders = new Map<string, TextDecoder | null>();

/**
 * Bytes in a named charset: iconv-lite (what mailparser uses for bodies), then
 * the runtime's TextDecoder for what iconv-lite lacks (ISO-2022-JP), else
 * UTF-8 or Latin-1 as for raw header bytes.
 */
function decodeCharset(bytes: Buffer, charset: string): string {
  const label = charset.trim().toLowerCase();
  if (iconv.encodingExists(label)) return iconv.decode(bytes, label);
  if (!textDecoders.has(label)) {
    let decoder: TextDecoder | null;
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = null;
    }
    textDecoders.set(label, decoder);
  }
  const decoder = textDecoders.get(label);
  return decoder ? decoder.decode(bytes) : bytesToString(bytes);
}

// ---------------------------------------------------------------------------
// Addresses, ids, dates

function parseAddressList(values: string[]): EmailAddress[] {
  const out: EmailAddress[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    let entries: { name: string; address: string }[];
    try {
      entries = addressparser(value, { flatten: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const address = cleanAddress(entry.address ?? '');
      if (address === null || seen.has(address)) continue;
      seen.add(address);
      const name = collapse(decodeWords(entry.name ?? '')).replace(/^"(.*)"$/, '$1');
      out.push({ address, name: name === '' ? null : name });
    }
  }
  return out;
}

function cleanAddress(value: string): string | null {
  const address = value.trim().replace(/^<+/, '').replace(/>+$/, '').trim().toLowerCase();
  return /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? address : null;
}

/**
 * Message ids from a Message-ID / In-Reply-To / References value: every
 * `<...>` outside comments and quoted strings; when there is none (brackets
 * missing), every bare token that contains an `@`.
 */
function extractIds(value: string): string[] {
  const { bracketed, bare } = scanIds(value);
  if (bracketed.length > 0) return bracketed;
  return bare.filter((token) => token.includes('@'));
}

/** The first id of a Message-ID value; a bare token without `@` is accepted here. */
function firstId(value: string): string | undefined {
  const { bracketed, bare } = scanIds(value);
  return bracketed[0] ?? bare.find((token) => token.includes('@')) ?? bare[0];
}

function scanIds(value: string): { bracketed: string[]; bare: string[] } {
  const bracketed: string[] = [];
  let rest = '';
  let i = 0;
  while (i < value.length) {
    const char = value[i]!;
    if (char === '(') {
      let depth = 0;
      for (; i < value.length; i += 1) {
        const c = value[i];
        if (c === '\\') i += 1;
        else if (c === '(') depth += 1;
        else if (c === ')') {
          depth -= 1;
          if (depth === 0) break;
        }
      }
      i += 1;
      rest += ' ';
    } else if (char === '"') {
      i += 1;
      while (i < value.length && value[i] !== '"') i += value[i] === '\\' ? 2 : 1;
      i += 1;
      rest += ' ';
    } else if (char === '<') {
      const end = value.indexOf('>', i + 1);
      const id = value.slice(i + 1, end === -1 ? undefined : end).replace(/\s+/g, '');
      if (id !== '') bracketed.push(id);
      i = end === -1 ? value.length : end + 1;
      rest += ' ';
    } else {
      rest += char;
      i += 1;
    }
  }
  const bare = rest
    .split(/[\s,;]+/)
    .map((token) => token.replace(/^<+|>+$/g, ''))
    .filter((token) => token !== '');
  return { bracketed, bare };
}

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** Zone names RFC 5322 still accepts, as minutes east of UTC; anything else counts as UTC. */
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

const RFC5322_DATE =
  /^(?:[a-z]{2,12}\.?,?\s*)?(\d{1,2})[\s-]+([a-z]{3,12})\.?[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-]\d{2}:?\d{2}|[a-z]{1,5})?/i;

/** RFC 5322 (obsolete forms included) or ISO-8601 date into ISO-8601; null when not a real date. */
function parseDate(value: string | undefined): string | null {
  if (value === undefined) return null;
  const text = value
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const match = RFC5322_DATE.exec(text);
  if (match) {
    const [, dayText, monthText, yearText, hourText, minuteText, secondText, zoneText] = match;
    const month = MONTHS[(monthText ?? '').slice(0, 3).toLowerCase()];
    let year = Number(yearText);
    if ((yearText ?? '').length === 2) year += year < 50 ? 2000 : 1900;
    else if ((yearText ?? '').length === 3) year += 1900;
    const day = Number(dayText);
    const hour = Number(hourText);
    const minute = Number(minuteText);
    const second = secondText === undefined ? 0 : Number(secondText);
    if (month === undefined || hour > 23 || minute > 59 || second > 60) return null;
    const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    if (day < 1 || day > daysInMonth) return null;
    const time =
      Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - zoneOffset(zoneText) * 60_000;
    return validIso(time);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return validIso(Date.parse(text));
  return null;
}

function zoneOffset(zone: string | undefined): number {
  if (zone === undefined) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  return ZONES[zone.toLowerCase()] ?? 0;
}

function validIso(time: number): string | null {
  if (!Number.isFinite(time)) return null;
  const date = new Date(time);
  const year = date.getUTCFullYear();
  return year >= 1900 && year <= 9999 ? date.toISOString() : null;
}

interface ContentType {
  type: string;
  params: Record<string, string>;
  boundary: string | null;
}

function readContentType(value: string | undefined): ContentType {
  if (value === undefined) return { type: 'text/plain', params: {}, boundary: null };
  try {
    const parsed = parseHeaderValue(value);
    const params: Record<string, string> = {};
    for (const [key, param] of Object.entries(parsed.params ?? {})) {
      if (typeof param === 'string') params[key.toLowerCase()] = param;
    }
    return { type: String(parsed.value).trim().toLowerCase(), params, boundary: params.boundary ?? null };
  } catch {
    return { type: value.split(';')[0]!.trim().toLowerCase(), params: {}, boundary: null };
  }
}

// ---------------------------------------------------------------------------
// Attachments and reports

const FORWARDED_TYPES = new Set(['message/rfc822', 'message/global']);
const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_MESSAGE_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/global-headers',
]);

const EXTENSION_OVERRIDES: Record<string, string> = {
  'application/octet-stream': 'bin',
  'image/jpeg': 'jpg',
  'message/delivery-status': 'txt',
  'message/global-delivery-status': 'txt',
  'message/global': 'eml',
  'message/global-headers': 'txt',
  'application/ms-tnef': 'dat',
};

function toInboundAttachment(attachment: Attachment, index: number, html: string | null): InboundAttachment {
  const contentType = (attachment.contentType || 'application/octet-stream')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const content = Buffer.isBuffer(attachment.content) ? attachment.content : Buffer.alloc(0);
  const forwarded = FORWARDED_TYPES.has(contentType);
  const contentId = attachment.cid?.trim().replace(/^<|>$/g, '').trim() || null;
  const disposition = (attachment.contentDisposition ?? '').toLowerCase();
  const inline =
    contentId !== null && disposition !== 'attachment' && html !== null && referencesCid(html, contentId);

  let filename = cleanFilename(attachment.filename);
  if (filename === '' && forwarded) {
    const subject = cleanFilename(forwardedSubject(content).replace(/[\\/]/g, '-'));
    filename = `${subject === '' ? 'forwarded-message' : subject}.eml`;
  }
  if (filename === '') filename = `attachment-${index + 1}.${extensionFor(contentType)}`;

  return { filename, contentType, size: content.length, content, contentId, inline, forwarded };
}

function referencesCid(html: string, contentId: string): boolean {
  const wanted = contentId.toLowerCase();
  for (const match of html.matchAll(/cid:([^"'\s>)]+)/gi)) {
    let found = match[1] ?? '';
    try {
      found = decodeURIComponent(found);
    } catch {
      // keep it as written
    }
    if (found.toLowerCase() === wanted) return true;
  }
  return false;
}

function extensionFor(contentType: string): string {
  const extension = EXTENSION_OVERRIDES[contentType] ?? detectExtension(contentType);
  return /^[a-z0-9]{1,10}$/i.test(extension) ? extension.toLowerCase() : 'bin';
}

/**
 * The last path segment, without control, bidirectional-override or other
 * invisible formatting characters, at most 200 characters (extension kept).
 */
function cleanFilename(name: string | undefined): string {
  if (!name) return '';
  let result =
    decodeWords(name)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed here
      .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
      .split(/[\\/]/)
      .pop() ?? '';
  result = result
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[. ]+$/, '');
  if (/^\.*$/.test(result)) return '';
  if (result.length > MAX_FILENAME_CHARS) {
    const dot = result.lastIndexOf('.');
    const extension = dot > 0 && result.length - dot <= 16 ? result.slice(dot) : '';
    result = result.slice(0, MAX_FILENAME_CHARS - extension.length) + extension;
  }
  return result;
}

function headerFieldsOf(content: Buffer): HeaderField[] {
  const { head } = splitHeadAndBody(content);
  return readHeaderFields(bytesToString(head)).fields;
}

function forwardedSubject(content: Buffer): string {
  const subject = headerFieldsOf(content).find((field) => field.name === 'subject');
  return collapse(decodeWords(subject?.value ?? ''));
}

function returnedMessageIds(content: Buffer): string[] {
  return headerFieldsOf(content)
    .filter((field) => field.name === 'message-id')
    .flatMap((field) => {
      const id = firstId(field.value);
      return id === undefined ? [] : [id];
    });
}

// ---------------------------------------------------------------------------
// Text helpers

function collapse(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  deg: '°',
  times: '×',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  agrave: 'à',
  aacute: 'á',
  acirc: 'â',
  ccedil: 'ç',
  iacute: 'í',
  oacute: 'ó',
  uacute: 'ú',
  ntilde: 'ñ',
  Eacute: 'É',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,31});/gi, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? Number.parseInt(entity.slice(2), 16)
          : Number.parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
        ? String.fromCodePoint(code)
        : '';
    }
    return NAMED_ENTITIES[entity] ?? NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/**
 * A small HTML-to-text conversion for when mailparser's converter gave up
 * (very large or deeply nested HTML): drops invisible elements, turns block
 * ends into line breaks, strips tags and decodes entities.
 */
function htmlToPlainText(html: string): string {
  const text = html
    .slice(0, MAX_HTML_FOR_TEXT)
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\b[^>]*>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote|pre|table|ul|ol|dt|dd)\s*>/gi, '\n')
    .replace(/<(p|div|li|tr|h[1-6]|blockquote|table|ul|ol|hr)\b[^>]*>/gi, '\n')
    .replace(/<\/?[a-z!?/][^>]*>/gi, '')
    .replace(/<[a-z][^>]*$/i, '');
  return decodeEntities(text)
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
