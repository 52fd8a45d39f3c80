// The level view's model: each level's tables as bars along the shared key
// space (x and width in [0, 1] of the track), stacked in sub-rows where they
// overlap (only L0, whose tables cover any keys), shaded by size; and each
// level's load against its limit for the gauge.
import type { LevelStats, Stats, TableStats } from 'stratadb';

export interface TableBar {
  number: number;
  /** Left edge and width as fractions of the track; width >= minWidth. */
  x: number;
  width: number;
  /** Sub-row from the top, 0 unless the level stacks. */
  row: number;
  /** 0..1: size against the largest table of all levels (square root, so small tables still show). */
  shade: number;
  /** An input of the running compaction. */
  active: boolean;
  table: TableStats;
}

export interface LevelLayout {
  level: number;
  /** Sub-rows used (>= 1). */
  rows: number;
  bars: TableBar[];
}

export interface LayoutOptions {
  /** The narrowest bar as a fraction of the track, so single-key tables show. Default 0.004. */
  minWidth?: number;
  /** File numbers of the running compaction's inputs (besides tables marked beingCompacted). */
  running?: ReadonlySet<number>;
}

/** Where a key falls along the track, 0..1 (model/key-rank.ts or model/key-space.ts). */
export interface Axis {
  position(key: Uint8Array): number;
}

/** The bars of every level. L0 tables overlap, so they stack in sub-rows. */

export function layoutLevels(levels: readonly LevelStats[], space: Axis, options: LayoutOptions = {}): LevelLayout[] {
  const minWidth = options.minWidth ?? 0.004;
  const running = options.running;
  let largest = 0;
  for (const level of levels) for (const t of level.tables) largest = Math.max(largest, t.size);

  return levels.map((level) => {
    const bars: TableBar[] = level.tables.map((table) => {
      const start = space.position(table.smallestKey);
      const end = space.position(table.largestKey);
      const width = Math.min(1, Math.max(end - start, minWidth));
      return {
        number: table.number,
        x: Math.max(0, Math.min(start, 1 - width)),
        width,
        row: 0,
        shade: largest > 0 ? Math.sqrt(table.size / largest) : 0,
        active: table.beingCompacted || (running?.has(table.number) ?? false),
        table,
      };
    });
    const rows = level.level === 0 ? stack(bars) : 1;
    return { level: level.level, rows, bars };
  });
}

/**
 * Puts overlapping bars in different sub-rows: in order of left edge, each
 * goes to the first row whose last bar ends before it starts (the fewest
 * rows interval partitioning allows). Returns the number of rows.
 */
function stack(bars: TableBar[]): number {
  const ends: number[] = [];
  const byStart = [...bars].sort((a, b) => a.x - b.x || a.number - b.number);
  for (const bar of byStart) {
    let row = ends.findIndex((end) => end <= bar.x);
    if (row < 0) row = ends.push(0) - 1;
    bar.row = row;
    ends[row] = bar.x + bar.width;
  }
  return Math.max(1, ends.length);
}

export type Status = 'ok' | 'warn' | 'bad';

export interface LevelLoad {
  /** Gauge fill, 0..1. */
  fill: number;
  /** Threshold marks on the gauge, 0..1. */
  marks: number[];
  status: Status;
  /** "5 / 4 files" (L0: against its compaction trigger, as its score is) or "12.3 MiB / 10.0 MiB". */
  text: string;
}

type Thresholds = Pick<Stats, 'l0CompactionTrigger' | 'l0SlowdownTrigger' | 'l0StopTrigger'>;

/**
 * How full a level is. L0 counts files: the text is files against the
 * compaction trigger (what its score measures), the gauge spans up to the
 * stop trigger, with marks at the compaction and slowdown triggers. Deeper
 * levels count bytes against their target (the last level has none).
 */
export function levelLoad(level: LevelStats, limits: Thresholds, formatBytes: (n: number) => string): LevelLoad {
  if (level.level === 0) {
    // A trigger of 0 is not set (as in model/health.ts): it never fires.
    const reached = (trigger: number) => trigger > 0 && level.files >= trigger;
    const full = Math.max(1, limits.l0StopTrigger);
    const status: Status = reached(limits.l0StopTrigger) ? 'bad' : reached(limits.l0SlowdownTrigger) ? 'warn' : 'ok';
    return {
      fill: Math.min(1, level.files / full),
      marks: [limits.l0CompactionTrigger / full, limits.l0SlowdownTrigger / full].filter((m) => m > 0 && m < 1),
      status,
      text: limits.l0CompactionTrigger > 0 ? `${level.files} / ${limits.l0CompactionTrigger} files` : `${level.files} files`,
    };
  }
  if (level.targetBytes <= 0) {
    return { fill: 0, marks: [], status: 'ok', text: formatBytes(level.bytes) };
  }
  const ratio = level.bytes / level.targetBytes;
  return {
    fill: Math.min(1, ratio),
    marks: [],
    status: ratio >= 2 ? 'bad' : ratio >= 1 ? 'warn' : 'ok',
    text: `${formatBytes(level.bytes)} / ${formatBytes(level.targetBytes)}`,
  };
}

/** Uncompressed key and value bytes per stored byte; NaN for an empty table. */
export function compressionRatio(table: TableStats): number {
  return table.size > 0 ? (table.rawKeyBytes + table.rawValueBytes) / table.size : NaN;
}
