// The dashboard's structured log: engine events and the dashboard's own
// notes as JSON lines, one object per line:
//   {"ts":"2026-11-24T18:50:01.123Z","level":"info","source":"engine",
//    "event":"compaction.finished","message":"...", ...fields}
// `ts`, `level`, `source`, `event` and `message` are always present; the
// other fields are the event's own data.
import type { StrataEvent } from 'stratadb';

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

const files = (list: { path: string; bytes: number }[]) => list.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1));
const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

const RUNNER_TEXT = { worker: 'in the compaction worker', instance: 'in a second wasm instance', here: "in the database's own instance" } as const;

/** An engine event as a log entry. Commits are frequent: they log at debug. */
export function entryForEvent(event: StrataEvent, at: number): LogEntry {
  const base = { ts: new Date(at).toISOString(), source: 'engine' as const };
  switch (event.type) {
    case 'flush':
      return event.phase === 'started'
        ? { ...base, level: 'info', event: 'flush.started', message: 'memtable flush started' }
        : {
            ...base,
            level: 'info',
            event: 'flush.finished',
            message: `memtable flushed in ${(event.micros / 1000).toFixed(1)} ms; L0 has ${count(event.l0Files, 'file')}`,
            micros: event.micros,
            l0Files: event.l0Files,
          };
    case 'compaction':
      if (event.phase === 'started') {
        return {
          ...base,
          level: 'info',
          event: 'compaction.started',
          // A job run here reports no files (not zero files): no count then.
          message: `compaction ${event.job} started ${RUNNER_TEXT[event.runner]}${event.runner === 'here' ? '' : ` on ${count(event.inputs.length, 'file')}`}`,
          job: event.job,
          runner: event.runner,
          inputs: files(event.inputs),
          bytesIn: event.inputs.reduce((sum, f) => sum + f.bytes, 0),
        };
      }
      if (event.phase === 'progress') {
        return {
          ...base,
          level: 'debug',
          event: 'compaction.progress',
          message: `compaction ${event.job}: ${event.step} ${event.done}/${event.total}`,
          job: event.job,
          step: event.step,
          done: event.done,
          total: event.total,
        };
      }
      return {
        ...base,
        level: 'info',
        event: 'compaction.finished',
        message: `compaction ${event.job} finished in ${(event.micros / 1000).toFixed(1)} ms${event.runner === 'here' ? '' : `: ${count(event.outputs.length, 'file')} out`}`,
        job: event.job,
        runner: event.runner,
        outputs: files(event.outputs),
        bytesWritten: event.bytesWritten,
        micros: event.micros,
      };
    case 'write-stall':
      return event.stalled
        ? { ...base, level: 'warn', event: 'write-stall.on', message: 'writes wait for a compaction (L0 is full)' }
        : { ...base, level: 'info', event: 'write-stall.off', message: 'writes go on again' };
    case 'durable':
      return {
        ...base,
        level: 'debug',
        event: 'durable',
        message: `commit ${event.commit} durable: ${event.filesStored} files stored, ${event.filesDeleted} deleted`,
        commit: event.commit,
        filesStored: event.filesStored,
        filesDeleted: event.filesDeleted,
        bytes: event.bytes,
        micros: event.micros,
        idbDurability: event.idbDurability,
      };
    case 'error':
      return { ...base, level: 'error', event: 'error', message: event.message, code: event.code };
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
