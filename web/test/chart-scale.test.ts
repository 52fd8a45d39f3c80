import { describe, expect, it } from 'vitest';
import { niceScale, niceStep, timeTicks } from '../src/model/chart-scale.js';

describe('niceScale', () => {
  it('ends the axis on a round value above the data', () => {
    const s = niceScale(0, 87, 4);
    expect(s.max).toBe(100);
    expect(s.ticks).toEqual([0, 25, 50, 75, 100]);
    expect(niceScale(0, 1234, 4).ticks).toEqual([0, 500, 1000, 1500]);
  });

  it('keeps a tick exactly at the data maximum when it is round', () => {
    expect(niceScale(0, 100, 4).max).toBe(100);
    expect(niceScale(0, 1, 4, 1).ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('gives a flat or empty series the minimum span, from 0', () => {
    expect(niceScale(0, 0, 4, 10)).toMatchObject({ min: 0, max: 10 });
    expect(niceScale(0, NaN, 4, 1)).toMatchObject({ min: 0, max: 1 });
  });

  it('prints fractional ticks without float noise', () => {
    const s = niceScale(0, 0.7, 4, 0.1);
    expect(s.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    for (const t of niceScale(0, 0.33, 6, 0.01).ticks) expect(String(t).length).toBeLessThan(6);
  });

  it('covers the data for any magnitude', () => {
    for (const max of [0.003, 7, 42, 999, 12_345, 6.5e6]) {
      const s = niceScale(0, max, 4, 1e-9);
      expect(s.max).toBeGreaterThanOrEqual(max);
      expect(s.ticks.length).toBeGreaterThanOrEqual(2);
      expect(s.ticks.length).toBeLessThanOrEqual(9);
      expect(s.ticks[s.ticks.length - 1]).toBeCloseTo(s.max, 9);
    }
  });

  it('niceStep picks 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceStep(100, 4)).toBe(25);
    expect(niceStep(9, 4)).toBe(2.5);
    expect(niceStep(0.07, 4)).toBeCloseTo(0.02, 12);
    expect(niceStep(0, 4)).toBe(1);
  });
});

describe('timeTicks', () => {
  it('labels a minute every 15 s, ending now', () => {
    expect(timeTicks(60_000).map((t) => t.label)).toEqual(['−1m', '−45s', '−30s', '−15s', 'now']);
  });
  it('labels five minutes every minute', () => {
    expect(timeTicks(300_000).map((t) => t.label)).toEqual(['−5m', '−4m', '−3m', '−2m', '−1m', 'now']);
  });
});
