// Hand-built Stats for the view-model tests: every counter 0 unless given,
// histograms from lists of observed latencies with the engine's bounds.
import type { Histogram, Stats } from 'stratadb';

/** engine/src/stats/histogram.h kHistogramBucketBounds. */
export const BOUNDS = [
  1, 2, 3, 5, 7, 10, 20, 30, 50, 70, 100, 200, 300, 500, 700, 1e3, 2e3, 3e3, 5e3, 7e3, 1e4, 2e4, 3e4, 5e4, 7e4, 1e5, 2e5, 3e5,
  5e5, 7e5, 1e6, 2e6, 3e6, 5e6, 7e6, 1e7,
];

/** Index of the bucket holding `micros`: the first bound >= it, or the overflow bucket. */
function bucketOf(micros: number): number {
  const i = BOUNDS.findIndex((b) => micros <= b);
  return i < 0 ? BOUNDS.length : i;
}

export function histogram(values: number[] = []): Histogram {
  const buckets = new Array<number>(BOUNDS.length + 1).fill(0);
  for (const v of values) buckets[bucketOf(v)]!++;
  const count = values.length;
  return {
    count,
    sumMicros: values.reduce((a, b) => a + b, 0),
    minMicros: count ? Math.min(...values) : 0,
    maxMicros: count ? Math.max(...values) : 0,
    p50Micros: 0,
    p99Micros: 0,
    bucketBoundsMicros: BOUNDS.slice(),
    buckets,
  };
}

export function stats(overrides: Partial<Stats> = {}): Stats {
  return {
    puts: 0,
    gets: 0,
    getHits: 0,
    deletes: 0,
    batchWrites: 0,
    scans: 0,
    userBytesWritten: 0,
    userBytesRead: 0,
    lastSequence: 0,
    walBytes: 0,
    walRecords: 0,
    walSyncs: 0,
    walSegmentsCreated: 0,
    walLiveSegments: 1,
    memtableBytes: 0,
    memtableEntries: 0,
    memtableLimit: 4 << 20,
    immutableMemtableBytes: 0,
    immutableMemtable: false,
    walSegmentLimit: 256,
    l0CompactionTrigger: 4,
    l0SlowdownTrigger: 8,
    l0StopTrigger: 12,
    flushes: 0,
    flushBytesWritten: 0,
    compactions: 0,
    compactionsRunning: 0,
    compactionBytesRead: 0,
    compactionBytesWritten: 0,
    compactionMicros: 0,
    writeAmplification: 0,
    slowdownWrites: 0,
    stoppedWrites: 0,
    stallMicros: 0,
    writeStopped: false,
    bloomChecks: 0,
    bloomUseful: 0,
    blockCacheHits: 0,
    blockCacheMisses: 0,
    blockCacheUsage: 0,
    blockCacheCapacity: 8 << 20,
    tableCacheHits: 0,
    tableCacheMisses: 0,
    recoveredWalSegments: 0,
    recoveredRecords: 0,
    recoveryDroppedRecords: 0,
    recoveryDroppedBytes: 0,
    readOnly: false,
    readOnlyReason: '',
    levels: [0, 1, 2, 3, 4, 5, 6].map((level) => ({
      level,
      files: 0,
      bytes: 0,
      targetBytes: level === 0 ? 0 : 10 << 20,
      score: 0,
      smallestKey: new Uint8Array(),
      largestKey: new Uint8Array(),
      compactionBytesRead: 0,
      compactionBytesWritten: 0,
      tables: [],
    })),
    putLatency: histogram(),
    getLatency: histogram(),
    scanLatency: histogram(),
    flushLatency: histogram(),
    compactionLatency: histogram(),
    commits: { commits: 0, filesStored: 0, filesDeleted: 0, bytesStored: 0, filesStoredAhead: 0, commitMicros: 0, lastDurableAt: 0, waiting: 0, inProgress: false },
    compactionJobs: { runner: 'inline', sent: 0, installed: 0, runHere: 0, storedByRunner: 0 },
    ...overrides,
  };
}
