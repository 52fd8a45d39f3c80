import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatCount, formatMicros, formatPercent, formatRatio, groupDigits } from '../src/app/format.js';

describe('number formats', () => {
  it('bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(1536 * 1024)).toBe('1.50 MiB');
    expect(formatBytes(200 * 1024 ** 3)).toBe('200 GiB');
    expect(formatBytes(NaN)).toBe('–');
  });

  it('counts, durations, fractions and ratios', () => {
    expect(formatCount(9999)).toBe('9,999');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(2_500_000)).toBe('2.50M');
    expect(formatMicros(3.25)).toBe('3.3 µs');
    expect(formatMicros(450)).toBe('450 µs');
    expect(formatMicros(2500)).toBe('2.50 ms');
    expect(formatMicros(42_500)).toBe('42.5 ms');
    expect(formatMicros(280_400)).toBe('280 ms');
    expect(formatMicros(3_200_000)).toBe('3.20 s');
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatPercent(0.025)).toBe('2.5%');
    expect(formatRatio(1.5)).toBe('1.50×');
    expect(formatRatio(Infinity)).toBe('–');
  });

  it('time since', () => {
    expect(formatAgo(300)).toBe('just now');
    expect(formatAgo(4200)).toBe('4.2 s ago');
    expect(formatAgo(125_000)).toBe('2 min ago');
    expect(formatAgo(-1)).toBe('–');
  });
});

describe('groupDigits', () => {
  it('writes what toLocaleString(en-US) writes for whole numbers', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 1_234_567_890, -4321, 2 ** 53]) expect(groupDigits(n)).toBe(n.toLocaleString('en-US'));
  });
});

