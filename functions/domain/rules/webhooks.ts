import { createHash, createHmac } from 'node:crypto';
import type { Ticket } from '../tickets/model.js';

/**
 * Webhooks of workflow rules and macros (pure parts): which URLs may be
 * called, the payload, its signature and the delivery id.
 *
 * A webhook is a POST of JSON with two headers:
 * - `X-Helpdesk-Signature: sha256=<hex>`: HMAC-SHA256 of the raw body, keyed
 *   by `webhookSigningKey(<the desk's mail signing secret>)` (no second secret
 *   to keep: the key is HMAC-SHA256(secret, "webhook") as lower-case hex);
 * - `X-Helpdesk-Delivery: <uuid>`: the same for every attempt at one call
 *   (rule + stream record), so a receiver can drop duplicates.
 *
 * SSRF: on AWS only https to public addresses. The URL's form is checked
 * when a rule or macro is saved (`webhookUrlProblems`), and the address the
 * host resolves to is checked again right before each call
 * (`isPrivateAddress`, in the HTTP adapter). The local runtime may allow
 * http and private hosts (tests post to 127.0.0.1).
 */

export interface WebhookPolicy {
  /** Allow `http:` URLs (local runtime only). */
  allowHttp: boolean;
  /** Allow loopback, private, link-local... hosts and addresses (local runtime only). */
  allowPrivateHosts: boolean;
}

/** The policy on AWS: https to public hosts only. */
export const STRICT_WEBHOOK_POLICY: WebhookPolicy = { allowHttp: false, allowPrivateHosts: false };

/** How long one call may take, connection included. */
export const WEBHOOK_TIMEOUT_MS = 5000;

/** Why `raw` may not be called under `policy`; empty when it may. */
export function webhookUrlProblems(raw: string, policy: WebhookPolicy = STRICT_WEBHOOK_POLICY): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return ['not a valid URL'];
  }
  const problems: string[] = [];
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    problems.push(policy.allowHttp ? 'webhooks must use http or https' : 'webhooks must use https');
  }
  if (url.username || url.password) {
    problems.push('put credentials in a header secret, not in the URL');
  }
  if (!policy.allowPrivateHosts && isInternalHost(url.hostname)) {
    problems.push(`webhooks cannot call an internal host (${url.hostname})`);
  }
  return problems;
}

/**
 * A host name that is internal by its form: localhost, `.localhost`,
 * `.internal`, `.local`, or an IP literal in a private range. (The WHATWG
 * URL parser already turned `2130706433` or `0x7f.1` into `127.0.0.1`.)
 */
export function isInternalHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (host === '' || host === 'localhost') return true;
  if (['.localhost', '.internal', '.local', '.home.arpa'].some((suffix) => host.endsWith(suffix))) {
    return true;
  }
  if (host.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return isPrivateAddress(host);
  return false;
}

function ipv4Parts(address: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

function privateIpv4([a, b, c]: number[]): boolean {
  if (a === undefined || b === undefined || c === undefined) return true;
  return (
    a === 0 || // "this" network
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local (cloud metadata)
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 192 && b === 0 && c === 2) || // documentation
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224 // multicast, reserved, broadcast
  );
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase().replace(/^\[|\]$/g, '');
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return null;
  let tail: number[] = [];
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = ipv4Parts(last);
    if (!v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    tail = [(a << 8) | b, (c << 8) | d];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const missing = 8 - head.length - rest.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const hex = (g: string) => Number.parseInt(g, 16);
  return [...head.map(hex), ...new Array<number>(missing).fill(0), ...rest.map(hex), ...tail];
}

/**
 * Whether an address (IPv4 or IPv6, as DNS returns it) is not a public
 * unicast address: loopback, private, carrier-grade NAT, link-local (the
 * cloud metadata service), unique-local, multicast, reserved, and IPv6
 * forms that embed such an IPv4 address (mapped, NAT64, 6to4). Anything
 * unparsable counts as private.
 */
export function isPrivateAddress(address: string): boolean {
  const v4 = ipv4Parts(address);
  if (v4) return privateIpv4(v4);
  const g = ipv6Groups(address);
  if (!g) return true;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) {
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) carry an IPv4 address; ::, ::1 and the rest are reserved.
    if (g5 === 0xffff || (g5 === 0 && g6 !== 0)) return privateIpv4(embedded);
    return true;
  }
  if (g0 === 0x64 && g1 === 0xff9b) return privateIpv4(embedded); // NAT64
  if (g0 === 0x2002) return privateIpv4([g1 >> 8, g1 & 0xff, g2 >> 8, g2 & 0xff]); // 6to4
  return (
    (g0 & 0xfe00) === 0xfc00 || // unique local
    (g0 & 0xffc0) === 0xfe80 || // link-local
    (g0 & 0xffc0) === 0xfec0 || // site-local (deprecated)
    (g0 & 0xff00) === 0xff00 || // multicast
    (g0 === 0x2001 && g1 === 0x0db8) || // documentation
    (g0 === 0x2001 && g1 < 0x0200) // IETF protocol assignments (Teredo, ORCHID...)
  );
}

/** What a webhook is sent for: a rule (from the stream or a time-based run) or a macro. */
export interface WebhookSource {
  kind: 'rule' | 'macro';
  id: string;
  name: string;
}

export interface WebhookPayloadInput {
  deliveryId: string;
  /** The rule's trigger (`ticket_created`, `ticket_updated`, ..., `time_based`) or `macro_applied`. */
  event: string;
  source: WebhookSource;
  /** The ticket after the rule's or macro's change. */
  ticket: Ticket;
  customerEmail: string | null;
  at: Date;
}

/** The JSON body of a webhook without a body template. */
export function webhookPayload(input: WebhookPayloadInput): string {
  const { ticket } = input;
  return JSON.stringify({
    id: input.deliveryId,
    event: input.event,
    [input.source.kind]: { id: input.source.id, name: input.source.name },
    ticket: {
      id: ticket.id,
      number: ticket.number,
      subject: ticket.subject,
      status: ticket.status,
      priority: ticket.priority,
      departmentId: ticket.departmentId,
      teamId: ticket.teamId,
      assigneeId: ticket.assigneeId,
      tags: ticket.tags,
      customerEmail: input.customerEmail,
      customFields: ticket.customFields,
    },
    timestamp: input.at.toISOString(),
  });
}

/** The key webhook bodies are signed with, derived from the desk's mail signing secret. */
export function webhookSigningKey(signingSecret: string): string {
  return createHmac('sha256', signingSecret).update('webhook').digest('hex');
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the `X-Helpdesk-Signature` header. */
export function webhookSignature(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`;
}

/** A stable UUID-shaped delivery id for one call (`seed`: the call's claim key). */
export function webhookDeliveryId(seed: string): string {
  const hex = createHash('sha256').update(`webhook-delivery#${seed}`).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One call to make. */
export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** What came of a call: the HTTP status (any, redirects are not followed), or why there was none. */
export type WebhookResult = { status: number; error: null } | { status: null; error: string };

/** Calls webhooks (the HTTP adapter checks the URL and the resolved address first). */
export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookResult>;
}
