import { monotonicFactory } from 'ulid';
import type { IdGenerator } from '../domain/shared/ports.js';

const next = monotonicFactory();

/** ULIDs: unique, URL-safe, and sorted by creation time (timeline order). */
export const ulidGenerator: IdGenerator = { newId: () => next() };
