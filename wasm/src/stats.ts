// The engine's stats (engine/include/strata/stats.h) as typed objects. The
// binding sends them as JSON (wasm/binding/stats_json.cc) with keys in hex;
// here the keys become bytes again.
import { fromHex } from './bytes.js';

/**
 * A latency distribution; times in microseconds. Put and get latencies are
 * sampled in WebAssembly (a clock read goes out to JavaScript): one call in
 * eight is timed and counted eight times, so `count` is the number of calls
 * in steps of eight and the distribution a sample's.
 */
export interface Histogram {
  count: number;
  sumMicros: number;
  minMicros: number;
  maxMicros: number;
  p50Micros: number;
  p99Micros: number;
  /** Inclusive upper bounds; the last bucket (one more) holds the rest. */
  bucketBoundsMicros: number[];
  buckets: number[];
}

/** What a table's stats and a table in an event (TableInfo) share. Keys are user keys (bytes). */
export interface TableSummary {
  number: number;
  /** Bytes on disk. */
  size: number;
  smallestKey: Uint8Array;
  largestKey: Uint8Array;
  entries: number;
  tombstones: number;
  smallestSeq: number;
  largestSeq: number;
}

export interface TableStats extends TableSummary {
  rawKeyBytes: number;
  rawValueBytes: number;
  bloomBitsPerKey: number;
  beingCompacted: boolean;
}

export interface LevelStats {
  level: number;
  files: number;
  bytes: number;
  /** 0 for L0, which is limited by file count. */
  targetBytes: number;
  /** >= 1: the level wants compaction. */
  score: number;
  smallestKey: Uint8Array;
  largestKey: Uint8Array;
  compactionBytesRead: number;
  compactionBytesWritten: number;
  tables: TableStats[];
}

/** Counters only grow while a handle is open; gauges are current values. */
export interface Stats {
  puts: number;
  gets: number;
  getHits: number;
  deletes: number;
  batchWrites: number;
  scans: number;
  userBytesWritten: number;
  userBytesRead: number;
  lastSequence: number;
  walBytes: number;
  walRecords: number;
  walSyncs: number;
  walSegmentsCreated: number;
  walLiveSegments: number;
  memtableBytes: number;
  memtableEntries: number;
  memtableLimit: number;
  immutableMemtableBytes: number;
  immutableMemtable: boolean;
  /** Thresholds: WAL segments that force a flush (0: none), L0 files that start a compaction, delay writes, stop them. */
  walSegmentLimit: number;
  l0CompactionTrigger: number;
  l0SlowdownTrigger: number;
  l0StopTrigger: number;
  flushes: number;
  flushBytesWritten: number;
  compactions: number;
  compactionsRunning: number;
  compactionBytesRead: number;
  compactionBytesWritten: number;
  compactionMicros: number;
  writeAmplification: number;
  slowdownWrites: number;
  stoppedWrites: number;
  stallMicros: number;
  writeStopped: boolean;
  bloomChecks: number;
  bloomUseful: number;
  blockCacheHits: number;
  blockCacheMisses: number;
  blockCacheUsage: number;
  blockCacheCapacity: number;
  tableCacheHits: number;
  tableCacheMisses: number;
  recoveredWalSegments: number;
  recoveredRecords: number;
  recoveryDroppedRecords: number;
  recoveryDroppedBytes: number;
  readOnly: boolean;
  readOnlyReason: string;
  levels: LevelStats[];
  putLatency: Histogram;
  getLatency: Histogram;
  scanLatency: Histogram;
  flushLatency: Histogram;
  compactionLatency: Histogram;
  /** What the package adds: commits to storage. */
  commits: CommitStats;
  /** ... and where compaction jobs ran. */
  compactionJobs: CompactionJobStats;
}

export interface CompactionJobStats {
  /** 'worker', 'instance' or 'inline' (OpenOptions.compaction). */
  runner: 'worker' | 'instance' | 'inline';
  /** Jobs sent to the runner and installed from its outputs. */
  sent: number;
  installed: number;
  /** Jobs run in the database's own instance after the runner failed. */
  runHere: number;
  /** Jobs whose outputs the runner stored in IndexedDB itself (a compaction worker). */
  storedByRunner: number;
}

export interface CommitStats {
  /** Commits that completed. */
  commits: number;
  /** Files stored and deleted by them. */
  filesStored: number;
  filesDeleted: number;
  bytesStored: number;
  /**
   * Of the files stored, the big new ones (tables, WAL segments) a worker
   * stored ahead of their commit's own transaction, off the database's
   * thread (where there is one: a browser).
   */
  filesStoredAhead: number;
  /** Time spent in commits, from start to durable. */
  commitMicros: number;
  /** When the last commit became durable (Date.now()), 0 before the first. */
  lastDurableAt: number;
  /** Writers waiting now for a commit to make their writes durable. */
  waiting: number;
  /** Whether a commit is in progress now. */
  inProgress: boolean;
}

interface KeyRange {
  smallestKey: Uint8Array;
  largestKey: Uint8Array;
}

/** An object as the binding writes it (stats, events): its key range as hex strings. */
export type HexKeyRange<T extends KeyRange> = Omit<T, keyof KeyRange> & { smallestKeyHex: string; largestKeyHex: string };

/** The object with its key range as bytes. */
export function keyRangeFromHex<T extends KeyRange>({ smallestKeyHex, largestKeyHex, ...rest }: HexKeyRange<T>): T {
  return { ...rest, smallestKey: fromHex(smallestKeyHex), largestKey: fromHex(largestKeyHex) } as unknown as T;
}

type RawLevel = HexKeyRange<Omit<LevelStats, 'tables'>> & { tables: HexKeyRange<TableStats>[] };
type RawStats = Omit<Stats, 'levels' | 'commits' | 'compactionJobs'> & { levels: RawLevel[] };

/** Parses the binding's JSON. */
export function parseStats(json: string, commits: CommitStats, compactionJobs: CompactionJobStats): Stats {
  const raw = JSON.parse(json) as RawStats;
  const levels = raw.levels.map(({ tables, ...level }) => ({
    ...keyRangeFromHex<Omit<LevelStats, 'tables'>>(level),
    tables: tables.map((table) => keyRangeFromHex<TableStats>(table)),
  }));
  return { ...raw, levels, commits: { ...commits }, compactionJobs: { ...compactionJobs } };
}
