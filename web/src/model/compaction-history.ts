// The compaction panel's model: fed the database's events and stats
// samples, it keeps the running compaction job and a bounded history of
// finished compactions, flushes and write stalls. Pure (no DOM, no timers):
// the caller passes the time each event or sample arrived.
//
// What the events leave out, the stats fill in:
// - A job's levels: its input paths name table files (/stratadb/<db>/000123.sst)
//   that the stats list under their level; the engine always compacts level
//   n (plus the overlapping tables of n+1) into n+1. Inputs a sample has not
//   listed yet are often outputs of an earlier job, whose level is known.
//   After the job, its output files are found in the stats too.
// - Jobs run in the database's own instance ('here': compaction: 'inline',
//   or after a runner failed) report no files: the per-level compaction
//   counters and the tables that vanished between two samples tell their
//   levels and bytes, when only that one job ran in between.
// - A flush's output bytes: the growth of stats.flushBytesWritten.
// Events that happen before a stats read reach us before its reply (one
// FIFO message channel), so rows finished since the last sample are exactly
// the work between the previous sample and this one.
import type { Stats, StrataEvent } from 'stratadb';

export type Runner = 'worker' | 'instance' | 'here';

export interface JobInput {
  path: string;
  /** From the file name; undefined if the path names no table. */
  number: number | undefined;
  bytes: number;
  /** Found in the stats; undefined until then. */
  level: number | undefined;
}

export interface RunningJob {
  job: number;
  runner: Runner;
  startedAt: number;
  inputs: JobInput[];
  bytesIn: number;
  fromLevel: number | undefined;
  toLevel: number | undefined;
  /** Sending inputs to the runner, running there, installing its outputs. */
  stage: 'sending' | 'running' | 'installing';
  /** Files sent or installed of the stage's total. */
  done: number;
  total: number;
}

export type RowKind = 'compaction' | 'flush' | 'stall';

export interface HistoryRow {
  /** Unique within the history: 'c<job>', 'f<n>', 's<n>'. */
  id: string;
  kind: RowKind;
  /** When it started (Date.now()). */
  at: number;
  /** Duration in µs; undefined while it lasts (an ongoing stall). */
  micros: number | undefined;
  job?: number;
  runner?: Runner;
  /** Compaction: level n into n+1. Flush: toLevel 0. */
  fromLevel?: number;
  toLevel?: number;
  bytesIn?: number;
  /** The part of bytesIn read from the upper level (fromLevel). */
  upperBytesIn?: number;
  bytesOut?: number;
  filesIn?: number;
  filesOut?: number;
  inputFiles?: number[];
  outputFiles?: number[];
  /** Stall: writes that had to wait. */
  writes?: number;
  /** Bumped on every change, so a view redraws only the rows that changed. */
  version: number;
}

/** The number of the table file a path names (`/stratadb/db/000123.sst` → 123). */
export function fileNumberOf(path: string): number | undefined {
  const m = /(?:^|\/)(\d+)\.sst$/.exec(path);
  return m ? Number(m[1]) : undefined;
}

/**
 * A compaction's write amplification as RocksDB reports it per level
 * (W-Amp): bytes written / bytes read from the upper level. Moving n bytes
 * down into a level that holds 10n of overlapping data writes 11n: 11×.
 * (Bytes out / all bytes in stays near 1 and says only how much was
 * dropped.) Undefined when the upper level's share is unknown.
 */
export function writeAmplification(row: HistoryRow): number | undefined {
  if (row.kind !== 'compaction' || row.bytesOut === undefined || !row.upperBytesIn) return undefined;
  return row.bytesOut / row.upperBytesIn;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Bytes of the inputs from level `from`, once every input's level is known. */
function upperBytes(inputs: readonly JobInput[], from: number | undefined): number | undefined {
  if (from === undefined || inputs.length === 0 || inputs.some((i) => i.level === undefined)) return undefined;
  return sum(inputs.filter((i) => i.level === from).map((i) => i.bytes));
}

interface TableSeen {
  level: number;
  size: number;
}

export class CompactionHistory {
  private job: RunningJob | undefined;
  private flushStartedAt: number | undefined;
  private readonly kinds: Record<RowKind, HistoryRow[]> = { compaction: [], flush: [], stall: [] };
  private openStall: HistoryRow | undefined;
  private stallDepth = 0;
  private counter = 0;
  /** Rows finished since the last stats sample. */
  private sinceSample: HistoryRow[] = [];
  /** Compaction rows whose levels or upper-level bytes are not known yet, with their inputs and samples tried. */
  private unresolved = new Map<HistoryRow, { inputs: JobInput[]; tries: number }>();
  /** Levels of the outputs of recent jobs: inputs of the next ones, often before a sample lists them. */
  private outputLevels = new Map<number, number>();
  private previous: Stats | undefined;
  private previousTables = new Map<number, TableSeen>();
  private tables = new Map<number, TableSeen>();
  private last: HistoryRow | undefined;
  private changes = 0;

  /** At most `limit` rows of each kind are kept. */
  constructor(readonly limit = 200) {}

  /** Bumped whenever anything the views show changed. */
  get revision(): number {
    return this.changes;
  }

  get running(): RunningJob | undefined {
    return this.job;
  }

  /** The last compaction that finished. */
  get lastCompaction(): HistoryRow | undefined {
    return this.last;
  }

  /** A flush is under way (between its started and finished events). */
  get flushing(): boolean {
    return this.flushStartedAt !== undefined;
  }

  /** Writes are waiting for a compaction. */
  get stalled(): boolean {
    return this.stallDepth > 0;
  }

  /** Every kept row, newest (by start) first. */
  rows(kinds: ReadonlySet<RowKind> = new Set(['compaction', 'flush', 'stall'])): HistoryRow[] {
    const out: HistoryRow[] = [];
    for (const kind of kinds) out.push(...this.kinds[kind]);
    return out.sort((a, b) => b.at - a.at || (b.id < a.id ? -1 : 1));
  }

  /** Forgets everything (another database was opened). */
  reset(): void {
    this.job = undefined;
    this.flushStartedAt = undefined;
    this.kinds.compaction = [];
    this.kinds.flush = [];
    this.kinds.stall = [];
    this.openStall = undefined;
    this.stallDepth = 0;
    this.sinceSample = [];
    this.unresolved = new Map();
    this.outputLevels = new Map();
    this.previous = undefined;
    this.previousTables = new Map();
    this.tables = new Map();
    this.last = undefined;
    this.changes++;
  }

  /** Takes one event; returns whether anything changed. */
  event(e: StrataEvent, at: number): boolean {
    switch (e.type) {
      case 'compaction':
        if (e.phase === 'started') this.started(e.job, e.runner, e.inputs, at);
        else if (e.phase === 'progress') {
          const job = this.job;
          if (!job || job.job !== e.job) return false;
          job.stage = e.step === 'output-installed' ? 'installing' : e.done < e.total ? 'sending' : 'running';
          job.done = e.done;
          job.total = e.total;
        } else this.finished(e.job, e.runner, e.outputs, e.bytesWritten, e.micros, at);
        break;
      case 'flush':
        if (e.phase === 'started') this.flushStartedAt = at;
        else {
          this.flushStartedAt = undefined;
          const row = this.add({ id: `f${++this.counter}`, kind: 'flush', at: at - e.micros / 1000, micros: e.micros, toLevel: 0, filesOut: 1, version: 0 });
          this.sinceSample.push(row);
        }
        break;
      case 'write-stall':
        if (e.stalled) {
          this.stallDepth++;
          if (this.openStall) {
            this.openStall.writes = (this.openStall.writes ?? 0) + 1;
            this.openStall.version++;
          } else {
            this.openStall = this.add({ id: `s${++this.counter}`, kind: 'stall', at, micros: undefined, writes: 1, version: 0 });
          }
        } else {
          // Every waiting write reports its own stall and its own end.
          this.stallDepth = Math.max(0, this.stallDepth - 1);
          if (this.stallDepth > 0 || !this.openStall) return false;
          this.openStall.micros = Math.max(0, (at - this.openStall.at) * 1000);
          this.openStall.version++;
          this.openStall = undefined;
        }
        break;
      default:
        return false;
    }
    this.changes++;
    return true;
  }

  private started(id: number, runner: Runner, files: { path: string; bytes: number }[], at: number): void {
    // A job the runner failed runs here under the same number, without files.
    if (this.job?.job === id && files.length === 0) {
      this.job.runner = runner;
      this.job.stage = 'running';
      return;
    }
    const inputs = files.map(({ path, bytes }) => ({ path, bytes, number: fileNumberOf(path), level: undefined }));
    this.job = {
      job: id,
      runner,
      startedAt: at,
      inputs,
      bytesIn: sum(inputs.map((i) => i.bytes)),
      fromLevel: undefined,
      toLevel: undefined,
      stage: inputs.length > 0 ? 'sending' : 'running',
      done: 0,
      total: inputs.length,
    };
    this.resolveRunning();
  }

  private finished(id: number, runner: Runner, outputs: { path: string; bytes: number }[], bytesOut: number, micros: number, at: number): void {
    const job = this.job?.job === id ? this.job : undefined;
    this.job = undefined;
    const inputs = job?.inputs ?? [];
    const from = job ? this.fromLevelOf(inputs) : undefined;
    // A job run here reports its start only once it is done.
    const startedAt = Math.min(job?.startedAt ?? at, at - micros / 1000);
    const row: HistoryRow = {
      id: `c${id}`,
      kind: 'compaction',
      at: startedAt,
      // The runner times its own work; from the started event on, the wall
      // time also holds sending inputs and installing outputs.
      micros: Math.max(micros, (at - startedAt) * 1000),
      job: id,
      runner,
      fromLevel: from,
      toLevel: from === undefined ? undefined : from + 1,
      bytesOut,
      version: 0,
    };
    if (inputs.length > 0) {
      row.bytesIn = job?.bytesIn;
      row.filesIn = inputs.length;
      row.inputFiles = inputs.flatMap((i) => (i.number === undefined ? [] : [i.number]));
      row.upperBytesIn = upperBytes(inputs, from);
    }
    if (outputs.length > 0 || (inputs.length > 0 && runner !== 'here')) {
      // A job that dropped every entry has no outputs at all.
      row.filesOut = outputs.length;
      row.outputFiles = outputs.flatMap((o) => {
        const n = fileNumberOf(o.path);
        return n === undefined ? [] : [n];
      });
    }
    this.add(row);
    this.last = row;
    this.sinceSample.push(row);
    if (row.toLevel === undefined || (inputs.length > 0 && row.upperBytesIn === undefined)) this.unresolved.set(row, { inputs, tries: 0 });
    else this.settled(row);
  }

  /** Remembers where a job's outputs went. */
  private settled(row: HistoryRow): void {
    if (row.toLevel === undefined) return;
    for (const n of row.outputFiles ?? []) this.outputLevels.set(n, row.toLevel);
    for (const n of this.outputLevels.keys()) {
      if (this.outputLevels.size <= 4096) break;
      this.outputLevels.delete(n); // oldest first
    }
  }

  /** Takes a stats sample; returns whether anything changed. */
  stats(stats: Stats): boolean {
    const before = this.changes;
    const previous = this.previous && stats.compactions >= this.previous.compactions && stats.flushes >= this.previous.flushes ? this.previous : undefined;
    this.previousTables = previous ? this.tables : new Map();
    this.tables = new Map();
    for (const level of stats.levels) for (const t of level.tables) this.tables.set(t.number, { level: level.level, size: t.size });

    if (this.resolveRunning()) this.changes++;
    if (previous) {
      this.resolveHere(previous, stats);
      this.resolveFlushes(previous, stats);
    }
    this.resolveOutputs();
    this.sinceSample = [];
    this.previous = stats;
    return this.changes !== before;
  }

  private levelOf(n: number | undefined): number | undefined {
    if (n === undefined) return undefined;
    return (this.tables.get(n) ?? this.previousTables.get(n))?.level ?? this.outputLevels.get(n);
  }

  /**
   * The level a job compacts from: the lowest of its inputs' levels, once
   * that is sure: all are known, or two levels are seen (inputs come from n
   * and n+1 only). Fills in the inputs' levels it finds.
   */
  private fromLevelOf(inputs: JobInput[]): number | undefined {
    for (const input of inputs) input.level ??= this.levelOf(input.number);
    const known = new Set(inputs.flatMap((i) => (i.level === undefined ? [] : [i.level])));
    if (known.size === 0 || (known.size === 1 && inputs.some((i) => i.level === undefined))) return undefined;
    return Math.min(...known);
  }

  /** Finds the running job's inputs in the stats. */
  private resolveRunning(): boolean {
    const job = this.job;
    if (!job || job.inputs.length === 0 || job.fromLevel !== undefined) return false;
    job.fromLevel = this.fromLevelOf(job.inputs);
    if (job.fromLevel === undefined) return false;
    job.toLevel = job.fromLevel + 1;
    return true;
  }

  /** Finished jobs whose levels or bytes are unknown: find their outputs (or inputs) in the stats. */
  private resolveOutputs(): void {
    for (const [row, pending] of this.unresolved) {
      let to: number | undefined;
      for (const n of row.outputFiles ?? []) to ??= this.tables.get(n)?.level;
      to ??= row.toLevel;
      const from = this.fromLevelOf(pending.inputs);
      if (to === undefined && from !== undefined) to = from + 1;
      if (to !== undefined && (row.toLevel !== to || row.upperBytesIn === undefined)) {
        const upper = upperBytes(pending.inputs, to - 1);
        if (row.toLevel !== to || upper !== undefined) {
          row.toLevel = to;
          row.fromLevel = to - 1;
          row.upperBytesIn = upper;
          row.version++;
          this.changes++;
        }
      }
      const done = row.toLevel !== undefined && (pending.inputs.length === 0 || row.upperBytesIn !== undefined);
      // Files show up in the sample after the job, or not at all: a few tries are enough.
      if (done || ++pending.tries >= 4 || !this.kinds.compaction.includes(row)) {
        this.unresolved.delete(row);
        this.settled(row);
      }
    }
  }

  /** Jobs that ran here report no files: what changed between the two samples tells. */
  private resolveHere(previous: Stats, stats: Stats): void {
    const rows = this.sinceSample.filter((r) => r.kind === 'compaction' && r.runner === 'here' && r.filesIn === undefined);
    if (rows.length === 0) return;
    const grown = stats.levels.filter((level) => {
      const old = previous.levels[level.level];
      return old !== undefined && (level.compactionBytesWritten > old.compactionBytesWritten || level.compactionBytesRead > old.compactionBytesRead);
    });
    if (grown.length !== 1) return;
    const into = grown[0]!;
    for (const row of rows) {
      row.toLevel = into.level;
      row.fromLevel = into.level - 1;
      row.version++;
      this.unresolved.delete(row);
    }
    this.changes++;
    if (rows.length !== 1) return; // several jobs: their bytes cannot be told apart
    const row = rows[0]!;
    row.bytesIn = into.compactionBytesRead - previous.levels[into.level]!.compactionBytesRead;
    const vanished = [...this.previousTables].filter(([n, t]) => !this.tables.has(n) && (t.level === row.fromLevel || t.level === row.toLevel));
    const upper = vanished.filter(([, t]) => t.level === row.fromLevel);
    if (upper.length > 0) {
      row.filesIn = vanished.length;
      row.upperBytesIn = sum(upper.map(([, t]) => t.size));
      row.inputFiles = vanished.map(([n]) => n);
    }
    const appeared = [...this.tables].filter(([n, t]) => t.level === row.toLevel && !this.previousTables.has(n));
    row.filesOut = appeared.length;
    row.outputFiles = appeared.map(([n]) => n);
  }

  /** A flush's bytes: the growth of flushBytesWritten, or the new L0 tables when several events came. */
  private resolveFlushes(previous: Stats, stats: Stats): void {
    const rows = this.sinceSample.filter((r) => r.kind === 'flush');
    if (rows.length === 0) return;
    if (rows.length === 1) {
      // One event can stand for several flushes (the engine reports a work
      // step's flushes together): the counters tell how many.
      rows[0]!.bytesOut = stats.flushBytesWritten - previous.flushBytesWritten;
      rows[0]!.filesOut = Math.max(1, stats.flushes - previous.flushes);
    } else {
      const fresh = [...this.tables]
        .filter(([n, t]) => t.level === 0 && !this.previousTables.has(n))
        .sort(([a], [b]) => a - b);
      if (fresh.length !== rows.length) return;
      rows.forEach((row, i) => (row.bytesOut = fresh[i]![1].size));
    }
    for (const row of rows) row.version++;
    this.changes++;
  }

  private add(row: HistoryRow): HistoryRow {
    const list = this.kinds[row.kind];
    list.push(row);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    return row;
  }
}
