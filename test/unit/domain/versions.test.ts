import { describe, expect, it } from 'vitest';
import { expectedVersionFor } from '../../../functions/domain/shared/versions.js';

describe('expectedVersionFor (the version a settings save is checked against)', () => {
  it('If-Match "0" means create only, whatever is stored', () => {
    expect(expectedVersionFor(0, undefined)).toBeNull();
    expect(expectedVersionFor(0, 4)).toBeNull();
  });

  it('another If-Match is used as sent, even when it differs from the stored version', () => {
    expect(expectedVersionFor(3, 4)).toBe(3);
    expect(expectedVersionFor(3, undefined)).toBe(3);
  });

  it('without If-Match, the version just read, or create when nothing is stored', () => {
    expect(expectedVersionFor(null, 4)).toBe(4);
    expect(expectedVersionFor(null, undefined)).toBeNull();
  });
});
