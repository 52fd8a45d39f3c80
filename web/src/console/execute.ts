// Runs console lines against a database and prints the results the way
// redis-cli does:
//
//   OK                         a write (PUT, DEL, BATCH, FLUSH, COMPACT)
//   alice / "two words"        a value, in the quoted form the console reads back
//   (nil)                      GET of a key without a value
//   1) key => value            SCAN rows, then "(N entries)" or "(empty)", or
//   (N entries, more: SCAN …)  when the LIMIT was hit, the SCAN for the next page
//   (error) Busy: …            an engine error, with its StrataError code
//   (error) PUT needs …        a line the parser refused; the engine never saw it
//
// Each result also has its run time, shown as "(1.2 ms)".
import type { Stats } from 'stratadb';
import { formatAgo, formatBytes, formatCount, formatMicros, formatPercent, formatRatio, groupDigits } from '../app/format.js';
import { accessOf, type Access } from '../model/access.js';
import { describeError } from '../model/error-text.js';
import { writeAmpOf } from '../model/rates.js';
import { type BatchOp, type Command, helpLines, parseLine, quotePreview, scanCommandText } from './parse.js';

export type LineKind = 'ok' | 'value' | 'nil' | 'error' | 'info';

export interface OutputLine {
  kind: LineKind;
  text: string;
}

export interface CommandResult {
  lines: OutputLine[];
  /** How long the database took, when one was asked. */
  elapsedMs: number | undefined;
  /** The command that ran, if the line parsed. */
  command: Command | undefined;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * What the console uses of a database. Both the dashboard's
 * WorkerDatabase<'binary','binary'> (every call async) and an in-thread
 * Database<'binary','binary'> (reads synchronous) fit it.
 */
export interface ConsoleDb {
  readonly name: string;
  /** A read-only handle: another tab or worker writes (a viewer). */
  readonly readOnly: boolean;
  /** Why writes are refused for good, if they are. */
  readonly readOnlyError: { message: string } | undefined;
  put(key: Uint8Array, value: Uint8Array): MaybePromise<void>;
  delete(key: Uint8Array): MaybePromise<void>;
  batch(operations: readonly BatchOp[]): MaybePromise<void>;
  get(key: Uint8Array): MaybePromise<Uint8Array | undefined>;
  scan(options: { gte?: Uint8Array; lt?: Uint8Array; limit: number; reverse: boolean }): MaybePromise<{ key: Uint8Array; value: Uint8Array }[]>;
  flush(): MaybePromise<void>;
  compact(range?: { gte?: Uint8Array; lte?: Uint8Array }): MaybePromise<void>;
  stats(): MaybePromise<Stats>;
}

// Values and keys longer than this are shown cut, with their size.
export const SHOWN_BYTES = 1024;

const line = (kind: LineKind, text: string): OutputLine => ({ kind, text });
const info = (text: string): OutputLine => line('info', text);
const OK = line('ok', 'OK');

/** Parses and runs `text`; `db` undefined when no database is open. */
export async function runLine(text: string, db: ConsoleDb | undefined, clock: () => number = () => performance.now()): Promise<CommandResult> {
  const parsed = parseLine(text);
  if (!parsed.ok) return { lines: [errorLine(parsed.error)], elapsedMs: undefined, command: undefined };
  const { command } = parsed;
  if (command.name === 'HELP') return { lines: helpLines(command.topic).map(info), elapsedMs: undefined, command };
  if (command.name === 'CLEAR') return { lines: [], elapsedMs: undefined, command };
  if (!db) return { lines: [errorLine('no database is open')], elapsedMs: undefined, command };
  const started = clock();
  let lines: OutputLine[];
  try {
    lines = await execute(command, db);
  } catch (e) {
    const { code, text } = describeError(e);
    const viewer = code === 'ReadOnly' && db.readOnly && !db.readOnlyError;
    lines = [errorLine(viewer ? `${text} (this tab is a viewer: another tab writes to ${db.name}; take over writing once it is gone)` : text)];
  }
  return { lines, elapsedMs: clock() - started, command };
}

/** "(1.2 ms)" */
export function formatElapsed(ms: number): string {
  return `(${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms)`;
}

/** Whether a command changes the database (and so its stats). */
export function isWrite(command: Command): boolean {
  return ['PUT', 'DEL', 'BATCH', 'FLUSH', 'COMPACT'].includes(command.name);
}

/** Echoed commands are cut to this many characters. */
export const ECHO_CHARS = 200;

/** A command as the output echoes it: a long one cut, with its length. */
export function echoText(text: string, max = ECHO_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${groupDigits(text.length)} characters)`;
}

/**
 * At most `max` lines: the first ones, a note of how many were left out,
 * and the last (a SCAN's summary), so one big result cannot flood the page.
 */
export function clipLines(lines: OutputLine[], max: number): OutputLine[] {
  if (lines.length <= max) return lines;
  const head = lines.slice(0, max - 2);
  return [...head, info(`… ${lines.length - head.length - 1} lines not shown`), lines[lines.length - 1]!];
}

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

async function execute(command: Command, db: ConsoleDb): Promise<OutputLine[]> {
  switch (command.name) {
    case 'PUT':
      await db.put(command.key, command.value);
      return [OK];
    case 'GET': {
      const value = await db.get(command.key);
      return [value === undefined ? line('nil', '(nil)') : line('value', quotePreview(value, SHOWN_BYTES))];
    }
    case 'DEL':
      await db.delete(command.key);
      return [OK];
    case 'BATCH':
      await db.batch(command.ops);
      return [line('ok', `OK, ${command.ops.length} operation${command.ops.length === 1 ? '' : 's'}`)];
    case 'SCAN':
      return scan(command, db);
    case 'FLUSH':
      await db.flush();
      return [OK];
    case 'COMPACT':
      await db.compact({ gte: command.start, lte: command.end });
      return [OK];
    case 'STATS': {
      const stats = await db.stats();
      return statsLines(stats, accessFor(db, stats)).map(info);
    }
    case 'INFO': {
      const stats = await db.stats();
      return infoLines(db.name, stats, Date.now(), accessFor(db, stats)).map(info);
    }
    case 'HELP':
    case 'CLEAR':
      return []; // answered without a database, in runLine
  }
}

async function scan(command: Of<'SCAN'>, db: ConsoleDb): Promise<OutputLine[]> {
  // One entry more than asked tells whether there is a next page, and where it starts.
  const entries = await db.scan({ gte: command.start, lt: command.end, limit: command.limit + 1, reverse: command.reverse });
  if (entries.length === 0) return [info('(empty)')];
  const shown = entries.slice(0, command.limit);
  const width = String(shown.length).length;
  const rows = shown.map(({ key, value }, i) =>
    line('value', `${`${i + 1})`.padStart(width + 1)} ${quotePreview(key, SHOWN_BYTES)} => ${quotePreview(value, SHOWN_BYTES)}`),
  );
  const count = `${shown.length} ${shown.length === 1 ? 'entry' : 'entries'}`;
  const next = entries[command.limit];
  if (!next) return [...rows, info(`(${count})`)];
  // Forward, the next page starts at the first key not shown (start is
  // inclusive); in reverse it ends before the last key shown (end is exclusive).
  const nextPage = command.reverse
    ? { ...command, end: shown[shown.length - 1]!.key }
    : { ...command, start: next.key };
  return [...rows, info(`(${count}, more: ${scanCommandText(nextPage)})`)];
}

function errorLine(message: string): OutputLine {
  return line('error', `(error) ${message}`);
}

// ---- STATS and INFO

const LABEL_WIDTH = 12;
const row = (label: string, value: string): string => `${label.padEnd(LABEL_WIDTH)}${value}`;
const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;
const rate = (part: number, whole: number): string => formatPercent(whole > 0 ? part / whole : NaN);

/** What this handle may do, as the top bar and Health say it. */
function accessFor(db: ConsoleDb, stats: Stats): Access {
  return accessOf({ open: true, role: db.readOnly ? 'viewer' : 'writer', readOnlyError: db.readOnlyError?.message, stats });
}

/** A compact summary: one row per subject, levels one row each. */
export function statsLines(stats: Stats, access: Access): string[] {
  const immutable = stats.immutableMemtable ? ` · flushing ${formatBytes(stats.immutableMemtableBytes)}` : '';
  const stalls = stats.writeStopped ? ' · writes STOPPED' : '';
  return [
    row('memtable', `${formatBytes(stats.memtableBytes)} of ${formatBytes(stats.memtableLimit)} · ${plural(stats.memtableEntries, 'entry', 'entries')} · ${plural(stats.flushes, 'flush', 'flushes')}${immutable}`),
    row('wal', `${plural(stats.walLiveSegments, 'segment')} · ${formatBytes(stats.walBytes)}`),
    ...levelRows(stats),
    row('compaction', `${formatCount(stats.compactions)} done · ${formatCount(stats.compactionsRunning)} running · ${formatBytes(stats.compactionBytesRead)} in · ${formatBytes(stats.compactionBytesWritten)} out`),
    row('write amp', `${writeAmpText(stats)} · stalls ${formatCount(stats.slowdownWrites)} slowed, ${formatCount(stats.stoppedWrites)} stopped${stalls}`),
    row('reads', `block cache ${rate(stats.blockCacheHits, stats.blockCacheHits + stats.blockCacheMisses)} hit · bloom ${rate(stats.bloomUseful, stats.bloomChecks)} useful`),
    row('access', accessText(access)),
  ];
}

/** "3.21×", or why there is no number yet. */
function writeAmpText(stats: Stats): string {
  const amp = writeAmpOf(stats);
  return amp === null ? `– (only ${formatBytes(stats.userBytesWritten)} written)` : formatRatio(amp);
}

/** L0 always, deeper levels when they hold files. L0 counts files against its compaction trigger, as its score does. */
function levelRows(stats: Stats): string[] {
  return stats.levels
    .filter((level) => level.level === 0 || level.files > 0)
    .map((level) => {
      const l0 = level.level === 0 && stats.l0CompactionTrigger > 0 ? ` of ${stats.l0CompactionTrigger}` : '';
      const bytes = formatBytes(level.bytes) + (level.targetBytes > 0 ? ` of ${formatBytes(level.targetBytes)}` : '');
      const wants = level.score >= 1 ? ' (wants compaction)' : '';
      return row(`L${level.level}`, `${(plural(level.files, 'file') + l0).padEnd(14)}${bytes.padEnd(22)}score ${level.score.toFixed(2)}${wants}`);
    });
}

/** "writer", "viewer: …", "read-only: …" */
function accessText(access: Access): string {
  return access.state === 'writer' ? 'writer (writes accepted)' : `${access.label}: ${access.detail}`;
}

const RUNNERS: Record<Stats['compactionJobs']['runner'], string> = {
  worker: 'in a compaction worker',
  instance: 'in a second wasm instance',
  inline: 'inline, between writes',
};

export function infoLines(name: string, stats: Stats, now: number, access: Access): string[] {
  const { commits } = stats;
  const durable = commits.lastDurableAt > 0 ? formatAgo(now - commits.lastDurableAt) : 'not yet';
  const walLimit = stats.walSegmentLimit > 0 ? plural(stats.walSegmentLimit, 'segment') : 'none';
  return [
    row('name', name),
    row('access', accessText(access)),
    row('last seq', String(stats.lastSequence)),
    row('memtable', `flushes at ${formatBytes(stats.memtableLimit)} · WAL limit ${walLimit}`),
    row('L0 files', `compact at ${stats.l0CompactionTrigger} · slow writes at ${stats.l0SlowdownTrigger} · stop at ${stats.l0StopTrigger}`),
    row('commits', `${formatCount(commits.commits)} · ${plural(commits.filesStored, 'file')} stored (${formatCount(commits.filesStoredAhead)} ahead by a worker), ${formatCount(commits.filesDeleted)} deleted · ${formatBytes(commits.bytesStored)}`),
    row('', `mean ${commits.commits > 0 ? formatMicros(commits.commitMicros / commits.commits) : '–'} each · ${plural(commits.waiting, 'write', 'writes')} waiting · ${commits.inProgress ? 'one running' : 'none running'}`),
    row('durable', durable),
    row('compaction', `runs ${RUNNERS[stats.compactionJobs.runner]}`),
  ];
}
