// Keys and values are byte strings: strings go in as UTF-8, Uint8Arrays as
// they are, and come back in the encoding asked for (per open or per call).
// Order is bytewise over the UTF-8 / raw bytes, whatever form a key was
// written in.
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { type Database, type Entry, type Runtime, createRuntime } from '../dist/node.js';
import { bytesOf, prng } from './helpers.js';

const utf8 = new TextEncoder();
const MiB = 1024 * 1024;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');


const strings = [
  'plain ascii',
  'café',
  'naïve façade',
  '日本語のキー',
  '한국어',
  'עברית',
  'e\u0301 (combining)',
  'emoji 😀🎉',
  '👨‍👩‍👧‍👦 family (ZWJ)',
  'nul\u0000inside',
  '\u0000',
  '\u0000\u0000',
  'trailing nul\u0000',
  '\u0001\u007f',
  '\u0080',
  '\u07ff',
  '\u0800',
  '\ud7ff',
  '\ue000',
  'bom in the middle \ufeff',
  '\ufffd',
  '\uffff',
  '\u{10000}',
  '\u{10ffff}',
  'tab\tnewline\nreturn\r',
  ' leading and trailing space ',
];

let runtime: Runtime;
let db: Database<'utf8', 'utf8'>;

beforeEach(async () => {
  runtime = await createRuntime({ indexedDB: new IDBFactory() });
  db = await runtime.open('enc', { storage: 'memory', keepOnClose: true });
});

afterEach(async () => {
  if (!db.closed) await db.close();
});

describe('UTF-8 strings', () => {
  it('multi-byte, emoji and NUL strings round trip as keys and values', async () => {
    for (const s of strings) await db.put(s, s);
    const check = () => {
      for (const s of strings) {
        expect(db.get(s), JSON.stringify(s)).toBe(s);
        expect(db.get(s, { valueEncoding: 'binary' })).toEqual(utf8.encode(s));
        expect(db.get(utf8.encode(s))).toBe(s);
      }
      const scanned = db.scan();
      expect(scanned.length).toBe(strings.length);
      for (const { key, value } of scanned) expect(key).toBe(value);
      expect(new Set(scanned.map((e) => e.key))).toEqual(new Set(strings));
    };
    check();
    await db.flush();
    check();
    await db.compact();
    check();
  });

  // The decoder must not take a leading U+FEFF for a byte order mark.
  it('a leading U+FEFF (BOM) in a string key or value round trips', async () => {
    await db.put('\ufeffbom', '\ufeffv');
    expect(db.get('\ufeffbom', { valueEncoding: 'binary' })).toEqual(utf8.encode('\ufeffv'));
    expect(db.scan({ keyEncoding: 'binary' })[0]!.key).toEqual(utf8.encode('\ufeffbom'));
    expect(db.get('\ufeffbom')).toBe('\ufeffv');
    expect(db.scan()).toEqual([{ key: '\ufeffbom', value: '\ufeffv' }]);
  });

  it('keys that differ only after a NUL are distinct', async () => {
    await db.put('a', '1');
    await db.put('a\u0000', '2');
    await db.put('a\u0000b', '3');
    await db.put('a\u0000\u0000', '4');
    expect(db.get('a')).toBe('1');
    expect(db.get('a\u0000')).toBe('2');
    expect(db.get('a\u0000b')).toBe('3');
    expect(db.get('a\u0000\u0000')).toBe('4');
    expect(db.scan().map((e) => e.key)).toEqual(['a', 'a\u0000', 'a\u0000\u0000', 'a\u0000b']);
  });

  it('NFC and NFD forms are different keys (no normalization)', async () => {
    await db.put('\u00e9', 'nfc');
    await db.put('e\u0301', 'nfd');
    expect(db.get('\u00e9')).toBe('nfc');
    expect(db.get('e\u0301')).toBe('nfd');
    expect(db.scan().length).toBe(2);
  });

  // Short ASCII strings are written a char at a time (src/args.ts), others
  // with TextEncoder: each side of the length limit, ASCII or not to the
  // last char, goes in as its UTF-8 bytes.
  it('strings are stored as their UTF-8 bytes at any length, non-ASCII as late as the last char', async () => {
    const made: string[] = [];
    for (const n of [1, 63, 64, 65, 255, 256, 257, 300]) {
      for (const last of ['', 'é', '\u{10000}', '\u0080', '\u007f']) {
        const s = 'x'.repeat(Math.max(0, n - last.length)) + last;
        made.push(s);
        await db.put(s, s);
      }
    }
    for (const s of made) {
      expect(db.get(s, { valueEncoding: 'binary' }), JSON.stringify(s)).toEqual(utf8.encode(s));
      expect(db.get(s), JSON.stringify(s)).toBe(s);
      expect(db.get(utf8.encode(s)), JSON.stringify(s)).toBe(s);
    }
    const keys = db.scan({ keyEncoding: 'binary' }).map((e) => hex(e.key));
    expect(keys).toEqual(made.map((s) => hex(utf8.encode(s))).sort());
    expect(db.getMany(made)).toEqual(made);
  });

  it('a 4-byte character string value has its UTF-8 length', async () => {
    const value = '😀'.repeat(1000);
    await db.put('k', value);
    expect(db.get('k', { valueEncoding: 'binary' })!.length).toBe(4000);
    expect(db.stats().userBytesWritten).toBe(1 + 4000);
  });
});

describe('binary keys and values', () => {
  const binaryKeys = [
    [0x00],
    [0x00, 0x00],
    [0x00, 0xff],
    [0x00, 0xff, 0x00],
    [0x01],
    [0x7f],
    [0x80],
    [0xc3], // a lone UTF-8 lead byte
    [0xed, 0xa0, 0x80], // an encoded surrogate: not UTF-8
    [0xfe],
    [0xff],
    [0xff, 0x00],
    [0xff, 0xff],
    [0xff, 0xff, 0xff],
  ].map((k) => new Uint8Array(k));

  it('keys with 0x00 and 0xff bytes round trip and sort bytewise', async () => {
    for (const [i, key] of binaryKeys.entries()) await db.put(key, new Uint8Array([i, 0x00, 0xff]));
    const check = () => {
      for (const [i, key] of binaryKeys.entries()) {
        expect(db.get(key, { valueEncoding: 'binary' }), hex(key)).toEqual(new Uint8Array([i, 0x00, 0xff]));
      }
      const scanned = db.scan({ keyEncoding: 'binary', valueEncoding: 'binary' });
      const expected = [...binaryKeys].sort(Buffer.compare).map(hex);
      expect(scanned.map((e) => hex(e.key))).toEqual(expected);
      expect(db.scan({ keyEncoding: 'binary', reverse: true }).map((e) => hex(e.key))).toEqual([...expected].reverse());
      expect(db.get(new Uint8Array([0x00, 0x00, 0x00]))).toBeUndefined();
      expect(db.get(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBeUndefined();
    };
    check();
    await db.flush();
    check();
  });

  it('a value with every byte 0..255 round trips exactly', async () => {
    const value = Uint8Array.from({ length: 256 * 4 }, (_, i) => i & 0xff);
    await db.put(new Uint8Array([0xff]), value);
    expect(db.get(new Uint8Array([0xff]), { valueEncoding: 'binary' })).toEqual(value);
    await db.flush();
    expect(db.get(new Uint8Array([0xff]), { valueEncoding: 'binary' })).toEqual(value);
    const [entry] = db.scan({ valueEncoding: 'binary' });
    expect(entry!.value).toEqual(value);
  });

  it('non-UTF-8 bytes read as utf8 decode with U+FFFD, and exactly as binary', async () => {
    await db.put(new Uint8Array([0x61, 0xc3]), new Uint8Array([0xed, 0xa0, 0x80, 0x62]));
    const [entry] = db.scan();
    expect(entry!.key).toBe('a\ufffd');
    expect(entry!.value.endsWith('b')).toBe(true);
    expect(entry!.value).toContain('\ufffd');
    expect(db.get(new Uint8Array([0x61, 0xc3]), { valueEncoding: 'binary' })).toEqual(
      new Uint8Array([0xed, 0xa0, 0x80, 0x62]),
    );
    // 'a\ufffd' as a key is other bytes (61 ef bf bd): not the same key.
    expect(db.get('a\ufffd')).toBeUndefined();
  });

  it('returned Uint8Arrays are copies, and inputs are copied at the call', async () => {
    const input = new Uint8Array([1, 2, 3]);
    await db.put('k', input);
    input[0] = 99;
    const out = db.get('k', { valueEncoding: 'binary' })!;
    expect(out).toEqual(new Uint8Array([1, 2, 3]));
    out[1] = 42;
    // Neither changes what is stored, and later calls do not change `first`.
    const first = db.get('k', { valueEncoding: 'binary' })!;
    expect(first).toEqual(new Uint8Array([1, 2, 3]));
    await db.put('other', new Uint8Array(1000).fill(7));
    db.get('other');
    db.scan({ valueEncoding: 'binary' });
    expect(first).toEqual(new Uint8Array([1, 2, 3]));
    const [entry] = db.scan({ keyEncoding: 'binary', valueEncoding: 'binary', limit: 1 });
    entry!.key[0] = 0;
    expect(db.get('k', { valueEncoding: 'binary' })).toEqual(new Uint8Array([1, 2, 3]));
  });
});

describe('bytewise order across string and binary forms', () => {
  it("'é' (c3 a9) sorts after 'z' (7a), and after binary 0x7a..", async () => {
    await db.put('é', 'e-acute');
    await db.put('z', 'zed');
    await db.put(new Uint8Array([0x7a, 0xff]), 'z-ff');
    await db.put(new Uint8Array([0xc3, 0xa8]), 'e-grave'); // 'è'
    await db.put('a', 'a');
    expect(db.scan().map((e) => e.value)).toEqual(['a', 'zed', 'z-ff', 'e-grave', 'e-acute']);
    expect(db.scan({ gt: 'z' }).map((e) => e.value)).toEqual(['z-ff', 'e-grave', 'e-acute']);
    expect(db.scan({ gt: new Uint8Array([0x7b]), lt: 'é' }).map((e) => e.value)).toEqual(['e-grave']);
    expect(db.scan({ gte: new Uint8Array([0xc3, 0xa9]) }).map((e) => e.key)).toEqual(['é']);
    expect(db.get(new Uint8Array([0xc3, 0xa8]))).toBe('e-grave');
    expect(db.get('è')).toBe('e-grave');
  });

  it('orders by UTF-8 bytes, not by UTF-16 code units', async () => {
    // UTF-16 puts '😀' (d83d de00) before '\uffff'; UTF-8 puts it after
    // (f0 9f 98 80 > ef bf bf).
    const keys = ['\uffff', '😀', '\ue000', '\ufffd', '\u{10ffff}', 'z', '\u0000', '\u00ff', '\u0100', '\u07ff', '\u0800'];
    const jsOrder = [...keys].sort();
    const byteOrder = [...keys].sort((a, b) => Buffer.compare(utf8.encode(a), utf8.encode(b)));
    expect(byteOrder).not.toEqual(jsOrder); // the test can tell the two apart
    for (const k of keys) await db.put(k, k);
    expect(db.scan().map((e) => e.key)).toEqual(byteOrder);
    await db.flush();
    expect(db.scan().map((e) => e.key)).toEqual(byteOrder);
    expect(db.scan({ reverse: true }).map((e) => e.key)).toEqual([...byteOrder].reverse());
    expect(db.scan({ gt: '\uffff' }).map((e) => e.key)).toEqual(['😀', '\u{10ffff}']);
  });

  it('a random mix of string and binary keys scans in bytewise order', async () => {
    const random = prng(99);
    const alphabet = ['a', 'z', 'é', '\u0000', '😀', '\uffff', '日', '~'];
    const written = new Map<string, Uint8Array>();
    for (let i = 0; i < 300; i++) {
      const n = 1 + Math.floor(random() * 4);
      let key: string | Uint8Array;
      if (random() < 0.5) {
        key = Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
      } else {
        key = Uint8Array.from({ length: n }, () => [0x00, 0x61, 0x7a, 0xc3, 0xe6, 0xef, 0xf0, 0xff][Math.floor(random() * 8)]!);
      }
      await db.put(key, String(i));
      written.set(hex(bytesOf(key)), bytesOf(key));
      if (i === 150) await db.flush();
    }
    const expected = [...written.values()].sort(Buffer.compare).map(hex);
    expect(db.scan({ keyEncoding: 'binary' }).map((e) => hex(e.key))).toEqual(expected);
  });
});

describe('keyEncoding and valueEncoding', () => {
  it("default is 'utf8' for keys and values", async () => {
    await db.put(new Uint8Array([0x6b]), new Uint8Array([0x76]));
    expect(db.get('k')).toBe('v');
    expectTypeOf(db.get('k')).toEqualTypeOf<string | undefined>();
    const entries = db.scan();
    expectTypeOf(entries).toEqualTypeOf<Entry<string, string>[]>();
    expect(entries).toEqual([{ key: 'k', value: 'v' }]);
    expect(typeof entries[0]!.key).toBe('string');
  });

  it("'binary' per open: reads give Uint8Array; per call overrides it", async () => {
    const bin = await runtime.open('enc-bin', { storage: 'memory', keyEncoding: 'binary', valueEncoding: 'binary' });
    expectTypeOf(bin).toEqualTypeOf<Database<'binary', 'binary'>>();
    try {
      await bin.put('k', 'v');
      const v = bin.get('k');
      expectTypeOf(v).toEqualTypeOf<Uint8Array | undefined>();
      expect(v).toBeInstanceOf(Uint8Array);
      expect(v).toEqual(utf8.encode('v'));
      const [entry] = bin.scan();
      expectTypeOf(entry!).toEqualTypeOf<Entry<Uint8Array, Uint8Array>>();
      expect(entry!.key).toBeInstanceOf(Uint8Array);
      expect(entry!.value).toBeInstanceOf(Uint8Array);
      expect(entry).toEqual({ key: utf8.encode('k'), value: utf8.encode('v') });
      // Per call: back to strings.
      const s = bin.get('k', { valueEncoding: 'utf8' });
      expectTypeOf(s).toEqualTypeOf<string | undefined>();
      expect(s).toBe('v');
      const mixed = bin.scan({ keyEncoding: 'utf8' });
      expectTypeOf(mixed).toEqualTypeOf<Entry<string, Uint8Array>[]>();
      expect(mixed).toEqual([{ key: 'k', value: utf8.encode('v') }]);
      const it = bin.iterator({ valueEncoding: 'utf8' });
      const first = it.next();
      expect(first.value).toEqual({ key: utf8.encode('k'), value: 'v' });
      it.close();
    } finally {
      await bin.close();
    }
  });

  it('keyEncoding and valueEncoding are independent per open', async () => {
    const keysOnly = await runtime.open('enc-k', { storage: 'memory', keyEncoding: 'binary' });
    const valuesOnly = await runtime.open('enc-v', { storage: 'memory', valueEncoding: 'binary' });
    expectTypeOf(keysOnly).toEqualTypeOf<Database<'binary', 'utf8'>>();
    expectTypeOf(valuesOnly).toEqualTypeOf<Database<'utf8', 'binary'>>();
    try {
      await keysOnly.put('k', 'v');
      await valuesOnly.put('k', 'v');
      expect(keysOnly.get('k')).toBe('v');
      expect(keysOnly.scan()).toEqual([{ key: utf8.encode('k'), value: 'v' }]);
      expect(valuesOnly.get('k')).toEqual(utf8.encode('v'));
      expect(valuesOnly.scan()).toEqual([{ key: 'k', value: utf8.encode('v') }]);
    } finally {
      await keysOnly.close();
      await valuesOnly.close();
    }
  });

  it("per-call encodings on a 'utf8' handle", async () => {
    await db.put('ключ', 'значение');
    const v = db.get('ключ', { valueEncoding: 'binary' });
    expectTypeOf(v).toEqualTypeOf<Uint8Array | undefined>();
    expect(v).toEqual(utf8.encode('значение'));
    const scanned = db.scan({ keyEncoding: 'binary', valueEncoding: 'binary' });
    expectTypeOf(scanned).toEqualTypeOf<Entry<Uint8Array, Uint8Array>[]>();
    expect(scanned).toEqual([{ key: utf8.encode('ключ'), value: utf8.encode('значение') }]);
    const explicit = db.scan({ keyEncoding: 'utf8', valueEncoding: 'utf8' });
    expect(explicit).toEqual([{ key: 'ключ', value: 'значение' }]);
    for await (const e of db.iterator({ keyEncoding: 'binary' })) {
      expect(e.key).toEqual(utf8.encode('ключ'));
      expect(e.value).toBe('значение');
    }
  });
});

describe('1 MiB values', () => {
  /** A string of 1 MiB of UTF-8 (mixing 1-, 2-, 3- and 4-byte characters, NULs). */
  function bigString(seed: number): string {
    const random = prng(seed);
    const pieces = ['a', 'é', '€', '😀', '\u0000', 'Z', '日'];
    const parts: string[] = [];
    let bytes = 0;
    while (bytes < MiB) {
      const p = pieces[Math.floor(random() * pieces.length)]!;
      const n = utf8.encode(p).length;
      if (bytes + n > MiB) {
        parts.push('x'.repeat(MiB - bytes));
        bytes = MiB;
      } else {
        parts.push(p);
        bytes += n;
      }
    }
    return parts.join('');
  }

  function bigBytes(seed: number): Uint8Array {
    const random = prng(seed);
    const out = new Uint8Array(MiB);
    for (let i = 0; i < out.length; i += 4) {
      const r = (random() * 4294967296) >>> 0;
      out[i] = r & 0xff;
      out[i + 1] = (r >>> 8) & 0xff;
      out[i + 2] = (r >>> 16) & 0xff;
      out[i + 3] = r >>> 24;
    }
    return out;
  }

  const stringValues = [1, 2, 3].map((s) => bigString(s));
  const binaryValues = [4, 5, 6].map((s) => bigBytes(s));

  async function writeAll(target: Database<'utf8', 'utf8'>): Promise<void> {
    for (const [i, v] of stringValues.entries()) await target.put(`s${i}`, v);
    for (const [i, v] of binaryValues.entries()) await target.put(`b${i}`, v);
    await target.put('small', 'x');
  }

  function checkAll(target: Database<'utf8', 'utf8'>, when: string): void {
    for (const [i, v] of stringValues.entries()) {
      const got = target.get(`s${i}`);
      expect(got?.length, `${when}: s${i}`).toBe(v.length);
      expect(got === v, `${when}: s${i} content`).toBe(true);
      expect(target.get(`s${i}`, { valueEncoding: 'binary' })!.length).toBe(MiB);
    }
    for (const [i, v] of binaryValues.entries()) {
      const got = target.get(`b${i}`, { valueEncoding: 'binary' });
      expect(got?.length, `${when}: b${i}`).toBe(MiB);
      expect(Buffer.compare(got!, v), `${when}: b${i} content`).toBe(0);
    }
    const scanned = target.scan({ valueEncoding: 'binary' });
    expect(scanned.map((e) => e.key)).toEqual(['b0', 'b1', 'b2', 's0', 's1', 's2', 'small']);
    for (const e of scanned) {
      const [, kind, index] = /^([bs])(\d)$/.exec(e.key) ?? [];
      if (kind === 'b') expect(Buffer.compare(e.value, binaryValues[Number(index)]!), e.key).toBe(0);
      if (kind === 's') expect(Buffer.compare(e.value, utf8.encode(stringValues[Number(index)]!)), e.key).toBe(0);
    }
    expect(target.get('small')).toBe('x');
  }

  it('string and binary values of 1 MiB each: written, flushed, reopened (memory storage)', async () => {
    expect(utf8.encode(stringValues[0]!).length).toBe(MiB);
    await writeAll(db);
    checkAll(db, 'in the memtable');
    await db.flush();
    expect(db.stats().levels.some((l) => l.files > 0)).toBe(true);
    checkAll(db, 'after flush');
    await db.close();
    // Memory storage keeps the files for the life of the runtime.
    db = await runtime.open('enc', { storage: 'memory', keepOnClose: true });
    checkAll(db, 'after reopen');
    await db.compact();
    checkAll(db, 'after compact');
  });

  it('1 MiB values survive close and reopen before any flush (from the WAL)', async () => {
    await writeAll(db);
    await db.close();
    db = await runtime.open('enc', { storage: 'memory', keepOnClose: true });
    checkAll(db, 'after reopen from the WAL');
  });

  it('1 MiB values with fake IndexedDB storage, reopened in the same runtime', async () => {
    const idb = await runtime.open('enc-idb');
    await writeAll(idb);
    await idb.flush();
    await idb.put('s0', stringValues[0]!); // also one in the WAL
    await idb.close();
    const again = await runtime.open('enc-idb');
    try {
      checkAll(again, 'after IndexedDB reopen');
    } finally {
      await again.close();
    }
  });

  it('a 1 MiB value written with a small memtable flushes on its own', async () => {
    const small = await runtime.open('enc-small', { storage: 'memory', memtableBytes: 64 * 1024 });
    try {
      await writeAll(small as Database<'utf8', 'utf8'>);
      // Let the scheduled background work run.
      await new Promise((r) => setTimeout(r, 20));
      expect(small.stats().flushes).toBeGreaterThan(0);
      checkAll(small, 'with a 64 KiB memtable');
    } finally {
      await small.close();
    }
  });
});
