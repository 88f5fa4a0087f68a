/**
 * The email section of `npm run bench`: mail sent over real SMTP to the local
 * receiver (local/smtp.ts), through the inbound pipeline
 * (functions/email/receive.ts), until the ticket shows in the agent's list.
 *
 * The client side, nodemailer's pooled SMTP transport and the poller that
 * watches the list, runs in a separate Node process (bench/email-client.ts),
 * like the HTTP load generator. This module waits for the desk to be idle,
 * starts the client, samples CPU and DynamoDB calls over the measured window,
 * then counts the tickets through the API, checks the redelivered messages and
 * the acknowledgements the desk mails back, and reports.
 * See docs/benchmarks.md, "Email".
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FIRST_TICKET_NUMBER, type Ticket } from '../functions/domain/tickets/model.js';
import { FileBlobStore } from '../local/file-blob-store.js';
import { type LocalDesk, PROJECT_ROOT } from '../local/runtime.js';
import {
  type EmailClientResult,
  type EmailPhaseResult,
  type EmailSpec,
  emailToken,
  type LatencySummary,
  SUPPORT_ADDRESS,
  TOKEN_PATTERN,
} from './email-spec.js';
import { ticketCount } from './grow.js';
import { type CallLedger, diffTotals } from './ledger.js';
import { fmt, round, seconds, table } from './stats.js';

// ---------------------------------------------------------------- which items the calls touch

/**
 * Counts DynamoDB calls by command and the key prefix of the item(s) they touch
 * ("GetItem IDENTITY", "TransactWriteItems [MSG+TICKET+...]", "Query gsi2"),
 * while `keyProfile.counts` is set. One more middleware, added once per client.
 */
const keyProfile: { counts: Record<string, number> | null; attached: WeakSet<object> } = {
  counts: null,
  attached: new WeakSet(),
};

function prefixOf(pk: unknown): string {
  const value = typeof pk === 'object' && pk !== null ? (pk as { S?: unknown }).S : pk;
  return String(value ?? '?').split('#')[0] ?? '?';
}

function keyLabel(command: string, input: Record<string, unknown>): string {
  const name = command.replace(/Command$/, '');
  if (name === 'Query') return `Query ${String(input.IndexName ?? 'table')}`;
  if (name === 'TransactWriteItems') {
    const items = (input.TransactItems ?? []) as Record<
      string,
      { Key?: { pk?: unknown }; Item?: { pk?: unknown } }
    >[];
    const prefixes = new Set(
      items.map((item) => {
        const op = Object.values(item)[0];
        return prefixOf(op?.Item?.pk ?? op?.Key?.pk);
      }),
    );
    return `${name} [${[...prefixes].sort().join('+')}]`;
  }
  const key = (input.Key ?? input.Item) as { pk?: unknown } | undefined;
  return key ? `${name} ${prefixOf(key.pk)}` : name;
}

function attachKeyProfile(client: DynamoDBDocumentClient): void {
  if (keyProfile.attached.has(client)) return;
  keyProfile.attached.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const counts = keyProfile.counts;
      if (counts) {
        const label = keyLabel(context.commandName ?? 'unknown', args.input as Record<string, unknown>);
        counts[label] = (counts[label] ?? 0) + 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchEmailKeyProfile' },
  );
}

// ---------------------------------------------------------------- the section

export interface EmailApi {
  url: string;
  token: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
}

/** CPU seconds so far (null where not measurable), sampled by the caller. */
export interface CpuSample {
  dynamoDbLocal: number | null;
  desk: number;
  machine: { busy: number; steal: number } | null;
}

export interface EmailSectionOptions {
  desk: LocalDesk;
  api: EmailApi;
  ledger: CallLedger;
  /** A scratch directory for the client's spec file. */
  work: string;
  count: number;
  connections: number;
  warmup: number;
  redeliveries: number;
  pollMs: number;
  log: (line?: string) => void;
  elapsed: () => string;
  sampleCpu: () => CpuSample;
}

interface ListedTicket {
  id: string;
  number: number;
  status: string;
  channel: string;
  departmentId: string | null;
}

export interface EmailFigures {
  settings: {
    emails: number;
    warmup: number;
    connections: number;
    pollMs: number;
    pageLimit: number;
    listPath: string;
    bytesPerMessage: number;
  };
  /** Table size (ticket numbers taken) when the section started. */
  ticketsBefore: number;
  /** Time waited for the desk to go quiet before the section (stream handler work left by earlier sections). */
  quietBefore: { quiet: boolean; waitedMs: number };
  measured: Omit<EmailPhaseResult, 'tickets'>;
  warmup: { visible: number; acceptedToVisibleP50: number };
  cpu: {
    wallSeconds: number;
    dynamoDbLocal: number | null;
    desk: number;
    client: number;
    otherProcesses: number | null;
    steal: number | null;
  };
  /** DynamoDB calls during the measured window per measured mail, all sources (pipeline, poller, stream handler). */
  dynamo: {
    callsPerMail: Record<string, number>;
    /** Calls per mail by command and key prefix of the touched item(s). */
    byKeyPerMail: Record<string, number>;
    msPerMail: number;
    rollupTransactionsPerMail: number;
  };
  completeness: {
    /** Measured tokens with at least one ticket in `GET /tickets?status=new`, paged to the end. */
    ticketed: number;
    /** Extra tickets for a token (warm-up and measured). */
    duplicateTickets: number;
    duplicateTokens: string[];
    missing: string[];
    listPages: number;
    listedNew: number;
    /** Tickets of this run not in the triage queue, not email, or not `new`. */
    misfiled: number;
    /** Poller's ticket differs from the final listing's. */
    pollerMismatch: number;
    /** Ticket numbers taken during the section, and what the numbers not on a listed ticket hold. */
    numbersTaken: number;
    numbersWithoutTicket: number;
    numbersOnOtherTickets: number;
    /** Raw messages stored under inbound/ and dead letters written during the section. */
    storedDeliveries: number | null;
    deadLetters: number | null;
  };
  redelivery: {
    sent: number;
    racing: number;
    late: number;
    accepted: number;
    /** Redelivered tokens whose ticket has exactly one ticket and one customer entry for the Message-ID. */
    clean: number;
    problems: string[];
    responses: Record<string, number>;
  };
  acknowledgements: {
    tickets: number;
    acknowledged: number;
    twice: number;
    /** Last acknowledgement written, after the last ticket was visible (stream handler lag). */
    lastAfterWindowMs: number | null;
    /** Acknowledgements written by the end of the measured window. */
    inWindow: number;
    /** Senders without an acknowledgement (first few), with their ticket's timeline entry kinds. */
    missing: string[];
  };
}

const PAGE_LIMIT = 25;
const QUIET_MS = 2_000;
const QUIET_TIMEOUT_MS = 240_000;
const ACK_TIMEOUT_MS = 90_000;
const ACK_QUIET_MS = 5_000;
/** The client stops waiting for a message's ticket after this long (the final count still looks for it). */
const VISIBLE_TIMEOUT_MS = 30_000;
const CHILD_TIMEOUT_MS = 10 * 60_000;

function totalCalls(ledger: CallLedger): number {
  const snapshot = ledger.snapshot();
  return snapshot.request.calls + snapshot.auth.calls + snapshot.stream.calls;
}

/** Waits until the desk has made no DynamoDB call (any source) for `quietMs`. */
async function waitForQuiet(
  ledger: CallLedger,
  quietMs: number,
  timeoutMs: number,
): Promise<{ quiet: boolean; waitedMs: number }> {
  const started = Date.now();
  let calls = totalCalls(ledger);
  let since = Date.now();
  while (Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = totalCalls(ledger);
    if (now !== calls) {
      calls = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return { quiet: true, waitedMs: Date.now() - started };
  }
  return { quiet: false, waitedMs: Date.now() - started };
}

export async function runEmailSection(options: EmailSectionOptions): Promise<EmailFigures> {
  const { desk, api, ledger, log } = options;
  const runTag = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const every = Math.max(1, Math.floor(options.count / Math.max(1, options.redeliveries)));
  const redelivered = Array.from({ length: Math.min(options.redeliveries, options.count) }, (_, k) =>
    Math.min(options.count - 1, Math.floor(every / 2) + k * every),
  );
  const spec: EmailSpec = {
    url: api.url,
    token: api.token,
    smtpPort: desk.smtpPort,
    runTag,
    count: options.count,
    warmup: options.warmup,
    connections: options.connections,
    racing: redelivered.filter((_, k) => k % 2 === 0),
    late: redelivered.filter((_, k) => k % 2 === 1),
    pollMs: options.pollMs,
    pageLimit: PAGE_LIMIT,
    visibleTimeoutMs: VISIBLE_TIMEOUT_MS,
  };
  const store = desk.mail.blobs instanceof FileBlobStore ? desk.mail.blobs.root : null;
  const filesIn = (folder: string) => {
    if (!store) return null;
    try {
      return readdirSync(join(store, folder)).length;
    } catch {
      return 0;
    }
  };
  // Earlier sections can leave the stream handler with work (e.g. mail for every agent reply): let it finish.
  const quiet = await waitForQuiet(ledger, QUIET_MS, QUIET_TIMEOUT_MS);
  log(
    `  desk ${quiet.quiet ? 'quiet' : 'still NOT quiet'} after ${seconds(quiet.waitedMs)} (no DynamoDB calls for ${seconds(QUIET_MS)}) [${options.elapsed()}]`,
  );
  const ticketsBefore = await ticketCount(desk.app);
  const storedBefore = filesIn('inbound');
  const deadBefore = filesIn('dead-letter');
  const outbox = () => {
    try {
      return readdirSync(desk.outboxDir).filter((f) => f.endsWith('.eml'));
    } catch {
      return [];
    }
  };
  const outboxBefore = outbox();

  const specFile = join(options.work, `email-${runTag}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'email-client.ts'), specFile],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  attachKeyProfile(desk.app.documentClient);
  const sample = () => ({ cpu: options.sampleCpu(), at: Date.now(), ledger: ledger.snapshot() });
  let windowStart: ReturnType<typeof sample> | undefined;
  let windowEnd: ReturnType<typeof sample> | undefined;
  let byKey: Record<string, number> = {};
  let pending = '';
  let resultLine: string | undefined;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line === 'PHASE measure') {
        windowStart = sample();
        keyProfile.counts = {};
      } else if (line === 'PHASE done') {
        windowEnd = sample();
        byKey = keyProfile.counts ?? {};
        keyProfile.counts = null;
      } else if (line.startsWith('LOG ')) log(`  ${line.slice(4)} [${options.elapsed()}]`);
      else if (line.startsWith('EMAIL_RESULT ')) resultLine = line.slice('EMAIL_RESULT '.length);
      newline = pending.indexOf('\n');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(killer);
  if (code !== 0 || !resultLine || !windowStart || !windowEnd) {
    throw new Error(`email client failed (exit ${code}):\n${stderr}`);
  }
  const client = JSON.parse(resultLine) as EmailClientResult;
  const { tickets: pollerTickets, ...measured } = client.measured;

  // ------------------------------------------------ CPU and DynamoDB over the measured window
  const busy =
    windowStart.cpu.machine && windowEnd.cpu.machine
      ? windowEnd.cpu.machine.busy - windowStart.cpu.machine.busy
      : null;
  const dynamoCpu =
    windowStart.cpu.dynamoDbLocal !== null && windowEnd.cpu.dynamoDbLocal !== null
      ? round(windowEnd.cpu.dynamoDbLocal - windowStart.cpu.dynamoDbLocal, 1)
      : null;
  const deskCpu = round(windowEnd.cpu.desk - windowStart.cpu.desk, 1);
  const cpu = {
    wallSeconds: round((windowEnd.at - windowStart.at) / 1000, 1),
    dynamoDbLocal: dynamoCpu,
    desk: deskCpu,
    client: measured.clientCpuSeconds,
    otherProcesses:
      busy !== null && dynamoCpu !== null
        ? round(Math.max(0, busy - dynamoCpu - deskCpu - measured.clientCpuSeconds), 1)
        : null,
    steal:
      windowStart.cpu.machine && windowEnd.cpu.machine
        ? round(windowEnd.cpu.machine.steal - windowStart.cpu.machine.steal, 1)
        : null,
  };
  const sources = (['request', 'auth', 'stream'] as const).map((source) =>
    diffTotals(windowEnd!.ledger[source], windowStart!.ledger[source]),
  );
  const all = { commands: {} as Record<string, number>, ms: 0 };
  for (const totals of sources) {
    for (const [name, calls] of Object.entries(totals.commands))
      all.commands[name] = (all.commands[name] ?? 0) + calls;
    all.ms += totals.ms;
  }
  const n = Math.max(1, options.count);
  const dynamo = {
    callsPerMail: Object.fromEntries(
      Object.entries(all.commands)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, calls]) => [name.replace(/Command$/, ''), round(calls / n, 2)]),
    ),
    byKeyPerMail: Object.fromEntries(
      Object.entries(byKey)
        .sort(([, a], [, b]) => b - a)
        .map(([label, calls]) => [label, round(calls / n, 2)]),
    ),
    msPerMail: round(all.ms / n, 1),
    rollupTransactionsPerMail: round(sources[2]!.transactions / n, 2),
  };

  // ------------------------------------------------ completeness, through the API
  log(`  counting tickets by subject token through GET /tickets?status=new... [${options.elapsed()}]`);
  const listed = new Map<string, ListedTicket[]>();
  let listPages = 0;
  let listedNew = 0;
  let cursor: string | null = null;
  do {
    const path: string = `/tickets?status=new&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await api.call('GET', path);
    if (page.status !== 200) throw new Error(`GET ${path} answered ${page.status}`);
    const body = page.json as { items: Ticket[]; nextCursor: string | null };
    listPages += 1;
    listedNew += body.items.length;
    for (const ticket of body.items) {
      const token = TOKEN_PATTERN.exec(ticket.subject)?.[0];
      if (!token?.startsWith(`bm${runTag}-`)) continue;
      const entry = {
        id: ticket.id,
        number: ticket.number,
        status: ticket.status,
        channel: ticket.channel,
        departmentId: ticket.departmentId,
      };
      listed.set(token, [...(listed.get(token) ?? []), entry]);
    }
    cursor = body.nextCursor;
  } while (cursor);
  const measuredTokens = Array.from({ length: options.count }, (_, i) => emailToken(runTag, 'm', i));
  const missing = measuredTokens.filter((token) => !listed.has(token));
  const duplicateTokens = [...listed.entries()].filter(([, t]) => t.length > 1).map(([token]) => token);
  const duplicateTickets = [...listed.values()].reduce((sum, t) => sum + t.length - 1, 0);
  const allListed = [...listed.values()].flat();
  const misfiled = allListed.filter(
    (t) => t.status !== 'new' || t.channel !== 'email' || t.departmentId !== null,
  ).length;
  const pollerMismatch = measuredTokens.filter((token) => {
    const seen = pollerTickets[token];
    return seen && listed.get(token)?.[0]?.id !== seen;
  }).length;

  // Every ticket number taken during the section: on a listed ticket, on some other ticket, or on none.
  const ticketsAfter = await ticketCount(desk.app);
  const listedNumbers = new Set(allListed.map((t) => t.number));
  let numbersWithoutTicket = 0;
  let numbersOnOtherTickets = 0;
  // The counter counts numbers taken; ticket numbers start at FIRST_TICKET_NUMBER.
  for (let taken = ticketsBefore + 1; taken <= ticketsAfter; taken++) {
    const number = FIRST_TICKET_NUMBER - 1 + taken;
    if (listedNumbers.has(number)) continue;
    if (await desk.app.deps.tickets.getByNumber(number)) numbersOnOtherTickets += 1;
    else numbersWithoutTicket += 1;
  }

  // ------------------------------------------------ the redelivered messages
  const problems: string[] = [];
  const responses: Record<string, number> = {};
  let clean = 0;
  for (const redelivery of client.redeliveries) {
    const reply = redelivery.response.split(' ')[0] ?? '?';
    responses[reply] = (responses[reply] ?? 0) + 1;
    const tickets = listed.get(redelivery.token) ?? [];
    if (!redelivery.ok)
      problems.push(`${redelivery.token} (${redelivery.kind}): not accepted: ${redelivery.response}`);
    if (tickets.length !== 1) {
      problems.push(`${redelivery.token} (${redelivery.kind}): ${tickets.length} tickets`);
      continue;
    }
    const timeline = await api.call('GET', `/tickets/${tickets[0]!.id}/timeline?limit=100`);
    const entries = (timeline.json as { items?: { kind: string; email?: { messageId?: string | null } }[] })
      .items;
    const id = redelivery.messageId.replace(/^<|>$/g, '').toLowerCase();
    const sameMessage = (entries ?? []).filter(
      (e) => (e.email?.messageId ?? '').replace(/^<|>$/g, '').toLowerCase() === id,
    ).length;
    const customerEntries = (entries ?? []).filter((e) => e.kind === 'customer').length;
    if (timeline.status !== 200 || sameMessage !== 1 || customerEntries !== 1) {
      problems.push(
        `${redelivery.token} (${redelivery.kind}): ${customerEntries} customer entries, ${sameMessage} with its Message-ID`,
      );
      continue;
    }
    if (redelivery.ok) clean += 1;
  }

  // ------------------------------------------------ acknowledgements (sent by the stream handler, asynchronously)
  const ackStarted = Date.now();
  const expectedAcks = options.count + options.warmup;
  const acks = new Map<string, number>();
  const seenFiles = new Set<string>(outboxBefore);
  let lastAck = Number.NaN;
  let ackInWindow = 0;
  let calls = totalCalls(ledger);
  let lastActivity = Date.now();
  for (;;) {
    for (const file of outbox().filter((f) => !seenFiles.has(f))) {
      const head = readFileSync(join(desk.outboxDir, file), 'utf8').slice(0, 400);
      const to = /^X-Envelope-To: (.*)\r?\n/m.exec(head)?.[1]?.trim();
      // A file still being written can be empty: read it again on the next round.
      if (to === undefined) continue;
      seenFiles.add(file);
      if (!to.startsWith(`bm${runTag}-`)) continue;
      acks.set(to, (acks.get(to) ?? 0) + 1);
      const written = statSync(join(desk.outboxDir, file)).mtimeMs;
      lastAck = Number.isNaN(lastAck) ? written : Math.max(lastAck, written);
      if (written <= windowEnd.at) ackInWindow += 1;
    }
    // Done when every sender has its acknowledgement, or the desk has made no DynamoDB call for a while.
    const nowCalls = totalCalls(ledger);
    if (nowCalls !== calls) lastActivity = Date.now();
    calls = nowCalls;
    if (
      acks.size >= expectedAcks ||
      Date.now() - lastActivity > ACK_QUIET_MS ||
      Date.now() - ackStarted > ACK_TIMEOUT_MS
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const missingAcks: string[] = [];
  for (const phase of ['w', 'm'] as const) {
    const n = phase === 'w' ? options.warmup : options.count;
    for (let i = 0; i < n && missingAcks.length < 5; i++) {
      const token = emailToken(runTag, phase, i);
      if (acks.has(`${token}@customer.example`)) continue;
      const ticket = listed.get(token)?.[0];
      const timeline = ticket ? await api.call('GET', `/tickets/${ticket.id}/timeline?limit=100`) : null;
      const kinds = ((timeline?.json as { items?: { kind: string }[] } | null)?.items ?? []).map(
        (e) => e.kind,
      );
      missingAcks.push(`${token} (#${ticket?.number ?? '?'}: ${kinds.join(', ') || 'no timeline'})`);
    }
  }
  const storedAfter = filesIn('inbound');
  const deadAfter = filesIn('dead-letter');

  return {
    settings: {
      emails: options.count,
      warmup: options.warmup,
      connections: options.connections,
      pollMs: options.pollMs,
      pageLimit: PAGE_LIMIT,
      listPath: `/tickets?status=new&limit=${PAGE_LIMIT}`,
      bytesPerMessage: client.bytesPerMessage,
    },
    ticketsBefore,
    quietBefore: quiet,
    measured,
    warmup: { visible: client.warmup.visible, acceptedToVisibleP50: client.warmup.acceptedToVisibleMs.p50 },
    cpu,
    dynamo,
    completeness: {
      ticketed: measuredTokens.length - missing.length,
      duplicateTickets,
      duplicateTokens,
      missing,
      listPages,
      listedNew,
      misfiled,
      pollerMismatch,
      numbersTaken: ticketsAfter - ticketsBefore,
      numbersWithoutTicket,
      numbersOnOtherTickets,
      storedDeliveries: storedAfter !== null && storedBefore !== null ? storedAfter - storedBefore : null,
      deadLetters: deadAfter !== null && deadBefore !== null ? deadAfter - deadBefore : null,
    },
    redelivery: {
      sent: client.redeliveries.length,
      racing: spec.racing.length,
      late: spec.late.length,
      accepted: client.redeliveries.filter((r) => r.ok).length,
      clean,
      problems,
      responses,
    },
    acknowledgements: {
      tickets: expectedAcks,
      acknowledged: acks.size,
      twice: [...acks.values()].filter((count) => count > 1).length,
      lastAfterWindowMs: Number.isNaN(lastAck) ? null : Math.round(lastAck - windowEnd.at),
      inWindow: ackInWindow,
      missing: missingAcks,
    },
  };
}

// ---------------------------------------------------------------- report

export const EMAIL_P95_TARGET_MS = 1_000;

export function emailTargets(email: EmailFigures): { name: string; pass: boolean; detail: string }[] {
  const m = email.measured;
  const c = email.completeness;
  const r = email.redelivery;
  const n = email.settings.emails;
  return [
    {
      name: `email: p95 SMTP accepted → ticket visible < ${EMAIL_P95_TARGET_MS / 1000} s`,
      pass: m.acceptedToVisibleMs.p95 < EMAIL_P95_TARGET_MS && m.visible === n,
      detail:
        `p95 ${fmt(m.acceptedToVisibleMs.p95)} ms over ${m.acceptedToVisibleMs.count} mails` +
        (m.visible === n ? '' : ` (only ${m.visible}/${n} seen by the poller)`),
    },
    {
      name: `email: ${n}/${n} mails ticketed`,
      pass: c.ticketed === n && m.accepted === n,
      detail: `${c.ticketed}/${n} subject tokens on a ticket, ${m.accepted}/${n} accepted over SMTP`,
    },
    {
      name: 'email: 0 duplicates',
      pass: c.duplicateTickets === 0 && r.clean === r.sent && c.numbersOnOtherTickets === 0,
      detail:
        `${c.duplicateTickets} extra tickets; ${r.clean}/${r.sent} redelivered messages (${r.racing} racing, ${r.late} late) ` +
        `left one ticket with one entry` +
        (c.numbersOnOtherTickets
          ? `; ${c.numbersOnOtherTickets} tickets of the section not in the list`
          : ''),
    },
  ];
}

export function printEmail(email: EmailFigures, log: (line?: string) => void): void {
  const m = email.measured;
  const c = email.completeness;
  const r = email.redelivery;
  const s = email.settings;
  log(
    `Email: ${s.emails} mails over SMTP (nodemailer pool, ${s.connections} connections) to ${SUPPORT_ADDRESS}, ` +
      `${s.bytesPerMessage} bytes each (text + HTML), each from its own sender; ${email.ticketsBefore} tickets in the table before; ` +
      `started after ${seconds(email.quietBefore.waitedMs)} waiting for the desk to go quiet${email.quietBefore.quiet ? '' : ' (it did NOT)'}`,
  );
  log(
    `(visible = listed by ${s.listPath} (paged while needed), polled every ${s.pollMs} ms from a separate process; ` +
      'a mail counts as visible when the response that lists it arrived)',
  );
  log(
    table(
      ['interval', 'mails', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms'],
      [
        ['SMTP accepted → visible', m.acceptedToVisibleMs],
        ['SMTP transaction (send → 250)', m.sendToAcceptedMs],
        ['send → visible', m.sendToVisibleMs],
      ].map(([label, v]) => {
        const x = v as LatencySummary;
        return [
          label as string,
          String(x.count),
          fmt(x.p50),
          fmt(x.p95),
          fmt(x.p99),
          fmt(x.max),
          fmt(x.mean),
        ];
      }),
    ),
  );
  log(
    `  throughput: ${fmt(m.throughput, 1)} mails/s (${m.visible} visible, first send → last ticket visible ${seconds(m.windowMs)}); ` +
      `${m.accepted}/${m.messages} accepted, ${m.failures.length} refused`,
  );
  log(
    `  listed by the first poll that started after the 250: ${m.seenByFirstPollAfterAccept}/${m.visible}; ` +
      `listed before the client saw the 250: ${m.visibleBeforeAccepted}; poller: ${m.polls.polls} polls, ${m.polls.pages} pages, ` +
      `request p50 ${fmt(m.polls.requestMs.p50)} / p95 ${fmt(m.polls.requestMs.p95)} ms, gap between polls p50 ${fmt(m.polls.gapMs.p50)} ms, ` +
      `${m.polls.errors} errors`,
  );
  log(
    `  completeness (GET /tickets?status=new paged to the end, ${c.listPages} pages, ${c.listedNew} new tickets): ` +
      `${c.ticketed}/${s.emails} ticketed, ${c.duplicateTickets} duplicate tickets, ${c.misfiled} not new/email/triage, ` +
      `${c.pollerMismatch} poller mismatches${c.missing.length ? `; missing ${c.missing.slice(0, 5).join(', ')}` : ''}`,
  );
  log(
    `  ticket numbers taken: ${c.numbersTaken} for ${s.emails + s.warmup} mails (incl. ${s.warmup} warm-up); ` +
      `${c.numbersWithoutTicket} numbers without a ticket, ${c.numbersOnOtherTickets} on unlisted tickets; ` +
      `raw messages stored ${c.storedDeliveries ?? 'n/a'}, dead letters ${c.deadLetters ?? 'n/a'}`,
  );
  log(
    `  redelivered ${r.sent} (${r.racing} racing the original, ${r.late} after the window, same bytes): ` +
      `SMTP ${JSON.stringify(r.responses)}, ${r.clean}/${r.sent} left one ticket with one customer entry` +
      (r.problems.length ? `; problems: ${r.problems.slice(0, 5).join('; ')}` : ''),
  );
  log(
    `  acknowledgements (stream handler → outbox): ${email.acknowledgements.acknowledged}/${email.acknowledgements.tickets} ` +
      `senders acknowledged, ${email.acknowledgements.twice} twice; ${email.acknowledgements.inWindow} written by the end of the window, ` +
      `the last ${email.acknowledgements.lastAfterWindowMs === null ? 'n/a' : seconds(email.acknowledgements.lastAfterWindowMs)} after the last ticket was visible` +
      (email.acknowledgements.missing.length
        ? `; missing: ${email.acknowledgements.missing.join('; ')}`
        : ''),
  );
  log(
    `  CPU s over the ${fmt(email.cpu.wallSeconds)} s window: DDB Local ${fmt(email.cpu.dynamoDbLocal)} / desk ${fmt(email.cpu.desk)} / ` +
      `client ${fmt(email.cpu.client)} / other processes ${fmt(email.cpu.otherProcesses)} ` +
      `(per mail: DDB Local ${fmt(((email.cpu.dynamoDbLocal ?? Number.NaN) * 1000) / s.emails)} ms, desk ${fmt((email.cpu.desk * 1000) / s.emails)} ms)`,
  );
  log(
    '  DynamoDB calls per mail over the window, all sources (inbound pipeline, poller = Query, stream handler): ' +
      `${Object.entries(email.dynamo.callsPerMail)
        .map(([name, calls]) => `${name} ×${calls}`)
        .join(', ')}, ${fmt(email.dynamo.msPerMail)} ms in calls`,
  );
  log(
    `  by item: ${Object.entries(email.dynamo.byKeyPerMail)
      .filter(([, calls]) => calls >= 0.05)
      .map(([label, calls]) => `${label} ×${calls}`)
      .join(', ')}`,
  );
}
