/**
 * The email load generator, run by `bench/email.ts` as a separate Node process
 * (like `bench/load.ts`), so that sending mail and polling the API do not run
 * on the event loop of the desk it measures. Reads an EmailSpec from the JSON
 * file named by argv[2] and:
 *
 * 1. composes every message once (MIME, text + HTML, own Message-ID, a unique
 *    token in the subject, its own sender), so a redelivery is the same bytes;
 * 2. sends them over real SMTP with nodemailer's pooled transport, one worker
 *    per connection (so "send" is when the SMTP transaction starts, not time
 *    spent queueing in the client), and records when each send promise
 *    resolved: the receiver's 250, which comes after storage and processing;
 * 3. meanwhile polls the agent API the way the inbox's "New" view reads it
 *    (`GET /tickets?status=new`, newest first), matching subject tokens: one
 *    request per tick covers every outstanding message; it pages on only while
 *    the page could still hold an outstanding one (a ticket's list position is
 *    its `updatedAt`, never earlier than its mail's send time);
 * 4. redelivers some messages: "racing" ones right behind the original on
 *    another connection, "late" ones after the measured window.
 *
 * Prints `LOG ...` progress lines, `PHASE measure` / `PHASE done` around the
 * measured window (the parent samples CPU between them) and one
 * `EMAIL_RESULT {json}` line.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { EmailClientResult, EmailPhaseResult, EmailSpec, Redelivery } from './email-spec.js';
import { emailMessageId, emailSender, emailToken, SUPPORT_ADDRESS, TOKEN_PATTERN } from './email-spec.js';
import { percentile, round, sortedCopy } from './stats.js';

/** Epoch milliseconds with sub-millisecond resolution, comparable with the desk's `Date` stamps. */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => process.stdout.write(`LOG ${line}\n`);

/**
 * A ticket's `updatedAt` is taken by the desk after its mail arrived, on the same clock; this margin
 * only absorbs rounding. Too small a margin could only make a ticket look visible later, never earlier.
 */
const BOUND_SLACK_MS = 200;
const MAX_PAGES_PER_POLL = 20;

interface Message {
  index: number;
  token: string;
  sender: string;
  messageId: string;
  raw: Buffer;
}

async function compose(spec: EmailSpec, phase: 'w' | 'm', index: number): Promise<Message> {
  const token = emailToken(spec.runTag, phase, index);
  const sender = emailSender(spec.runTag, phase, index);
  const messageId = emailMessageId(spec.runTag, phase, index);
  const order = 400_000 + index;
  const text = [
    'Hello,',
    '',
    `my order ${order} arrived today, but the box was crushed and the left earbud does not charge.`,
    'I tried the other cable and a different outlet. The case light blinks red three times.',
    'Could you send a replacement or tell me how to return it?',
    '',
    'Thanks,',
    `Customer ${index}`,
  ].join('\n');
  const html = `<div dir="ltr"><p>Hello,</p><p>my order <b>${order}</b> arrived today, but the box was crushed and the left earbud does not charge.<br>I tried the other cable and a different outlet. The case light blinks red three times.</p><p>Could you send a replacement or tell me how to return it?</p><p>Thanks,<br>Customer ${index}</p></div>`;
  const raw = await new MailComposer({
    from: { name: `Customer ${index}`, address: sender },
    to: SUPPORT_ADDRESS,
    subject: `Earbuds arrived damaged (ref ${token})`,
    messageId,
    date: new Date(),
    text,
    html,
  })
    .compile()
    .build();
  return { index, token, sender, messageId, raw };
}

type Transport = ReturnType<typeof nodemailer.createTransport>;

async function deliver(transport: Transport, message: Message): Promise<{ ok: boolean; response: string }> {
  try {
    const info = await transport.sendMail({
      envelope: { from: message.sender, to: [SUPPORT_ADDRESS] },
      raw: message.raw,
    });
    return { ok: info.accepted.length === 1, response: String(info.response ?? '') };
  } catch (error) {
    return { ok: false, response: String((error as Error).message ?? error) };
  }
}

interface PollStats {
  polls: number;
  pages: number;
  requestMs: number[];
  gapsMs: number[];
  errors: number;
}

/**
 * Sends `messages` through `connections` workers while polling the list, until
 * every accepted message is visible (or timed out). `racing` are indexes sent a
 * second time right behind their original.
 */
async function runPhase(
  spec: EmailSpec,
  transport: Transport,
  messages: Message[],
  racing: Set<number>,
  markers: boolean,
): Promise<{ result: EmailPhaseResult; redeliveries: Redelivery[] }> {
  const n = messages.length;
  const sentAt = new Float64Array(n).fill(Number.NaN);
  const acceptedAt = new Float64Array(n).fill(Number.NaN);
  const visibleAt = new Float64Array(n).fill(Number.NaN);
  const ticketOf: (string | null)[] = new Array(n).fill(null);
  const failures: { index: number; response: string }[] = [];
  /** Messages whose first poll started after their 250 did not list them yet. */
  const missedFirstPoll = new Uint8Array(n);
  const pollStartedAfterAccept = new Uint8Array(n);
  const outstanding = new Set<number>();
  const redeliveries: Redelivery[] = [];
  const stats: PollStats = { polls: 0, pages: 0, requestMs: [], gapsMs: [], errors: 0 };
  let sendingDone = false;

  const jobs: { index: number; redelivery: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    jobs.push({ index: i, redelivery: false });
    if (racing.has(i)) jobs.push({ index: i, redelivery: true });
  }
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const message = messages[job.index]!;
      if (job.redelivery) {
        const started = now();
        const outcome = await deliver(transport, message);
        redeliveries.push({
          index: job.index,
          token: message.token,
          messageId: message.messageId,
          kind: 'racing',
          ok: outcome.ok,
          response: outcome.response,
          ms: round(now() - started, 1),
        });
        continue;
      }
      sentAt[job.index] = now();
      outstanding.add(job.index);
      const outcome = await deliver(transport, message);
      if (outcome.ok) acceptedAt[job.index] = now();
      else {
        failures.push({ index: job.index, response: outcome.response });
        outstanding.delete(job.index);
      }
      const done = next;
      if (markers && done % 200 === 0) say(`${done}/${jobs.length} sent`);
    }
  };

  const byToken = new Map(messages.map((m) => [m.token, m.index]));
  const poll = async () => {
    const started = now();
    // The oldest send among outstanding messages: their tickets sort at or above it.
    let bound = Number.POSITIVE_INFINITY;
    for (const i of outstanding) {
      bound = Math.min(bound, sentAt[i]!);
      if (acceptedAt[i]! < started) pollStartedAfterAccept[i] = 1;
    }
    if (bound === Number.POSITIVE_INFINITY) return;
    stats.polls += 1;
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      const requestStarted = now();
      const url = `${spec.url}/tickets?status=new&limit=${spec.pageLimit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${spec.token}`, accept: 'application/json' },
      });
      // The response headers leave the server after the query ran: the ticket was visible by now.
      const at = now();
      stats.requestMs.push(at - requestStarted);
      stats.pages += 1;
      if (response.status !== 200) {
        stats.errors += 1;
        await response.text();
        return;
      }
      const body = (await response.json()) as {
        items: { id: string; subject: string; updatedAt: string }[];
        nextCursor: string | null;
      };
      for (const ticket of body.items) {
        const match = TOKEN_PATTERN.exec(ticket.subject);
        const index = match ? byToken.get(match[0]) : undefined;
        if (index === undefined || !Number.isNaN(visibleAt[index]!)) continue;
        visibleAt[index] = at;
        ticketOf[index] = ticket.id;
        outstanding.delete(index);
      }
      const oldest = body.items.at(-1);
      cursor = body.nextCursor;
      if (!cursor || !oldest || Date.parse(oldest.updatedAt) < bound - BOUND_SLACK_MS) break;
    }
    for (const i of outstanding) {
      if (pollStartedAfterAccept[i] && !missedFirstPoll[i]) missedFirstPoll[i] = 1;
      // Give up on a message after the timeout; the final count through the API still looks for it.
      if (started - sentAt[i]! > spec.visibleTimeoutMs) outstanding.delete(i);
    }
  };
  const poller = async () => {
    let last = Number.NaN;
    while (!sendingDone || outstanding.size > 0) {
      const started = now();
      if (!Number.isNaN(last)) stats.gapsMs.push(started - last);
      last = started;
      try {
        await poll();
      } catch {
        stats.errors += 1;
      }
      await sleep(Math.max(0, spec.pollMs - (now() - started)));
    }
  };

  const cpuBefore = process.cpuUsage();
  if (markers) process.stdout.write('PHASE measure\n');
  const polling = poller();
  await Promise.all(Array.from({ length: spec.connections }, worker));
  sendingDone = true;
  await polling;
  if (markers) process.stdout.write('PHASE done\n');
  const cpu = process.cpuUsage(cpuBefore);

  const firstSend = Math.min(...sentAt.filter((t) => !Number.isNaN(t)));
  const lastVisible = Math.max(...visibleAt.filter((t) => !Number.isNaN(t)));
  const pairs = (from: Float64Array, to: Float64Array, clampAtZero: boolean) => {
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(from[i]!) || Number.isNaN(to[i]!)) continue;
      const ms = to[i]! - from[i]!;
      values.push(clampAtZero ? Math.max(0, ms) : ms);
    }
    return summary(values);
  };
  let visibleBeforeAccepted = 0;
  let seenByFirstPoll = 0;
  let accepted = 0;
  let visible = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(acceptedAt[i]!)) accepted += 1;
    if (!Number.isNaN(visibleAt[i]!)) visible += 1;
    if (visibleAt[i]! < acceptedAt[i]!) visibleBeforeAccepted += 1;
    // Listed by the first poll that started after the 250 (or earlier).
    if (!Number.isNaN(visibleAt[i]!) && !missedFirstPoll[i]) seenByFirstPoll += 1;
  }
  const windowMs = lastVisible - firstSend;
  return {
    result: {
      messages: n,
      accepted,
      failures,
      visible,
      notVisible: messages.filter((_, i) => Number.isNaN(visibleAt[i]!)).map((m) => m.token),
      windowMs: round(windowMs, 1),
      throughput: round(visible / (windowMs / 1000), 1),
      acceptedToVisibleMs: pairs(acceptedAt, visibleAt, true),
      sendToAcceptedMs: pairs(sentAt, acceptedAt, false),
      sendToVisibleMs: pairs(sentAt, visibleAt, false),
      visibleBeforeAccepted,
      seenByFirstPollAfterAccept: seenByFirstPoll,
      polls: {
        polls: stats.polls,
        pages: stats.pages,
        errors: stats.errors,
        requestMs: summary(stats.requestMs),
        gapMs: summary(stats.gapsMs),
      },
      clientCpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
      tickets: Object.fromEntries(messages.map((m, i) => [m.token, ticketOf[i] ?? null])),
    },
    redeliveries,
  };
}

function summary(values: number[]) {
  const sorted = sortedCopy(values);
  return {
    count: values.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1]! : Number.NaN),
    mean: round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)),
  };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: email-client.ts <spec.json>');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as EmailSpec;
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: spec.connections,
    host: '127.0.0.1',
    port: spec.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  try {
    const warmup = await Promise.all(Array.from({ length: spec.warmup }, (_, i) => compose(spec, 'w', i)));
    const measured = await Promise.all(Array.from({ length: spec.count }, (_, i) => compose(spec, 'm', i)));
    const bytes = measured.reduce((sum, m) => sum + m.raw.length, 0);
    say(`composed ${measured.length} messages, ${Math.round(bytes / measured.length)} bytes each on average`);

    const warm = await runPhase(spec, transport, warmup, new Set(), false);
    say(
      `warm-up: ${warm.result.visible}/${spec.warmup} visible, accepted → visible p50 ${warm.result.acceptedToVisibleMs.p50} ms`,
    );

    const racing = new Set(spec.racing);
    const phase = await runPhase(spec, transport, measured, racing, true);
    say(
      `${phase.result.accepted} accepted, ${phase.result.visible} visible in ${(phase.result.windowMs / 1000).toFixed(1)} s; ` +
        `redelivering ${spec.late.length} after the window`,
    );

    const redeliveries = [...phase.redeliveries];
    for (const index of spec.late) {
      const message = measured[index]!;
      const started = now();
      const outcome = await deliver(transport, message);
      redeliveries.push({
        index,
        token: message.token,
        messageId: message.messageId,
        kind: 'late',
        ok: outcome.ok,
        response: outcome.response,
        ms: round(now() - started, 1),
      });
    }
    const result: EmailClientResult = {
      bytesPerMessage: Math.round(bytes / measured.length),
      warmup: warm.result,
      measured: phase.result,
      redeliveries,
    };
    process.stdout.write(`EMAIL_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    transport.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
