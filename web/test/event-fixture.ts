// Hand-built engine events for the view-model tests, shaped as the package
// delivers them (wasm/src/events.ts): tables with byte keys, errors with a
// code, every field present.
import type { CompactionFinished, CompactionRunner, CompactionStarted, EventError, FlushFinished, StrataEvent, TableInfo, WriteStallCause } from 'stratadb';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Table `number` in `level`, `size` bytes; keys and counts made up from the number. */
export function table(number: number, level: number, size: number, keys: [string, string] = [`k${number}a`, `k${number}z`]): TableInfo {
  return {
    number,
    level,
    size,
    smallestKey: bytes(keys[0]),
    largestKey: bytes(keys[1]),
    entries: size / 10,
    tombstones: 0,
    smallestSeq: number * 100,
    largestSeq: number * 100 + 99,
  };
}

interface JobShape {
  job: number;
  level: number;
  inputs: TableInfo[];
  reason?: 'score' | 'manual';
  trivialMove?: boolean;
}

export function compactionStarted({ job, level, inputs, reason = 'score', trivialMove = false }: JobShape): CompactionStarted {
  return { type: 'compaction', phase: 'started', job, reason, score: reason === 'score' ? 1.25 : 0, level, outputLevel: level + 1, trivialMove, inputs };
}

interface FinishedShape extends JobShape {
  outputs: TableInfo[];
  micros?: number;
  runner?: CompactionRunner;
  error?: EventError | null;
}

/** Bytes and entries read and written are the sums of the tables'. */
export function compactionFinished({ outputs, micros = 5000, runner = 'worker', error = null, ...job }: FinishedShape): CompactionFinished {
  const sum = (tables: TableInfo[], field: 'size' | 'entries') => tables.reduce((n, t) => n + t[field], 0);
  const moved = job.trivialMove === true;
  return {
    ...compactionStarted(job),
    phase: 'finished',
    outputs,
    bytesRead: moved ? 0 : sum(job.inputs, 'size'),
    bytesWritten: moved ? 0 : sum(outputs, 'size'),
    entriesRead: moved ? 0 : sum(job.inputs, 'entries'),
    entriesWritten: moved ? 0 : sum(outputs, 'entries'),
    micros,
    runner: moved ? 'manifest' : runner,
    error,
  };
}

export const progress = (job: number, step: 'input-sent' | 'output-installed', done: number, total: number): StrataEvent => ({
  type: 'compaction',
  phase: 'progress',
  job,
  step,
  done,
  total,
});

export function flushFinished(job: number, output: TableInfo | null, micros = 3000, error: EventError | null = null): FlushFinished {
  return { type: 'flush', phase: 'finished', job, reason: 'memtable-full', memtableBytes: 65_536, memtableEntries: 300, output, micros, error };
}

export const stall = (stalled: boolean, cause: WriteStallCause = 'l0-stop', l0Files = 12): StrataEvent => ({ type: 'write-stall', stalled, cause, l0Files });
