import { describe, expect, it } from 'vitest';
import {
  mergeCustomers,
  newCustomer,
  normaliseEmail,
  normaliseIdentity,
  normalisePhone,
} from '../../../functions/domain/customers/model.js';
import { ValidationFailed } from '../../../functions/domain/shared/errors.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');

describe('identity normalisation', () => {
  it('lower-cases and trims email addresses', () => {
    expect(normaliseEmail('  Ann.Lee@Example.COM ')).toBe('ann.lee@example.com');
  });

  it('refuses what is not an email', () => {
    expect(() => normaliseEmail('ann at example')).toThrow(ValidationFailed);
  });

  it('makes differently written phone numbers one identity', () => {
    expect(normalisePhone('+49 (30) 123-456')).toBe(normalisePhone('+4930 123456'));
    expect(normalisePhone('+44 20 7946 0958')).toBe('+442079460958');
    expect(() => normalisePhone('call me')).toThrow(ValidationFailed);
  });

  it('normalises social handles as network:handle', () => {
    expect(normaliseIdentity('social', 'Twitter:@AnnLee')).toEqual({
      type: 'social',
      value: 'twitter:annlee',
    });
    expect(() => normaliseIdentity('social', '@annlee')).toThrow(ValidationFailed);
  });
});

describe('mergeCustomers', () => {
  it('moves identities to the survivor without duplicates and marks the other merged', () => {
    const survivor = newCustomer('c1', null, [{ type: 'email', value: 'ann@example.com' }], T0);
    const other = newCustomer(
      'c2',
      'Ann Lee',
      [
        { type: 'email', value: 'ann@example.com' },
        { type: 'phone', value: '+4930123456' },
      ],
      T0,
    );
    const later = new Date(T0.getTime() + 1000);
    const { survivor: s, merged } = mergeCustomers(survivor, other, later);
    expect(s.identities).toEqual([
      { type: 'email', value: 'ann@example.com' },
      { type: 'phone', value: '+4930123456' },
    ]);
    expect(s.name).toBe('Ann Lee');
    expect(s.version).toBe(2);
    expect(merged).toMatchObject({
      mergedInto: 'c1',
      identities: [],
      version: 2,
      updatedAt: later.toISOString(),
    });
  });
});
