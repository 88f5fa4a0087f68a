import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  isPrivateAddress,
  STRICT_WEBHOOK_POLICY,
  WEBHOOK_TIMEOUT_MS,
  type WebhookPolicy,
  type WebhookRequest,
  type WebhookResult,
  type WebhookSender,
  webhookUrlProblems,
} from '../../domain/rules/webhooks.js';

export interface FetchWebhookSenderOptions {
  policy?: WebhookPolicy;
  /** Node's global fetch unless given (tests pass a fake). */
  fetch?: typeof fetch;
  /** Every address a host name resolves to (default: the system resolver, all families). */
  resolve?: (host: string) => Promise<string[]>;
  timeoutMs?: number;
}

const systemResolve = async (host: string): Promise<string[]> =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Calls webhooks with Node's fetch: the URL is checked against the policy,
 * the host's addresses are resolved and refused when any is private
 * (loopback, private ranges, link-local/metadata...) unless the policy allows
 * private hosts, then one POST with a 5 s timeout (connection included),
 * redirects not followed (a 3xx is the outcome), the response body discarded.
 * Never throws: the outcome is a status or an error text.
 *
 * Known limit: fetch resolves the name again when it connects, so a name
 * whose DNS answer changes between the two lookups (DNS rebinding) is only
 * caught by the first one.
 */
export class FetchWebhookSender implements WebhookSender {
  private readonly policy: WebhookPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly resolve: (host: string) => Promise<string[]>;
  private readonly timeoutMs: number;

  constructor(options: FetchWebhookSenderOptions = {}) {
    this.policy = options.policy ?? STRICT_WEBHOOK_POLICY;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.resolve = options.resolve ?? systemResolve;
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  }

  async post(request: WebhookRequest): Promise<WebhookResult> {
    const [problem] = webhookUrlProblems(request.url, this.policy);
    if (problem) return { status: null, error: `refused: ${problem}` };
    const url = new URL(request.url);
    if (!this.policy.allowPrivateHosts) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      let addresses: string[];
      try {
        addresses = isIP(host) ? [host] : await this.resolve(host);
      } catch (error) {
        return { status: null, error: `could not resolve ${host} (${errorCode(error)})` };
      }
      if (addresses.length === 0) return { status: null, error: `could not resolve ${host}` };
      const internal = addresses.find(isPrivateAddress);
      if (internal) {
        return { status: null, error: `refused: ${host} resolves to an internal address (${internal})` };
      }
    }
    try {
      const response = await this.fetchImpl(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'open-helpdesk-webhook/1',
          ...request.headers,
        },
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The body is not stored (nor read): free the connection.
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, error: null };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        return { status: null, error: `no answer within ${this.timeoutMs / 1000} s` };
      }
      return { status: null, error: `request failed (${errorCode(error)})` };
    }
  }
}

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (
    cause?.code ??
    (error as { code?: string }).code ??
    cause?.message ??
    (error as Error).message ??
    String(error)
  );
}
