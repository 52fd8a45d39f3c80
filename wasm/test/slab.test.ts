// Binary results copied out of wasm memory into shared slabs (slab.ts): the
// copier itself, and what a caller of get(), getMany() and iterators sees:
// every value it keeps stays its own bytes, whatever is read after it, and
// a transferred buffer does not break later reads.
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, open } from '../dist/node.js';
import { SlabCopier } from '../dist/slab.js';
import { prng, randomBytes } from './helpers.js';

const source = (size: number, seed: number): Uint8Array => randomBytes(prng(seed), size);

describe('SlabCopier', () => {
  it('carves small copies out of one buffer, 8-byte aligned, each equal to its source', () => {
    const copier = new SlabCopier(1024, 512);
    const heap = source(4096, 1);
    const a = copier.copy(heap, 10, 13);
    const b = copier.copy(heap, 100, 40);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 16);
    expect(a.byteOffset % 8).toBe(0);
    expect([...a]).toEqual([...heap.subarray(10, 23)]);
    expect([...b]).toEqual([...heap.subarray(100, 140)]);
    heap.fill(0); // a copy, not a view of the source
    expect(a.some((x) => x !== 0)).toBe(true);
  });

  it('starts a new slab when the copy does not fit, leaving earlier copies as they were', () => {
    const copier = new SlabCopier(1024, 512);
    const heap = source(4096, 2);
    const copies = [0, 1, 2].map((i) => copier.copy(heap, i * 500, 500));
    expect(copies[1]!.buffer).toBe(copies[0]!.buffer);
    expect(copies[2]!.buffer).not.toBe(copies[0]!.buffer);
    copies.forEach((c, i) => expect([...c]).toEqual([...heap.subarray(i * 500, i * 500 + 500)]));
  });

  it('gives a copy larger than maxPooled, or empty, a buffer of its own', () => {
    const copier = new SlabCopier(1024, 512);
    const heap = source(4096, 3);
    const small = copier.copy(heap, 0, 8);
    const big = copier.copy(heap, 0, 513);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(513);
    const empty = copier.copy(heap, 0, 0);
    expect(empty.byteLength).toBe(0);
    expect(empty.buffer).not.toBe(small.buffer);
  });

  it('replaces a slab whose buffer was transferred away', () => {
    const copier = new SlabCopier(1024, 512);
    const heap = source(4096, 4);
    const first = copier.copy(heap, 0, 8);
    structuredClone(first.buffer, { transfer: [first.buffer as ArrayBuffer] });
    expect(first.byteLength).toBe(0); // detached
    const next = copier.copy(heap, 8, 8);
    expect(next.buffer).not.toBe(first.buffer);
    expect([...next]).toEqual([...heap.subarray(8, 16)]);
  });
});

describe('binary results in slabs', () => {
  let db: Database<'binary', 'binary'> | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });
  const key = (i: number) => `k${String(i).padStart(6, '0')}`;
  const value = (i: number) => source(20 + (i % 300), i);

  it('keeps every value a caller holds intact across later reads of every kind', async () => {
    db = await open('slabs', { storage: 'memory', keyEncoding: 'binary', valueEncoding: 'binary' });
    const n = 2000;
    await db.batch(Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: key(i), value: value(i) })));
    const held = new Map<number, Uint8Array>();
    for (let i = 0; i < n; i++) held.set(i, db.get(key(i))!);
    const fromMany = db.getMany([key(5), key(6), key(7)]);
    const scanned = db.scan({ limit: 700 });
    for (let round = 0; round < 3; round++) for (const { value: v } of db.iterator()) expect(v.length).toBeGreaterThan(0);
    for (let i = 0; i < n; i += 7) db.get(key(i));
    for (const [i, v] of held) expect(v).toEqual(value(i));
    fromMany.forEach((v, j) => expect(v).toEqual(value(5 + j)));
    scanned.forEach(({ key: k, value: v }, i) => {
      expect(new TextDecoder().decode(k)).toBe(key(i));
      expect(v).toEqual(value(i));
    });
  });

  it('never shares a buffer between two handles', async () => {
    db = await open('slabs-a', { storage: 'memory', keyEncoding: 'binary', valueEncoding: 'binary' });
    const other = await open('slabs-b', { storage: 'memory', keyEncoding: 'binary', valueEncoding: 'binary' });
    try {
      await db.put(key(1), value(1));
      await other.put(key(1), value(2));
      const mine = db.get(key(1))!;
      const theirs = other.get(key(1))!;
      expect(mine.buffer).not.toBe(theirs.buffer);
      expect(db.get(key(1))!.buffer).toBe(mine.buffer); // one handle's values do share
      expect(db.scan()[0]!.value.buffer).not.toBe(other.scan()[0]!.value.buffer);
    } finally {
      await other.close();
    }
  });

  it('reads on after a caller transfers a value’s buffer', async () => {
    db = await open('slabs-transfer', { storage: 'memory', keyEncoding: 'binary', valueEncoding: 'binary' });
    await db.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: key(i), value: value(i) })));
    const taken = db.get(key(1))!;
    const moved = structuredClone(taken.buffer, { transfer: [taken.buffer as ArrayBuffer] });
    expect(moved.byteLength).toBeGreaterThan(0);
    for (let i = 0; i < 100; i++) expect(db.get(key(i))).toEqual(value(i));
    const entries = db.scan();
    structuredClone(entries[0]!.value.buffer, { transfer: [entries[0]!.value.buffer as ArrayBuffer] });
    expect(db.scan().map((e) => e.value)).toEqual(Array.from({ length: 100 }, (_, i) => value(i)));
  });
});
