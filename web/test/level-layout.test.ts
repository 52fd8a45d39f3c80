import { describe, expect, it } from 'vitest';
import type { LevelStats, TableStats } from 'stratadb';
import { keySpace } from '../src/model/key-space.js';
import { rankAxis } from '../src/model/key-rank.js';
import { compressionRatio, layoutLevels, levelLoad } from '../src/model/level-layout.js';

const b = (s: string) => new TextEncoder().encode(s);

function table(number: number, lo: string, hi: string, size = 1000, extra: Partial<TableStats> = {}): TableStats {
  return {
    number,
    size,
    smallestKey: b(lo),
    largestKey: b(hi),
    entries: 10,
    tombstones: 0,
    smallestSeq: 1,
    largestSeq: 10,
    rawKeyBytes: 500,
    rawValueBytes: 1500,
    bloomBitsPerKey: 10,
    beingCompacted: false,
    ...extra,
  };
}

function level(n: number, tables: TableStats[], extra: Partial<LevelStats> = {}): LevelStats {
  return {
    level: n,
    files: tables.length,
    bytes: tables.reduce((s, t) => s + t.size, 0),
    targetBytes: n === 0 ? 0 : 10_000 * 10 ** (n - 1),
    score: 0,
    smallestKey: new Uint8Array(),
    largestKey: new Uint8Array(),
    compactionBytesRead: 0,
    compactionBytesWritten: 0,
    tables,
    ...extra,
  };
}

const fmt = (n: number) => `${n}B`;
const limits = { l0CompactionTrigger: 4, l0SlowdownTrigger: 8, l0StopTrigger: 12 };

describe('layoutLevels', () => {
  it('places tables along the shared key space', () => {
    const levels = [level(0, []), level(1, [table(7, 'a', 'm'), table(8, 'n', 'z')])];
    // By bytes here, so the widths can be checked by hand.
    const b = (t: string) => new TextEncoder().encode(t);
    const [l0, l1] = layoutLevels(levels, keySpace(b('a'), b('z'), [b('m'), b('n')]));
    expect(l0!.bars).toEqual([]);
    expect(l0!.rows).toBe(1);
    const [first, second] = l1!.bars;
    expect(first!.number).toBe(7);
    expect(first!.x).toBe(0);
    expect(first!.x + first!.width).toBeCloseTo((0x6d - 0x61) / (0x7a - 0x61), 9);
    expect(second!.x + second!.width).toBe(1);
    expect(second!.x).toBeGreaterThan(first!.x + first!.width);
  });

  it('gives single-key tables the minimum width, inside the track', () => {
    const levels = [level(1, [table(1, 'a', 'a'), table(2, 'z', 'z')])];
    const [l1] = layoutLevels(levels, rankAxis(levels.flatMap((l) => l.tables)), { minWidth: 0.01 });
    expect(l1!.bars.map((bar) => bar.width)).toEqual([0.01, 0.01]);
    expect(l1!.bars[1]!.x).toBeCloseTo(0.99, 9); // pulled back from past the end
  });

  it('stacks overlapping L0 tables in as few sub-rows as they need', () => {
    const levels = [
      level(0, [table(4, 'a', 'k'), table(5, 'c', 'p'), table(6, 'm', 'z'), table(7, 'r', 's')]),
      level(1, [table(1, 'a', 'm'), table(2, 'n', 'z')]),
    ];
    const [l0, l1] = layoutLevels(levels, rankAxis(levels.flatMap((l) => l.tables)));
    const rowOf = new Map(l0!.bars.map((bar) => [bar.number, bar.row]));
    expect(rowOf.get(4)).not.toBe(rowOf.get(5)); // a..k and c..p overlap
    expect(rowOf.get(5)).not.toBe(rowOf.get(6)); // c..p and m..z overlap
    expect(rowOf.get(6)).not.toBe(rowOf.get(7)); // r..s lies inside m..z
    expect(l0!.rows).toBe(2); // never more than two overlap at one key
    for (const x of l0!.bars) {
      for (const y of l0!.bars) {
        if (x !== y && x.row === y.row) expect(x.x + x.width <= y.x || y.x + y.width <= x.x).toBe(true);
      }
    }
    expect(l1!.rows).toBe(1);
    expect(l1!.bars.every((bar) => bar.row === 0)).toBe(true);
  });

  it('shades by size against the largest table and marks compaction inputs', () => {
    const levels = [level(1, [table(1, 'a', 'b', 400, { beingCompacted: true }), table(2, 'c', 'd', 1600), table(3, 'e', 'f', 100)])];
    const [l1] = layoutLevels(levels, rankAxis(levels.flatMap((l) => l.tables)), { running: new Set([3]) });
    expect(l1!.bars.map((bar) => bar.shade)).toEqual([0.5, 1, 0.25]);
    expect(l1!.bars.map((bar) => bar.active)).toEqual([true, false, true]);
  });
});

describe('levelLoad', () => {
  it('counts L0 files up to the stop trigger, with marks at the other triggers', () => {
    const tables = Array.from({ length: 9 }, (_, i) => table(i + 1, 'a', 'b'));
    const load = levelLoad(level(0, tables), limits, fmt);
    expect(load.fill).toBe(9 / 12);
    expect(load.marks).toEqual([4 / 12, 8 / 12]);
    expect(load.status).toBe('warn');
    expect(load.text).toBe('9 / 4 files'); // against the compaction trigger, as the score is
    expect(levelLoad(level(0, tables.slice(0, 3)), limits, fmt).status).toBe('ok');
    expect(levelLoad(level(0, [...tables, ...tables]), limits, fmt)).toMatchObject({ fill: 1, status: 'bad' });
    // Triggers of 0 are not set: nothing to reach.
    const unset = { l0CompactionTrigger: 0, l0SlowdownTrigger: 0, l0StopTrigger: 0 };
    expect(levelLoad(level(0, tables), unset, fmt)).toMatchObject({ status: 'ok', marks: [] });
  });

  it('measures deeper levels in bytes against their target', () => {
    expect(levelLoad(level(1, [table(1, 'a', 'b', 5000)]), limits, fmt)).toEqual({
      fill: 0.5,
      marks: [],
      status: 'ok',
      text: '5000B / 10000B',
    });
    expect(levelLoad(level(1, [table(1, 'a', 'b', 15000)]), limits, fmt)).toMatchObject({ fill: 1, status: 'warn' });
    expect(levelLoad(level(6, [table(1, 'a', 'b', 15000)], { targetBytes: 0 }), limits, fmt)).toMatchObject({
      fill: 0,
      text: '15000B',
    });
  });
});

describe('compressionRatio', () => {
  it('is raw key and value bytes per stored byte', () => {
    expect(compressionRatio(table(1, 'a', 'b', 1000))).toBe(2);
    expect(compressionRatio(table(1, 'a', 'b', 0))).toBeNaN();
  });
});
