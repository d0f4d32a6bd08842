import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorsDocument } from '../../../scripts/make-errors-doc.ts';
import { DuetError, ERROR_MESSAGES, isErrorCode, toDuetError } from '../../../src/core/errors.ts';

describe('error catalogue', () => {
  it('docs/ERRORS.md is generated from the catalogue and up to date', () => {
    expect(readFileSync(new URL('../../../docs/ERRORS.md', import.meta.url), 'utf8')).toBe(errorsDocument());
  });

  it('every code has a full sentence, and DuetError shows only the catalogue text to people', () => {
    for (const [code, sentence] of Object.entries(ERROR_MESSAGES)) {
      expect(sentence, code).toMatch(/^[A-Z].*[.)]$/);
      expect(new DuetError(code as keyof typeof ERROR_MESSAGES, 'internal detail').userMessage).toBe(sentence);
    }
    expect(isErrorCode('room-full')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(toDuetError(new Error('boom'), 'server-error').code).toBe('server-error');
  });
});
