// The dashboard's structured log: engine events and the dashboard's own
// notes as JSON lines, one object per line:
//   {"ts":"2026-11-24T18:50:01.123Z","level":"info","source":"engine",
//    "event":"compaction.finished","message":"...", ...fields}
// `ts`, `level`, `source`, `event` and `message` are always present; the
// other fields are the event's own data (a compaction's levels as inputLevel
// and outputLevel, since `level` is the entry's; tables with quoted keys).
import type { CompactionFinished, CompactionStarted, FlushFinished, FlushStarted, StrataEvent, TableInfo } from 'stratadb';
import { formatBytes, formatMicros, formatRatio, groupDigits } from '../app/format.js';
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

/** Entries other than debug kept. */
export const MAX_ENTRIES = 3000;

/** A table as JSON: keys in the console's quoted form (bytes do not survive JSON). */
export function tableFields(t: TableInfo): Record<string, unknown> {
  return { ...t, smallestKey: quoteBytes(t.smallestKey), largestKey: quoteBytes(t.largestKey) };
}

const sizeOf = (tables: readonly TableInfo[]) => tables.reduce((sum, t) => sum + t.size, 0);
const count = (n: number) => groupDigits(n);
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
      const { commit, filesStored, filesStoredAhead, filesDeleted, bytes, micros, idbDurability } = event;
      const message = `commit ${commit} durable: ${filesStored} files stored, ${filesDeleted} deleted`;
      return entry('debug', 'durable', message, { commit, filesStored, filesStoredAhead, filesDeleted, bytes, micros, idbDurability });
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

/**
 * The LSM levels an entry is about, for the log's levels column:
 * "L0 → L1" for a compaction, "→ L0" for a flush, "L2" for a table.
 */
export function entryLevels(entry: LogEntry): string {
  const { inputLevel, outputLevel } = entry;
  if (typeof inputLevel === 'number' && typeof outputLevel === 'number') return levelsText(inputLevel, outputLevel);
  if (entry.event.startsWith('flush.')) return '→ L0';
  const table = entry.table as { level?: unknown } | undefined;
  if (entry.event === 'table-created' && typeof table?.level === 'number') return `L${table.level}`;
  if (entry.event.startsWith('write-stall') && typeof entry.l0Files === 'number') return `L0 (${plural(entry.l0Files, 'file')})`;
  return '';
}

/** Whether an entry matches a filter text: in its event name, message or levels, any case. */
export function matchesText(entry: LogEntry, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === '') return true;
  return entry.event.toLowerCase().includes(t) || entry.message.toLowerCase().includes(t) || entryLevels(entry).toLowerCase().includes(t);
}

/** Debug entries (commits, table files, progress) kept, apart from the rest so their flood never pushes those out. */
export const MAX_DEBUG_ENTRIES = 2000;

/** A bounded log in two rings: debug entries, and everything else. */
export class EventLog {
  private readonly rings: { debug: LogEntry[]; rest: LogEntry[] } = { debug: [], rest: [] };
  // Entries per level, so counting what a filter shows needs no pass over them.
  private readonly perLevel = new Map<LogLevel, number>(LEVELS.map((l) => [l, 0]));

  constructor(
    private readonly capacity = MAX_ENTRIES,
    private readonly debugCapacity = MAX_DEBUG_ENTRIES,
  ) {}

  add(entry: LogEntry): void {
    const debug = entry.level === 'debug';
    const ring = debug ? this.rings.debug : this.rings.rest;
    ring.push(entry);
    this.tally(entry, 1);
    const bound = debug ? this.debugCapacity : this.capacity;
    if (ring.length > bound) for (const gone of ring.splice(0, ring.length - bound)) this.tally(gone, -1);
  }

  /** Forgets the entries older than `ts` (an ISO time). */
  dropBefore(ts: string): void {
    for (const ring of [this.rings.debug, this.rings.rest]) {
      let n = 0;
      while (n < ring.length && ring[n]!.ts < ts) n++;
      for (const gone of ring.splice(0, n)) this.tally(gone, -1);
    }
  }

  /**
   * Adds saved entries (oldest first) before the entries here; one not
   * older than every entry here is one of these (saved meanwhile) and is
   * left out.
   */
  restore(entries: readonly LogEntry[]): void {
    const oldest = [this.rings.debug[0]?.ts, this.rings.rest[0]?.ts].filter((ts) => ts !== undefined).sort()[0];
    const kept = { debug: [] as LogEntry[], rest: [] as LogEntry[] };
    for (const entry of entries) {
      if (!entry || typeof entry.ts !== 'string' || !LEVELS.includes(entry.level)) continue;
      if (oldest !== undefined && entry.ts >= oldest) continue;
      (entry.level === 'debug' ? kept.debug : kept.rest).push(entry);
    }
    for (const name of ['debug', 'rest'] as const) {
      const ring = this.rings[name];
      const bound = name === 'debug' ? this.debugCapacity : this.capacity;
      const room = Math.max(0, bound - ring.length);
      const older = room > 0 ? kept[name].slice(-room) : [];
      ring.unshift(...older);
      for (const entry of older) this.tally(entry, 1);
    }
  }

  /** Entries at or above `min` matching `text`, newest first, at most `limit`. */
  query(min: LogLevel, text = '', limit = Infinity): LogEntry[] {
    const out: LogEntry[] = [];
    const a = min === 'debug' ? this.rings.debug : [];
    const b = this.rings.rest;
    let i = a.length - 1;
    let j = b.length - 1;
    while ((i >= 0 || j >= 0) && out.length < limit) {
      const takeA = j < 0 || (i >= 0 && a[i]!.ts > b[j]!.ts);
      const entry = takeA ? a[i--]! : b[j--]!;
      if (atLeast(entry, min) && matchesText(entry, text)) out.push(entry);
    }
    return out;
  }

  /** Entries at or above `min`, oldest first (for copy and download). */
  filter(min: LogLevel): LogEntry[] {
    return this.query(min).reverse();
  }

  /** How many entries filter(min) would return. */
  count(min: LogLevel): number {
    return LEVELS.slice(LEVELS.indexOf(min)).reduce((sum, l) => sum + this.perLevel.get(l)!, 0);
  }

  get size(): number {
    return this.rings.debug.length + this.rings.rest.length;
  }

  clear(): void {
    this.rings.debug.length = 0;
    this.rings.rest.length = 0;
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
