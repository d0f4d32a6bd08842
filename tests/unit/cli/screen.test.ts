import { describe, expect, it } from 'vitest';
import { printable } from '../../../src/cli/screen.ts';

describe('terminal screen', () => {
  it('prints text from the peer without escape sequences or control characters', () => {
    expect(printable('hi\u001b[2J\u001b]0;pwned\u0007 there\u009b')).toBe('hi[2J]0;pwned there');
    expect(printable('txt\u202eexe')).toBe('txtexe');
  });

  it('keeps ordinary text, and indents the lines after the first', () => {
    expect(printable('Olá, Bruno! 👋')).toBe('Olá, Bruno! 👋');
    expect(printable('one\ntwo')).toBe('one\n    two');
  });
});
