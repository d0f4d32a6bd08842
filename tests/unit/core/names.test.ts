import { describe, expect, it } from 'vitest';
import { DuetError } from '../../../src/core/errors.ts';
import { MAX_NAME_LENGTH, normaliseName } from '../../../src/core/names.ts';

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as DuetError).code;
  }
}

describe('display names', () => {
  it('refuses empty or overlong names (counted in characters, not UTF-16 units)', () => {
    expect(errorCode(() => normaliseName('   '))).toBe('invalid-name');
    expect(errorCode(() => normaliseName('\u202e\u200b'))).toBe('invalid-name');
    expect(errorCode(() => normaliseName('😀'.repeat(MAX_NAME_LENGTH + 1)))).toBe('invalid-name');
    expect(normaliseName('😀'.repeat(MAX_NAME_LENGTH))).toHaveLength(2 * MAX_NAME_LENGTH);
  });

  it('renders on one line: control and direction characters go, runs of white space become one space', () => {
    expect(normaliseName('  Alice \n\t Smith ')).toBe('Alice Smith');
    expect(normaliseName('Bru\u0000no\u202e')).toBe('Bruno');
    expect(normaliseName('Ca\u2066rla\u2069')).toBe('Carla');
  });
});
