// Types and classes exported by every entry point.
export type { Bytes, Decoded, Encoding } from './bytes.js';
export { MAX_BATCH_BYTES, MAX_KEY_BYTES, MAX_VALUE_BYTES } from './bytes.js';
/** Every limit, option range and default the engine enforces (wasm/binding/package_limits.h). */
export { LIMITS } from './limits.generated.js';
export { StrataError, type StrataErrorCode } from './errors.js';
export {
  Database,
  Snapshot,
  type BatchOperation,
  type Durability,
  type ReadOptions,
  type ScanOptions,
  type WriteOptions,
} from './database.js';
export { EntryIterator, type Entry, type RangeOptions } from './iterator.js';
export { Runtime, type DestroyOptions, type OpenOptions, type RuntimeOptions } from './runtime.js';
export type { CommitStats, CompactionJobStats, Histogram, LevelStats, Stats, TableStats, TableSummary } from './stats.js';
export type { IdbDurability } from './storage.js';
export type { Api } from './api.js';
export type {
  CompactionFinished,
  CompactionProgress,
  CompactionReason,
  CompactionRunner,
  CompactionStarted,
  EventError,
  FlushFinished,
  FlushReason,
  FlushStarted,
  StrataEvent,
  StrataEventListener,
  TableInfo,
  WriteStallCause,
} from './events.js';
