/**
 * What `bench/email.ts` and its client process (`bench/email-client.ts`) share:
 * the names in each message and the JSON they exchange. No imports from the
 * desk's code, so the client process loads none of it.
 */
export const SUPPORT_ADDRESS = 'support@demo.local';
/** Matches the token `emailToken` puts in a subject. */
export const TOKEN_PATTERN = /\bbm[0-9a-z]+-[wm]\d{5}\b/;

/** The unique token in a message's subject: run, phase (w = warm-up, m = measured), index. */
export function emailToken(runTag: string, phase: 'w' | 'm', index: number): string {
  return `bm${runTag}-${phase}${String(index).padStart(5, '0')}`;
}

export function emailSender(runTag: string, phase: 'w' | 'm', index: number): string {
  return `${emailToken(runTag, phase, index)}@customer.example`;
}

export function emailMessageId(runTag: string, phase: 'w' | 'm', index: number): string {
  return `<${emailToken(runTag, phase, index)}.${runTag}@customer.example>`;
}

export interface EmailSpec {
  url: string;
  token: string;
  smtpPort: number;
  runTag: string;
  count: number;
  warmup: number;
  connections: number;
  /** Indexes redelivered right behind their original (concurrently, on another connection). */
  racing: number[];
  /** Indexes redelivered after the measured window. */
  late: number[];
  pollMs: number;
  pageLimit: number;
  visibleTimeoutMs: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface EmailPhaseResult {
  messages: number;
  accepted: number;
  failures: { index: number; response: string }[];
  /** Messages the poller saw in the list. */
  visible: number;
  notVisible: string[];
  /** First SMTP send → last ticket visible. */
  windowMs: number;
  /** Visible messages per second over the window. */
  throughput: number;
  /** SMTP 250 → listed by `GET /tickets?status=new` (0 when listed before the 250 arrived). */
  acceptedToVisibleMs: LatencySummary;
  /** Start of the SMTP transaction → 250: the receiver stores and processes before answering. */
  sendToAcceptedMs: LatencySummary;
  sendToVisibleMs: LatencySummary;
  visibleBeforeAccepted: number;
  /** Messages listed by the first poll that started after their 250 (or earlier). */
  seenByFirstPollAfterAccept: number;
  polls: { polls: number; pages: number; errors: number; requestMs: LatencySummary; gapMs: LatencySummary };
  clientCpuSeconds: number;
  /** Token → ticket id the poller saw. */
  tickets: Record<string, string | null>;
}

export interface Redelivery {
  index: number;
  token: string;
  messageId: string;
  kind: 'racing' | 'late';
  ok: boolean;
  response: string;
  ms: number;
}

export interface EmailClientResult {
  bytesPerMessage: number;
  warmup: EmailPhaseResult;
  measured: EmailPhaseResult;
  redeliveries: Redelivery[];
}
