// Per-interval rates from successive stats samples, for the throughput and
// latency charts. The engine's counters and histograms are cumulative since
// the database was opened; the charts want "what happened lately", so every
// point here is the difference of two samples RATE_SMOOTH_MS apart.
//
// Conventions:
// - A counter that goes down means the database was reopened (counters
//   restart at 0): the delta of that interval is the current value, i.e.
//   everything counted since the reopen, which all happened inside it.
// - "writes" are write calls: puts + deletes + batches. That is exactly
//   what the put-latency histogram records (the engine times every write
//   call in one place), so write rate and write latency describe the same
//   operations. Puts, deletes and batches are kept separately as well.
// - A ratio or percentile over an interval with nothing to measure (no
//   gets, no bloom checks, ...) is null, never 0 and never NaN: the chart
//   leaves a gap instead of drawing a false zero.
// - Rates and percentiles span the last RATE_SMOOTH_MS (several samples),
//   not one half-second interval: durable writes complete in commit-sized
//   groups, so a steady load would draw as a sawtooth between 0 and twice
//   its rate.
// - Write amplification needs at least MIN_AMP_USER_BYTES of user writes:
//   three tiny puts with their WAL record headers are not "17x".
import type { Histogram, Stats } from 'stratadb';

/** Latencies as the caller saw them (model/latency-window.ts), µs; null: no such calls. */
export interface CallerPoint {
  durableP50: number | null;
  durableP99: number | null;
  deferredP50: number | null;
  deferredP99: number | null;
  readP50: number | null;
  readP99: number | null;
}

export interface Sample {
  /** Date.now() when the stats were read. */
  at: number;
  stats: Stats;
  /** The caller-side latencies of the same window, when the dashboard measured any. */
  caller?: CallerPoint;
}

export interface RatePoint {
  /** End of the interval (the newer sample's time), ms. */
  at: number;
  /** Length of the window the rates span, seconds (> 0). */
  seconds: number;
  /** The counters went down during this interval: the database was reopened. */
  reset: boolean;
  putsPerSec: number;
  deletesPerSec: number;
  batchesPerSec: number;
  /** puts + deletes + batches: write calls, as the put-latency histogram counts them. */
  writesPerSec: number;
  getsPerSec: number;
  scansPerSec: number;
  /** Latencies of the operations of this interval, microseconds; null without operations. */
  putP50: number | null;
  putP99: number | null;
  getP50: number | null;
  getP99: number | null;
  /** Δbloom_useful / Δbloom_checks: the share of filter checks that skipped a table read. */
  bloomUseful: number | null;
  /** Δhits / (Δhits + Δmisses) of the block cache. */
  cacheHit: number | null;
  /** The engine's cumulative write amplification since open; null before MIN_AMP_USER_BYTES of user writes. */
  writeAmp: number | null;
  /**
   * Write amplification over the trailing WRITE_AMP_WINDOW_MS: Δ(WAL +
   * flush + compaction bytes written) / Δ(user bytes written). Not per
   * point: flushes and compactions write in bursts, so a ratio over a
   * few seconds swings between 1 and hundreds. Null when fewer than
   * MIN_AMP_USER_BYTES of user writes came in the window.
   */
  writeAmpRecent: number | null;
  /** Commits to IndexedDB per second. */
  commitsPerSec: number;
  /** Mean bytes stored per commit; null without commits. */
  commitBytes: number | null;
  /** Mean time per commit, µs (start to durable); null without commits. */
  commitMicros: number | null;
  /** Writers waiting for a commit at the newer sample. */
  commitWaiting: number;
  /** Caller-side latencies, µs; null where the dashboard measured none. */
  callerDurableP50: number | null;
  callerDurableP99: number | null;
  callerDeferredP50: number | null;
  callerDeferredP99: number | null;
  callerReadP50: number | null;
  callerReadP99: number | null;
}

export const RATE_WINDOW_MS = 5 * 60_000;
/** The span of each point's rates and percentiles. */
export const RATE_SMOOTH_MS = 2000;
/** Below this many user bytes written, write amplification is not shown. */
export const MIN_AMP_USER_BYTES = 64 * 1024;
export const WRITE_AMP_WINDOW_MS = 30_000;
/** 5 min at 2 Hz, with room for a faster poll. */
export const MAX_POINTS = 1200;

/** The counters whose decrease marks a reopen. */
const COUNTERS = [
  'puts',
  'gets',
  'deletes',
  'batchWrites',
  'scans',
  'userBytesWritten',
  'walBytes',
  'walRecords',
  'flushes',
  'flushBytesWritten',
  'compactions',
  'compactionBytesWritten',
  'bloomChecks',
  'bloomUseful',
  'blockCacheHits',
  'blockCacheMisses',
] as const satisfies readonly (keyof Stats)[];

/** The package's commit counters, which restart with the handle too. */
const COMMIT_COUNTERS = ['commits', 'bytesStored', 'commitMicros'] as const satisfies readonly (keyof Stats['commits'])[];

const HISTOGRAMS = ['putLatency', 'getLatency'] as const satisfies readonly (keyof Stats)[];

/** True when `cur` cannot follow `prev` without the database having been reopened. */
export function isReset(prev: Stats, cur: Stats): boolean {
  for (const key of COUNTERS) if (cur[key] < prev[key]) return true;
  for (const key of COMMIT_COUNTERS) if (cur.commits[key] < prev.commits[key]) return true;
  for (const key of HISTOGRAMS) {
    const a = prev[key];
    const b = cur[key];
    if (b.count < a.count) return true;
    if (b.buckets.length !== a.buckets.length) return true;
    for (let i = 0; i < b.buckets.length; i++) if ((b.buckets[i] ?? 0) < (a.buckets[i] ?? 0)) return true;
  }
  return false;
}

/** cur - prev of a counter, or cur after a reset; never negative. */
export function counterDelta(prev: number, cur: number, reset: boolean): number {
  if (reset || cur < prev) return Math.max(0, cur);
  return cur - prev;
}

/** Per-bucket counts of the observations between two snapshots. */
export function histogramDelta(prev: Histogram | undefined, cur: Histogram, reset: boolean): number[] {
  return cur.buckets.map((b, i) => counterDelta(reset || !prev ? 0 : (prev.buckets[i] ?? 0), b, reset));
}

/**
 * The p-th percentile (0..100) of the observations in `buckets`, estimated
 * as the engine does (engine/src/stats/histogram.cc): find the bucket that
 * holds the rank, then place the rank linearly inside it. Bucket i spans
 * (bounds[i-1], bounds[i]]; the first starts at 0; the last, past every
 * bound, is open-ended and ends at `maxMicros`. `minMicros`/`maxMicros`
 * (the histogram's since open, which enclose any interval's values) narrow
 * the first and last occupied buckets. Null when there are no observations.
 */
export function percentileFromBuckets(
  buckets: readonly number[],
  bounds: readonly number[],
  p: number,
  minMicros: number,
  maxMicros: number,
): number | null {
  let total = 0;
  for (const b of buckets) total += b;
  if (!(total > 0)) return null;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * total;
  let below = 0;
  for (let i = 0; i < buckets.length; i++) {
    const inBucket = buckets[i] ?? 0;
    if (inBucket <= 0) continue;
    if (below + inBucket >= rank) {
      let lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
      let upper = i < bounds.length ? (bounds[i] ?? lower) : maxMicros;
      lower = Math.max(lower, minMicros);
      upper = Math.min(upper, maxMicros);
      if (upper < lower) upper = lower; // inconsistent min/max: stay inside the bucket's start
      return lower + (upper - lower) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return maxMicros; // only with a rank past the total (rounding): the largest value seen
}

/** p-th percentile of what `cur` recorded since `prev`. */
export function deltaPercentile(prev: Histogram | undefined, cur: Histogram, p: number, reset: boolean): number | null {
  return percentileFromBuckets(histogramDelta(prev, cur, reset), cur.bucketBoundsMicros, p, cur.minMicros, cur.maxMicros);
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** Bytes the engine wrote to storage for user writes: WAL + flushes + compactions. */
function engineBytesWritten(s: Stats): number {
  return s.walBytes + s.flushBytesWritten + s.compactionBytesWritten;
}

/** The engine's write amplification, or null while too little was written to judge. */
export function writeAmpOf(s: Stats): number | null {
  return s.userBytesWritten >= MIN_AMP_USER_BYTES && Number.isFinite(s.writeAmplification) ? s.writeAmplification : null;
}

/**
 * The point at `cur`. `prev` is the sample just before (a counter lower
 * than in it marks a reopen: then the point covers only the interval
 * since); `rateStart` (default prev) is where its rates and percentiles
 * begin, about RATE_SMOOTH_MS back; `ampStart` (default prev) where
 * writeAmpRecent begins, about WRITE_AMP_WINDOW_MS back. Both must have no
 * reset between them and `cur`. Null when the samples are not in time order.
 */
export function ratePoint(prev: Sample, cur: Sample, ampStart: Sample = prev, rateStart: Sample = prev): RatePoint | null {
  if (!(cur.at > prev.at)) return null;
  const reset = isReset(prev.stats, cur.stats);
  const from = reset ? prev : rateStart.at < cur.at ? rateStart : prev;
  const seconds = (cur.at - from.at) / 1000;
  const a = from.stats;
  const b = cur.stats;
  const d = (key: (typeof COUNTERS)[number]) => counterDelta(a[key], b[key], reset);
  const rate = (key: (typeof COUNTERS)[number]) => d(key) / seconds;
  const dc = (key: (typeof COMMIT_COUNTERS)[number]) => counterDelta(a.commits[key], b.commits[key], reset);

  const puts = rate('puts');
  const deletes = rate('deletes');
  const batches = rate('batchWrites');

  const hits = d('blockCacheHits');
  const misses = d('blockCacheMisses');

  // After a reset the window restarts at the reopen: everything since is in `b`.
  const w = reset ? undefined : ampStart.stats;
  const userBytes = w ? b.userBytesWritten - w.userBytesWritten : b.userBytesWritten;
  const engineBytes = w ? engineBytesWritten(b) - engineBytesWritten(w) : engineBytesWritten(b);
  const commits = dc('commits');
  const caller = cur.caller;

  return {
    at: cur.at,
    seconds,
    reset,
    putsPerSec: puts,
    deletesPerSec: deletes,
    batchesPerSec: batches,
    writesPerSec: puts + deletes + batches,
    getsPerSec: rate('gets'),
    scansPerSec: rate('scans'),
    putP50: deltaPercentile(a.putLatency, b.putLatency, 50, reset),
    putP99: deltaPercentile(a.putLatency, b.putLatency, 99, reset),
    getP50: deltaPercentile(a.getLatency, b.getLatency, 50, reset),
    getP99: deltaPercentile(a.getLatency, b.getLatency, 99, reset),
    bloomUseful: ratio(d('bloomUseful'), d('bloomChecks')),
    cacheHit: ratio(hits, hits + misses),
    writeAmp: writeAmpOf(b),
    writeAmpRecent: userBytes >= MIN_AMP_USER_BYTES && engineBytes >= 0 ? engineBytes / userBytes : null,
    commitsPerSec: commits / seconds,
    commitBytes: ratio(dc('bytesStored'), commits),
    commitMicros: ratio(dc('commitMicros'), commits),
    commitWaiting: b.commits.waiting,
    callerDurableP50: caller?.durableP50 ?? null,
    callerDurableP99: caller?.durableP99 ?? null,
    callerDeferredP50: caller?.deferredP50 ?? null,
    callerDeferredP99: caller?.deferredP99 ?? null,
    callerReadP50: caller?.readP50 ?? null,
    callerReadP99: caller?.readP99 ?? null,
  };
}

/**
 * The points of the last RATE_WINDOW_MS. Feed it every sample in order;
 * clear() it when the dashboard switches to another database (a different
 * database's counters are not a continuation, and need not be lower).
 */
export class RateHistory {
  private readonly list: RatePoint[] = [];
  /** Recent samples since the last reset, oldest first, for writeAmpRecent. */
  private samples: Sample[] = [];

  constructor(
    private readonly windowMs = RATE_WINDOW_MS,
    private readonly maxPoints = MAX_POINTS,
    private readonly writeAmpWindowMs = WRITE_AMP_WINDOW_MS,
    private readonly smoothMs = RATE_SMOOTH_MS,
  ) {}

  get points(): readonly RatePoint[] {
    return this.list;
  }

  get latest(): RatePoint | undefined {
    return this.list[this.list.length - 1];
  }

  clear(): void {
    this.list.length = 0;
    this.samples = [];
  }

  /**
   * Points kept from before (a saved history), older than any sample to
   * come; the next sample starts a new line after them.
   */
  restore(points: readonly RatePoint[]): void {
    this.list.splice(0, this.list.length, ...points.slice(-this.maxPoints));
    this.samples = [];
  }

  /** Adds the interval ending at `sample`; returns its point (null for the first sample or one out of order). */
  push(sample: Sample): RatePoint | null {
    const prev = this.samples[this.samples.length - 1];
    if (!prev) {
      this.samples.push(sample);
      return null;
    }
    if (!(sample.at > prev.at)) return null; // out of order or duplicate: ignore
    // The oldest kept sample is at most writeAmpWindowMs older than this one.
    while (this.samples.length > 1 && sample.at - this.samples[0]!.at > this.writeAmpWindowMs) this.samples.shift();
    const ampStart = this.samples[0] ?? prev;
    // The rates start at the newest sample at least smoothMs old (or the oldest there is).
    let rateStart = this.samples[0] ?? prev;
    for (const s of this.samples) if (sample.at - s.at >= this.smoothMs) rateStart = s;
    const point = ratePoint(prev, sample, ampStart, rateStart);
    if (!point) return null;
    if (point.reset) this.samples = [];
    // Kept for 30 s without their levels (every table, its keys): the
    // points need only counters and histograms, and 60 full samples kept
    // alive would be megabytes for the garbage collector to move.
    this.samples.push({ at: sample.at, stats: { ...sample.stats, levels: [] } });

    this.list.push(point);
    const oldest = point.at - this.windowMs;
    let drop = 0;
    while (drop < this.list.length && this.list[drop]!.at < oldest) drop++;
    drop = Math.max(drop, this.list.length - this.maxPoints);
    if (drop > 0) this.list.splice(0, drop);
    return point;
  }
}
