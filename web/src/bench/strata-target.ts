// The StrataDB side of the benchmark: the package's in-thread API in the
// benchmark worker, durable writes with IndexedDB durability 'strict'.
import type { Database, Stats } from 'stratadb';
import type { BenchTarget } from './runner.js';

export type BenchDatabase = Database<'utf8', 'binary'>;

/** The options the scratch database is opened with. */
export const STRATA_BENCH_OPTIONS = {
  keyEncoding: 'utf8',
  valueEncoding: 'binary',
  durability: 'durable',
  idbDurability: 'strict',
  compaction: 'worker',
} as const;

export function strataTarget(db: BenchDatabase): BenchTarget {
  return {
    side: 'stratadb',
    putAwaited: (key, value) => db.put(key, value),
    putBatch: (entries) => db.batch(entries.map(([key, value]) => ({ type: 'put', key, value }))),
    prepareReads: () => db.flush(),
    settle: (cancelled) => settle(db, cancelled),
    get: (key) => db.get(key),
    scan: async (visit) => {
      let entries = 0;
      let bytes = 0;
      for (const entry of db.iterator()) {
        entries++;
        bytes += entry.value.length;
        if (!visit(entries)) break;
      }
      return { entries, bytes };
    },
  };
}

/** Longest wait for background work; a database that never settles is then timed as it is. */
export const SETTLE_TIMEOUT_MS = 60_000;

/**
 * No flush or compaction running or due: the engine's own test for pending
 * work (DBImpl::HasPendingWork). A read-only database does no more work.
 */
export function isSettled(stats: Stats): boolean {
  if (stats.readOnly) return true;
  return stats.compactionsRunning === 0 && !stats.immutableMemtable && stats.levels.every((level) => level.score < 1);
}

/**
 * Waits until isSettled and what the work changed is durable (checking
 * every 10 ms), at most timeoutMs or until cancelled; resolves to whether
 * it settled.
 */
export async function settle(db: BenchDatabase, cancelled: () => boolean = () => false, timeoutMs = SETTLE_TIMEOUT_MS): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (isSettled(db.stats())) {
      await db.sync(); // the commit of the last step's files
      if (isSettled(db.stats())) return true;
    }
    if (cancelled() || performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
