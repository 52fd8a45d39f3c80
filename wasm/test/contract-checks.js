// The API contract of a database handle, as checks that run against either
// handle (the in-thread Database, the WorkerDatabase) wherever the package
// runs: contract.test.ts runs them in Node (the worker's protocol over a
// MessageChannel), the browser suite in Chromium (test-browser, through a
// real database worker). Plain JavaScript, so both can load it;
// contract-checks.d.ts types it.
//
// Reads are awaited (the in-thread handle answers at once, the worker's
// later); errors are checked whether thrown or rejected.

/** Deep equality of plain data (arrays, objects, Uint8Arrays, primitives). */
function same(a, b) {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(b);
    return keys.every((k) => same(a[k], b[k]));
  }
  return Object.is(a, b);
}

const show = (x) =>
  JSON.stringify(x, (_, v) => (v instanceof Uint8Array ? `bytes[${[...v]}]` : v === undefined ? '<undefined>' : v));

function expectSame(actual, expected, what) {
  if (!same(actual, expected)) throw new Error(`${what}: got ${show(actual)}, expected ${show(expected)}`);
}

/** The StrataError-like failure of f (thrown or rejected). */
async function failure(f, what) {
  try {
    await f();
  } catch (e) {
    if (typeof e?.code !== 'string' || typeof e?.message !== 'string') throw new Error(`${what}: not a StrataError: ${e}`);
    return e;
  }
  throw new Error(`${what}: expected a failure`);
}

async function failsWith(f, code, what) {
  const e = await failure(f, what);
  if (e.code !== code) throw new Error(`${what}: expected ${code}, got ${e.code}: ${e.message}`);
  if (e.message.length < 5) throw new Error(`${what}: an empty message`);
}

const utf8 = new TextEncoder();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The checks, each { name, run() }. env:
 *   open(name, options)   a handle of the kind under test, in one runtime
 *                         shared by the check (so a second open is Busy)
 *   reopen(name, options) the same kind in a fresh runtime on the same storage
 *   indexedDB             the IndexedDB factory the storage uses
 *   name(base)            a database name unique to this run
 */
export function contractChecks(env) {
  return [
    {
      name: 'put, get, has, delete; missing keys answer undefined and false; an empty value is a value',
      async run() {
        const db = await env.open(env.name('basic'));
        expectSame(await db.put('a', '1'), undefined, 'put resolves to');
        await db.put('empty', '');
        expectSame(await db.get('a'), '1', 'get a');
        expectSame(await db.get('empty'), '', 'get empty');
        expectSame(await db.get('missing'), undefined, 'get missing');
        expectSame([await db.has('a'), await db.has('empty'), await db.has('missing')], [true, true, false], 'has');
        await db.delete('a');
        expectSame(await db.get('a'), undefined, 'get after delete');
        await db.close();
      },
    },
    {
      name: 'getMany and hasMany answer in order, at one point in time, in either encoding',
      async run() {
        const db = await env.open(env.name('many'));
        await db.batch([
          { type: 'put', key: 'k1', value: 'v1' },
          { type: 'put', key: 'k3', value: '' },
          { type: 'put', key: new Uint8Array([0, 255]), value: new Uint8Array([9, 8, 7]) },
        ]);
        expectSame(await db.getMany(['k3', 'k2', 'k1', 'k1']), ['', undefined, 'v1', 'v1'], 'getMany');
        expectSame(await db.getMany([]), [], 'getMany of none');
        const binary = await db.getMany([new Uint8Array([0, 255]), 'k2', 'k1'], { valueEncoding: 'binary' });
        expectSame(binary, [new Uint8Array([9, 8, 7]), undefined, utf8.encode('v1')], 'getMany binary');
        expectSame(await db.hasMany(['k1', 'k2', 'k3']), [true, false, true], 'hasMany');
        const snapshot = await db.snapshot();
        await db.put('k2', 'later');
        expectSame(await db.getMany(['k1', 'k2'], { snapshot }), ['v1', undefined], 'getMany at a snapshot');
        expectSame(await db.getMany(['k1', 'k2']), ['v1', 'later'], 'getMany now');
        await snapshot.release();
        await db.close();
      },
    },
    {
      name: 'pipeline applies steps in order, each read seeing the steps before it',
      async run() {
        const db = await env.open(env.name('pipeline'));
        const results = await db.pipeline([
          { type: 'put', key: 'p', value: '1' },
          { type: 'get', key: 'p' },
          { type: 'batch', operations: [{ type: 'put', key: 'p', value: '2' }, { type: 'put', key: 'q', value: 'x' }] },
          { type: 'get', key: 'p' },
          { type: 'delete', key: 'q' },
          { type: 'has', key: 'q' },
          { type: 'get', key: 'never' },
        ]);
        expectSame(results, [undefined, '1', undefined, '2', undefined, false, undefined], 'pipeline results');
        expectSame(await db.get('p'), '2', 'after the pipeline');
        expectSame(await db.pipeline([], { durable: true }), [], 'empty pipeline');
        await db.close();
      },
    },
    {
      name: 'a pipeline with one bad step applies none of it',
      async run() {
        const db = await env.open(env.name('bad-pipeline'));
        await failsWith(() => db.pipeline([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 7, value: 'x' }]), 'InvalidArgument', 'a number key');
        await failsWith(() => db.pipeline([{ type: 'frobnicate', key: 'a' }]), 'InvalidArgument', 'unknown type');
        await failsWith(() => db.pipeline('not a list'), 'InvalidArgument', 'not a list');
        expectSame(await db.get('a'), undefined, 'nothing applied');
        await db.close();
      },
    },
    {
      name: 'writes and reads issued together keep their order',
      async run() {
        const db = await env.open(env.name('order'), { durability: 'deferred' });
        const writes = [];
        for (let i = 0; i < 200; i++) writes.push(db.put('counter', String(i)));
        const read = db.get('counter'); // after every put, in the same task
        writes.push(db.delete('gone'), db.put('gone', 'back'));
        const many = db.getMany(['counter', 'gone']);
        await Promise.all(writes);
        expectSame(await read, '199', 'read after 200 puts');
        expectSame(await many, ['199', 'back'], 'getMany after the writes');
        await db.close();
      },
    },
    {
      name: 'scans and snapshots',
      async run() {
        const db = await env.open(env.name('scan'));
        await db.batch(['a', 'b', 'c', 'd'].map((k) => ({ type: 'put', key: k, value: k.toUpperCase() })));
        const snapshot = await db.snapshot();
        await db.put('b', 'changed');
        const pairs = (entries) => entries.map((e) => [e.key, e.value]);
        expectSame(pairs(await db.scan({ gte: 'b', lt: 'd' })), [['b', 'changed'], ['c', 'C']], 'range');
        expectSame(pairs(await db.scan({ snapshot, reverse: true, limit: 2 })), [['d', 'D'], ['c', 'C']], 'at a snapshot');
        await snapshot.release();
        await failsWith(() => db.get('a', { snapshot }), 'InvalidArgument', 'a released snapshot');
        await db.close();
      },
    },
    {
      name: 'scans and iterators decode every string as get does, malformed UTF-8 and chunk boundaries included',
      async run() {
        const db = await env.open(env.name('scan-decode'));
        const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
        const texts = ['', 'plain', 'caf\u00e9', '\ufeffbom first', 'nul\u0000in', '\u{10ffff}\u{1f600}', '\u65e5\u672c'];
        const malformed = [Uint8Array.of(0xff), Uint8Array.of(0x61, 0xc3), Uint8Array.of(0xed, 0xa0, 0x80, 0x62)];
        // 700 entries (several chunks, through the worker several pages);
        // malformed keys and values in some chunks only.
        const written = [];
        for (let i = 0; i < 700; i++) {
          const prefix = utf8.encode(`k${String(i).padStart(4, '0')}`);
          const text = texts[i % texts.length];
          const bad = i % 97 === 5 ? malformed[i % malformed.length] : undefined;
          const key = bad && i % 2 ? Uint8Array.of(...prefix, ...bad) : Uint8Array.of(...prefix, ...utf8.encode(text));
          const value = bad && !(i % 2) ? bad : utf8.encode(`${text}:${i}`);
          written.push({ key, value });
        }
        await db.batch(written.map(({ key, value }) => ({ type: 'put', key, value })));
        const asText = written.map(({ key, value }) => ({ key: decoder.decode(key), value: decoder.decode(value) }));
        expectSame(await db.scan(), asText, 'scan as strings');
        expectSame(await db.scan({ keyEncoding: 'binary', valueEncoding: 'binary' }), written, 'scan as bytes');
        expectSame(
          await db.scan({ keyEncoding: 'binary', reverse: true, limit: 300 }),
          written.slice(-300).reverse().map(({ key }, i) => ({ key, value: asText[699 - i].value })),
          'binary keys, string values, reverse',
        );
        const iterated = [];
        for await (const entry of db.iterator({ gte: 'k0100', valueEncoding: 'binary' })) iterated.push(entry);
        expectSame(iterated, written.slice(100).map(({ value }, i) => ({ key: asText[100 + i].key, value })), 'iterator');
        const gets = await db.getMany(written.map(({ key }) => key));
        expectSame(gets, asText.map(({ value }) => value), 'getMany decodes the same way');
        // Only well-formed values (decoded in one piece), the first starting with U+FEFF, one key absent.
        const picked = [3, 'absent', 0, 1, 2, 4, 6];
        expectSame(
          await db.getMany(picked.map((i) => (i === 'absent' ? i : written[i].key))),
          picked.map((i) => (i === 'absent' ? undefined : asText[i].value)),
          'getMany of well-formed values',
        );
        // A chunk decoded whole whose first key and value start with U+FEFF (sorted bytewise): kept, not taken for a BOM.
        const boms = ['\ufeffa', '\ufeffc\u00e9', '\ufeff\ufeffb'].map((t) => ({ key: t, value: `${t}!` }));
        await db.batch(boms.map(({ key, value }) => ({ type: 'put', key, value })));
        expectSame(await db.scan({ gte: '\ufeff' }), boms, 'leading U+FEFF');
        await db.close();
      },
    },
    {
      name: "an iterator's limit counts the entries it yields, across seeks",
      async run() {
        const db = await env.open(env.name('limit-seek'));
        const keys = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, '0')}`);
        await db.batch(keys.map((key) => ({ type: 'put', key, value: 'v' })));
        const it = db.iterator({ limit: 10 });
        const seen = [];
        for (let i = 0; i < 3; i++) seen.push((await it.next()).value.key);
        await it.seek('k20'); // what was read ahead is dropped, and not counted
        for (let r = await it.next(); !r.done; r = await it.next()) seen.push(r.value.key);
        await it.close();
        expectSame(seen, [...keys.slice(0, 3), ...keys.slice(20, 27)], 'three, then seven from the seek');
        await db.close();
      },
    },
    {
      name: 'bad arguments are InvalidArgument, named, and change nothing',
      async run() {
        const db = await env.open(env.name('invalid'));
        const cases = [
          ['undefined key', () => db.put(undefined, 'v')],
          ['number key', () => db.put(5, 'v')],
          ['oversized key', () => db.put('k'.repeat(64 * 1024 + 1), 'v')],
          ['null value', () => db.put('k', null)],
          ['bad write options', () => db.put('k', 'v', { durable: 'yes' })],
          ['bad batch', () => db.batch([{ type: 'merge', key: 'k' }])],
          ['get of a number', () => db.get(7)],
          ['getMany of a string', () => db.getMany('k')],
          ['getMany with a bad key', () => db.getMany(['ok', null])],
          ['hasMany of null', () => db.hasMany(null)],
          ['bad range', () => db.scan({ gt: 'a', gte: 'b' })],
          ['bad encoding', () => db.get('k', { valueEncoding: 'latin1' })],
          ['bad compact range', () => db.compact({ gte: 'a', other: 1 })],
        ];
        for (const [what, call] of cases) await failsWith(call, 'InvalidArgument', what);
        expectSame(await db.scan(), [], 'nothing written');
        await db.close();
      },
    },
    {
      name: 'a second writer on the same database is Busy; after close, every call is Closed',
      async run() {
        const name = env.name('busy');
        const db = await env.open(name);
        await failsWith(() => env.open(name), 'Busy', 'second open');
        await db.close();
        expectSame(db.closed, true, 'closed');
        const calls = [() => db.get('k'), () => db.put('k', 'v'), () => db.getMany(['k']), () => db.pipeline([]), () => db.stats(), () => db.close()];
        for (const call of calls) await failsWith(call, 'Closed', `after close: ${call}`);
      },
    },
    {
      name: 'a read-only handle refuses writes with ReadOnly and reads what is stored',
      async run() {
        const name = env.name('read-only');
        const writer = await env.open(name);
        await writer.put('k', 'v');
        await writer.close();
        const reader = await env.open(name, { readOnly: true });
        expectSame(reader.readOnly, true, 'readOnly');
        expectSame(await reader.get('k'), 'v', 'read');
        await failsWith(() => reader.put('k', 'w'), 'ReadOnly', 'put');
        await failsWith(() => reader.pipeline([{ type: 'delete', key: 'k' }]), 'ReadOnly', 'pipeline write');
        expectSame(await reader.pipeline([{ type: 'get', key: 'k' }]), ['v'], 'pipeline read');
        await reader.close();
      },
    },
    {
      name: 'damaged stored data is Corruption, not a crash or a wrong answer',
      async run() {
        const name = env.name('damaged');
        const db = await env.open(name, { memtableBytes: 64 * 1024 });
        for (let i = 0; i < 2000; i++) void db.put(`k${String(i).padStart(5, '0')}`, 'v'.repeat(100), { durable: false });
        await db.flush();
        await db.close();
        await damageStoredTables(env.indexedDB, `/stratadb/${name}`);
        const again = await env.reopen(name);
        await failsWith(() => again.scan(), 'Corruption', 'scan of damaged tables');
        await again.close();
      },
    },
    {
      name: 'close() while calls are pending settles every one of them, and keeps what was acknowledged',
      async run() {
        const name = env.name('closing');
        const db = await env.open(name);
        const calls = [];
        for (let i = 0; i < 50; i++) calls.push(db.put(`k${i}`, 'v'));
        calls.push(db.get('k1'), db.getMany(['k1', 'k2']), db.flush());
        const closing = db.close();
        const settled = await Promise.allSettled(calls);
        await closing;
        for (const s of settled) {
          if (s.status === 'rejected' && s.reason?.code !== 'Closed') throw new Error(`a pending call failed with ${s.reason}`);
        }
        const acknowledged = settled.slice(0, 50).filter((s) => s.status === 'fulfilled').length;
        const again = await env.open(name);
        const kept = (await again.scan()).length;
        if (kept < acknowledged) throw new Error(`${acknowledged} puts acknowledged, ${kept} kept`);
        await again.close();
      },
    },
    {
      name: 'events arrive complete: a flush names its table',
      async run() {
        const db = await env.open(env.name('events'));
        const events = [];
        db.subscribe((e) => events.push(e));
        await sleep(5); // the subscription reaches a worker
        await db.put('k', 'v');
        await db.flush();
        await sleep(5);
        const finished = events.find((e) => e.type === 'flush' && e.phase === 'finished');
        if (!finished) throw new Error(`no flush finished among ${events.map((e) => e.type)}`);
        expectSame(finished, { reason: 'manual', memtableEntries: 1, output: { level: 0, entries: 1, smallestKey: utf8.encode('k') } }, 'flush event');
        if (!events.some((e) => e.type === 'durable')) throw new Error('no durable event');
        await db.close();
      },
    },
  ];
}

/** Flips a byte in the middle of each stored table of the IndexedDB database `dir`. */
async function damageStoredTables(factory, dir) {
  const request = (req) =>
    new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  const idb = await request(factory.open(dir));
  try {
    const tx = idb.transaction('FILE_DATA', 'readwrite');
    const store = tx.objectStore('FILE_DATA');
    const keys = await request(store.getAllKeys());
    for (const key of keys.filter((k) => String(k).endsWith('.sst'))) {
      const record = await request(store.get(key));
      const contents = record.contents.slice();
      contents[contents.length >> 2] ^= 0x40;
      store.put({ ...record, contents }, key);
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    idb.close();
  }
}
