import { createHash } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { IdGenerator } from '../domain/shared/ports.js';

const next = monotonicFactory();

/** ULIDs: unique, URL-safe, and sorted by creation time (timeline order). */
export const ulidGenerator: IdGenerator = { newId: () => next() };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID made from a time and a seed instead of randomness: the same message
 * processed twice gets the same id (so files stored under it are overwritten,
 * not duplicated), and it still sorts by time like any other entry id.
 */
export function deterministicUlid(time: Date, seed: string): string {
  let ms = Math.max(0, Math.floor(time.getTime()));
  let timePart = '';
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD[ms % 32] + timePart;
    ms = Math.floor(ms / 32);
  }
  const digest = createHash('sha256').update(seed).digest();
  let randomPart = '';
  for (let i = 0; i < 16; i++) randomPart += CROCKFORD[(digest[i] ?? 0) % 32];
  return timePart + randomPart;
}
