// The API contract of a database handle: reads, writes, batches, scans,
// iterators, snapshots, maintenance, stats and metrics, close and destroy.
// Every test gets a runtime of its own (a fresh wasm instance) over an
// isolated fake IndexedDB, unless it says otherwise.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import {
  type Bytes,
  Database,
  EntryIterator,
  type Runtime,
  type ScanOptions,
  Snapshot,
  type Stats,
  createRuntime,
} from '../dist/node.js';
import { bytesOf, directoryNames, expectRejects, expectThrows, prng } from './helpers.js';

const utf8 = new TextEncoder();
const compareBytes = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(a, b);
const hex = (x: Bytes): string => Buffer.from(bytesOf(x)).toString('hex');


// ---- a sorted model of the database, for range reads

interface ModelEntry {
  key: Bytes;
  kb: Uint8Array;
  value: Bytes;
}

function sortedModel(map: Map<string, { key: Bytes; value: Bytes }>): ModelEntry[] {
  return [...map.values()]
    .map(({ key, value }) => ({ key, kb: bytesOf(key), value }))
    .sort((a, b) => compareBytes(a.kb, b.kb));
}

interface RangeCase {
  gt?: Bytes;
  gte?: Bytes;
  lt?: Bytes;
  lte?: Bytes;
  limit?: number;
  reverse?: boolean;
}

function modelRange(sorted: ModelEntry[], o: RangeCase): ModelEntry[] {
  let out = sorted.filter(({ kb }) => {
    if (o.gt !== undefined && compareBytes(kb, bytesOf(o.gt)) <= 0) return false;
    if (o.gte !== undefined && compareBytes(kb, bytesOf(o.gte)) < 0) return false;
    if (o.lt !== undefined && compareBytes(kb, bytesOf(o.lt)) >= 0) return false;
    if (o.lte !== undefined && compareBytes(kb, bytesOf(o.lte)) > 0) return false;
    return true;
  });
  if (o.reverse) out = out.reverse();
  if (o.limit !== undefined) out = out.slice(0, o.limit);
  return out;
}

/** Every combination of lower bound x upper bound x direction x limit. */
function rangeCases(bounds: Bytes[], limits: (number | undefined)[]): RangeCase[] {
  const lowers: RangeCase[] = [{}, ...bounds.map((b) => ({ gt: b })), ...bounds.map((b) => ({ gte: b }))];
  const uppers: RangeCase[] = [{}, ...bounds.map((b) => ({ lt: b })), ...bounds.map((b) => ({ lte: b }))];
  const cases: RangeCase[] = [];
  for (const lower of lowers) {
    for (const upper of uppers) {
      for (const reverse of [false, true]) {
        for (const limit of limits) {
          const c: RangeCase = { ...lower, ...upper, reverse };
          if (limit !== undefined) c.limit = limit;
          cases.push(c);
        }
      }
    }
  }
  return cases;
}

function describeCase(c: RangeCase): string {
  return JSON.stringify(c, (_k, v: unknown) => (v instanceof Uint8Array ? `0x${hex(v)}` : v));
}

let runtime: Runtime;
let db: Database<'utf8', 'utf8'>;

beforeEach(async () => {
  runtime = await createRuntime({ indexedDB: new IDBFactory() });
  db = await runtime.open('api');
});

afterEach(async () => {
  if (!db.closed) await db.close();
});

describe('open', () => {
  it('returns an open Database handle with the given name', () => {
    expect(db).toBeInstanceOf(Database);
    expect(db.name).toBe('api');
    expect(db.closed).toBe(false);
    expect(db.readOnlyError).toBeUndefined();
    expect(db.scan()).toEqual([]);
  });

  it('reopens a closed database in the same runtime with its data', async () => {
    await db.put('k', 'v');
    await db.close();
    db = await runtime.open('api');
    expect(db.get('k')).toBe('v');
  });

  it('keeps databases of one runtime apart', async () => {
    const other = await runtime.open('api-other');
    try {
      await db.put('k', 'mine');
      await other.put('k', 'theirs');
      expect(db.get('k')).toBe('mine');
      expect(other.get('k')).toBe('theirs');
      expect(other.scan()).toEqual([{ key: 'k', value: 'theirs' }]);
    } finally {
      await other.close();
    }
  });

  it("opens with storage: 'memory' and durability: 'deferred'", async () => {
    const mem = await runtime.open('api-mem', { storage: 'memory', durability: 'deferred' });
    try {
      const p = mem.put('a', '1');
      expect(p).toBeInstanceOf(Promise);
      await p;
      expect(mem.get('a')).toBe('1');
      await mem.sync();
    } finally {
      await mem.close();
    }
  });
});

describe('put / get / delete', () => {
  it('get of a missing key returns undefined', async () => {
    expect(db.get('missing')).toBeUndefined();
    await db.put('present', 'x');
    expect(db.get('missing')).toBeUndefined();
    expect(db.get('presen')).toBeUndefined();
    expect(db.get('present!')).toBeUndefined();
    expect(db.get(new Uint8Array([0]))).toBeUndefined();
  });

  it('put then get returns the value; writes return promises that resolve to undefined', async () => {
    const p = db.put('k', 'v');
    expect(p).toBeInstanceOf(Promise);
    // A write applies at once: a read right after sees it.
    expect(db.get('k')).toBe('v');
    await expect(p).resolves.toBeUndefined();
  });

  it('stores an empty value, which is not a missing one', async () => {
    await db.put('empty', '');
    expect(db.get('empty')).toBe('');
    expect(db.get('empty', { valueEncoding: 'binary' })).toEqual(new Uint8Array(0));
    await db.put('empty2', new Uint8Array(0));
    expect(db.get('empty2')).toBe('');
    expect(db.scan()).toEqual([
      { key: 'empty', value: '' },
      { key: 'empty2', value: '' },
    ]);
  });

  it('overwrite replaces the value, also over a flushed one', async () => {
    await db.put('k', 'one');
    await db.put('k', 'two');
    expect(db.get('k')).toBe('two');
    await db.flush();
    await db.put('k', 'three');
    expect(db.get('k')).toBe('three');
    await db.flush();
    expect(db.get('k')).toBe('three');
    expect(db.scan()).toEqual([{ key: 'k', value: 'three' }]);
  });

  it('delete removes a key, from the memtable and from tables', async () => {
    await db.put('a', '1');
    await db.put('b', '2');
    await db.put('c', '3');
    await db.flush();
    await db.delete('a');
    await db.put('d', '4');
    await db.delete('d');
    expect(db.get('a')).toBeUndefined();
    expect(db.get('d')).toBeUndefined();
    expect(db.get('b')).toBe('2');
    expect(db.scan()).toEqual([
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
    ]);
    await db.flush();
    await db.compact();
    expect(db.get('a')).toBeUndefined();
    expect(db.scan().map((e) => e.key)).toEqual(['b', 'c']);
  });

  it('delete of a missing key resolves', async () => {
    await expect(db.delete('never-written')).resolves.toBeUndefined();
    expect(db.get('never-written')).toBeUndefined();
  });

  it('put after delete brings the key back', async () => {
    await db.put('k', 'v1');
    await db.delete('k');
    await db.put('k', 'v2');
    expect(db.get('k')).toBe('v2');
  });

  it('a string key and its UTF-8 bytes name the same entry', async () => {
    await db.put('clé', 'v');
    expect(db.get(utf8.encode('clé'))).toBe('v');
    await db.put(utf8.encode('clé'), 'w');
    expect(db.get('clé')).toBe('w');
    await db.delete(utf8.encode('clé'));
    expect(db.get('clé')).toBeUndefined();
  });

  it('takes a Uint8Array view with an offset (subarray) and a Buffer', async () => {
    const backing = new Uint8Array([9, 9, 107, 101, 121, 9, 118, 97, 108, 9]); // .. 'key' .. 'val' ..
    await db.put(backing.subarray(2, 5), backing.subarray(6, 9));
    expect(db.get('key')).toBe('val');
    await db.put(Buffer.from('buf'), Buffer.from('fer'));
    expect(db.get('buf')).toBe('fer');
  });

  it('accepts write options { durable }', async () => {
    await db.put('a', '1', { durable: false });
    await db.put('b', '2', { durable: true });
    await db.delete('a', { durable: false });
    await db.batch([{ type: 'put', key: 'c', value: '3' }], { durable: false });
    await db.sync();
    expect(db.scan().map((e) => e.key)).toEqual(['b', 'c']);
  });
});

describe('batch', () => {
  it('applies operations in order', async () => {
    await db.put('gone', 'x');
    await db.batch([
      { type: 'put', key: 'a', value: '1' },
      { type: 'put', key: 'b', value: '2' },
      { type: 'delete', key: 'a' },
      { type: 'put', key: 'c', value: 'first' },
      { type: 'put', key: 'c', value: 'second' },
      { type: 'delete', key: 'gone' },
      { type: 'delete', key: 'never' },
    ]);
    expect(db.scan()).toEqual([
      { key: 'b', value: '2' },
      { key: 'c', value: 'second' },
    ]);
  });

  it('an empty batch resolves and changes nothing', async () => {
    await db.put('a', '1');
    await expect(db.batch([])).resolves.toBeUndefined();
    expect(db.scan()).toEqual([{ key: 'a', value: '1' }]);
  });

  it('takes binary keys and values', async () => {
    await db.batch([
      { type: 'put', key: new Uint8Array([0, 1]), value: new Uint8Array([0xff, 0]) },
      { type: 'put', key: 'x', value: new Uint8Array([0x61]) },
    ]);
    expect(db.get(new Uint8Array([0, 1]), { valueEncoding: 'binary' })).toEqual(new Uint8Array([0xff, 0]));
    expect(db.get('x')).toBe('a');
  });

  const invalidOps: [string, unknown][] = [
    ['an oversized key', { type: 'put', key: 'k'.repeat(64 * 1024 + 1), value: 'v' }],
    ['an oversized binary key', { type: 'delete', key: new Uint8Array(64 * 1024 + 1) }],
    ['a number value', { type: 'put', key: 'z', value: 42 }],
    ['a missing value', { type: 'put', key: 'z' }],
    ['a number key', { type: 'delete', key: 7 }],
    ['an unknown type', { type: 'merge', key: 'z', value: 'v' }],
    ['a null operation', null],
    ['a lone surrogate key', { type: 'put', key: 'z\ud800', value: 'v' }],
    ['an oversized key', { type: 'put', key: 'k'.repeat(65537), value: 'v' }],
  ];
  for (const [what, bad] of invalidOps) {
    it(`is atomic: a batch with ${what} applies nothing and rejects with InvalidArgument`, async () => {
      await db.put('a', 'old');
      await db.put('b', 'keep');
      const before = db.stats();
      const ops = [
        { type: 'put', key: 'a', value: 'new' },
        { type: 'delete', key: 'b' },
        { type: 'put', key: 'c', value: 'added' },
        bad,
        { type: 'put', key: 'd', value: 'after' },
      ];
      await expectRejects(() => db.batch(ops as never), 'InvalidArgument');
      expect(db.get('a')).toBe('old');
      expect(db.get('b')).toBe('keep');
      expect(db.get('c')).toBeUndefined();
      expect(db.get('d')).toBeUndefined();
      expect(db.scan()).toEqual([
        { key: 'a', value: 'old' },
        { key: 'b', value: 'keep' },
      ]);
      const after = db.stats();
      expect(after.lastSequence).toBe(before.lastSequence);
      expect(after.batchWrites).toBe(before.batchWrites);
      // The handle still works.
      await db.batch([{ type: 'put', key: 'c', value: 'ok' }]);
      expect(db.get('c')).toBe('ok');
    });
  }
});

describe('scan', () => {
  it('returns every entry in bytewise key order, as an array', async () => {
    await db.batch(['b', 'a', 'c', 'ab', 'B'].map((k) => ({ type: 'put' as const, key: k, value: k.toUpperCase() })));
    const all = db.scan();
    expect(Array.isArray(all)).toBe(true);
    expect(all).toEqual([
      { key: 'B', value: 'B' },
      { key: 'a', value: 'A' },
      { key: 'ab', value: 'AB' },
      { key: 'b', value: 'B' },
      { key: 'c', value: 'C' },
    ]);
    expect(db.scan({ reverse: true }).map((e) => e.key)).toEqual(['c', 'b', 'ab', 'a', 'B']);
  });

  it('an empty range (lower above upper) is empty, forwards and backwards', async () => {
    await db.batch(['a', 'b', 'c'].map((k) => ({ type: 'put' as const, key: k, value: k })));
    expect(db.scan({ gt: 'c', lt: 'a' })).toEqual([]);
    expect(db.scan({ gte: 'b', lt: 'b' })).toEqual([]);
    expect(db.scan({ gt: 'b', lte: 'b', reverse: true })).toEqual([]);
    expect(db.scan({ gte: 'b', lte: 'b', reverse: true })).toEqual([{ key: 'b', value: 'b' }]);
  });

  it('limit 0 returns nothing, 1 the first entry, many all of them', async () => {
    await db.batch(['a', 'b', 'c'].map((k) => ({ type: 'put' as const, key: k, value: k })));
    expect(db.scan({ limit: 0 })).toEqual([]);
    expect(db.scan({ limit: 0, reverse: true })).toEqual([]);
    expect(db.scan({ limit: 1 })).toEqual([{ key: 'a', value: 'a' }]);
    expect(db.scan({ limit: 1, reverse: true })).toEqual([{ key: 'c', value: 'c' }]);
    expect(db.scan({ limit: 2 }).map((e) => e.key)).toEqual(['a', 'b']);
    expect(db.scan({ limit: 1000 }).map((e) => e.key)).toEqual(['a', 'b', 'c']);
    expect(db.scan({ limit: Infinity }).map((e) => e.key)).toEqual(['a', 'b', 'c']);
  });

  it('matches a sorted model for every gt/gte/lt/lte combination, limit and direction (string keys)', async () => {
    // Keys k00, k02, .. k78, part in a table, part in the memtable, with
    // overwrites and deletes on both sides.
    const model = new Map<string, { key: Bytes; value: Bytes }>();
    const keys = Array.from({ length: 40 }, (_, i) => `k${String(i * 2).padStart(2, '0')}`);
    await db.batch(keys.map((key) => ({ type: 'put' as const, key, value: `v-${key}` })));
    for (const key of keys) model.set(key, { key, value: `v-${key}` });
    await db.flush();
    for (const [i, key] of keys.entries()) {
      if (i % 5 === 0) {
        await db.delete(key);
        model.delete(key);
      } else if (i % 3 === 0) {
        await db.put(key, `w-${key}`);
        model.set(key, { key, value: `w-${key}` });
      }
    }
    await db.put('k99', 'late');
    model.set('k99', { key: 'k99', value: 'late' });
    const sorted = sortedModel(model);
    // Bounds below all keys, on the first/last key, on present, deleted
    // (k00, k10) and absent (k01, k55) keys, above all keys.
    const bounds = ['a', 'k00', 'k01', 'k02', 'k10', 'k36', 'k55', 'k78', 'k99', 'z'];
    const cases = rangeCases(bounds, [undefined, 0, 1, 3, 1000]);
    const failures: string[] = [];
    for (const c of cases) {
      const expected = modelRange(sorted, c).map(({ key, value }) => ({ key, value }));
      const actual = db.scan(c);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        failures.push(`${describeCase(c)}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
      }
    }
    expect(cases.length).toBe(21 * 21 * 2 * 5);
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('matches a sorted model for every gt/gte/lt/lte combination, limit and direction (binary keys)', async () => {
    const random = prng(0x5eed);
    const interesting = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
    const model = new Map<string, { key: Bytes; value: Bytes }>();
    const fixed = [[0x00], [0x00, 0x00], [0xff], [0xff, 0xff], [0x00, 0xff], [0xff, 0x00], [0x61]];
    const keys: Uint8Array[] = fixed.map((k) => new Uint8Array(k));
    while (keys.length < 80) {
      const n = 1 + Math.floor(random() * 4);
      keys.push(
        Uint8Array.from({ length: n }, () =>
          random() < 0.6 ? interesting[Math.floor(random() * interesting.length)]! : Math.floor(random() * 256),
        ),
      );
    }
    for (const [i, key] of keys.entries()) {
      const value = Uint8Array.from([i & 0xff, 0x00, 0xff]);
      await db.put(key, value);
      model.set(hex(key), { key, value });
      if (i === 40) await db.flush();
    }
    for (const [i, key] of keys.entries()) {
      if (i % 7 === 3) {
        await db.delete(key);
        model.delete(hex(key));
      }
    }
    const sorted = sortedModel(model);
    const bounds = [
      new Uint8Array([0x00]),
      new Uint8Array([0x00, 0x00]),
      new Uint8Array([0x00, 0x00, 0x00]),
      new Uint8Array([0x01]),
      new Uint8Array([0x7f, 0xff]),
      new Uint8Array([0x80]),
      new Uint8Array([0xff]),
      new Uint8Array([0xff, 0xff]),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]),
    ];
    const failures: string[] = [];
    const cases = rangeCases(bounds, [undefined, 0, 1, 4, 1000]);
    for (const c of cases) {
      const options: ScanOptions<'binary', 'binary'> = { ...c, keyEncoding: 'binary', valueEncoding: 'binary' };
      const actual = db.scan(options).map(({ key, value }) => `${hex(key)}=${hex(value)}`);
      const expected = modelRange(sorted, c).map(({ key, value }) => `${hex(key)}=${hex(value)}`);
      if (actual.join(',') !== expected.join(',')) {
        failures.push(`${describeCase(c)}: got ${actual.join(',')}, want ${expected.join(',')}`);
      }
    }
    expect(cases.length).toBe(19 * 19 * 2 * 5);
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('is correct across chunk boundaries (many entries, large values)', async () => {
    // 1,000 entries, some with 3 KiB values: the iterator reads from wasm in
    // chunks bounded by entries and bytes.
    const random = prng(7);
    const model = new Map<string, { key: Bytes; value: Bytes }>();
    for (let start = 0; start < 1000; start += 100) {
      const ops = [];
      for (let i = start; i < start + 100; i++) {
        const key = `key${String(i).padStart(5, '0')}`;
        const value = String.fromCharCode(97 + (i % 26)).repeat(random() < 0.3 ? 3000 : 1 + (i % 17));
        ops.push({ type: 'put' as const, key, value });
        model.set(key, { key, value });
      }
      await db.batch(ops);
      if (start === 500) await db.flush();
    }
    const sorted = sortedModel(model);
    const bounds = ['key00000', 'key00255', 'key00256', 'key00511', 'key00999'];
    const failures: string[] = [];
    for (const c of rangeCases(bounds, [undefined, 255, 256, 257, 600])) {
      const actual = db.scan(c).map((e) => `${e.key}:${e.value.length}:${e.value[0]}`);
      const expected = modelRange(sorted, c).map((e) => `${String(e.key)}:${e.value.length}:${String(e.value)[0]}`);
      if (actual.join() !== expected.join()) failures.push(`${describeCase(c)}: ${actual.length} vs ${expected.length}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('takes keyEncoding and valueEncoding per call', async () => {
    await db.put('k', 'v');
    expect(db.scan({ keyEncoding: 'binary' })).toEqual([{ key: utf8.encode('k'), value: 'v' }]);
    expect(db.scan({ valueEncoding: 'binary' })).toEqual([{ key: 'k', value: utf8.encode('v') }]);
    const [entry] = db.scan({ keyEncoding: 'binary', valueEncoding: 'binary' });
    expect(entry!.key).toBeInstanceOf(Uint8Array);
    expect(entry!.value).toBeInstanceOf(Uint8Array);
  });

  it('counts scans in stats', async () => {
    await db.put('a', '1');
    const before = db.stats().scans;
    db.scan();
    db.scan({ gt: 'a' });
    expect(db.stats().scans).toBe(before + 2);
  });
});

describe('iterator', () => {
  async function fill(n: number): Promise<string[]> {
    const keys = Array.from({ length: n }, (_, i) => `k${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 500) {
      await db.batch(keys.slice(i, i + 500).map((key) => ({ type: 'put' as const, key, value: `v${key}` })));
    }
    return keys;
  }

  it('seek moves forward and reverse iterators within their bounds', async () => {
    await fill(20); // k0000 .. k0019
    const keysOf = (it: EntryIterator<'utf8', 'utf8'>, n: number) =>
      Array.from({ length: n }, () => it.next().value?.key);

    const forward = db.iterator({ gte: 'k0005', lt: 'k0015' });
    expect(keysOf(forward, 1)).toEqual(['k0005']);
    forward.seek('k0010');
    expect(keysOf(forward, 2)).toEqual(['k0010', 'k0011']);
    forward.seek('k0007x'); // between keys: the next one
    expect(keysOf(forward, 1)).toEqual(['k0008']);
    forward.seek('a'); // before the range: its start
    expect(keysOf(forward, 1)).toEqual(['k0005']);
    forward.seek('k0014');
    expect(keysOf(forward, 2)).toEqual(['k0014', undefined]); // lt bound holds

    const reverse = db.iterator({ gt: 'k0002', lte: 'k0012', reverse: true });
    reverse.seek('k0009x'); // between keys: the previous one
    expect(keysOf(reverse, 2)).toEqual(['k0009', 'k0008']);
    reverse.seek('z'); // past the range: its (reverse) start
    expect(keysOf(reverse, 1)).toEqual(['k0012']);
    reverse.seek('k0004');
    expect(keysOf(reverse, 3)).toEqual(['k0004', 'k0003', undefined]); // gt bound holds
  });

  it('stays open after its end or limit, so seek() moves it back; Closed only after close()', async () => {
    await fill(3);
    const it = db.iterator();
    expectThrows(() => it.seek(7 as never), 'InvalidArgument');
    expect([it.next(), it.next(), it.next()].map((r) => r.value?.key)).toEqual(['k0000', 'k0001', 'k0002']);
    expect(it.next().done).toBe(true);
    it.seek('k0001'); // after the end
    expect(it.next().value?.key).toBe('k0001');
    it.seek(''); // the empty key: before every key
    expect(it.next().value?.key).toBe('k0000');
    it.close();
    expectThrows(() => it.seek('k0000'), 'Closed');
    // A limit counts every entry yielded: a seek does not reset it.
    const limited = db.iterator({ limit: 2 });
    expect([limited.next().value?.key, limited.next().value?.key, limited.next().done]).toEqual(['k0000', 'k0001', true]);
    limited.seek('k0000');
    expect(limited.next().done).toBe(true);
    limited.close();
    // for..of walks it once and closes it at the end.
    const walked = db.iterator();
    expect([...walked].length).toBe(3);
    expectThrows(() => walked.seek('k0000'), 'Closed');
  });

  it('is an EntryIterator that for..of walks in order, like scan', async () => {
    const keys = await fill(600);
    const it = db.iterator();
    expect(it).toBeInstanceOf(EntryIterator);
    const seen: string[] = [];
    for (const { key, value } of it) {
      expect(value).toBe(`v${key}`);
      seen.push(key);
    }
    expect(seen).toEqual(keys);
    expect(it.next()).toEqual({ done: true, value: undefined });
    expect(
      Array.from(db.iterator({ gt: 'k0100', lte: 'k0400', reverse: true, limit: 50 }), (e) => e.key),
    ).toEqual(db.scan({ gt: 'k0100', lte: 'k0400', reverse: true, limit: 50 }).map((e) => e.key));
  });

  it('for await..of walks in order', async () => {
    const keys = await fill(600);
    const seen: string[] = [];
    for await (const { key } of db.iterator()) seen.push(key);
    expect(seen).toEqual(keys);
    const reversed: string[] = [];
    for await (const { key } of db.iterator({ reverse: true, gte: 'k0590' })) reversed.push(key);
    expect(reversed).toEqual(keys.slice(590).reverse());
  });

  it('next() returns entries then { done: true } for good', async () => {
    await fill(3);
    const it = db.iterator();
    expect(it.next()).toEqual({ done: false, value: { key: 'k0000', value: 'vk0000' } });
    expect(it.next().value).toEqual({ key: 'k0001', value: 'vk0001' });
    expect(it.next().value).toEqual({ key: 'k0002', value: 'vk0002' });
    expect(it.next()).toEqual({ done: true, value: undefined });
    await db.put('k0003', 'late');
    expect(it.next()).toEqual({ done: true, value: undefined });
  });

  it('an early break in for..of closes it: a later next() is done', async () => {
    await fill(600);
    const it = db.iterator();
    let n = 0;
    for (const _entry of it) {
      if (++n === 3) break;
    }
    expect(n).toBe(3);
    expect(it.next()).toEqual({ done: true, value: undefined });
    expect(it.next()).toEqual({ done: true, value: undefined });
  });

  it('an early break in for await..of closes it: a later next() is done', async () => {
    await fill(600);
    const it = db.iterator();
    let n = 0;
    for await (const _entry of it) {
      if (++n === 2) break;
    }
    expect(n).toBe(2);
    expect(it.next()).toEqual({ done: true, value: undefined });
  });

  it('close() and return() end it', async () => {
    await fill(10);
    const a = db.iterator();
    a.next();
    a.close();
    a.close(); // twice is fine
    expect(a.next()).toEqual({ done: true, value: undefined });
    const b = db.iterator();
    expect(b.return()).toEqual({ done: true, value: undefined });
    expect(b.next()).toEqual({ done: true, value: undefined });
  });

  it('an early break releases the engine cursor (more than the 10,000 open-cursor limit in a row)', async () => {
    await fill(5);
    for (let i = 0; i < 10_050; i++) {
      for (const _entry of db.iterator()) break;
    }
    for (let i = 0; i < 10_050; i++) db.iterator().close();
    expect(db.scan().length).toBe(5);
  });

  it('a for..of walk to the end releases the engine cursor, as Array.from and spreading do', async () => {
    await fill(3);
    for (let i = 0; i < 10_050; i++) {
      let n = 0;
      for (const _entry of db.iterator()) n++;
      expect(n).toBe(3);
    }
    for (let i = 0; i < 10_050; i++) expect(Array.from(db.iterator()).length).toBe(3);
    expect([...db.iterator({ limit: 2 })].length).toBe(2);
  });

  it('sees the state at its creation: later writes, flushes and compactions are invisible', async () => {
    const keys = await fill(20);
    const it = db.iterator();
    await db.put('k0000', 'overwritten');
    await db.delete('k0005');
    await db.put('k0005x', 'new');
    await db.put('a-new-first-key', 'new');
    await db.flush();
    await db.compact();
    const seen = [...it];
    expect(seen.map((e) => e.key)).toEqual(keys);
    expect(seen[0]).toEqual({ key: 'k0000', value: 'vk0000' });
    // A new iterator sees the new state.
    const now = db.scan().map((e) => e.key);
    expect(now).toContain('k0005x');
    expect(now).not.toContain('k0005');
    expect(db.get('k0000')).toBe('overwritten');
  });

  it('sees the state at its creation across chunks, while the database changes under it', async () => {
    const keys = await fill(1500);
    const it = db.iterator();
    const first = it.next();
    expect(first.value).toEqual({ key: 'k0000', value: 'vk0000' });
    // Delete everything and write new keys in between, then flush and compact.
    for (let i = 0; i < keys.length; i += 500) {
      await db.batch(keys.slice(i, i + 500).map((key) => ({ type: 'delete' as const, key })));
    }
    await db.batch(keys.map((key) => ({ type: 'put' as const, key: `${key}-new`, value: 'x' })));
    await db.flush();
    await db.compact();
    const rest = [...it].map((e) => `${e.key}=${e.value}`);
    expect(rest).toEqual(keys.slice(1).map((k) => `${k}=v${k}`));
    expect(db.scan().length).toBe(1500);
    expect(db.get('k0000')).toBeUndefined();
  });

  it('reads at a snapshot keep working after the snapshot is released', async () => {
    const keys = await fill(700);
    const snap = db.snapshot();
    await db.put('k0000', 'changed');
    const it = db.iterator({ snapshot: snap });
    expect(it.next().value).toEqual({ key: 'k0000', value: 'vk0000' });
    snap.release();
    await db.batch(keys.map((key) => ({ type: 'delete' as const, key })));
    await db.flush();
    await db.compact();
    expect([...it].map((e) => e.key)).toEqual(keys.slice(1));
  });
});

describe('snapshot', () => {
  it('reads at a snapshot ignore later writes (get, scan, iterator)', async () => {
    await db.put('a', '1');
    await db.put('b', '2');
    const snap = db.snapshot();
    expect(snap).toBeInstanceOf(Snapshot);
    expect(snap.released).toBe(false);
    await db.put('a', '1-new');
    await db.delete('b');
    await db.put('c', '3');
    expect(db.get('a', { snapshot: snap })).toBe('1');
    expect(db.get('b', { snapshot: snap })).toBe('2');
    expect(db.get('c', { snapshot: snap })).toBeUndefined();
    expect(db.scan({ snapshot: snap })).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    expect([...db.iterator({ snapshot: snap, reverse: true })].map((e) => e.key)).toEqual(['b', 'a']);
    // Without the snapshot: the latest state.
    expect(db.get('a')).toBe('1-new');
    expect(db.scan().map((e) => e.key)).toEqual(['a', 'c']);
    snap.release();
  });

  it('a snapshot survives flush and compaction of the versions it needs', async () => {
    await db.batch(['a', 'b', 'c', 'd'].map((k) => ({ type: 'put' as const, key: k, value: `old-${k}` })));
    await db.flush();
    const snap = db.snapshot();
    await db.batch([
      { type: 'put', key: 'a', value: 'new-a' },
      { type: 'delete', key: 'b' },
      { type: 'put', key: 'e', value: 'new-e' },
    ]);
    await db.flush();
    await db.compact();
    await db.put('c', 'newer-c');
    await db.flush();
    await db.compact();
    expect(db.scan({ snapshot: snap })).toEqual(
      ['a', 'b', 'c', 'd'].map((k) => ({ key: k, value: `old-${k}` })),
    );
    expect(db.scan()).toEqual([
      { key: 'a', value: 'new-a' },
      { key: 'c', value: 'newer-c' },
      { key: 'd', value: 'old-d' },
      { key: 'e', value: 'new-e' },
    ]);
    snap.release();
  });

  it('two snapshots see their own states', async () => {
    await db.put('k', '1');
    const s1 = db.snapshot();
    await db.put('k', '2');
    const s2 = db.snapshot();
    await db.delete('k');
    expect(db.get('k', { snapshot: s1 })).toBe('1');
    expect(db.get('k', { snapshot: s2 })).toBe('2');
    expect(db.get('k')).toBeUndefined();
    s1.release();
    expect(db.get('k', { snapshot: s2 })).toBe('2');
    s2.release();
  });

  it('a released snapshot is refused with InvalidArgument; release is idempotent', async () => {
    await db.put('k', 'v');
    const snap = db.snapshot();
    snap.release();
    expect(snap.released).toBe(true);
    snap.release();
    expect(snap.released).toBe(true);
    expectThrows(() => db.get('k', { snapshot: snap }), 'InvalidArgument');
    expectThrows(() => db.scan({ snapshot: snap }), 'InvalidArgument');
    expectThrows(() => db.iterator({ snapshot: snap }), 'InvalidArgument');
  });

  it("a snapshot of another database is refused with InvalidArgument", async () => {
    const other = await runtime.open('api-other');
    try {
      await db.put('k', 'v');
      const foreign = other.snapshot();
      expectThrows(() => db.get('k', { snapshot: foreign }), 'InvalidArgument');
      expectThrows(() => db.scan({ snapshot: foreign }), 'InvalidArgument');
      expectThrows(() => db.iterator({ snapshot: foreign }), 'InvalidArgument');
      foreign.release();
    } finally {
      await other.close();
    }
  });

  it('a snapshot of an earlier handle of the same database is refused with InvalidArgument', async () => {
    await db.put('k', 'v');
    const old = db.snapshot();
    await db.close();
    db = await runtime.open('api');
    expectThrows(() => db.get('k', { snapshot: old }), 'InvalidArgument');
  });
});

describe('flush and compact', () => {
  it('flush() writes the memtable to a table in L0', async () => {
    await db.put('b', '2');
    await db.put('a', '1');
    await db.put('c', '3');
    const before = db.stats();
    expect(before.memtableEntries).toBe(3);
    expect(before.levels[0]!.files).toBe(0);
    await expect(db.flush()).resolves.toBeUndefined();
    const after = db.stats();
    expect(after.flushes).toBe(before.flushes + 1);
    expect(after.memtableEntries).toBe(0);
    const l0 = after.levels[0]!;
    expect(l0.level).toBe(0);
    expect(l0.files).toBe(1);
    expect(l0.tables).toHaveLength(1);
    const table = l0.tables[0]!;
    expect(table.smallestKey).toBeInstanceOf(Uint8Array);
    expect(table.largestKey).toBeInstanceOf(Uint8Array);
    expect(table.smallestKey).toEqual(utf8.encode('a'));
    expect(table.largestKey).toEqual(utf8.encode('c'));
    expect(table.entries).toBe(3);
    expect(table.size).toBeGreaterThan(0);
    expect(l0.smallestKey).toEqual(utf8.encode('a'));
    expect(l0.largestKey).toEqual(utf8.encode('c'));
    expect(db.scan().map((e) => e.key)).toEqual(['a', 'b', 'c']);
  });

  /**
   * Runs call, taking turns of the event loop (setImmediate) until it
   * settles (duringTurn runs at each turn); resolves to the turn at which
   * each flush event came.
   */
  async function flushEventTurns(call: () => Promise<void>, duringTurn: (turn: number) => Promise<void> = async () => {}): Promise<number[]> {
    let turn = 0;
    const turns: number[] = [];
    const unsubscribe = db.subscribe((e) => void (e.type === 'flush' && turns.push(turn)));
    let settled = false;
    const calling = call().finally(() => (settled = true));
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      await duringTurn(++turn);
    }
    await calling;
    unsubscribe();
    return turns;
  }

  it('flush() writes a large memtable a step per task: other tasks run and writes go on meanwhile', async () => {
    const value = 'v'.repeat(1000);
    const ops = Array.from({ length: 2000 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(5, '0')}`, value }));
    await db.batch(ops); // about 2 MiB: 8 steps of 256 KiB
    const before = db.stats();
    expect(before.memtableEntries).toBe(2000);
    const turns = await flushEventTurns(
      () => db.flush(),
      async (turn) => {
        if (turn !== 2) return;
        expect(db.stats().flushes, 'the flush is partway').toBe(before.flushes);
        await db.put('during', 'the flush');
        expect(db.get('k00042')).toBe(value);
      },
    );
    expect(turns, 'the memtable of the call, then what was written meanwhile').toHaveLength(4);
    expect(turns[1]! - turns[0]!, 'turns during the first flush').toBeGreaterThanOrEqual(3);
    const after = db.stats();
    expect(after.memtableEntries, 'what was written meanwhile is flushed too').toBe(0);
    expect(after.flushes).toBe(before.flushes + 2);
    expect(db.get('during')).toBe('the flush');
    expect(db.scan({ gte: 'k', lt: 'l' })).toHaveLength(2000);
  });

  it('compact() leaves the flush of a full memtable to the steps too', async () => {
    await db.batch(Array.from({ length: 2000 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: 'w'.repeat(1000) })));
    const turns = await flushEventTurns(() => db.compact());
    expect(turns, 'started and finished').toHaveLength(2);
    expect(turns[1]! - turns[0]!, 'turns during the flush').toBeGreaterThanOrEqual(3);
    const after = db.stats();
    expect(after.memtableEntries).toBe(0);
    expect(after.levels[0]!.files).toBe(0);
    expect(db.get('k1999')).toBe('w'.repeat(1000));
  });

  it('compact() uses its bounds as they were when called, though the caller changes them after', async () => {
    await db.batch([{ type: 'put', key: 'm1', value: '1' }, { type: 'put', key: 'm2', value: '2' }]);
    await db.flush();
    const gte = Buffer.from('m');
    const lte = Buffer.from('n');
    const compacting = db.compact({ gte, lte });
    gte.fill(0x7a); // 'zz..': past lte, an empty range
    await compacting;
    expect(db.stats().levels[0]!.files, 'the table holding m1 and m2 went down').toBe(0);
  });

  it('flush() and compact() waiting for their flush reject when the handle closes', async () => {
    await db.batch(Array.from({ length: 2000 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: 'v'.repeat(1000) })));
    const flushing = expectRejects(() => db.flush(), 'Closed');
    const compacting = expectRejects(() => db.compact(), 'Closed');
    await db.close();
    await flushing;
    await compacting;
    db = await runtime.open('api');
    expect(db.get('k1999'), 'the writes, from the WAL').toBe('v'.repeat(1000));
  });

  it('flush() of an empty memtable resolves and makes no table', async () => {
    await db.flush();
    expect(db.stats().levels[0]!.files).toBe(0);
  });

  it('compact() moves tables out of L0 and leaves the data readable', async () => {
    const expected: { key: string; value: string }[] = [];
    for (let round = 0; round < 3; round++) {
      const ops = [];
      for (let i = round; i < 300; i += 3) {
        const key = `key${String(i).padStart(3, '0')}`;
        ops.push({ type: 'put' as const, key, value: `value-${i}` });
      }
      await db.batch(ops);
      await db.flush();
    }
    for (let i = 0; i < 300; i++) expected.push({ key: `key${String(i).padStart(3, '0')}`, value: `value-${i}` });
    await db.delete('key000');
    expected.shift();
    const before = db.stats();
    expect(before.levels[0]!.files).toBe(3);
    await expect(db.compact()).resolves.toBeUndefined();
    const after = db.stats();
    expect(after.compactions).toBeGreaterThan(before.compactions);
    expect(after.levels[0]!.files).toBe(0);
    const deeper = after.levels.slice(1).reduce((n, l) => n + l.files, 0);
    expect(deeper).toBeGreaterThan(0);
    expect(after.levels.slice(1).some((l) => l.tables.length > 0 && l.bytes > 0)).toBe(true);
    expect(db.scan()).toEqual(expected);
    for (const { key, value } of expected) expect(db.get(key)).toBe(value);
    expect(db.get('key000')).toBeUndefined();
  });

  it('compact({ gte, lte }) compacts a range and leaves everything readable', async () => {
    for (let round = 0; round < 2; round++) {
      await db.batch(
        Array.from({ length: 50 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(2, '0')}`, value: `${round}` })),
      );
      await db.flush();
    }
    await db.compact({ gte: 'k10', lte: 'k20' });
    await db.compact({ gte: 'k30' });
    await db.compact({ lte: new Uint8Array([0x6b, 0x30]) });
    expect(db.scan().length).toBe(50);
    expect(db.scan().every((e) => e.value === '1')).toBe(true);
  });
});

describe('stats and metrics', () => {
  const numberFields: (keyof Stats)[] = [
    'puts', 'gets', 'getHits', 'deletes', 'batchWrites', 'scans', 'userBytesWritten', 'userBytesRead',
    'lastSequence', 'walBytes', 'walRecords', 'walSyncs', 'walSegmentsCreated', 'walLiveSegments',
    'memtableBytes', 'memtableEntries', 'memtableLimit', 'immutableMemtableBytes', 'flushes',
    'flushBytesWritten', 'compactions', 'compactionsRunning', 'compactionBytesRead', 'compactionBytesWritten',
    'compactionMicros', 'writeAmplification', 'slowdownWrites', 'stoppedWrites', 'stallMicros', 'bloomChecks',
    'bloomUseful', 'blockCacheHits', 'blockCacheMisses', 'blockCacheUsage', 'blockCacheCapacity',
    'tableCacheHits', 'tableCacheMisses', 'recoveredWalSegments', 'recoveredRecords', 'recoveryDroppedRecords',
    'recoveryDroppedBytes',
  ];
  const histograms = ['putLatency', 'getLatency', 'scanLatency', 'flushLatency', 'compactionLatency'] as const;

  it('has the typed fields', async () => {
    await db.put('a', '1');
    await db.flush();
    const s = db.stats();
    for (const f of numberFields) {
      expect(typeof s[f], f).toBe('number');
      expect(Number.isFinite(s[f] as number), f).toBe(true);
      expect(s[f] as number, f).toBeGreaterThanOrEqual(0);
    }
    for (const f of ['immutableMemtable', 'writeStopped', 'readOnly'] as const) expect(typeof s[f], f).toBe('boolean');
    expect(typeof s.readOnlyReason).toBe('string');
    expect(s.readOnly).toBe(false);
    expect(s.memtableLimit).toBe(4 * 1024 * 1024);
    for (const h of histograms) {
      const hist = s[h];
      for (const f of ['count', 'sumMicros', 'minMicros', 'maxMicros', 'p50Micros', 'p99Micros'] as const) {
        expect(typeof hist[f], `${h}.${f}`).toBe('number');
      }
      expect(Array.isArray(hist.bucketBoundsMicros)).toBe(true);
      expect(hist.buckets.length).toBe(hist.bucketBoundsMicros.length + 1);
      expect(hist.buckets.reduce((a, b) => a + b, 0)).toBe(hist.count);
    }
    expect(s.putLatency.count).toBeGreaterThanOrEqual(1);
    expect(s.flushLatency.count).toBeGreaterThanOrEqual(1);
    expect(Array.isArray(s.levels)).toBe(true);
    expect(s.levels.length).toBeGreaterThan(1);
    s.levels.forEach((level, i) => {
      expect(level.level).toBe(i);
      for (const f of ['files', 'bytes', 'targetBytes', 'score', 'compactionBytesRead', 'compactionBytesWritten'] as const) {
        expect(typeof level[f], `levels[${i}].${f}`).toBe('number');
      }
      expect(level.smallestKey).toBeInstanceOf(Uint8Array);
      expect(level.largestKey).toBeInstanceOf(Uint8Array);
      expect(level.tables.length).toBe(level.files);
      for (const t of level.tables) {
        for (const f of ['number', 'size', 'entries', 'tombstones', 'smallestSeq', 'largestSeq', 'rawKeyBytes', 'rawValueBytes', 'bloomBitsPerKey'] as const) {
          expect(typeof t[f], `table.${f}`).toBe('number');
        }
        expect(typeof t.beingCompacted).toBe('boolean');
      }
    });
    expect(s.levels[0]!.targetBytes).toBe(0);
    for (const f of ['commits', 'filesStored', 'filesDeleted', 'bytesStored', 'commitMicros', 'lastDurableAt'] as const) {
      expect(typeof s.commits[f], `commits.${f}`).toBe('number');
    }
    // The thresholds the gauges are drawn against (the browser build's options).
    expect(s.walSegmentLimit).toBe(0); // no flush by segment count: the segments are consolidated instead
    expect(s.l0CompactionTrigger).toBe(4);
    expect(s.l0SlowdownTrigger).toBe(8);
    expect(s.l0StopTrigger).toBe(12);
    // IndexedDB storage: the flush was committed.
    expect(s.commits.commits).toBeGreaterThan(0);
    expect(s.commits.lastDurableAt).toBeGreaterThan(Date.now() - 60_000);
    expect(s.commits.lastDurableAt).toBeLessThanOrEqual(Date.now());
    expect(s.commits.filesStored).toBeGreaterThan(0);
    expect(s.commits.bytesStored).toBeGreaterThan(0);
  });

  it('counters move with the operations', async () => {
    const s0 = db.stats();
    await db.put('a', '1');
    await db.put('b', '22');
    await db.put('c', '333');
    const s1 = db.stats();
    expect(s1.puts).toBe(s0.puts + 3);
    expect(s1.lastSequence).toBe(s0.lastSequence + 3);
    expect(s1.memtableEntries).toBe(s0.memtableEntries + 3);
    // memtableBytes counts the memtable's arena blocks, so 3 small puts may not move it.
    expect(s1.memtableBytes).toBeGreaterThan(0);
    expect(s1.memtableBytes).toBeGreaterThanOrEqual(s0.memtableBytes);
    expect(s1.userBytesWritten).toBe(s0.userBytesWritten + 1 + 1 + 1 + 2 + 1 + 3);
    expect(s1.walBytes).toBeGreaterThan(s0.walBytes);
    expect(s1.walRecords).toBe(s0.walRecords + 3);
    db.get('a');
    db.get('b');
    db.get('missing');
    const s2 = db.stats();
    expect(s2.gets).toBe(s1.gets + 3);
    expect(s2.getHits).toBe(s1.getHits + 2);
    expect(s2.userBytesRead).toBeGreaterThan(s1.userBytesRead);
    await db.delete('a');
    await db.batch([
      { type: 'put', key: 'd', value: '4' },
      { type: 'delete', key: 'b' },
    ]);
    const s3 = db.stats();
    expect(s3.deletes).toBeGreaterThanOrEqual(s2.deletes + 1);
    expect(s3.batchWrites).toBe(s2.batchWrites + 1);
    expect(s3.lastSequence).toBe(s2.lastSequence + 3);
    // A stats object is a copy: later operations do not change it.
    const puts = s3.puts;
    await db.put('e', '5');
    expect(s3.puts).toBe(puts);
    expect(db.stats().puts).toBe(puts + 1);
  });

  it('metrics() is Prometheus text with strata_ lines that agree with stats()', async () => {
    await db.put('a', '1');
    await db.put('b', '2');
    db.get('a');
    await db.flush();
    const text = db.metrics();
    expect(typeof text).toBe('string');
    const lines = text.split('\n').filter((l) => l.length > 0);
    const samples = lines.filter((l) => !l.startsWith('#'));
    expect(samples.length).toBeGreaterThan(10);
    for (const line of samples) {
      expect(line).toMatch(/^strata_[a-z0-9_]+(\{[^}]*\})? -?[0-9.eE+-]+$|^strata_[a-z0-9_]+(\{[^}]*\})? (NaN|\+Inf|-Inf)$/);
    }
    for (const line of lines.filter((l) => l.startsWith('# TYPE'))) {
      expect(line).toMatch(/^# TYPE strata_[a-z0-9_]+ (counter|gauge|histogram|summary|untyped)$/);
    }
    const value = (name: string) => {
      const line = samples.find((l) => l.startsWith(`${name} `));
      expect(line, name).toBeDefined();
      return Number(line!.split(' ')[1]);
    };
    const s = db.stats();
    expect(value('strata_puts_total')).toBe(s.puts);
    expect(value('strata_gets_total')).toBe(s.gets);
    expect(value('strata_puts_total')).toBe(2);
    expect(text).toMatch(/strata_flush/);
  });
});

describe('close and destroy', () => {
  it('close() resolves, marks the handle closed, and frees the name', async () => {
    await db.put('k', 'v');
    const p = db.close();
    expect(p).toBeInstanceOf(Promise);
    await expect(p).resolves.toBeUndefined();
    expect(db.closed).toBe(true);
    const again = await runtime.open('api');
    expect(again.get('k')).toBe('v');
    db = again;
  });

  it('writes issued just before close() settle and are kept', async () => {
    const writes = [db.put('a', '1'), db.batch([{ type: 'put', key: 'b', value: '2' }]), db.delete('a')];
    const closing = db.close();
    await expect(Promise.all(writes)).resolves.toEqual([undefined, undefined, undefined]);
    await closing;
    db = await runtime.open('api');
    expect(db.scan()).toEqual([{ key: 'b', value: '2' }]);
  });

  it('destroy() deletes a closed database: reopening finds it empty', async () => {
    await db.put('k', 'v');
    await db.flush();
    await db.put('k2', 'v2');
    await db.close();
    await expect(runtime.destroy('api')).resolves.toBeUndefined();
    db = await runtime.open('api');
    expect(db.get('k')).toBeUndefined();
    expect(db.scan()).toEqual([]);
    expect(db.stats().levels.every((l) => l.files === 0)).toBe(true);
  });

  it('list() names the stored databases, sorted, and forgets destroyed ones', async () => {
    await db.put('k', 'v');
    const other = await runtime.open('api-listed');
    await other.put('x', 'y');
    await other.close();
    const names = await runtime.list();
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['api', 'api-listed']));
    await runtime.destroy('api-listed');
    expect(await runtime.list()).not.toContain('api-listed');
    const mem = await runtime.open('api-list-mem', { storage: 'memory' });
    expect(await runtime.list()).not.toContain('api-list-mem');
    await mem.close();
  });

  it('destroy() leaves other databases alone', async () => {
    const other = await runtime.open('api-other');
    await other.put('x', 'y');
    await other.close();
    await db.put('k', 'v');
    await db.close();
    await runtime.destroy('api');
    db = await runtime.open('api-other');
    expect(db.get('x')).toBe('y');
  });

  it('a closed memory database frees its files; reopening starts empty', async () => {
    const mem = await runtime.open('api-mem', { storage: 'memory' });
    await mem.put('k', 'v');
    await mem.flush();
    expect(directoryNames(runtime, 'api-mem').length).toBeGreaterThan(0);
    await mem.close();
    expect(directoryNames(runtime, 'api-mem')).toEqual([]);
    const reopened = await runtime.open('api-mem', { storage: 'memory' });
    expect(reopened.get('k')).toBeUndefined();
    await reopened.close();
    await runtime.destroy('api-mem', { storage: 'memory' }); // nothing left: fine
    // keepOnClose: the files stay until destroy().
    const kept = await runtime.open('api-kept', { storage: 'memory', keepOnClose: true });
    await kept.put('k', 'v');
    await kept.close();
    const found = await runtime.open('api-kept', { storage: 'memory', keepOnClose: true });
    expect(found.get('k')).toBe('v');
    await found.close();
    await runtime.destroy('api-kept', { storage: 'memory' });
    expect(directoryNames(runtime, 'api-kept')).toEqual([]);
    // Opening and closing many costs no memory that stays.
    for (let i = 0; i < 20; i++) {
      const db = await runtime.open(`api-mem-${i}`, { storage: 'memory' });
      await db.put('k', 'v'.repeat(10_000));
      await db.close();
      expect(directoryNames(runtime, `api-mem-${i}`)).toEqual([]);
    }
  });

  it('createIfMissing: false and errorIfExists: true', async () => {
    await expectRejects(() => runtime.open('never-made', { createIfMissing: false }), 'NotFound');
    expect(await runtime.list()).not.toContain('never-made');
    await expectRejects(() => runtime.open('never-made-mem', { storage: 'memory', createIfMissing: false }), 'NotFound');
    const made = await runtime.open('made', { errorIfExists: true });
    await made.put('k', 'v');
    await made.close();
    const e = await expectRejects(() => runtime.open('made', { errorIfExists: true }), 'InvalidArgument');
    expect(e.message).toMatch(/exists/);
    const again = await runtime.open('made', { createIfMissing: false });
    expect(again.get('k')).toBe('v');
    await again.close();
    await expectRejects(() => runtime.open('made', { createIfMissing: 'no' as never }), 'InvalidArgument');
  });

  it('destroy() of a database that does not exist resolves', async () => {
    await expect(runtime.destroy('never-created')).resolves.toBeUndefined();
  });

  it('close() ends open iterators and snapshots with it', async () => {
    await db.put('k', 'v');
    const it = db.iterator();
    const snap = db.snapshot();
    await db.close();
    expectThrows(() => it.next(), 'Closed');
    it.close(); // closing an iterator of a closed handle is harmless
    snap.release(); // so is releasing a snapshot
    expectThrows(() => db.get('k', { snapshot: snap }), 'Closed');
  });
});
