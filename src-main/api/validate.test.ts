import { describe, expect, it } from 'vitest';
import { InvalidRequestError, isApiMethod, validateRequest } from './validate.ts';

describe('API request validation', () => {
  it('knows the contract methods only', () => {
    expect(isApiMethod('library.summary')).toBe(true);
    expect(isApiMethod('library.drop')).toBe(false);
    expect(isApiMethod(42)).toBe(false);
  });

  it('accepts well-formed requests', () => {
    expect(validateRequest('library.summary', null)).toBeNull();
    expect(validateRequest('library.scan', { folders: ['/music'] })).toEqual({ folders: ['/music'] });
  });

  it('rejects malformed ones with a reason', () => {
    expect(() => validateRequest('library.summary', { sneaky: 1 })).toThrow(InvalidRequestError);
    expect(() => validateRequest('library.scan', { folders: [] })).toThrow(/1 to 64/);
    expect(() => validateRequest('library.scan', { folders: ['relative/path'] })).toThrow(/absolute/);
    expect(() => validateRequest('library.scan', { folders: ['/a\0b'] })).toThrow(InvalidRequestError);
    expect(() => validateRequest('library.scan', 'nope')).toThrow(InvalidRequestError);
  });
});
