// Messages between the Benchmark tab and its worker (bench-worker.ts).
//
// Page → worker: {type:'start', config} once, then perhaps {type:'cancel'}.
// Worker → page: for each workload and side in turn a 'phase', 'progress'
// at most every ~100 ms, then a 'result'; finally exactly one of 'done',
// 'cancelled' or 'error' (after the scratch databases are deleted). 'note'
// reports housekeeping (leftovers of an earlier run removed, background
// work that would not settle before a phase).

export type WorkloadId = 'awaited-puts' | 'batched-puts' | 'random-reads' | 'scan';
export type Side = 'stratadb' | 'indexeddb';

export interface BenchConfig {
  /** Operations of the awaited-puts workload. */
  awaitedOps: number;
  /** Puts of the batched workload, gets of the random reads; the scan reads everything. */
  bulkOps: number;
  /** Puts per batch / per IndexedDB transaction in the batched workload. */
  batchSize: number;
  valueSize: number;
  /** Seeds the random read keys (the same keys on both sides). */
  seed: number;
}

export interface SideResult {
  workload: WorkloadId;
  side: Side;
  /** Operations timed (puts, gets, or entries scanned). */
  ops: number;
  /** Time spent on them, pauses to read messages excluded. */
  ms: number;
  /** Set when a check of the work failed (say, a read found no value). */
  problem?: string;
}

export type ToWorker = { type: 'start'; config: BenchConfig } | { type: 'cancel' };

export type FromWorker =
  | { type: 'phase'; workload: WorkloadId; side: Side; total: number }
  | { type: 'progress'; workload: WorkloadId; side: Side; done: number; total: number }
  | { type: 'result'; result: SideResult }
  | { type: 'note'; message: string }
  | { type: 'done' }
  | { type: 'cancelled' }
  | { type: 'error'; message: string };
