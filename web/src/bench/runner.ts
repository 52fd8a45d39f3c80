// Runs one workload on one side and times it. The sides differ only in
// their BenchTarget; keys and values are made before the clock starts and
// are the same for both. Every ~100 ms a loop reports progress and pauses
// for a moment (a task), so the worker hears a Cancel; the pauses are not
// counted in the time.
import type { BenchConfig, SideResult, Side, WorkloadId } from './protocol.js';
import { keysLoaded, workloadById } from './workloads.js';
import { formatKey, makeValue } from '../workload/keys.js';
import { mulberry32, randomBelow } from '../workload/prng.js';

export interface BenchTarget {
  readonly side: Side;
  putAwaited(key: string, value: Uint8Array): Promise<void>;
  putBatch(entries: readonly (readonly [string, Uint8Array])[]): Promise<void>;
  /** Called before the reads (StrataDB flushes its memtable to a table). */
  prepareReads(): Promise<void>;
  /**
   * Resolves once the work the side does in the background (StrataDB's
   * flushes, compactions and their commits to IndexedDB) is done. Called,
   * untimed, on both sides before every phase: otherwise the tail of one
   * side's writes runs into the next phase and is timed against the other.
   * Resolves to false if it gave up waiting; stops early once `cancelled`.
   */
  settle(cancelled: () => boolean): Promise<boolean>;
  /** The value of key, at once or as a promise. */
  get(key: string): unknown;
  /**
   * Visits every entry in key order, reading its value; `visit` answers
   * false to stop. Resolves to the entries visited and their value bytes.
   */
  scan(visit: (count: number) => boolean): Promise<{ entries: number; bytes: number }>;
}

export interface Control {
  now(): number;
  cancelled(): boolean;
  progress(done: number, total: number): void;
  /** Yields to the event loop (a message may arrive). */
  pause(): Promise<void>;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

const REPORT_MS = 100;
/**
 * A scan of a small database can take less than a browser's timer step
 * (Firefox's workers round to the millisecond): it runs again until this
 * much time has passed, and its rate counts every round.
 */
const MIN_SCAN_MS = 50;
/** Values cycle through this many distinct buffers. */
const VALUE_POOL = 64;

/** The keys, values and read order of a run (made once, shared by both sides). */
export interface BenchData {
  keys: string[];
  values: Uint8Array[];
  readKeys: string[];
}

export function makeData(config: BenchConfig): BenchData {
  const keys = Array.from({ length: keysLoaded(config) }, (_, i) => formatKey(i));
  const values = Array.from({ length: VALUE_POOL }, (_, i) => makeValue(config.valueSize, i));
  const random = mulberry32(config.seed);
  const readKeys = Array.from({ length: config.bulkOps }, () => keys[randomBelow(random, keys.length)]!);
  return { keys, values, readKeys };
}

/** Runs step(0..n-1), awaiting what it returns; resolves to the milliseconds taken, pauses excluded. */
export async function timedLoop(n: number, control: Control, step: (i: number) => unknown, unitsPerStep = 1, totalUnits = n): Promise<number> {
  if (control.cancelled()) throw new Cancelled();
  const start = control.now();
  let paused = 0;
  let lastReport = start;
  for (let i = 0; i < n; i++) {
    const r = step(i);
    if (r instanceof Promise) {
      await r;
      // The await let a Cancel message in.
      if (control.cancelled()) throw new Cancelled();
    }
    const t = control.now();
    if (t - lastReport >= REPORT_MS) {
      control.progress(Math.min(totalUnits, (i + 1) * unitsPerStep), totalUnits);
      await control.pause();
      lastReport = control.now();
      paused += lastReport - t;
      if (control.cancelled()) throw new Cancelled();
    }
  }
  const ms = control.now() - start - paused;
  control.progress(totalUnits, totalUnits);
  return ms;
}

export async function runWorkload(
  id: WorkloadId,
  target: BenchTarget,
  config: BenchConfig,
  data: BenchData,
  control: Control,
): Promise<SideResult> {
  const workload = workloadById(id);
  const total = workload.ops(config);
  const value = (i: number) => data.values[i % data.values.length]!;
  const result = (ms: number, problem?: string): SideResult => ({
    workload: id,
    side: target.side,
    ops: total,
    ms,
    ...(problem ? { problem } : {}),
  });
  switch (id) {
    case 'awaited-puts':
      return result(await timedLoop(total, control, (i) => target.putAwaited(data.keys[i]!, value(i))));
    case 'batched-puts': {
      const size = config.batchSize;
      const batches: (readonly [string, Uint8Array])[][] = [];
      for (let b = 0; b * size < total; b++) {
        const batch: [string, Uint8Array][] = [];
        for (let i = b * size; i < Math.min(total, (b + 1) * size); i++) batch.push([data.keys[i]!, value(i)]);
        batches.push(batch);
      }
      return result(await timedLoop(batches.length, control, (b) => target.putBatch(batches[b]!), size, total));
    }
    case 'random-reads': {
      await target.prepareReads();
      // Every key read was written with a value of valueSize bytes.
      let misses = 0;
      let wrong = 0;
      const check = (v: unknown) => {
        if (v === undefined) misses++;
        else if (!ArrayBuffer.isView(v) || v.byteLength !== config.valueSize) wrong++;
      };
      const ms = await timedLoop(total, control, (i) => {
        const r = target.get(data.readKeys[i]!);
        return r instanceof Promise ? r.then(check) : check(r);
      });
      const problems = [
        ...(misses > 0 ? [`${misses} of ${total} reads found no value`] : []),
        ...(wrong > 0 ? [`${wrong} of ${total} reads found a value that is not ${config.valueSize} bytes`] : []),
      ];
      return result(ms, problems.join('; ') || undefined);
    }
    case 'scan': {
      if (control.cancelled()) throw new Cancelled();
      const start = control.now();
      let lastReport = start;
      let stopped = false;
      let rounds = 0;
      let problem: string | undefined;
      do {
        const { entries, bytes } = await target.scan((n) => {
          // No pause inside a scan (an IndexedDB cursor's transaction would end): progress only.
          if ((n & 255) === 0) {
            const t = control.now();
            if (t - lastReport >= REPORT_MS) {
              lastReport = t;
              control.progress(n, total);
              if (control.cancelled()) stopped = true;
            }
          }
          return !stopped;
        });
        rounds++;
        problem =
          entries !== total
            ? `scanned ${entries} entries, expected ${total}`
            : bytes !== total * config.valueSize
              ? `scanned ${bytes} value bytes, expected ${total * config.valueSize}`
              : undefined;
      } while (!stopped && !problem && control.now() - start < MIN_SCAN_MS);
      const ms = control.now() - start;
      if (stopped) throw new Cancelled();
      control.progress(total, total);
      return { ...result(ms, problem), ops: total * rounds };
    }
  }
}
