// The compaction panel's model: fed the database's events, it keeps the
// running compaction job and a bounded history of compactions, flushes and
// write stalls. The engine's events are complete (levels, input and output
// tables, bytes, runner, outcome), so every field is the event's own.
// Pure (no DOM, no timers): the caller passes the time each event arrived.
import type {
  CompactionFinished,
  CompactionReason,
  CompactionRunner,
  CompactionStarted,
  EventError,
  FlushFinished,
  FlushReason,
  StrataEvent,
  TableInfo,
  WriteStallCause,
} from 'stratadb';

export interface RunningJob {
  job: number;
  reason: CompactionReason;
  /** The input level's score when the job was picked. */
  score: number;
  fromLevel: number;
  toLevel: number;
  inputs: TableInfo[];
  bytesIn: number;
  /** The part of bytesIn at fromLevel. */
  upperBytesIn: number;
  startedAt: number;
  /** Sending inputs to the runner, running there, installing its outputs. */
  stage: 'sending' | 'running' | 'installing';
  /** Files sent or installed of the stage's total. */
  done: number;
  total: number;
}

interface Row {
  /** Unique within the history: '<prefix>c<job>', '<prefix>f<job>', '<prefix>s<n>' (the prefix names the opening). */
  id: string;
  /** When it started (Date.now()). */
  at: number;
  /** Duration in µs; undefined while it lasts (an ongoing stall). */
  micros: number | undefined;
  /** Bumped on every change, so a view redraws only the rows that changed. */
  version: number;
}

export interface CompactionRow extends Row {
  kind: 'compaction';
  job: number;
  reason: CompactionReason;
  score: number;
  runner: CompactionRunner;
  fromLevel: number;
  toLevel: number;
  /** A table moved down by a manifest edit: nothing read or written. */
  trivialMove: boolean;
  inputs: TableInfo[];
  outputs: TableInfo[];
  bytesIn: number;
  /** The part of bytesIn read from the upper level (fromLevel). */
  upperBytesIn: number;
  bytesOut: number;
  entriesIn: number;
  entriesOut: number;
  /** The job failed, or was dropped when the database closed. */
  error: EventError | null;
}

export interface FlushRow extends Row {
  kind: 'flush';
  job: number;
  reason: FlushReason;
  memtableBytes: number;
  memtableEntries: number;
  /** The L0 table written; null when the memtable held nothing. */
  output: TableInfo | null;
  error: EventError | null;
}

export interface StallRow extends Row {
  kind: 'stall';
  cause: WriteStallCause;
  /** L0 files when it began. */
  l0Files: number;
}

export type HistoryRow = CompactionRow | FlushRow | StallRow;
export type RowKind = HistoryRow['kind'];

/**
 * A compaction's write amplification as RocksDB reports it per level
 * (W-Amp): bytes written / bytes read from the upper level. Moving n bytes
 * down into a level that holds 10n of overlapping data writes 11n: 11×.
 * (Bytes out / all bytes in stays near 1 and says only how much was
 * dropped.) Undefined for flushes, stalls, moves and failed jobs.
 */
export function writeAmplification(row: HistoryRow): number | undefined {
  if (row.kind !== 'compaction' || row.trivialMove || row.error || row.upperBytesIn === 0) return undefined;
  return row.bytesOut / row.upperBytesIn;
}

const bytesAt = (tables: readonly TableInfo[], level: number) =>
  tables.reduce((sum, t) => (t.level === level ? sum + t.size : sum), 0);

export class CompactionHistory {
  /** Jobs started and not finished yet; the engine runs one at a time. */
  private jobs = new Map<number, RunningJob>();
  private readonly kinds: { [K in RowKind]: Extract<HistoryRow, { kind: K }>[] } = { compaction: [], flush: [], stall: [] };
  private openStall: StallRow | undefined;
  private stalls = 0;
  private last: CompactionRow | undefined;
  private changes = 0;
  private prefix = '';
  private changed: HistoryRow[] = [];

  /** At most `limit` rows of each kind are kept. */
  constructor(readonly limit = 200) {}

  /** Bumped whenever anything the views show changed. */
  get revision(): number {
    return this.changes;
  }

  /** The compaction under way, the latest started if ever several. */
  get running(): RunningJob | undefined {
    return [...this.jobs.values()].pop();
  }

  /** The last compaction that finished. */
  get lastCompaction(): CompactionRow | undefined {
    return this.last;
  }

  /** The rows the last event() added or changed (to save them). */
  get touched(): readonly HistoryRow[] {
    return this.changed;
  }

  /** The write stall under way. */
  get stall(): StallRow | undefined {
    return this.openStall;
  }

  /** Every kept row, newest (by start) first. */
  rows(kinds: ReadonlySet<RowKind> = new Set(['compaction', 'flush', 'stall'])): HistoryRow[] {
    const out: HistoryRow[] = [];
    for (const kind of kinds) out.push(...this.kinds[kind]);
    return out.sort((a, b) => b.at - a.at || (b.id < a.id ? -1 : 1));
  }

  /**
   * Forgets everything (another database was opened). Row ids start with
   * `prefix` from now on, so rows of this opening never share an id with
   * restored ones (job numbers restart with each opening).
   */
  reset(prefix = ''): void {
    this.prefix = prefix;
    this.jobs = new Map();
    this.kinds.compaction = [];
    this.kinds.flush = [];
    this.kinds.stall = [];
    this.openStall = undefined;
    this.last = undefined;
    this.changes++;
  }

  /**
   * Adds saved rows (oldest first) from earlier openings. A stall that was
   * still on when its page went away has no end: it is left out.
   */
  restore(rows: readonly HistoryRow[]): void {
    const known = new Set(this.rows().map((r) => r.id));
    for (const row of rows) {
      if (!row || typeof row.id !== 'string' || known.has(row.id) || !(row.kind in this.kinds)) continue;
      if (row.kind === 'stall' && row.micros === undefined) continue;
      (this.kinds[row.kind] as HistoryRow[]).push(row);
      known.add(row.id);
      if (row.kind === 'compaction' && (!this.last || row.at > this.last.at)) this.last = row;
    }
    for (const list of Object.values(this.kinds)) {
      list.sort((a, b) => a.at - b.at);
      if (list.length > this.limit) list.splice(0, list.length - this.limit);
    }
    this.changes++;
  }

  /** Takes one event; returns whether anything changed. */
  event(e: StrataEvent, at: number): boolean {
    this.changed = [];
    switch (e.type) {
      case 'compaction':
        if (e.phase === 'started') this.started(e, at);
        else if (e.phase === 'finished') this.finished(e, at);
        else {
          const job = this.jobs.get(e.job);
          if (!job) return false;
          job.stage = e.step === 'output-installed' ? 'installing' : e.done < e.total ? 'sending' : 'running';
          job.done = e.done;
          job.total = e.total;
        }
        break;
      case 'flush':
        if (e.phase === 'started') return false; // a flush runs within one task: its row comes when it is done
        this.flushed(e, at);
        break;
      case 'write-stall':
        // Begins and ends strictly alternate; a cause change ends one stall and begins another.
        if (e.stalled) {
          this.endStall(at);
          this.openStall = this.add({ id: `${this.prefix}s${++this.stalls}`, kind: 'stall', at, micros: undefined, cause: e.cause, l0Files: e.l0Files, version: 0 });
        } else if (!this.endStall(at)) return false;
        break;
      default:
        return false;
    }
    this.changes++;
    return true;
  }

  private started(e: CompactionStarted, at: number): void {
    this.jobs.set(e.job, {
      job: e.job,
      reason: e.reason,
      score: e.score,
      fromLevel: e.level,
      toLevel: e.outputLevel,
      inputs: e.inputs,
      bytesIn: e.inputs.reduce((sum, t) => sum + t.size, 0),
      upperBytesIn: bytesAt(e.inputs, e.level),
      startedAt: at,
      stage: 'sending',
      done: 0,
      total: e.inputs.length,
    });
  }

  private finished(e: CompactionFinished, at: number): void {
    const startedAt = Math.min(this.jobs.get(e.job)?.startedAt ?? at, at - e.micros / 1000);
    this.jobs.delete(e.job);
    this.last = this.add({
      id: `${this.prefix}c${e.job}`,
      kind: 'compaction',
      at: startedAt,
      // The runner times its own work; from the started event on, the wall
      // time also holds sending inputs and installing outputs.
      micros: Math.max(e.micros, (at - startedAt) * 1000),
      job: e.job,
      reason: e.reason,
      score: e.score,
      runner: e.runner,
      fromLevel: e.level,
      toLevel: e.outputLevel,
      trivialMove: e.trivialMove,
      inputs: e.inputs,
      outputs: e.outputs,
      bytesIn: e.bytesRead,
      upperBytesIn: bytesAt(e.inputs, e.level),
      bytesOut: e.bytesWritten,
      entriesIn: e.entriesRead,
      entriesOut: e.entriesWritten,
      error: e.error,
      version: 0,
    });
  }

  private flushed(e: FlushFinished, at: number): void {
    this.add({
      id: `${this.prefix}f${e.job}`,
      kind: 'flush',
      at: at - e.micros / 1000,
      micros: e.micros,
      job: e.job,
      reason: e.reason,
      memtableBytes: e.memtableBytes,
      memtableEntries: e.memtableEntries,
      output: e.output,
      error: e.error,
      version: 0,
    });
  }

  /** Ends the stall under way, if there is one. */
  private endStall(at: number): boolean {
    const stall = this.openStall;
    if (!stall) return false;
    stall.micros = Math.max(0, (at - stall.at) * 1000);
    stall.version++;
    this.changed.push(stall);
    this.openStall = undefined;
    return true;
  }

  private add<R extends HistoryRow>(row: R): R {
    const list = this.kinds[row.kind] as R[];
    list.push(row);
    this.changed.push(row);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    return row;
  }
}
