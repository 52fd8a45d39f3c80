import { describe, expect, it } from 'vitest';
import { createRuntime } from 'stratadb';
import {
  MIN_AMP_USER_BYTES,
  RATE_SMOOTH_MS,
  RateHistory,
  counterDelta,
  deltaPercentile,
  histogramDelta,
  isReset,
  percentileFromBuckets,
  ratePoint,
  writeAmpOf,
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
    const K = 100_000;
    const p = ratePoint(
      at(0, { userBytesWritten: 1 * K, walBytes: 1.1 * K, writeAmplification: 1.1 }),
      at(500, { userBytesWritten: 2 * K, walBytes: 2.2 * K, flushBytesWritten: 1 * K, compactionBytesWritten: 2 * K, writeAmplification: 2.6 }),
    )!;
    expect(p.writeAmp).toBe(2.6);
    // Δengine = (2.2 + 1 + 2 - 1.1) K = 4.1 K over Δuser = 1 K.
    expect(p.writeAmpRecent).toBeCloseTo(4.1, 12);
  });

  it('shows no write amplification until MIN_AMP_USER_BYTES were written', () => {
    // Three tiny puts: their WAL records dwarf them.
    const p = ratePoint(at(0), at(500, { puts: 3, userBytesWritten: 30, walBytes: 531, writeAmplification: 17.7 }))!;
    expect(p.writeAmp).toBeNull();
    expect(p.writeAmpRecent).toBeNull();
    expect(writeAmpOf(stats({ userBytesWritten: MIN_AMP_USER_BYTES, writeAmplification: 1.2 }))).toBe(1.2);
    expect(writeAmpOf(stats({ userBytesWritten: MIN_AMP_USER_BYTES - 1, writeAmplification: 1.2 }))).toBeNull();
  });

  it('gives commits per second, bytes and time per commit, and the writers waiting', () => {
    const commits = (n: number, bytes: number, micros: number, waiting: number) => ({
      commits: n, filesStored: n, filesDeleted: 0, bytesStored: bytes, filesStoredAhead: 0, commitMicros: micros, lastDurableAt: 1, waiting, inProgress: waiting > 0,
    });
    const p = ratePoint(at(0, { commits: commits(10, 1000, 50_000, 0) }), at(2000, { commits: commits(14, 401_000, 850_000, 3200) }))!;
    expect(p.commitsPerSec).toBe(2);
    expect(p.commitBytes).toBe(100_000);
    expect(p.commitMicros).toBe(200_000);
    expect(p.commitWaiting).toBe(3200);
    const idle = ratePoint(at(0, { commits: commits(10, 1000, 50_000, 0) }), at(500, { commits: commits(10, 1000, 50_000, 0) }))!;
    expect(idle.commitsPerSec).toBe(0);
    expect(idle.commitBytes).toBeNull();
    expect(idle.commitMicros).toBeNull();
    // Fewer commits than before: the handle was reopened.
    expect(ratePoint(at(0, { commits: commits(10, 1000, 50_000, 0) }), at(500, { commits: commits(2, 100, 4000, 0) }))!.reset).toBe(true);
  });

  it('carries the caller-side latencies of its window', () => {
    const caller = { durableP50: 40_000, durableP99: 180_000, deferredP50: null, deferredP99: null, readP50: 90, readP99: 400 };
    const p = ratePoint(at(0), { ...at(500), caller })!;
    expect([p.callerDurableP50, p.callerDurableP99, p.callerDeferredP99, p.callerReadP99]).toEqual([40_000, 180_000, null, 400]);
    expect(ratePoint(at(0), at(500))!.callerDurableP99).toBeNull();
  });
});

describe('RateHistory', () => {
  /** A steady load: per 500 ms, 100 puts of 1,000 bytes each, WAL 1.1× user bytes. */
  function steady(i: number, extra: Parameters<typeof stats>[0] = {}): Sample {
    return at(10_000 + i * 500, {
      puts: 100 * i,
      userBytesWritten: 100_000 * i,
      walBytes: 110_000 * i,
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
    // 100 s of steady writes (WA 1.1), then one compaction writing 3 300 000 bytes at i = 200.
    for (let i = 0; i <= 200; i++) r.push(steady(i, i === 200 ? { compactionBytesWritten: 3_300_000 } : {}));
    // Window: the sample 30 s (60 samples) back. User bytes 6 000 000, engine 6 600 000 + 3 300 000.
    expect(r.latest!.writeAmpRecent).toBeCloseTo(9_900_000 / 6_000_000, 9);
    // 30 s on, both ends of the window count the compaction: only the WAL grows in it.
    for (let i = 201; i <= 262; i++) r.push(steady(i, { compactionBytesWritten: 3_300_000 }));
    expect(r.latest!.writeAmpRecent).toBeCloseTo(1.1, 9);
  });

  it('restarts counting after a reopen', () => {
    const r = new RateHistory();
    for (let i = 0; i <= 10; i++) r.push(steady(i));
    // Reopened: counters start again from 0; 20 puts since.
    const p = r.push(at(10_000 + 11 * 500, { puts: 20, userBytesWritten: 200_000, walBytes: 300_000, writeAmplification: 1.5 }))!;
    expect(p.reset).toBe(true);
    expect(p.putsPerSec).toBe(40);
    expect(p.writeAmp).toBe(1.5);
    expect(p.writeAmpRecent).toBeCloseTo(1.5, 9); // everything since the reopen
    const q = r.push(at(10_000 + 12 * 500, { puts: 120, userBytesWritten: 1_200_000, walBytes: 1_400_000, writeAmplification: 14 / 12 }))!;
    expect(q.reset).toBe(false);
    expect(q.putsPerSec).toBe(200);
    // The window starts at the reopen (Δ 1 100 000 / 1 000 000), not at a sample before it.
    expect(q.writeAmpRecent).toBeCloseTo(1.1, 9);
  });

  it('smooths rates over RATE_SMOOTH_MS: commit-sized bursts draw as the steady rate they add up to', () => {
    const r = new RateHistory();
    // 1,000 puts land every other half second (one commit per second): 1,000/s on average.
    let puts = 0;
    for (let i = 0; i <= 20; i++) {
      if (i % 2 === 1) puts += 1000;
      r.push(at(10_000 + i * 500, { puts }));
    }
    const late = r.points.slice(-10);
    for (const p of late) {
      expect(p.seconds).toBe(RATE_SMOOTH_MS / 1000);
      expect(p.putsPerSec).toBe(1000);
    }
  });

  it('restores saved points before the ones to come, and starts a new line after them', () => {
    const r = new RateHistory();
    const saved = new RateHistory();
    for (let i = 0; i <= 4; i++) saved.push(steady(i));
    r.restore(saved.points);
    expect(r.points).toHaveLength(4);
    expect(r.push(steady(100))).toBeNull(); // no earlier sample of this opening
    expect(r.push(steady(101))?.putsPerSec).toBe(200);
    expect(r.points).toHaveLength(5);
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
      // Every write call is in the put-latency histogram, counted in the
      // engine's sampling steps of eight (stats.ts, Histogram).
      const h = after.stats.putLatency;
      const counted = h.count - before.stats.putLatency.count;
      expect(counted % 8).toBe(0);
      expect(Math.abs(counted - 201)).toBeLessThan(8);
      // From an empty start, the interval's percentile is the engine's own.
      expect(p.putP50).toBeCloseTo(h.p50Micros, 6);
      expect(p.putP99).toBeCloseTo(h.p99Micros, 6);
      expect(p.getP50).toBeCloseTo(after.stats.getLatency.p50Micros, 6);
    } finally {
      await db.close();
    }
  });
});
