// The StrataDB side of the benchmark: the package's in-thread API in the
// benchmark worker, durable writes with IndexedDB durability 'strict'.
import type { Database } from 'stratadb';
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
