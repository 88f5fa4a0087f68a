import { createHash } from 'node:crypto';
import { ValidationFailed } from '../shared/errors.js';

const NAME_PART = /^[A-Za-z0-9_-]+$/;
const MAX_EXECUTION_NAME_LENGTH = 80;

/**
 * The execution name of a ticket's run under a blueprint version,
 * `<ticketId>-<blueprintId>-v<version>`: deterministic, so starting is
 * idempotent (a name runs once per state machine). A blueprint id that is not
 * made of letters, digits, `-` and `_`, or that would make the name longer
 * than 80 characters, is replaced by `b` and 16 characters of its SHA-256
 * (still deterministic). Throws `ValidationFailed` for a ticket id that cannot
 * be part of a name (other characters, or too long) or a version that is not
 * a positive integer.
 */
export function blueprintExecutionName(ticketId: string, blueprintId: string, version: number): string {
  if (!NAME_PART.test(ticketId)) {
    throw new ValidationFailed(`Ticket id ${JSON.stringify(ticketId)} cannot name a blueprint execution`);
  }
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new ValidationFailed(`Blueprint version must be a positive integer, got ${version}`);
  }
  const readable = `${ticketId}-${blueprintId}-v${version}`;
  if (NAME_PART.test(blueprintId) && readable.length <= MAX_EXECUTION_NAME_LENGTH) return readable;
  const digest = createHash('sha256').update(blueprintId).digest('base64url').slice(0, 16);
  const name = `${ticketId}-b${digest}-v${version}`;
  if (name.length > MAX_EXECUTION_NAME_LENGTH) {
    throw new ValidationFailed(`Ticket id ${ticketId} is too long to name a blueprint execution`);
  }
  return name;
}
