import { describe, expect, it } from 'vitest';
import { createRuntime } from 'stratadb';
import {
  RateHistory,
  counterDelta,
  deltaPercentile,
  histogramDelta,
  isReset,
  percentileFromBuckets,
  ratePoint,
  type Sample,
} from '../src/model/rates.js';
import { BOUNDS, histogram, stats } from './stats-fixture.js';

/** Buckets with `n` observations in the bucket whose upper bound is `bound`. */
function buckets(entries: [bound: number | 'overflow', n: number][]): number[] {
  const out = new Array<number>(BOUNDS.length + 1).fill(0);
  for (const [bound, n] of entries) {
    const i = bound === 'overflow' ? BOUNDS.length : BOUNDS.indexOf(bound);
    if (i < 0) throw new Error(`no bucket ends at ${bound}`);
    out[i]! += n;
  }
  return out;
}

describe('percentileFromBuckets', () => {
  it('interpolates linearly inside the bucket that holds the rank', () => {
    // 10 observations in (100, 200]: rank 5 of 10 sits half way.
    const b = buckets([[200, 10]]);
    expect(percentileFromBuckets(b, BOUNDS, 50, 0, 1e6)).toBeCloseTo(150, 9);
    expect(percentileFromBuckets(b, BOUNDS, 99, 0, 1e6)).toBeCloseTo(199, 9);
  });

  it('walks past the lower buckets', () => {
    // 90 in (10, 20], 10 in (1000, 2000].
    const b = buckets([
      [20, 90],
      [2000, 10],
    ]);
    expect(percentileFromBuckets(b, BOUNDS, 50, 0, 1e6)).toBeCloseTo(10 + (10 * 50) / 90, 9);
    expect(percentileFromBuckets(b, BOUNDS, 90, 0, 1e6)).toBeCloseTo(20, 9); // rank 90: the end of the first bucket
    expect(percentileFromBuckets(b, BOUNDS, 99, 0, 1e6)).toBeCloseTo(1000 + 1000 * 0.9, 9);
  });

  it('starts the first bucket at 0', () => {
    expect(percentileFromBuckets(buckets([[1, 4]]), BOUNDS, 50, 0, 1e6)).toBeCloseTo(0.5, 9);
  });

  it('ends the open last bucket at maxMicros', () => {
    const b = buckets([['overflow', 4]]);
    expect(percentileFromBuckets(b, BOUNDS, 50, 0, 2e7)).toBeCloseTo(1.5e7, 3);
    expect(percentileFromBuckets(b, BOUNDS, 100, 0, 2e7)).toBeCloseTo(2e7, 3);
  });

  it('narrows a bucket to the observed min and max', () => {
    const b = buckets([[200, 10]]);
    expect(percentileFromBuckets(b, BOUNDS, 0, 120, 180)).toBeCloseTo(120, 9);
    expect(percentileFromBuckets(b, BOUNDS, 50, 120, 180)).toBeCloseTo(150, 9);
    expect(percentileFromBuckets(b, BOUNDS, 100, 120, 180)).toBeCloseTo(180, 9);
  });

  it('is null without observations, and clamps p to 0..100', () => {
    expect(percentileFromBuckets(buckets([]), BOUNDS, 50, 0, 0)).toBeNull();
    const b = buckets([[200, 10]]);
    expect(percentileFromBuckets(b, BOUNDS, 250, 0, 1e6)).toBe(percentileFromBuckets(b, BOUNDS, 100, 0, 1e6));
    expect(percentileFromBuckets(b, BOUNDS, -5, 0, 1e6)).toBe(percentileFromBuckets(b, BOUNDS, 0, 0, 1e6));
  });

  it('never leaves the bucket when min/max disagree with it', () => {
    // A max below the bucket (inconsistent input) must not produce a value below its start.
    const v = percentileFromBuckets(buckets([[200, 10]]), BOUNDS, 50, 0, 50);
    expect(v).toBe(100);
  });
});

describe('deltaPercentile', () => {
  it('measures only what happened between the two samples', () => {
    const fast = new Array<number>(1000).fill(5);
    const slow = new Array<number>(10).fill(4000);
    const prev = histogram(fast);
    const cur = histogram([...fast, ...slow]);
    // Since open, the median is fast; in this interval every write was slow.
    expect(percentileFromBuckets(cur.buckets, BOUNDS, 50, cur.minMicros, cur.maxMicros)!).toBeLessThan(7);
    const p50 = deltaPercentile(prev, cur, 50, false)!;
    expect(p50).toBeGreaterThan(3000);
    expect(p50).toBeLessThanOrEqual(4000);
    // The interval's values are all in (3000, 5000]; max 4000 narrows the bucket.
    expect(p50).toBeCloseTo(3500, 9);
    expect(deltaPercentile(prev, cur, 99, false)).toBeCloseTo(3000 + 1000 * 0.99, 9);
  });

  it('is null when nothing was recorded in the interval', () => {
    const h = histogram([5, 6, 7]);
    expect(deltaPercentile(h, h, 50, false)).toBeNull();
  });

  it('after a reset uses the new histogram whole', () => {
    const prev = histogram(new Array<number>(100).fill(5));
    const cur = histogram([150, 150]);
    expect(histogramDelta(prev, cur, true)).toEqual(cur.buckets);
    expect(deltaPercentile(prev, cur, 50, true)).toBeCloseTo(150, 9);
  });
});

describe('counters', () => {
  it('counterDelta subtracts, or restarts from 0 after a reset', () => {
    expect(counterDelta(10, 25, false)).toBe(15);
    expect(counterDelta(10, 4, false)).toBe(4);
    expect(counterDelta(10, 25, true)).toBe(25);
  });

  it('isReset sees any counter or histogram bucket going down', () => {
    const a = stats({ puts: 10, gets: 5, putLatency: histogram([5, 5, 50]) });
    expect(isReset(a, stats({ puts: 11, gets: 5, putLatency: histogram([5, 5, 50, 60]) }))).toBe(false);
    expect(isReset(a, stats({ puts: 11, gets: 4, putLatency: histogram([5, 5, 50]) }))).toBe(true);
    // Same count, but a bucket emptied: a reopen followed by different writes.
    expect(isReset(a, stats({ puts: 10, gets: 5, putLatency: histogram([5, 50, 500]) }))).toBe(true);
  });
});

const at = (t: number, overrides: Parameters<typeof stats>[0] = {}): Sample => ({ at: t, stats: stats(overrides) });

describe('ratePoint', () => {
  it('turns counter deltas into per-second rates', () => {
    const p = ratePoint(
      at(1000, { puts: 100, deletes: 10, batchWrites: 2, gets: 50, scans: 1 }),
      at(1500, { puts: 200, deletes: 30, batchWrites: 7, gets: 250, scans: 3 }),
    )!;
    expect(p.seconds).toBe(0.5);
    expect(p.reset).toBe(false);
    expect(p.putsPerSec).toBe(200);
    expect(p.deletesPerSec).toBe(40);
    expect(p.batchesPerSec).toBe(10);
    expect(p.writesPerSec).toBe(250);
    expect(p.getsPerSec).toBe(400);
    expect(p.scansPerSec).toBe(4);
  });

  it('computes bloom and cache ratios from deltas', () => {
    const p = ratePoint(
      at(0, { bloomChecks: 100, bloomUseful: 50, blockCacheHits: 10, blockCacheMisses: 10 }),
      at(500, { bloomChecks: 300, bloomUseful: 200, blockCacheHits: 40, blockCacheMisses: 20 }),
    )!;
    expect(p.bloomUseful).toBeCloseTo(0.75, 12);
    expect(p.cacheHit).toBeCloseTo(0.75, 12);
  });

  it('gives null, not NaN or 0, when there is nothing to divide', () => {
    const same = { bloomChecks: 7, bloomUseful: 3, blockCacheHits: 9, blockCacheMisses: 1, putLatency: histogram([5]) };
    const p = ratePoint(at(0, same), at(500, same))!;
    expect(p.bloomUseful).toBeNull();
    expect(p.cacheHit).toBeNull();
    expect(p.putP50).toBeNull();
    expect(p.getP99).toBeNull();
    expect(p.writeAmp).toBeNull(); // no user bytes written since open
    expect(p.writeAmpRecent).toBeNull();
    expect(p.writesPerSec).toBe(0);
  });

  it('is null for samples out of time order', () => {
    expect(ratePoint(at(1000), at(1000))).toBeNull();
    expect(ratePoint(at(1000), at(900))).toBeNull();
  });

  it('treats a counter going down as a reopen', () => {
    const p = ratePoint(
      at(0, { puts: 1000, gets: 400, bloomChecks: 500, bloomUseful: 100, putLatency: histogram(new Array<number>(1000).fill(5)) }),
      at(500, { puts: 50, gets: 10, bloomChecks: 20, bloomUseful: 15, putLatency: histogram(new Array<number>(50).fill(150)) }),
    )!;
    expect(p.reset).toBe(true);
    expect(p.putsPerSec).toBe(100);
    expect(p.getsPerSec).toBe(20);
    expect(p.bloomUseful).toBeCloseTo(0.75, 12);
    expect(p.putP50).toBeCloseTo(150, 9);
  });

  it('takes the cumulative write amplification from the engine and the recent one from the window', () => {
    const p = ratePoint(
      at(0, { userBytesWritten: 1000, walBytes: 1100, writeAmplification: 1.1 }),
      at(500, { userBytesWritten: 2000, walBytes: 2200, flushBytesWritten: 1000, compactionBytesWritten: 2000, writeAmplification: 2.6 }),
    )!;
    expect(p.writeAmp).toBe(2.6);
    // Δengine = (2200 + 1000 + 2000) - 1100 = 4100 over Δuser = 1000.
    expect(p.writeAmpRecent).toBeCloseTo(4.1, 12);
  });
});

describe('RateHistory', () => {
  /** A steady load: per 500 ms, 100 puts of 100 bytes each, WAL 1.1× user bytes. */
  function steady(i: number, extra: Parameters<typeof stats>[0] = {}): Sample {
    return at(10_000 + i * 500, {
      puts: 100 * i,
      userBytesWritten: 10_000 * i,
      walBytes: 11_000 * i,
      writeAmplification: i > 0 ? 1.1 : 0,
      ...extra,
    });
  }

  it('needs two samples for a point and ignores duplicates and older samples', () => {
    const r = new RateHistory();
    expect(r.push(steady(0))).toBeNull();
    expect(r.points).toHaveLength(0);
    expect(r.push(steady(1))?.putsPerSec).toBe(200);
    expect(r.push(steady(1))).toBeNull();
    expect(r.push(steady(0))).toBeNull();
    expect(r.points).toHaveLength(1);
    r.clear();
    expect(r.points).toHaveLength(0);
    expect(r.push(steady(5))).toBeNull(); // a fresh start: no interval yet
  });

  it('keeps only the last five minutes', () => {
    const r = new RateHistory();
    for (let i = 0; i <= 1000; i++) r.push(steady(i));
    const points = r.points;
    const last = points[points.length - 1]!;
    expect(last.at).toBe(10_000 + 1000 * 500);
    expect(last.at - points[0]!.at).toBeLessThanOrEqual(5 * 60_000);
    expect(points.length).toBe(601);
    expect(points.every((p) => p.putsPerSec === 200)).toBe(true);
  });

  it('caps the number of points when samples come faster', () => {
    const r = new RateHistory(5 * 60_000, 50);
    for (let i = 0; i <= 200; i++) r.push(steady(i));
    expect(r.points).toHaveLength(50);
    expect(r.latest?.at).toBe(10_000 + 200 * 500);
  });

  it('measures recent write amplification over the trailing 30 s', () => {
    const r = new RateHistory();
    // 100 s of steady writes (WA 1.1), then one compaction writing 330 000 bytes at i = 200.
    for (let i = 0; i <= 200; i++) r.push(steady(i, i === 200 ? { compactionBytesWritten: 330_000 } : {}));
    // Window: the sample 30 s (60 samples) back. User bytes 600 000, engine 660 000 + 330 000.
    expect(r.latest!.writeAmpRecent).toBeCloseTo(990_000 / 600_000, 9);
    // 30 s on, both ends of the window count the compaction: only the WAL grows in it.
    for (let i = 201; i <= 262; i++) r.push(steady(i, { compactionBytesWritten: 330_000 }));
    expect(r.latest!.writeAmpRecent).toBeCloseTo(1.1, 9);
  });

  it('restarts counting after a reopen', () => {
    const r = new RateHistory();
    for (let i = 0; i <= 10; i++) r.push(steady(i));
    // Reopened: counters start again from 0; 20 puts since.
    const p = r.push(at(10_000 + 11 * 500, { puts: 20, userBytesWritten: 2000, walBytes: 3000, writeAmplification: 1.5 }))!;
    expect(p.reset).toBe(true);
    expect(p.putsPerSec).toBe(40);
    expect(p.writeAmp).toBe(1.5);
    expect(p.writeAmpRecent).toBeCloseTo(1.5, 9); // everything since the reopen
    const q = r.push(at(10_000 + 12 * 500, { puts: 120, userBytesWritten: 12_000, walBytes: 14_000, writeAmplification: 14 / 12 }))!;
    expect(q.reset).toBe(false);
    expect(q.putsPerSec).toBe(200);
    // The window starts at the reopen (Δ 11 000 / 10 000), not at a sample before it.
    expect(q.writeAmpRecent).toBeCloseTo(1.1, 9);
  });
});

describe('against the engine', () => {
  it('reads real stats: bounds match, rates and percentiles agree with the engine', async () => {
    const runtime = await createRuntime();
    const db = await runtime.open(`rates-${Date.now()}`, {
      storage: 'memory',
      keyEncoding: 'binary',
      valueEncoding: 'binary',
      compaction: 'inline',
    });
    try {
      const before: Sample = { at: 1000, stats: await db.stats() };
      expect(before.stats.putLatency.bucketBoundsMicros).toEqual(BOUNDS);
      expect(before.stats.putLatency.buckets).toHaveLength(BOUNDS.length + 1);
      const value = new Uint8Array(100);
      for (let i = 0; i < 200; i++) await db.put(new TextEncoder().encode(`k${i}`), value);
      await db.delete(new TextEncoder().encode('k0'));
      for (let i = 0; i < 50; i++) await db.get(new TextEncoder().encode(`k${i}`));
      const after: Sample = { at: 2000, stats: await db.stats() };
      const p = ratePoint(before, after)!;
      expect(p.reset).toBe(false);
      expect(p.putsPerSec).toBe(200);
      expect(p.deletesPerSec).toBe(1);
      expect(p.getsPerSec).toBe(50);
      // Every write call is in the put-latency histogram.
      const h = after.stats.putLatency;
      expect(h.count - before.stats.putLatency.count).toBe(201);
      // From an empty start, the interval's percentile is the engine's own.
      expect(p.putP50).toBeCloseTo(h.p50Micros, 6);
      expect(p.putP99).toBeCloseTo(h.p99Micros, 6);
      expect(p.getP50).toBeCloseTo(after.stats.getLatency.p50Micros, 6);
    } finally {
      await db.close();
    }
  });
});
