import { z } from 'zod';
import { ValidationFailed } from '../shared/errors.js';

export const IDENTITY_TYPES = ['email', 'phone', 'social'] as const;
export const IdentityTypeSchema = z.enum(IDENTITY_TYPES);
export type IdentityType = z.infer<typeof IdentityTypeSchema>;

/** One way to reach a person. Unique across the desk: it belongs to exactly one customer. */
export const IdentitySchema = z.object({
  type: IdentityTypeSchema,
  /** Normalised value: lower-case email, digits-only phone with leading +, `network:handle`. */
  value: z.string(),
});
export type Identity = z.infer<typeof IdentitySchema>;

export const CustomerSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  identities: z.array(IdentitySchema),
  /** Set when this customer was merged into another; reads follow the link. */
  mergedInto: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Customer = z.infer<typeof CustomerSchema>;

const EMAIL = z.email();

/** Lower-cases and trims an email address; throws ValidationFailed when it is not one. */
export function normaliseEmail(raw: string): string {
  const value = raw.trim().toLowerCase();
  if (!EMAIL.safeParse(value).success) {
    throw new ValidationFailed(`"${raw}" is not an email address`, { field: 'email' });
  }
  return value;
}

/**
 * Keeps a leading + and the digits of a phone number, dropping spaces, dots,
 * dashes and brackets, so "+49 (30) 123-45" and "+4930 12345" are one identity.
 */
export function normalisePhone(raw: string): string {
  const trimmed = raw.trim();
  const digits = trimmed.replace(/[\s().\-/]/g, '');
  if (!/^\+?\d{5,20}$/.test(digits)) {
    throw new ValidationFailed(`"${raw}" is not a phone number`, { field: 'phone' });
  }
  return digits;
}

/** `twitter:@Alice` → `twitter:alice`. */
export function normaliseSocial(raw: string): string {
  const match = /^([a-z0-9_-]{2,30}):@?([\p{L}\p{N}_.-]{1,100})$/iu.exec(raw.trim());
  if (!match)
    throw new ValidationFailed(`"${raw}" is not a social handle like network:handle`, { field: 'social' });
  return `${match[1]!.toLowerCase()}:${match[2]!.toLowerCase()}`;
}

export function normaliseIdentity(type: IdentityType, raw: string): Identity {
  switch (type) {
    case 'email':
      return { type, value: normaliseEmail(raw) };
    case 'phone':
      return { type, value: normalisePhone(raw) };
    case 'social':
      return { type, value: normaliseSocial(raw) };
  }
}

export function newCustomer(id: string, name: string | null, identities: Identity[], now: Date): Customer {
  const at = now.toISOString();
  return {
    id,
    name: name?.trim() || null,
    identities,
    mergedInto: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * Merges `other` into `survivor` (pure): the survivor gains the other's
 * identities and, if it had none, its name; the other is marked merged.
 */
export function mergeCustomers(
  survivor: Customer,
  other: Customer,
  now: Date,
): { survivor: Customer; merged: Customer } {
  const at = now.toISOString();
  const seen = new Set(survivor.identities.map((i) => `${i.type}:${i.value}`));
  const identities = [...survivor.identities];
  for (const identity of other.identities) {
    if (!seen.has(`${identity.type}:${identity.value}`)) identities.push(identity);
  }
  return {
    survivor: {
      ...survivor,
      name: survivor.name ?? other.name,
      identities,
      version: survivor.version + 1,
      updatedAt: at,
    },
    merged: { ...other, identities: [], mergedInto: survivor.id, version: other.version + 1, updatedAt: at },
  };
}
