/** Sizes as `tarsier cache status|clean` print them (report/format-bytes.ts). */
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/report/format-bytes.js';

describe('formatBytes', () => {
  it('bytes whole, larger units with one decimal, an unbounded size as unlimited', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(512 * 2 ** 20)).toBe('512.0 MiB');
    expect(formatBytes(2 * 2 ** 30)).toBe('2.0 GiB');
    expect(formatBytes(3 * 2 ** 50)).toBe('3072.0 TiB');
    expect(formatBytes(Infinity)).toBe('unlimited');
  });
});
