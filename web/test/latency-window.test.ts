import { describe, expect, it } from 'vitest';
import { CallerLatency, LATENCY_BOUNDS_MICROS, LatencyWindow, SLOTS, SLOT_MS } from '../src/model/latency-window.js';

describe('LatencyWindow', () => {
  it('has ascending 1-2-5 bounds from 10 µs to 100 s', () => {
    expect(LATENCY_BOUNDS_MICROS.slice(0, 4)).toEqual([10, 20, 50, 100]);
    expect(LATENCY_BOUNDS_MICROS[LATENCY_BOUNDS_MICROS.length - 1]).toBe(1e8);
    for (let i = 1; i < LATENCY_BOUNDS_MICROS.length; i++) expect(LATENCY_BOUNDS_MICROS[i]!).toBeGreaterThan(LATENCY_BOUNDS_MICROS[i - 1]!);
  });

  it('gives percentiles of what finished in the window, within a bucket of the truth', () => {
    const w = new LatencyWindow();
    // 98 calls of 1 ms and 2 of 300 ms (a slow commit), in the same second.
    w.record(10_000, 1000, 98);
    w.record(10_500, 300_000, 2);
    expect(w.count(10_900, 2000)).toBe(100);
    const p50 = w.percentile(10_900, 2000, 50)!;
    expect(p50).toBeGreaterThanOrEqual(1000);
    expect(p50).toBeLessThanOrEqual(1000); // every fast call took exactly 1 ms: min and max narrow the bucket
    const p99 = w.percentile(10_900, 2000, 99)!;
    expect(p99).toBeGreaterThan(200_000);
    expect(p99).toBeLessThanOrEqual(300_000);
  });

  it('forgets what is older than the window asked for, and after SLOTS seconds drops it', () => {
    const w = new LatencyWindow();
    w.record(0, 5000, 10);
    w.record(5000, 100, 10);
    expect(w.count(5500, 2000)).toBe(10);
    expect(w.percentile(5500, 2000, 99)).toBe(100);
    expect(w.count(5500, 10_000)).toBe(20);
    w.record(SLOTS * SLOT_MS + 4000, 100);
    expect(w.count(SLOTS * SLOT_MS + 4000, SLOTS * SLOT_MS * 2)).toBe(11); // the first second's slot is gone
  });

  it('is null with nothing in the window, and clears', () => {
    const w = new LatencyWindow();
    expect(w.percentile(1000, 2000, 50)).toBeNull();
    w.record(1000, 50);
    w.clear();
    expect(w.count(1000, 2000)).toBe(0);
  });

  it('takes observations that arrive a little out of time order', () => {
    const w = new LatencyWindow();
    w.record(3500, 100);
    w.record(2500, 200); // a call that settled earlier, reported late
    expect(w.count(3600, 2000)).toBe(2);
  });
});

describe('CallerLatency', () => {
  it('keeps durable writes, deferred writes and reads apart', () => {
    const c = new CallerLatency();
    c.record('durable', 1000, 150_000, 400);
    c.record('deferred', 1000, 300, 400);
    c.record('read', 1000, 80, 50);
    const durable = c.summary('durable', 1500, 2000);
    const deferred = c.summary('deferred', 1500, 2000);
    expect(durable.count).toBe(400);
    expect(durable.p99).toBe(150_000);
    expect(deferred.p50).toBe(300);
    expect(c.summary('read', 1500, 2000).count).toBe(50);
    c.clear();
    expect(c.summary('durable', 1500, 2000)).toEqual({ p50: null, p99: null, count: 0 });
  });
});
