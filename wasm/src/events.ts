// What a database reports as it works, for dashboards and logs (DESIGN.md
// decision 9). Flushes, compactions, table files, WAL segments, write stalls
// and background errors are the engine's own events (engine/include/strata/
// listener.h, queued by the binding and drained after each call); durability
// points come from the storage, the transfer of a compaction job to its
// runner from the driver. Every event is complete: nothing needs inferring
// from stats. Database.subscribe() (and WorkerDatabase.subscribe()) deliver
// them; payloads are plain data, so they cross to a worker's client.
import type { StrataErrorCode } from './errors.js';
import type { TableSummary } from './stats.js';
import type { IdbDurability } from './storage.js';

/** One table file, and its level. */
export interface TableInfo extends TableSummary {
  level: number;
}

/** Why a failed job failed. */
export interface EventError {
  code: StrataErrorCode;
  message: string;
}

export type FlushReason = 'memtable-full' | 'wal-segments' | 'manual' | 'recovery';
export type CompactionReason = 'score' | 'manual' | 'seeks';
/**
 * Where a compaction job ran: 'worker' (a compaction worker), 'instance'
 * (another wasm instance in this thread), 'here' (the database's own
 * instance), 'manifest' (a trivial move: no table was rewritten).
 */
export type CompactionRunner = 'worker' | 'instance' | 'here' | 'manifest';
export type WriteStallCause = 'l0-slowdown' | 'l0-stop' | 'memtable-flushing';

export interface FlushStarted {
  type: 'flush';
  phase: 'started';
  /** Flushes and compactions share one counter, the engine's. */
  job: number;
  reason: FlushReason;
  memtableBytes: number;
  memtableEntries: number;
}

export interface FlushFinished extends Omit<FlushStarted, 'phase'> {
  phase: 'finished';
  /** The L0 table written; null when the memtable held nothing. */
  output: TableInfo | null;
  /** From its start to its end: in wasm, its steps (one per task) and the tasks between them. */
  micros: number;
  error: EventError | null;
}

export interface CompactionStarted {
  type: 'compaction';
  phase: 'started';
  job: number;
  reason: CompactionReason;
  /**
   * The input level's score when the job was picked (reason 'score'); 'seeks':
   * lookups kept reading past one of its files, which now moves down a level.
   */
  score: number;
  level: number;
  outputLevel: number;
  trivialMove: boolean;
  /** Tables of level and outputLevel, each with its level. */
  inputs: TableInfo[];
}

/** The driver sending a job's inputs to its runner, and installing its outputs. */
export interface CompactionProgress {
  type: 'compaction';
  phase: 'progress';
  job: number;
  step: 'input-sent' | 'output-installed';
  done: number;
  total: number;
}

export interface CompactionFinished extends Omit<CompactionStarted, 'phase'> {
  phase: 'finished';
  /** Tables at outputLevel. */
  outputs: TableInfo[];
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
  entriesWritten: number;
  micros: number;
  runner: CompactionRunner;
  /** Not null: the job failed, or was dropped when the database closed. */
  error: EventError | null;
}

export type StrataEvent =
  | FlushStarted
  | FlushFinished
  | CompactionStarted
  | CompactionProgress
  | CompactionFinished
  /** A table entered the current version (a flush's output or a compaction's). */
  | { type: 'table-created'; job: number; byCompaction: boolean; table: TableInfo }
  /** A table left the directory: nothing names or reads it any more. */
  | { type: 'table-deleted'; number: number }
  /** A WAL segment was closed: the engine's durability point (storage commits it). */
  | { type: 'wal-segment-closed'; number: number; bytes: number; records: number }
  /** Writes start waiting (or being slowed) / go on again. One pair per stall. */
  | { type: 'write-stall'; stalled: boolean; cause: WriteStallCause; l0Files: number }
  /** A commit reached IndexedDB: every write before it is durable. */
  | {
      type: 'durable';
      commit: number;
      filesStored: number;
      /** Of filesStored, those a worker stored ahead (CommitStats.filesStoredAhead). */
      filesStoredAhead: number;
      filesDeleted: number;
      bytes: number;
      micros: number;
      idbDurability: IdbDurability;
    }
  /** The handle turned read-only (see Database.readOnlyError). */
  | { type: 'error'; code: StrataErrorCode; message: string };

export type StrataEventListener = (event: StrataEvent) => void;

/** Listeners, each called in turn; one that throws does not stop the rest. */
export class EventHub {
  private readonly listeners = new Set<StrataEventListener>();

  get active(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: StrataEventListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('subscribe takes a function');
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: StrataEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        queueMicrotask(() => {
          throw e; // reported as uncaught, without breaking the database
        });
      }
    }
  }
}
