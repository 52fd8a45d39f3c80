// The compaction history as the panel's table prints it: the columns, one
// text per column for each row, and a tooltip with the rest (tables, keys,
// reasons, errors). Pure: the panel only places the texts.
import type { TableInfo } from 'stratadb';
import { displayBytes } from '../app/bytes-text.js';
import { formatAgo, formatBytes, formatClock, formatCount, formatMicros, formatRatio } from '../app/format.js';
import { type CompactionRow, type FlushRow, type HistoryRow, type StallRow, writeAmplification } from './compaction-history.js';
import { FLUSH_REASONS, STALL_LONG, STALL_SHORT, errorText, levelsText, plural, reasonText, runnerText } from './event-text.js';

export const HISTORY_COLUMNS: { label: string; title: string; num?: boolean }[] = [
  { label: 'When', title: 'When it started (local time)' },
  { label: 'What', title: 'Compaction job, flush (the engine numbers both as jobs), or write stall' },
  { label: 'Levels', title: 'From which level into which (stall: what writes do)' },
  { label: 'Duration', title: 'From its start to its end', num: true },
  { label: 'In', title: 'Bytes read: every input table, upper level and the overlapping tables below (flush: the memtable)', num: true },
  { label: 'Out', title: 'Bytes written', num: true },
  {
    label: 'W-amp',
    title: 'Write amplification of the job, as RocksDB reports it: bytes written / bytes read from the upper level. Moving n bytes into a level that holds 10n of the same keys writes 11n: 11×.',
    num: true,
  },
  { label: 'Tables', title: 'Tables in → out (stall: L0 files when it began)', num: true },
  {
    label: 'Runner',
    title: "Where it ran: 'worker' (compaction worker), 'instance' (second wasm instance), 'here' (the database's own), 'manifest' (a trivial move: a table moved down, nothing rewritten)",
  },
];

/** The column of write amplification, which the panel marks when high. */
export const AMP_COLUMN = 6;

const NONE = '–';

const jobText = (row: CompactionRow) => `job #${row.job}${row.trivialMove ? ' move' : ''}${row.error ? ' failed' : ''}`;

/** One text per column of HISTORY_COLUMNS. */
export function historyCells(row: HistoryRow): string[] {
  const when = formatClock(row.at);
  const duration = row.micros === undefined ? 'ongoing' : formatMicros(row.micros);
  switch (row.kind) {
    case 'compaction': {
      const amp = writeAmplification(row);
      const moved = row.trivialMove;
      const tables = moved ? `${row.inputs.length} moved` : `${row.inputs.length} → ${row.error ? NONE : row.outputs.length}`;
      return [
        when,
        jobText(row),
        levelsText(row.fromLevel, row.toLevel),
        duration,
        moved ? NONE : formatBytes(row.bytesIn),
        moved || row.error ? NONE : formatBytes(row.bytesOut),
        amp === undefined ? NONE : formatRatio(amp),
        tables,
        row.runner || NONE,
      ];
    }
    case 'flush':
      return [
        when,
        `flush #${row.job}${row.error ? ' failed' : ''}`,
        'mem → L0',
        duration,
        formatBytes(row.memtableBytes),
        row.output ? formatBytes(row.output.size) : NONE,
        NONE,
        row.error ? NONE : `→ ${row.output ? 1 : 0}`,
        NONE,
      ];
    case 'stall':
      return [when, 'write stall', STALL_SHORT[row.cause], duration, NONE, NONE, NONE, `L0: ${row.l0Files}`, NONE];
  }
}

/** "#12 (1.02 MiB, a … m)" */
function tableText(t: TableInfo): string {
  return `#${t.number} (${formatBytes(t.size)}, ${displayBytes(t.smallestKey, 24)} … ${displayBytes(t.largestKey, 24)})`;
}

/** One line per level: "inputs L0: #10 (…), #11 (…)". */
function tablesByLevel(what: string, tables: readonly TableInfo[]): string[] {
  const levels = [...new Set(tables.map((t) => t.level))].sort((a, b) => a - b);
  return levels.map((level) => `${what} L${level}: ${tables.filter((t) => t.level === level).map(tableText).join(', ')}`);
}

function compactionTitle(row: CompactionRow): string[] {
  const lines = [`job #${row.job} (${reasonText(row.reason, row.score)}), ${levelsText(row.fromLevel, row.toLevel)}, ran ${runnerText(row.runner)}`];
  if (row.error) lines.push(`failed: ${errorText(row.error)}`);
  const moved = row.inputs[0];
  if (row.trivialMove && moved) {
    lines.push(`moved table ${tableText(moved)} down by a manifest edit: nothing read or written`);
    return lines;
  }
  lines.push(...tablesByLevel('inputs', row.inputs));
  if (row.error) return lines;
  lines.push(...tablesByLevel('outputs', row.outputs));
  lines.push(`read from L${row.fromLevel}: ${formatBytes(row.upperBytesIn)} of ${formatBytes(row.bytesIn)}`);
  if (row.bytesIn > 0) lines.push(`bytes out / in: ${formatRatio(row.bytesOut / row.bytesIn)}`);
  lines.push(`entries: ${formatCount(row.entriesIn)} → ${formatCount(row.entriesOut)}`);
  return lines;
}

function flushTitle(row: FlushRow): string[] {
  const lines = [`flush #${row.job}: ${FLUSH_REASONS[row.reason]}`, `memtable: ${formatBytes(row.memtableBytes)}, ${plural(row.memtableEntries, 'entry', 'entries')}`];
  if (row.error) lines.push(`failed: ${errorText(row.error)}`);
  else if (row.output) {
    const t = row.output;
    lines.push(`wrote ${tableText(t)}`, `${plural(t.entries, 'entry', 'entries')}, ${plural(t.tombstones, 'tombstone')}, seq ${t.smallestSeq}–${t.largestSeq}`);
  } else lines.push('wrote nothing: the memtable held no entries');
  return lines;
}

const stallTitle = (row: StallRow): string[] => [`${STALL_LONG[row.cause]}`, `L0 had ${plural(row.l0Files, 'file')} when it began`];

/** The row's tooltip. */
export function historyTitle(row: HistoryRow): string {
  const lines = row.kind === 'compaction' ? compactionTitle(row) : row.kind === 'flush' ? flushTitle(row) : stallTitle(row);
  return lines.join('\n');
}

/** The idle panel's line about the last compaction. */
export function lastCompactionText(row: CompactionRow, now: number): string {
  const ago = formatAgo(now - (row.at + (row.micros ?? 0) / 1000));
  const what = `last: job #${row.job} ${levelsText(row.fromLevel, row.toLevel)}`;
  const moved = row.inputs[0];
  if (row.error) return `${what} failed: ${errorText(row.error)} · ${ago}`;
  if (row.trivialMove && moved) return `${what} moved table #${moved.number} · ${ago}`;
  const amp = writeAmplification(row);
  const ampText = amp === undefined ? '' : ` (W-amp ${formatRatio(amp)})`;
  return `${what} · ${formatBytes(row.bytesIn)} → ${formatBytes(row.bytesOut)}${ampText} · ${formatMicros(row.micros ?? 0)} · ${ago}`;
}
