import type { Ticket } from '../tickets/model.js';

/**
 * Which ticket an inbound mail belongs to. The inbound pipeline gathers
 * candidate tickets from the mail's headers (see `ThreadRule`), best rule
 * first; `chooseThread` then decides, pure.
 *
 * Trust. A signed reply address or a signed Message-ID of ours can only come
 * from someone who received our mail about that ticket, so it threads for
 * any sender. The other rules (a Message-ID we stored but did not sign, an
 * Outlook Thread-Index, a `[#1042]` tag in the subject) are easy to copy or
 * guess: they thread only when the sender is the ticket's customer or a
 * participant copied on it; otherwise the mail opens a new ticket, and the
 * refused matches are recorded so an agent can see why.
 */
export const THREAD_RULES = [
  'reply-address',
  'signed-message-id',
  'stored-message-id',
  'thread-index',
  'subject-tag',
] as const;
export type ThreadRule = (typeof THREAD_RULES)[number];

const TRUSTED: ReadonlySet<ThreadRule> = new Set(['reply-address', 'signed-message-id']);

export interface ThreadCandidate {
  rule: ThreadRule;
  ticket: Ticket;
}

export interface Sender {
  /** The sender's address, lower case. */
  address: string | null;
  /** The customer that address belongs to, if any (after following merges). */
  customerId: string | null;
}

export type ThreadDecision =
  | { ticket: Ticket; rule: ThreadRule; refused: RefusedMatch[] }
  | { ticket: null; rule: null; refused: RefusedMatch[] };

export interface RefusedMatch {
  rule: ThreadRule;
  ticketNumber: number;
  reason: string;
}

/** True when the sender may write into the ticket by an untrusted rule. */
export function isParticipant(ticket: Ticket, sender: Sender): boolean {
  if (sender.customerId !== null && sender.customerId === ticket.customerId) return true;
  if (!sender.address) return false;
  return ticket.requester.email === sender.address || ticket.ccs.includes(sender.address);
}

export function chooseThread(candidates: readonly ThreadCandidate[], sender: Sender): ThreadDecision {
  const ordered = [...candidates].sort((a, b) => THREAD_RULES.indexOf(a.rule) - THREAD_RULES.indexOf(b.rule));
  const refused: RefusedMatch[] = [];
  for (const candidate of ordered) {
    if (TRUSTED.has(candidate.rule) || isParticipant(candidate.ticket, sender)) {
      return { ticket: candidate.ticket, rule: candidate.rule, refused };
    }
    refused.push({
      rule: candidate.rule,
      ticketNumber: candidate.ticket.number,
      reason: 'the sender is neither the ticket’s customer nor copied on it',
    });
  }
  return { ticket: null, rule: null, refused };
}

/** Where a message for a ticket goes: closed tickets get a linked follow-up ticket instead. */
export function placementFor(ticket: Ticket): 'append' | 'follow-up' {
  return ticket.status === 'closed' ? 'follow-up' : 'append';
}

/**
 * The participants to remember after a message: CC'd and To addresses that
 * are neither ours nor the customer's. Capped, so a mail to a large list does
 * not bloat the ticket.
 */
export function mergeParticipants(
  current: readonly string[],
  addresses: readonly string[],
  exclude: (address: string) => boolean,
  max = 20,
): string[] {
  const merged = [...current];
  for (const raw of addresses) {
    const address = raw.trim().toLowerCase();
    if (!address.includes('@') || exclude(address) || merged.includes(address)) continue;
    if (merged.length >= max) break;
    merged.push(address);
  }
  return merged;
}
