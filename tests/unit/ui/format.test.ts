import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from '../../../src/ui/format.ts';

describe('sizes and durations as people read them', () => {
  it('bytes in decimal units, one decimal below 100', () => {
    expect(formatBytes(0, 'en')).toBe('0 bytes');
    expect(formatBytes(999, 'en')).toBe('999 bytes');
    expect(formatBytes(1, 'en')).toBe('1 byte');
    expect(formatBytes(5 * 1024 * 1024, 'en')).toBe('5.2 MB');
    expect(formatBytes(150_000_000, 'en')).toBe('150 MB');
    expect(formatBytes(1.5e12, 'en')).toBe('1.5 TB');
    expect(formatBytes(-5, 'en')).toBe('0 bytes');
    expect(formatBytes(5 * 1024 * 1024, 'pt-BR')).toBe('5,2 MB');
  });

  it('durations in the largest sensible unit', () => {
    expect(formatDuration(4.4, 'en')).toBe('4 sec');
    expect(formatDuration(90, 'en')).toBe('2 min');
    expect(formatDuration(5400, 'en')).toBe('1.5 hr');
    expect(formatDuration(-1, 'en')).toBe('0 sec');
  });
});
