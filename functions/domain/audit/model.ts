/**
 * The audit log: who changed which desk setting (department, team, agent,
 * SLA policy, rule, macro...), when, and what changed. An entry is written in
 * the same transaction as the change it describes, so neither exists without
 * the other. Pure: the adapters store entries, this module builds them.
 */
import { z } from 'zod';

export const AUDIT_ACTIONS = ['created', 'updated'] as const;

export const AuditChangeSchema = z.object({
  /** Top-level field, or `outer.inner` one level down for settings kept under one attribute. */
  field: z.string(),
  /** Absent on a creation. Long values are cut (see `capValue`). */
  from: z.unknown().optional(),
  /** Absent when the field was removed. */
  to: z.unknown().optional(),
});
export type AuditChange = z.infer<typeof AuditChangeSchema>;

export const AuditEntrySchema = z.object({
  at: z.string(),
  /** Email of who made the change (`seed` or a script name when no person did). */
  by: z.string(),
  /** What kind of thing changed: `department`, `team`, `agent`, `SLA policy`, `routingRule`... */
  type: z.string(),
  id: z.string(),
  /** The version the change produced. */
  version: z.number().int(),
  action: z.enum(AUDIT_ACTIONS),
  changes: z.array(AuditChangeSchema).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export interface AuditQuery {
  limit: number;
  cursor?: string;
}

/** Reads the audit log, newest first (the adapters write it with each change). */
export interface AuditLog {
  list(query: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }>;
}

/** Bookkeeping attributes that every versioned item carries: never reported as changes. */
const BOOKKEEPING = new Set(['pk', 'sk', 'type', 'version', 'createdAt', 'updatedAt', 'updatedBy']);
const MAX_VALUE_CHARS = 400;
const MAX_CHANGES = 40;

type Fields = Record<string, unknown>;

function isPlainObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Set);
}

/** JSON with sorted keys, so two equal objects compare equal whatever their key order. */
function stable(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Set) return stable([...value].sort());
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A value as the log keeps it: short values as they are, long ones as a cut JSON string. */
export function capValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = stable(value);
  if (text.length <= MAX_VALUE_CHARS) return value instanceof Set ? [...value].sort() : value;
  return `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)`;
}

function diff(before: Fields, after: Fields, prefix: string, depth: number, out: AuditChange[]): void {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const name of names) {
    if (depth === 0 && (BOOKKEEPING.has(name) || /^gsi\d+(pk|sk)$/.test(name))) continue;
    if (prefix && name === 'version') continue;
    const [from, to] = [before[name], after[name]];
    if (stable(from) === stable(to)) continue;
    const field = `${prefix}${name}`;
    if (depth === 0 && isPlainObject(from) && isPlainObject(to)) {
      diff(from, to, `${field}.`, depth + 1, out);
      continue;
    }
    out.push({
      field,
      ...(from !== undefined ? { from: capValue(from) } : {}),
      ...(to !== undefined ? { to: capValue(to) } : {}),
    });
  }
}

/**
 * The fields that differ between two versions of an item (top level, and one
 * level down where both sides hold an object, e.g. `policy.name`); with no
 * previous version, every field as set. Bookkeeping attributes are skipped,
 * long values cut, and at most 40 changes kept (a last `…` entry says how
 * many more there were).
 */
export function auditChanges(before: Fields | null, after: Fields): AuditChange[] {
  const out: AuditChange[] = [];
  diff(before ?? {}, after, '', 0, out);
  if (out.length <= MAX_CHANGES) return out;
  return [...out.slice(0, MAX_CHANGES), { field: '…', to: `${out.length - MAX_CHANGES} more changes` }];
}

/** The audit entry of saving `after` (the previous version `before`, or null for a creation). */
export function auditEntryFor(
  what: { type: string; id: string; version: number },
  before: Fields | null,
  after: Fields,
  by: string,
  at: string,
): AuditEntry {
  return {
    at,
    by,
    type: what.type,
    id: what.id,
    version: what.version,
    action: before ? 'updated' : 'created',
    changes: auditChanges(before, after),
  };
}
