// The dashboard's structured log: engine events and the dashboard's own
// notes as JSON lines, one object per line:
//   {"ts":"2026-11-24T18:50:01.123Z","level":"info","source":"engine",
//    "event":"compaction.finished","message":"...", ...fields}
// `ts`, `level`, `source`, `event` and `message` are always present; the
// other fields are the event's own data (a compaction's levels as inputLevel
// and outputLevel, since `level` is the entry's; tables with quoted keys).
import type { CompactionFinished, CompactionStarted, FlushFinished, FlushStarted, StrataEvent, TableInfo } from 'stratadb';
import { formatBytes, formatMicros, formatRatio } from '../app/format.js';
import { quoteBytes } from '../app/bytes-text.js';
import { FLUSH_REASONS, STALL_LONG, STALL_SHORT, errorText, levelsText, plural, reasonText, runnerText } from './event-text.js';

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

export interface LogEntry {
  ts: string;
  level: LogLevel;
  source: 'engine' | 'dashboard';
  event: string;
  message: string;
  [field: string]: unknown;
}

export const MAX_ENTRIES = 5000;

/** A table as JSON: keys in the console's quoted form (bytes do not survive JSON). */
export function tableFields(t: TableInfo): Record<string, unknown> {
  return { ...t, smallestKey: quoteBytes(t.smallestKey), largestKey: quoteBytes(t.largestKey) };
}

const sizeOf = (tables: readonly TableInfo[]) => tables.reduce((sum, t) => sum + t.size, 0);
const count = (n: number) => n.toLocaleString('en-US');
const entries = (n: number) => plural(n, 'entry', 'entries');

/** "4 tables (3.10 MiB)" */
const tablesText = (tables: readonly TableInfo[]) => `${plural(tables.length, 'table')} (${formatBytes(sizeOf(tables))})`;

type Compaction = CompactionStarted | CompactionFinished;

/** "L0 → L1, 4 L0 + 2 L1 tables (3.10 MiB)" */
function inputsText(e: Compaction): string {
  const upper = e.inputs.filter((t) => t.level === e.level).length;
  const split = `${upper} L${e.level} + ${e.inputs.length - upper} L${e.outputLevel} tables`;
  return `${levelsText(e.level, e.outputLevel)}, ${split} (${formatBytes(sizeOf(e.inputs))})`;
}

function compactionMessage(e: Compaction): [LogLevel, string] {
  const moved = e.trivialMove ? e.inputs[0] : undefined;
  const move = moved && `table #${moved.number} from L${e.level} to L${e.outputLevel}`;
  if (e.phase === 'started') {
    const name = `compaction ${e.job} (${reasonText(e.reason, e.score)})`;
    return ['info', move ? `${name} moves ${move}` : `${name} started: ${inputsText(e)}`];
  }
  // A failure also turns the database read-only, which logs as an error of its own.
  if (e.error) return ['warn', `compaction ${e.job} (${levelsText(e.level, e.outputLevel)}) failed: ${errorText(e.error)}`];
  if (move) return ['info', `compaction ${e.job} moved ${move} ${runnerText(e.runner)}`];
  const upper = e.inputs.reduce((sum, t) => (t.level === e.level ? sum + t.size : sum), 0);
  const amp = upper > 0 ? `, W-amp ${formatRatio(e.bytesWritten / upper)}` : '';
  return [
    'info',
    `compaction ${e.job} finished in ${formatMicros(e.micros)} ${runnerText(e.runner)}: ${levelsText(e.level, e.outputLevel)}, ` +
      `${tablesText(e.inputs)} → ${tablesText(e.outputs)}, entries ${count(e.entriesRead)} → ${count(e.entriesWritten)}${amp}`,
  ];
}

/** The compaction's data; `level` is the log entry's, so the job's levels are inputLevel and outputLevel. */
function compactionFields(e: Compaction): Record<string, unknown> {
  const common = { job: e.job, reason: e.reason, score: e.score, inputLevel: e.level, outputLevel: e.outputLevel, trivialMove: e.trivialMove, inputs: e.inputs.map(tableFields) };
  if (e.phase === 'started') return common;
  const { bytesRead, bytesWritten, entriesRead, entriesWritten, micros, runner, error } = e;
  return { ...common, outputs: e.outputs.map(tableFields), bytesRead, bytesWritten, entriesRead, entriesWritten, micros, runner, error };
}

function flushMessage(e: FlushStarted | FlushFinished): [LogLevel, string] {
  if (e.phase === 'started') return ['info', `flush ${e.job} started, ${FLUSH_REASONS[e.reason]}: ${formatBytes(e.memtableBytes)}, ${entries(e.memtableEntries)}`];
  if (e.error) return ['warn', `flush ${e.job} (${e.reason}) failed: ${errorText(e.error)}`];
  const wrote = e.output ? `table #${e.output.number} to L0 (${formatBytes(e.output.size)}, ${entries(e.output.entries)})` : 'nothing: the memtable held no entries';
  return ['info', `flush ${e.job} (${e.reason}) wrote ${wrote} in ${formatMicros(e.micros)}`];
}

function flushFields(e: FlushStarted | FlushFinished): Record<string, unknown> {
  const common = { job: e.job, reason: e.reason, memtableBytes: e.memtableBytes, memtableEntries: e.memtableEntries };
  return e.phase === 'started' ? common : { ...common, output: e.output && tableFields(e.output), micros: e.micros, error: e.error };
}

/** An engine event as a log entry. Commits, progress and table and WAL files are frequent: they log at debug. */
export function entryForEvent(event: StrataEvent, at: number): LogEntry {
  const entry = (level: LogLevel, name: string, message: string, fields: Record<string, unknown> = {}): LogEntry => {
    const fixed = { ts: new Date(at).toISOString(), level, source: 'engine' as const, event: name, message };
    return { ...fixed, ...fields, ...fixed }; // the fixed fields first in the line, and never overwritten
  };
  switch (event.type) {
    case 'flush': {
      const [level, message] = flushMessage(event);
      return entry(level, `flush.${event.phase}`, message, flushFields(event));
    }
    case 'compaction': {
      if (event.phase === 'progress') {
        const { job, step, done, total } = event;
        return entry('debug', 'compaction.progress', `compaction ${job}: ${step} ${done}/${total}`, { job, step, done, total });
      }
      const [level, message] = compactionMessage(event);
      return entry(level, `compaction.${event.phase}`, message, compactionFields(event));
    }
    case 'table-created': {
      const { job, byCompaction, table: t } = event;
      const message = `table #${t.number} created in L${t.level} by ${byCompaction ? 'compaction' : 'flush'} ${job}: ${formatBytes(t.size)}, ${entries(t.entries)}`;
      return entry('debug', 'table-created', message, { job, byCompaction, table: tableFields(t) });
    }
    case 'table-deleted':
      return entry('debug', 'table-deleted', `table #${event.number} deleted`, { number: event.number });
    case 'wal-segment-closed': {
      const { number, bytes, records } = event;
      return entry('debug', 'wal-segment-closed', `WAL segment #${number} closed: ${plural(records, 'record')}, ${formatBytes(bytes)}`, { number, bytes, records });
    }
    case 'write-stall': {
      const { cause, l0Files } = event;
      const l0 = `L0 has ${plural(l0Files, 'file')}`;
      return event.stalled
        ? entry('warn', 'write-stall.on', `${STALL_SHORT[cause]}: ${STALL_LONG[cause]} (${l0})`, { cause, l0Files })
        : entry('info', 'write-stall.off', `writes go on again: the ${cause} stall is over (${l0})`, { cause, l0Files });
    }
    case 'durable': {
      const { commit, filesStored, filesDeleted, bytes, micros, idbDurability } = event;
      const message = `commit ${commit} durable: ${filesStored} files stored, ${filesDeleted} deleted`;
      return entry('debug', 'durable', message, { commit, filesStored, filesDeleted, bytes, micros, idbDurability });
    }
    case 'error':
      return entry('error', 'error', event.message, { code: event.code });
  }
}

export function entryForNote(level: LogLevel, message: string, fields: Record<string, unknown> = {}, at = Date.now()): LogEntry {
  return { ...fields, ts: new Date(at).toISOString(), level, source: 'dashboard', event: 'note', message };
}

/** At least `min`: debug shows all, error only errors. */
export function atLeast(entry: LogEntry, min: LogLevel): boolean {
  return LEVELS.indexOf(entry.level) >= LEVELS.indexOf(min);
}

/** A bounded log: the oldest entries go first. */
export class EventLog {
  private readonly entries: LogEntry[] = [];
  // Entries per level, so counting what a filter shows needs no pass over them.
  private readonly perLevel = new Map<LogLevel, number>(LEVELS.map((l) => [l, 0]));

  constructor(private readonly capacity = MAX_ENTRIES) {}

  add(entry: LogEntry): void {
    this.entries.push(entry);
    this.tally(entry, 1);
    if (this.entries.length > this.capacity) {
      for (const gone of this.entries.splice(0, this.entries.length - this.capacity)) this.tally(gone, -1);
    }
  }

  /** Entries at or above `min`, oldest first. */
  filter(min: LogLevel): LogEntry[] {
    return this.entries.filter((e) => atLeast(e, min));
  }

  /** How many entries filter(min) would return. */
  count(min: LogLevel): number {
    return LEVELS.slice(LEVELS.indexOf(min)).reduce((sum, l) => sum + this.perLevel.get(l)!, 0);
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries.length = 0;
    for (const l of LEVELS) this.perLevel.set(l, 0);
  }

  private tally(entry: LogEntry, delta: number): void {
    this.perLevel.set(entry.level, this.perLevel.get(entry.level)! + delta);
  }
}

export const toJsonLine = (entry: LogEntry): string => JSON.stringify(entry);

export function toJsonLines(entries: readonly LogEntry[]): string {
  return entries.map(toJsonLine).join('\n') + (entries.length > 0 ? '\n' : '');
}
