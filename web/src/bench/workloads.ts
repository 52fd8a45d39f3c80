// What the benchmark runs: four workloads, each on StrataDB and on raw
// IndexedDB, in this order on one scratch database of each (later
// workloads read what earlier ones wrote). Both sides write durably with
// IndexedDB durability 'strict'.
import type { BenchConfig, Side, WorkloadId } from './protocol.js';
import { parseWholeNumber } from '../workload/config.js';
import { MAX_VALUE_SIZE } from '../workload/keys.js';

export interface BenchWorkload {
  id: WorkloadId;
  letter: string;
  label: string;
  /** What one counted operation is. */
  unit: string;
  ops: (config: BenchConfig) => number;
  how: Record<Side, string>;
}

/** Puts per StrataDB batch and per IndexedDB transaction in the batched workload. */
export const BENCH_BATCH_SIZE = 100;

/** Keys written (and so read and scanned): both write workloads cover 0 .. n-1. */
export function keysLoaded(config: BenchConfig): number {
  return Math.max(config.awaitedOps, config.bulkOps);
}

export const BENCH_WORKLOADS: readonly BenchWorkload[] = [
  {
    id: 'awaited-puts',
    letter: 'a',
    label: 'Awaited durable puts',
    unit: 'puts',
    ops: (c) => c.awaitedOps,
    how: {
      stratadb: 'await db.put(k, v) one at a time (durable, strict)',
      indexeddb: 'one readwrite transaction per put, strict, awaited',
    },
  },
  {
    id: 'batched-puts',
    letter: 'b',
    label: 'Batched puts',
    unit: 'puts',
    ops: (c) => c.bulkOps,
    how: {
      stratadb: `await db.batch() of ${BENCH_BATCH_SIZE} puts (durable, strict)`,
      indexeddb: `one readwrite transaction of ${BENCH_BATCH_SIZE} puts, strict`,
    },
  },
  {
    id: 'random-reads',
    letter: 'c',
    label: 'Random reads',
    unit: 'gets',
    ops: (c) => c.bulkOps,
    how: {
      stratadb: 'db.get(k) (in-thread, synchronous) after a flush to tables',
      indexeddb: 'one readonly transaction and get per key, awaited',
    },
  },
  {
    id: 'scan',
    letter: 'd',
    label: 'Full scan',
    unit: 'entries',
    ops: keysLoaded,
    how: {
      stratadb: 'for (const e of db.iterator()) over every key',
      indexeddb: 'openCursor() over the object store',
    },
  },
];

export const SIDES: readonly Side[] = ['stratadb', 'indexeddb'];
export const SIDE_LABEL: Record<Side, string> = { stratadb: 'StrataDB', indexeddb: 'IndexedDB' };

export const DEFAULT_BENCH: BenchConfig = { awaitedOps: 2000, bulkOps: 20_000, batchSize: BENCH_BATCH_SIZE, valueSize: 100, seed: 42 };

/** Most data one run writes: bulk puts × value size. */
export const MAX_BENCH_BYTES = 256 * 1024 * 1024;

export interface BenchForm {
  awaitedOps: string;
  bulkOps: string;
  valueSize: string;
}

export type ParsedBench = { ok: true; value: BenchConfig } | { ok: false; field: keyof BenchForm; error: string };

export function parseBenchForm(form: BenchForm, seed = DEFAULT_BENCH.seed): ParsedBench {
  const awaited = parseWholeNumber(form.awaitedOps, 'Awaited puts', 10, 20_000);
  if (!awaited.ok) return { ok: false, field: 'awaitedOps', error: awaited.error };
  const bulk = parseWholeNumber(form.bulkOps, 'Batched puts and reads', 100, 1_000_000);
  if (!bulk.ok) return { ok: false, field: 'bulkOps', error: bulk.error };
  const value = parseWholeNumber(form.valueSize, 'Value size (bytes)', 1, MAX_VALUE_SIZE);
  if (!value.ok) return { ok: false, field: 'valueSize', error: value.error };
  const bytes = Math.max(awaited.value, bulk.value) * value.value;
  if (bytes > MAX_BENCH_BYTES) {
    return {
      ok: false,
      field: 'bulkOps',
      error: `Puts × value size is ${(bytes / 2 ** 20).toFixed(0)} MiB, over the ${MAX_BENCH_BYTES / 2 ** 20} MiB a run may write: lower one of them.`,
    };
  }
  return { ok: true, value: { awaitedOps: awaited.value, bulkOps: bulk.value, batchSize: BENCH_BATCH_SIZE, valueSize: value.value, seed } };
}

/** Every (workload, side) step of a run, in order. */
/**
 * The order the run goes in: each workload on both sides, the side that goes
 * first alternating from one workload to the next, so neither side always
 * runs right after the other's writes (the browser's own IndexedDB work
 * after a phase cannot be waited for).
 */
export function phases(): { workload: WorkloadId; side: Side }[] {
  return BENCH_WORKLOADS.flatMap((w, i) => (i % 2 === 0 ? SIDES : [...SIDES].reverse()).map((side) => ({ workload: w.id, side })));
}

export function workloadById(id: WorkloadId): BenchWorkload {
  const found = BENCH_WORKLOADS.find((w) => w.id === id);
  if (!found) throw new Error(`no benchmark workload ${id}`);
  return found;
}
