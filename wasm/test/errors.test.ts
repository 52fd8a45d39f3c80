// Every StrataError the API produces from JS input: its class and code, and
// how it is reported. Writes (put, delete, batch, flush, compact, sync,
// close) and open/destroy report failures by returning a rejected promise,
// never by throwing; reads (get, scan, iterator, snapshot, stats, metrics)
// throw.
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import * as strata from '../dist/node.js';
import {
  type Database,
  MAX_BATCH_BYTES,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  type OpenOptions,
  type Runtime,
  createRuntime,
} from '../dist/node.js';
import { expectRejects, expectStrataError, expectThrows } from './helpers.js';

const MiB = 1024 * 1024;


/** The size of the wasm instance's memory. Internal: not public API. */
function wasmMemoryBytes(db: Database): number | undefined {
  return (db as unknown as { module?: { HEAPU8?: Uint8Array } }).module?.HEAPU8?.buffer.byteLength;
}

let runtime: Runtime;
let db: Database<'utf8', 'utf8'>;

beforeEach(async () => {
  runtime = await createRuntime({ indexedDB: new IDBFactory() });
  db = await runtime.open('errors');
});

afterEach(async () => {
  if (!db.closed) await db.close();
});

// Values that are neither a string nor a Uint8Array.
const wrongTypes: [string, unknown][] = [
  ['a number', 42],
  ['NaN', NaN],
  ['a bigint', 1n],
  ['a boolean', true],
  ['an object', { key: 'k' }],
  ['null', null],
  ['undefined', undefined],
  ['an array', ['k']],
  ['an array of bytes', [107]],
  ['a symbol', Symbol('k')],
  ['a function', () => 'k'],
  ['an ArrayBuffer', new ArrayBuffer(1)],
  ['a DataView', new DataView(new ArrayBuffer(1))],
  ['an Int8Array', new Int8Array(1)],
  ['a Uint16Array', new Uint16Array(1)],
  ['a Uint8ClampedArray', new Uint8ClampedArray(1)],
  ['a String object', Object('k')],
];

describe('wrong types', () => {
  for (const [what, bad] of wrongTypes) {
    it(`${what} as a key or value is InvalidArgument (writes reject, reads throw)`, async () => {
      const x = bad as never;
      await expectRejects(() => db.put(x, 'v'), 'InvalidArgument');
      await expectRejects(() => db.put('k', x), 'InvalidArgument');
      await expectRejects(() => db.delete(x), 'InvalidArgument');
      await expectRejects(() => db.batch([{ type: 'put', key: x, value: 'v' }]), 'InvalidArgument');
      await expectRejects(() => db.batch([{ type: 'put', key: 'k', value: x }]), 'InvalidArgument');
      await expectRejects(() => db.batch([{ type: 'delete', key: x }]), 'InvalidArgument');
      expectThrows(() => db.get(x), 'InvalidArgument');
      if (bad !== undefined) {
        // undefined is an absent bound, not a bad one. (null as a range
        // bound: see its own test below.)
        if (bad !== null) {
          for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
            expectThrows(() => db.scan({ [bound]: x }), 'InvalidArgument');
            expectThrows(() => db.iterator({ [bound]: x }), 'InvalidArgument');
          }
        }
        await expectRejects(() => db.compact({ gte: x }), 'InvalidArgument');
        await expectRejects(() => db.compact({ lte: x }), 'InvalidArgument');
      }
      expect(db.scan()).toEqual([]);
      expect(db.stats().lastSequence).toBe(0);
    });
  }

  it('null as a gte/lte bound is InvalidArgument', () => {
    for (const bound of ['gte', 'lte'] as const) {
      expectThrows(() => db.scan({ [bound]: null as never }), 'InvalidArgument');
      expectThrows(() => db.iterator({ [bound]: null as never }), 'InvalidArgument');
    }
  });

  // null is a bad bound, not an absent one (gt ?? gte would lose it).
  it('null as a gt/lt bound is InvalidArgument', async () => {
    await db.put('a', '1');
    await db.put('c', '3');
    for (const bound of ['gt', 'lt'] as const) {
      expectThrows(() => db.scan({ [bound]: null as never }), 'InvalidArgument');
      expectThrows(() => db.iterator({ [bound]: null as never }), 'InvalidArgument');
    }
  });

  const notArrays: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'put'],
    ['an object', { type: 'put', key: 'k', value: 'v' }],
    ['an array-like object', { length: 1, 0: { type: 'put', key: 'k', value: 'v' } }],
    ['a Set', new Set([{ type: 'put', key: 'k', value: 'v' }])],
    ['a number', 1],
  ];
  for (const [what, bad] of notArrays) {
    it(`batch of ${what} (not an array) is InvalidArgument`, async () => {
      await expectRejects(() => db.batch(bad as never), 'InvalidArgument');
      expect(db.get('k')).toBeUndefined();
    });
  }

  const badOps: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a number', 1],
    ['a string', 'put'],
    ['an unknown type', { type: 'merge', key: 'k', value: 'v' }],
    ['an upper-case type', { type: 'PUT', key: 'k', value: 'v' }],
    ["type 'del'", { type: 'del', key: 'k' }],
    ['no type', { key: 'k', value: 'v' }],
    ['a numeric type', { type: 1, key: 'k', value: 'v' }],
    ['a put without value', { type: 'put', key: 'k' }],
    ['a put without key', { type: 'put', value: 'v' }],
    ['a delete without key', { type: 'delete' }],
  ];
  for (const [what, bad] of badOps) {
    it(`a batch operation that is ${what} is InvalidArgument`, async () => {
      await expectRejects(() => db.batch([{ type: 'put', key: 'first', value: 'v' }, bad] as never), 'InvalidArgument');
      expect(db.get('first')).toBeUndefined();
    });
  }

  // Each operation is read once: a getter returning a bigger key on a
  // second read must not get past the sized buffer. Runs in a child
  // process, since a failure would trap the wasm module.
  it('a batch operation whose getters change between reads cannot corrupt wasm memory', () => {
    const script = `
      import { createRuntime, StrataError } from ${JSON.stringify(new URL('../dist/node.js', import.meta.url).href)};
      const rt = await createRuntime({});
      const db = await rt.open('t', { storage: 'memory' });
      for (let i = 0; i < 1000; i++) await db.put('key' + i, 'value' + i);
      let reads = 0;
      const op = { type: 'put', get key() { return ++reads === 1 ? 'a' : 'K'.repeat(65536); }, value: 'v' };
      let outcome;
      try { await db.batch([op]); outcome = 'resolved'; }
      catch (e) { outcome = e instanceof StrataError ? 'StrataError ' + e.code : 'other: ' + e; }
      for (let i = 0; i < 1000; i++) if (db.get('key' + i) !== 'value' + i) throw new Error('key' + i + ' lost');
      await db.put('x', 'y');
      await db.flush();
      await db.compact();
      if (db.get('x') !== 'y') throw new Error('x lost');
      await new Promise((r) => setTimeout(r, 50));
      await db.close();
      console.log(JSON.stringify({ outcome }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    const { outcome } = JSON.parse(child.stdout.trim()) as { outcome: string };
    expect(['resolved', 'StrataError InvalidArgument']).toContain(outcome);
  });

  it('scan and iterator options that are not an object are InvalidArgument', () => {
    for (const bad of [5, 'gt', true]) {
      expectThrows(() => db.scan(bad as never), 'InvalidArgument');
      expectThrows(() => db.iterator(bad as never), 'InvalidArgument');
    }
  });

  it('a snapshot option that is not a Snapshot is InvalidArgument', () => {
    for (const bad of [{}, { id: 1 }, 1, 'snap', null]) {
      expectThrows(() => db.get('k', { snapshot: bad as never }), 'InvalidArgument');
      expectThrows(() => db.scan({ snapshot: bad as never }), 'InvalidArgument');
      expectThrows(() => db.iterator({ snapshot: bad as never }), 'InvalidArgument');
    }
  });
});

describe('empty and oversized keys', () => {
  for (const [what, empty] of [
    ['empty string', ''],
    ['empty Uint8Array', new Uint8Array(0)],
  ] as const) {
    it(`an ${what} key is a key, sorted first, and a bound like any other`, async () => {
      await db.put('a', '1');
      await db.put(empty, 'empty');
      expect(db.get(empty)).toBe('empty');
      expect(db.get('')).toBe('empty'); // '' and new Uint8Array(0) name the same key
      expect(db.scan().map((e) => e.key)).toEqual(['', 'a']);
      expect(db.scan({ gt: empty }).map((e) => e.key)).toEqual(['a']); // excludes only the empty key
      expect(db.scan({ gte: empty }).map((e) => e.key)).toEqual(['', 'a']);
      expect(db.scan({ lt: empty })).toEqual([]); // nothing is below it
      expect(db.scan({ lte: empty }).map((e) => e.key)).toEqual(['']);
      await db.batch([{ type: 'delete', key: empty }]);
      expect(db.get(empty)).toBeUndefined();
      await db.compact({ gte: empty, lte: empty });
      await db.delete('a');
    });
  }

  const atLimit: [string, string | Uint8Array][] = [
    ['ASCII string', 'k'.repeat(MAX_KEY_BYTES)],
    ['Uint8Array', new Uint8Array(MAX_KEY_BYTES).fill(0xff)],
    ['2-byte-character string', 'é'.repeat(MAX_KEY_BYTES / 2)],
    ['4-byte-character string', '😀'.repeat(MAX_KEY_BYTES / 4)],
  ];
  for (const [what, key] of atLimit) {
    it(`a key of exactly ${MAX_KEY_BYTES} bytes (${what}) is accepted`, async () => {
      expect(MAX_KEY_BYTES).toBe(65_536);
      await db.put(key, 'v');
      expect(db.get(key)).toBe('v');
      expect(db.scan({ gte: key, lte: key }).length).toBe(1);
      await db.batch([{ type: 'put', key, value: 'w' }]);
      await db.flush();
      expect(db.get(key)).toBe('w');
      const [entry] = db.scan({ keyEncoding: 'binary' });
      expect(entry!.key.length).toBe(MAX_KEY_BYTES);
      await db.delete(key);
      expect(db.get(key)).toBeUndefined();
    });
  }

  const overLimit: [string, string | Uint8Array][] = [
    ['ASCII string', 'k'.repeat(MAX_KEY_BYTES + 1)],
    ['Uint8Array', new Uint8Array(MAX_KEY_BYTES + 1)],
    ['2-byte-character string', 'é'.repeat(MAX_KEY_BYTES / 2) + 'a'],
    ['4-byte-character string', '😀'.repeat(MAX_KEY_BYTES / 4) + 'a'],
  ];
  for (const [what, key] of overLimit) {
    it(`a key of ${MAX_KEY_BYTES + 1} bytes (${what}) is InvalidArgument`, async () => {
      await expectRejects(() => db.put(key, 'v'), 'InvalidArgument');
      await expectRejects(() => db.delete(key), 'InvalidArgument');
      await expectRejects(() => db.batch([{ type: 'put', key, value: 'v' }]), 'InvalidArgument');
      await expectRejects(() => db.compact({ gte: key }), 'InvalidArgument');
      expectThrows(() => db.get(key), 'InvalidArgument');
      expectThrows(() => db.scan({ gt: key }), 'InvalidArgument');
      expectThrows(() => db.iterator({ lte: key }), 'InvalidArgument');
      expect(db.stats().lastSequence).toBe(0);
    });
  }
});

describe('oversized values', () => {
  it(`a value of ${MAX_VALUE_BYTES} + 1 bytes is InvalidArgument, without allocating it in wasm`, async () => {
    expect(MAX_VALUE_BYTES).toBe(64 * MiB);
    // A fresh runtime: its wasm memory is at its initial size.
    const fresh = await createRuntime({});
    const mem = await fresh.open('big', { storage: 'memory' });
    try {
      await mem.put('small', 'v');
      const before = wasmMemoryBytes(mem);
      const asciiString = 'a'.repeat(MAX_VALUE_BYTES + 1);
      await expectRejects(() => mem.put('k', asciiString), 'InvalidArgument');
      await expectRejects(() => mem.batch([{ type: 'put', key: 'k', value: asciiString }]), 'InvalidArgument');
      // A string of 3-byte characters over the limit.
      await expectRejects(() => mem.put('k', '€'.repeat(Math.ceil((MAX_VALUE_BYTES + 1) / 3))), 'InvalidArgument');
      const bytes = new Uint8Array(MAX_VALUE_BYTES + 1);
      await expectRejects(() => mem.put('k', bytes), 'InvalidArgument');
      await expectRejects(
        () => mem.batch([{ type: 'delete', key: 'small' }, { type: 'put', key: 'k', value: bytes }]),
        'InvalidArgument',
      );
      const after = wasmMemoryBytes(mem);
      if (before !== undefined && after !== undefined) {
        // Nothing of the value reached wasm memory.
        expect(after - before).toBeLessThan(MiB);
      }
      expect(mem.get('k')).toBeUndefined();
      expect(mem.get('small')).toBe('v');
    } finally {
      await mem.close();
    }
  });

  it('a string value whose UTF-16 length is over the limit but whose UTF-8 size is at it is accepted', async () => {
    // Not large: the point is that byte size, not .length * 3, is what counts.
    const fresh = await createRuntime({});
    const mem = await fresh.open('big', { storage: 'memory' });
    try {
      const value = '€'.repeat(1000); // 3,000 bytes
      await mem.put('k', value);
      expect(mem.get('k')).toBe(value);
    } finally {
      await mem.close();
    }
  });

  // Strings are sized at 3 bytes a character at first; a batch whose
  // bound is over the limit is sized exactly before it is refused.
  it('a batch of string values under MAX_BATCH_BYTES whose 3x upper bound is over it is accepted', async () => {
    expect(MAX_BATCH_BYTES).toBe(256 * MiB);
    const fresh = await createRuntime({});
    const mem = await fresh.open('big', { storage: 'memory', durability: 'deferred' });
    try {
      const value = 'a'.repeat(43 * MiB);
      await mem.batch([
        { type: 'put', key: 'x', value },
        { type: 'put', key: 'y', value },
      ]);
      expect(mem.get('x')?.length).toBe(43 * MiB);
      expect(mem.get('y')?.length).toBe(43 * MiB);
    } finally {
      await mem.close();
    }
  });
});

describe('lone surrogates', () => {
  const lone = ['\ud800', '\udfff', 'a\ud83db', '\ude00\ud83d', 'ok\udc00'];
  for (const s of lone) {
    it(`${JSON.stringify(s)} as a key, value or bound is InvalidArgument`, async () => {
      await expectRejects(() => db.put(s, 'v'), 'InvalidArgument');
      await expectRejects(() => db.put('k', s), 'InvalidArgument');
      await expectRejects(() => db.delete(s), 'InvalidArgument');
      await expectRejects(() => db.batch([{ type: 'put', key: 'k', value: s }]), 'InvalidArgument');
      await expectRejects(() => db.compact({ gte: s }), 'InvalidArgument');
      expectThrows(() => db.get(s), 'InvalidArgument');
      expectThrows(() => db.scan({ gte: s }), 'InvalidArgument');
      expectThrows(() => db.scan({ lt: s }), 'InvalidArgument');
      expect(db.stats().lastSequence).toBe(0);
    });
  }

  it('a well-formed surrogate pair is fine', async () => {
    await db.put('\ud83d\ude00', '\ud83d\ude01');
    expect(db.get('😀')).toBe('😁');
  });
});

describe('range and limit options', () => {
  it('both gt and gte, or both lt and lte, is InvalidArgument', async () => {
    await db.put('k', 'v');
    for (const bad of [
      { gt: 'a', gte: 'a' },
      { lt: 'z', lte: 'z' },
      { gt: 'a', gte: 'b', lt: 'z' },
      { gt: new Uint8Array([1]), gte: 'a' },
    ]) {
      expectThrows(() => db.scan(bad), 'InvalidArgument');
      expectThrows(() => db.iterator(bad), 'InvalidArgument');
      expectThrows(() => db.scan({ ...bad, reverse: true }), 'InvalidArgument');
    }
  });

  it('a limit that is not a non-negative integer is InvalidArgument', () => {
    for (const bad of [-1, -0.5, 1.5, NaN, -Infinity, '5', null, true, 10n]) {
      expectThrows(() => db.scan({ limit: bad as never }), 'InvalidArgument');
      expectThrows(() => db.iterator({ limit: bad as never }), 'InvalidArgument');
    }
    // The edges that are fine.
    expect(db.scan({ limit: 0 })).toEqual([]);
    expect(db.scan({ limit: Infinity })).toEqual([]);
    expect(db.scan({ limit: Number.MAX_SAFE_INTEGER })).toEqual([]);
  });

  it('an unknown keyEncoding or valueEncoding per call is InvalidArgument', async () => {
    await db.put('k', 'v');
    for (const bad of ['hex', 'base64', 'UTF8', 'buffer', '', 1, null]) {
      expectThrows(() => db.get('k', { valueEncoding: bad as never }), 'InvalidArgument');
      expectThrows(() => db.scan({ keyEncoding: bad as never }), 'InvalidArgument');
      expectThrows(() => db.scan({ valueEncoding: bad as never }), 'InvalidArgument');
      expectThrows(() => db.iterator({ keyEncoding: bad as never }), 'InvalidArgument');
    }
  });
});

describe('open options', () => {
  const badOptions: [string, unknown][] = [
    ['memtableBytes too small', { memtableBytes: 64 * 1024 - 1 }],
    ['memtableBytes 0', { memtableBytes: 0 }],
    ['memtableBytes negative', { memtableBytes: -1 }],
    ['memtableBytes fractional', { memtableBytes: 100_000.5 }],
    ['memtableBytes over 1 GiB', { memtableBytes: 1024 * MiB + 1 }],
    ['memtableBytes NaN', { memtableBytes: NaN }],
    ['memtableBytes a string', { memtableBytes: '4MiB' }],
    ['blockCacheBytes negative', { blockCacheBytes: -1 }],
    ['blockCacheBytes Infinity', { blockCacheBytes: Infinity }],
    ['bloomBitsPerKey 31', { bloomBitsPerKey: 31 }],
    ['bloomBitsPerKey -1', { bloomBitsPerKey: -1 }],
    ['bloomBitsPerKey 2.5', { bloomBitsPerKey: 2.5 }],
    ['compressionLevel 0', { compressionLevel: 0 }],
    ['compressionLevel 10', { compressionLevel: 10 }],
    ['compression a string', { compression: 'zlib' }],
    ['paranoidChecks a number', { paranoidChecks: 1 }],
    ["durability 'x'", { durability: 'x' }],
    ["durability 'Durable'", { durability: 'Durable' }],
    ['commitIntervalMs negative', { commitIntervalMs: -1 }],
    ['commitIntervalMs over a minute', { commitIntervalMs: 60_001 }],
    ["idbDurability 'x'", { idbDurability: 'x' }],
    ["storage 'x'", { storage: 'x' }],
    ["storage 'Memory'", { storage: 'Memory' }],
    ["keyEncoding 'hex'", { keyEncoding: 'hex' }],
    ["valueEncoding 'base64'", { valueEncoding: 'base64' }],
    ['options null', null],
    ['options a string', 'memory'],
    ['options a number', 5],
  ];
  for (const [what, options] of badOptions) {
    it(`${what} is InvalidArgument, and leaves the name free`, async () => {
      await expectRejects(() => runtime.open('opts', options as OpenOptions), 'InvalidArgument');
      // The failed open did not take the name.
      const ok = await runtime.open('opts', { storage: 'memory' });
      await ok.close();
    });
  }

  const goodOptions: [string, OpenOptions][] = [
    ['memtableBytes 64 KiB', { memtableBytes: 64 * 1024 }],
    ['bloomBitsPerKey 0', { bloomBitsPerKey: 0 }],
    ['bloomBitsPerKey 30', { bloomBitsPerKey: 30 }],
    ['compressionLevel 1', { compressionLevel: 1 }],
    ['compressionLevel 9', { compressionLevel: 9 }],
    ['blockCacheBytes 0', { blockCacheBytes: 0 }],
    ['commitIntervalMs 0', { commitIntervalMs: 0 }],
    ['every option', {
      memtableBytes: 128 * 1024, blockCacheBytes: MiB, bloomBitsPerKey: 12, compression: false,
      compressionLevel: 6, durability: 'deferred', commitIntervalMs: 10, idbDurability: 'relaxed',
      storage: 'indexeddb', paranoidChecks: false,
    }],
  ];
  for (const [what, options] of goodOptions) {
    it(`${what} is accepted`, async () => {
      const ok = await runtime.open('opts', options);
      await ok.put('k', 'v');
      expect(ok.get('k')).toBe('v');
      await ok.close();
    });
  }

  const badNames: [string, unknown][] = [
    ["''", ''],
    ["'a/b'", 'a/b'],
    ["'/'", '/'],
    ["'..'", '..'],
    ["'.'", '.'],
    ['a name with NUL', 'a\0b'],
    ['201 characters', 'n'.repeat(201)],
    ['a number', 1],
    ['null', null],
    ['undefined', undefined],
    ['an object', { name: 'x' }],
    ['an array', ['x']],
  ];
  for (const [what, name] of badNames) {
    it(`name ${what} is InvalidArgument for open and destroy`, async () => {
      await expectRejects(() => runtime.open(name as string), 'InvalidArgument');
      await expectRejects(() => runtime.open(name as string, { storage: 'memory' }), 'InvalidArgument');
      await expectRejects(() => runtime.destroy(name as string), 'InvalidArgument');
      await expectRejects(() => runtime.destroy(name as string, { storage: 'memory' }), 'InvalidArgument');
    });
  }

  it('names of 200 characters, with dots, spaces and non-ASCII are accepted', async () => {
    for (const name of ['n'.repeat(200), '...', 'a.b', 'with space', 'ünïcödé-😀', '.hidden']) {
      const ok = await runtime.open(name);
      await ok.put('k', name);
      await ok.close();
      const again = await runtime.open(name);
      expect(again.get('k')).toBe(name);
      await again.close();
    }
  });

  it("createRuntime's IDBKeyRange option is checked", async () => {
    for (const bad of [{}, 'range', 1]) {
      await expect(createRuntime({ indexedDB: new IDBFactory(), IDBKeyRange: bad as never })).rejects.toMatchObject({
        code: 'InvalidArgument',
      });
    }
  });

  it("destroy's storage option is checked", async () => {
    await expectRejects(() => runtime.destroy('x', { storage: 'x' as never }), 'InvalidArgument');
  });
});

describe('Busy', () => {
  it('opening the same name twice in one runtime is Busy', async () => {
    await expectRejects(() => runtime.open('errors'), 'Busy');
    await expectRejects(() => runtime.open('errors', { storage: 'memory' }), 'Busy');
    // The refused open did not disturb the open handle.
    await db.put('k', 'v');
    expect(db.get('k')).toBe('v');
  });

  it('two concurrent opens of one name: one succeeds, the other is Busy', async () => {
    const results = await Promise.allSettled([runtime.open('twice'), runtime.open('twice')]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expectStrataError((rejected[0] as PromiseRejectedResult).reason, 'Busy');
    await (fulfilled[0] as PromiseFulfilledResult<Database>).value.close();
  });

  it('the same name in two runtimes (memory storage) is not Busy', async () => {
    const other = await createRuntime({ indexedDB: new IDBFactory() });
    const a = await other.open('errors', { storage: 'memory' });
    await a.close();
  });

  it('destroy while open is Busy and deletes nothing', async () => {
    await db.put('k', 'v');
    await db.flush();
    await expectRejects(() => runtime.destroy('errors'), 'Busy');
    expect(db.get('k')).toBe('v');
    await db.close();
    await runtime.destroy('errors');
    db = await runtime.open('errors');
    expect(db.get('k')).toBeUndefined();
  });

  it('more than 10,000 open snapshots is Busy', () => {
    const snaps = [];
    let error: unknown;
    try {
      for (let i = 0; i < 10_001; i++) snaps.push(db.snapshot());
    } catch (e) {
      error = e;
    }
    expect(snaps.length).toBe(10_000);
    expectStrataError(error, 'Busy');
    snaps.pop()!.release();
    snaps.push(db.snapshot()); // room again
    for (const s of snaps) s.release();
  });

  // The open-cursor limit answers Busy, like the snapshot limit.
  it('more than 10,000 open iterators is Busy', () => {
    const its = [];
    let error: unknown;
    try {
      for (let i = 0; i < 10_001; i++) its.push(db.iterator());
    } catch (e) {
      error = e;
    } finally {
      for (const it of its) it.close();
    }
    expect(its.length).toBe(10_000);
    expectStrataError(error, 'Busy');
  });
});

describe('Closed', () => {
  it('every method after close: writes reject, reads throw', async () => {
    await db.put('k', 'v');
    const snap = db.snapshot();
    await db.close();
    expect(db.closed).toBe(true);
    await expectRejects(() => db.put('k', 'v'), 'Closed');
    await expectRejects(() => db.delete('k'), 'Closed');
    await expectRejects(() => db.batch([{ type: 'put', key: 'k', value: 'v' }]), 'Closed');
    await expectRejects(() => db.batch([]), 'Closed');
    await expectRejects(() => db.flush(), 'Closed');
    await expectRejects(() => db.compact(), 'Closed');
    await expectRejects(() => db.compact({ gte: 'a', lte: 'z' }), 'Closed');
    await expectRejects(() => db.sync(), 'Closed');
    await expectRejects(() => db.close(), 'Closed');
    expectThrows(() => db.get('k'), 'Closed');
    expectThrows(() => db.get('k', { snapshot: snap }), 'Closed');
    expectThrows(() => db.scan(), 'Closed');
    expectThrows(() => db.scan({ snapshot: snap }), 'Closed');
    expectThrows(() => db.iterator(), 'Closed');
    expectThrows(() => db.snapshot(), 'Closed');
    expectThrows(() => db.stats(), 'Closed');
    expectThrows(() => db.metrics(), 'Closed');
  });

  it('bad arguments after close still report Closed, asynchronously for writes', async () => {
    await db.close();
    await expectRejects(() => db.put('' as string, 1 as never), 'Closed');
    await expectRejects(() => db.batch('nope' as never), 'Closed');
    expectThrows(() => db.get(''), 'Closed');
  });

  it('close twice is Closed (the second close rejects)', async () => {
    await db.close();
    await expectRejects(() => db.close(), 'Closed');
    await expectRejects(() => db.close(), 'Closed');
  });

  it('two concurrent closes: the first resolves, the second is Closed', async () => {
    await db.put('k', 'v');
    const first = db.close();
    await expectRejects(() => db.close(), 'Closed');
    await first;
  });

  it('an iterator not yet read when its database closes throws Closed', async () => {
    await db.put('k', 'v');
    const it = db.iterator();
    await db.close();
    expectThrows(() => it.next(), 'Closed');
  });

  // Entries read ahead are not served after the database closed.
  it('an iterator part-way through its buffer when its database closes throws Closed', async () => {
    for (let i = 0; i < 10; i++) await db.put(`k${i}`, `v${i}`);
    const it = db.iterator();
    expect(it.next().value).toEqual({ key: 'k0', value: 'v0' });
    await db.close();
    expectThrows(() => it.next(), 'Closed');
  });
});

describe('no IndexedDB', () => {
  it('in Node globalThis.indexedDB is undefined (the premise of these tests)', () => {
    expect((globalThis as { indexedDB?: unknown }).indexedDB).toBeUndefined();
  });

  it('createRuntime({}) without a storage option is InvalidArgument; storage: memory works', async () => {
    const bare = await createRuntime({});
    await expectRejects(() => bare.open('x'), 'InvalidArgument');
    await expectRejects(() => bare.open('x', { storage: 'indexeddb' }), 'InvalidArgument');
    await expectRejects(() => bare.destroy('x'), 'InvalidArgument');
    const mem = await bare.open('x', { storage: 'memory' });
    await mem.put('k', 'v');
    expect(mem.get('k')).toBe('v');
    await mem.close();
    await bare.destroy('x', { storage: 'memory' });
  });

  it('createRuntime() with no argument behaves the same', async () => {
    const bare = await createRuntime();
    await expectRejects(() => bare.open('x'), 'InvalidArgument');
  });

  it("the package's default open() and destroy() are InvalidArgument without storage: 'memory'", async () => {
    await expectRejects(() => strata.open('default-x'), 'InvalidArgument');
    await expectRejects(() => strata.destroy('default-x'), 'InvalidArgument');
    const mem = await strata.open('default-x', { storage: 'memory' });
    await mem.put('k', 'v');
    await mem.close();
    await expectRejects(() => strata.open(''), 'InvalidArgument');
  });
});

describe('options are checked, not ignored', () => {
  it('refuses write options, ranges and scan flags of the wrong type', async () => {
    await expectRejects(() => db.put('k', 'v', { durable: 'false' } as never), 'InvalidArgument');
    await expectRejects(() => db.delete('k', 5 as never), 'InvalidArgument');
    await expectRejects(() => db.batch([], { durable: 1 } as never), 'InvalidArgument');
    await expectRejects(() => db.compact(5 as never), 'InvalidArgument');
    await expectRejects(() => db.compact('a' as never), 'InvalidArgument');
    await expectRejects(() => db.compact({ gt: 'a' } as never), 'InvalidArgument');
    expectThrows(() => db.get('k', 'binary' as never), 'InvalidArgument');
    expectThrows(() => db.scan({ reverse: 'yes' } as never), 'InvalidArgument');
    expectThrows(() => db.scan(7 as never), 'InvalidArgument');
  });

  it('refuses unknown open options and sizes past the caps', async () => {
    await expectRejects(() => runtime.open('o1', { memtableSize: 1 } as never), 'InvalidArgument');
    await expectRejects(() => runtime.open('o2', { memtableBytes: 64 * MiB + 1 }), 'InvalidArgument');
    await expectRejects(() => runtime.open('o3', { blockCacheBytes: 256 * MiB + 1 }), 'InvalidArgument');
    await expectRejects(() => runtime.open('o4', { onError: 'log' } as never), 'InvalidArgument');
    const big = await runtime.open('o5', { memtableBytes: 64 * MiB, blockCacheBytes: 256 * MiB });
    await big.close();
  });
});
