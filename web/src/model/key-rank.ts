// The level view's key axis by rank: where a key falls among the keys the
// tables actually hold, not where its bytes fall between the smallest and
// the largest key. Laid out by bytes, three stray keys (`a`, `user:1`, a
// key starting with é) squeeze 100,000 `key:…` keys into one pixel; by
// rank, each part of the axis is as wide as the share of entries in it.
//
// The tables' boundary keys cut the key space into intervals. Each table
// spreads its entries evenly over the intervals it spans (an L0 table over
// all of them, a deeper level's table over its own few), so an interval's
// width is the entries estimated to lie in it. A fifth of the axis is shared
// evenly by the tables besides, so a table of a few keys next to tables of
// thousands still gets room for a bar that can be pointed at (a table of one
// key gets it just after its key). Within an interval a key is placed by its
// bytes (model/key-space.ts) between the interval's ends.
import { compareBytes, keySpace, type KeySpace } from './key-space.js';

export interface RankedTable {
  smallestKey: Uint8Array;
  largestKey: Uint8Array;
  entries: number;
}

export interface AxisTick {
  /** 0..1 along the axis. */
  at: number;
  key: Uint8Array;
}

export interface KeyAxis {
  readonly smallest: Uint8Array | undefined;
  readonly largest: Uint8Array | undefined;
  /** 0 at the smallest key, 1 at the largest; never decreases as keys grow. */
  position(key: Uint8Array): number;
  /** Boundary keys nearest the given fractions of the axis (for labels). */
  ticks(fractions: readonly number[]): AxisTick[];
}

/** Every interval holds at least this share of the whole, so a gap without entries still shows as a sliver. */
const MIN_SHARE = 0.0005;
/** The share of the axis split evenly among the tables, whatever their entries. */
export const TABLE_SHARE = 0.2;

/** Index of the last boundary <= key (-1 when key is below the first). */
function floorIndex(bounds: readonly Uint8Array[], key: Uint8Array): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareBytes(bounds[mid]!, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The sorted, distinct boundary keys of the tables. */
function boundaries(tables: readonly RankedTable[]): Uint8Array[] {
  const keys = tables.flatMap((t) => [t.smallestKey, t.largestKey]).sort(compareBytes);
  return keys.filter((k, i) => i === 0 || compareBytes(keys[i - 1]!, k) !== 0);
}

export function rankAxis(tables: readonly RankedTable[]): KeyAxis {
  const bounds = boundaries(tables);
  const smallest = bounds[0];
  const largest = bounds[bounds.length - 1];
  const intervals = bounds.length - 1;
  if (!smallest || !largest || intervals < 1) {
    return { smallest, largest, position: () => 0, ticks: (f) => (smallest ? f.map((at) => ({ at, key: smallest })) : []) };
  }

  // Entries per interval, each table's spread evenly over the intervals it
  // spans, each with its even part of TABLE_SHARE added.
  let entries = 0;
  for (const t of tables) entries += Math.max(0, t.entries);
  const even = entries > 0 ? (entries * TABLE_SHARE) / (1 - TABLE_SHARE) / tables.length : 1;
  const mass = new Array<number>(intervals).fill(0);
  for (const t of tables) {
    let from = floorIndex(bounds, t.smallestKey);
    let to = floorIndex(bounds, t.largestKey);
    // One key: the room goes to the interval after it (before it, at the end).
    if (to === from) to = Math.min(intervals, (from = Math.min(from, intervals - 1)) + 1);
    const share = (Math.max(0, t.entries) + even) / (to - from);
    for (let i = from; i < to; i++) mass[i]! += share;
  }
  const total = mass.reduce((a, b) => a + b, 0);
  const floor = total > 0 ? total * MIN_SHARE : 1;
  const widths = mass.map((m) => Math.max(m, floor));
  const sum = widths.reduce((a, b) => a + b, 0);
  // starts[i]: where interval i begins, 0..1.
  const starts = new Array<number>(intervals + 1);
  starts[0] = 0;
  for (let i = 0; i < intervals; i++) starts[i + 1] = starts[i]! + widths[i]! / sum;
  starts[intervals] = 1;

  const inside = new Map<number, KeySpace>();
  const spaceOf = (i: number): KeySpace => {
    let space = inside.get(i);
    if (!space) inside.set(i, (space = keySpace(bounds[i], bounds[i + 1])));
    return space;
  };

  return {
    smallest,
    largest,
    position(key) {
      const i = floorIndex(bounds, key);
      if (i < 0) return 0;
      if (i >= intervals) return 1;
      const start = starts[i]!;
      return start + (starts[i + 1]! - start) * spaceOf(i).position(key);
    },
    ticks(fractions) {
      return fractions.map((at) => {
        let best = 0;
        for (let i = 1; i < starts.length; i++) if (Math.abs(starts[i]! - at) < Math.abs(starts[best]! - at)) best = i;
        return { at: starts[best]!, key: bounds[best]! };
      });
    },
  };
}
