import type { z } from 'zod';
import { ValidationFailed } from './errors.js';

/**
 * Validates untrusted input against a schema, throwing ValidationFailed whose
 * message names the first problem (`<what>: <path>: <message>`) and whose
 * details carry every zod issue.
 */
export function parseOrFail<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw new ValidationFailed(
    `Invalid ${what}: ${first ? `${first.path.join('.') || what}: ${first.message}` : 'unknown error'}`,
    result.error.issues,
  );
}
