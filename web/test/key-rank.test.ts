import { describe, expect, it } from 'vitest';
import { compareBytes, keySpace } from '../src/model/key-space.js';
import { TABLE_SHARE, rankAxis, type RankedTable } from '../src/model/key-rank.js';

const b = (s: string) => new TextEncoder().encode(s);
const text = (k: Uint8Array | undefined) => (k ? new TextDecoder().decode(k) : undefined);
const key = (i: number) => b(`key:${String(i).padStart(9, '0')}`);
const table = (lo: Uint8Array | string, hi: Uint8Array | string, entries: number): RankedTable => ({
  smallestKey: typeof lo === 'string' ? b(lo) : lo,
  largestKey: typeof hi === 'string' ? b(hi) : hi,
  entries,
});

/** 100,000 workload keys in 100 tables, and three stray keys in tables of their own. */
function withOutliers(): RankedTable[] {
  const tables = Array.from({ length: 100 }, (_, i) => table(key(i * 1000), key(i * 1000 + 999), 1000));
  tables.push(table('a', 'a', 1), table('user:1', 'user:9', 2), table('é', 'é', 1));
  return tables;
}

describe('rankAxis', () => {
  it('gives the keys the tables hold the width, not a few stray keys', () => {
    const tables = withOutliers();
    const axis = rankAxis(tables);
    expect(text(axis.smallest)).toBe('a');
    expect(text(axis.largest)).toBe('é');
    const span = axis.position(key(99_999)) - axis.position(key(0));
    expect(span).toBeGreaterThan(0.95);
    // By bytes alone the same 100,000 keys would share a sliver of the track.
    const bytes = keySpace(b('a'), b('é'));
    expect(bytes.position(key(99_999)) - bytes.position(key(0))).toBeLessThan(0.01);
  });

  it('makes each part of the axis as wide as its share of the entries, a fifth shared evenly by the tables', () => {
    const axis = rankAxis([table('a', 'f', 100), table('g', 'z', 300)]);
    expect(axis.position(b('a'))).toBe(0);
    // 80% by entries (25% and 75%), 20% evenly (10% each): 30% and 70%.
    expect(TABLE_SHARE).toBe(0.2);
    expect(axis.position(b('f'))).toBeCloseTo(0.3, 2);
    expect(axis.position(b('g'))).toBeCloseTo(0.3, 2);
    expect(axis.position(b('z'))).toBe(1);
  });

  it('leaves room for a table of a few keys among tables of thousands, and for a table of one key', () => {
    const axis = rankAxis([table('b', 'greeting', 2), table('h', 'k', 10_000), table('l', 'z', 10_000), table('zz', 'zz', 1)]);
    const small = axis.position(b('greeting')) - axis.position(b('b'));
    expect(small).toBeGreaterThan(0.04); // a twentieth of the axis at least: room to point at
    expect(1 - axis.position(b('zz'))).toBe(0); // the largest key ends the axis…
    expect(axis.position(b('zz')) - axis.position(b('z'))).toBeGreaterThan(0.04); // …and its one-key table has room before it
  });

  it('spreads an L0 table spanning everything evenly over the intervals below it', () => {
    // L1: two tables of 500; L0: one of 1000 over the three intervals a-m, m-n, n-z.
    const axis = rankAxis([table('a', 'm', 500), table('n', 'z', 500), table('a', 'z', 1000)]);
    const even = (2000 * 0.25) / 3; // each table's part of the even fifth
    expect(axis.position(b('m'))).toBeCloseTo((500 + even + (1000 + even) / 3) / 2500, 9);
    expect(axis.position(b('m')) + axis.position(b('n'))).toBeCloseTo(1, 9);
  });

  it('keeps key order: positions never decrease as keys grow', () => {
    const axis = rankAxis(withOutliers());
    const keys = [b(''), b('0'), b('a'), b('a\0'), b('b'), key(0), key(1), key(500), key(50_000), key(99_999), b('key;'), b('user:'), b('user:5'), b('zzz'), b('é'), b('éé')];
    keys.sort(compareBytes);
    const positions = keys.map((k) => axis.position(k));
    for (let i = 1; i < positions.length; i++) expect(positions[i]!).toBeGreaterThanOrEqual(positions[i - 1]!);
    expect(positions[0]).toBe(0);
    expect(positions[positions.length - 1]).toBe(1);
  });

  it('labels the axis with the boundary key nearest each fraction', () => {
    const axis = rankAxis(Array.from({ length: 10 }, (_, i) => table(key(i * 10), key(i * 10 + 9), 10)));
    const [low, middle, high] = axis.ticks([0, 0.5, 1]);
    expect(text(low!.key)).toBe('key:000000000');
    expect(middle!.at).toBeCloseTo(0.5, 1);
    expect(['key:000000049', 'key:000000050']).toContain(text(middle!.key));
    expect(text(high!.key)).toBe('key:000000099');
  });

  it('copes with no tables and with a single key', () => {
    const none = rankAxis([]);
    expect(none.smallest).toBeUndefined();
    expect(none.position(b('x'))).toBe(0);
    expect(none.ticks([0.5])).toEqual([]);
    const one = rankAxis([table('k', 'k', 1)]);
    expect(text(one.smallest)).toBe('k');
    expect(one.position(b('k'))).toBe(0);
  });
});
