// The API contract, run against both handles: the in-thread Database and
// the WorkerDatabase, here over a real MessageChannel to serveDatabase()
// (the database worker's code) in this process, so every argument, result,
// error and event crosses a structured clone as it does to a Web Worker.
// Reads are awaited (the in-thread handle answers at once, the worker's
// asynchronously); errors are checked whether thrown or rejected.
import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { type Runtime, StrataError, type StrataErrorCode, type StrataEvent, createRuntime } from '../dist/node.js';
import { connect, type WorkerEndpoint } from '../dist/worker-client.js';
import { serveDatabase } from '../dist/worker-server.js';
import { bytesEqual, idbName, STORE, openIdb, request, sleep, txDone, utf8 } from './helpers.js';

type Options = Parameters<Runtime['open']>[1];
// The methods both handles offer, as the suite uses them (reads may answer at once or later).
interface Handle {
  readonly closed: boolean;
  readonly readOnly: boolean;
  put(key: unknown, value: unknown, options?: unknown): Promise<void>;
  delete(key: unknown, options?: unknown): Promise<void>;
  batch(operations: unknown, options?: unknown): Promise<void>;
  pipeline(operations: unknown, options?: unknown): Promise<unknown[]>;
  get(key: unknown, options?: unknown): unknown;
  getMany(keys: unknown, options?: unknown): unknown;
  has(key: unknown, options?: unknown): unknown;
  hasMany(keys: unknown, options?: unknown): unknown;
  scan(options?: unknown): unknown;
  snapshot(): unknown;
  sync(): Promise<void>;
  flush(): Promise<void>;
  compact(range?: unknown): Promise<void>;
  stats(): unknown;
  metrics(): unknown;
  subscribe(listener: (e: StrataEvent) => void): () => void;
  close(): Promise<void>;
}

interface Kind {
  name: string;
  open(runtime: Runtime, name: string, options?: Options): Promise<Handle>;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const inThread: Kind = {
  name: 'in-thread Database',
  open: (runtime, name, options) => runtime.open(name, options) as unknown as Promise<Handle>,
};

/** The worker's protocol over a MessageChannel: serveDatabase on one port, the client on the other. */
const overChannel: Kind = {
  name: 'WorkerDatabase',
  async open(runtime, name, options) {
    const { port1, port2 } = new MessageChannel();
    serveDatabase(port2 as unknown as WorkerEndpoint, (n, o) => runtime.open(n, o));
    const endpoint = Object.assign(port1, {
      terminate() {
        port1.close();
        port2.close();
      },
    }) as unknown as WorkerEndpoint;
    cleanups.push(() => endpoint.terminate());
    return (await connect(endpoint, name, options ?? {})) as unknown as Handle;
  },
};

/** The StrataError f throws or rejects with; fails the test if it succeeds. */
async function failure(f: () => unknown): Promise<StrataError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(StrataError);
    return e as StrataError;
  }
  throw new Error('expected a failure');
}
const failsWith = async (f: () => unknown, code: StrataErrorCode) => expect((await failure(f)).code).toBe(code);

const fresh = () => createRuntime({ indexedDB: new IDBFactory() });

for (const kind of [inThread, overChannel]) {
  describe(`contract: ${kind.name}`, () => {
    const open = async (options?: Options, name = 'contract', runtime?: Runtime) =>
      kind.open(runtime ?? (await fresh()), name, options);

    it('put, get, has, delete; missing keys answer undefined and false; an empty value is a value', async () => {
      const db = await open();
      expect(await db.put('a', '1')).toBeUndefined();
      await db.put('empty', '');
      expect(await db.get('a')).toBe('1');
      expect(await db.get('empty')).toBe('');
      expect(await db.get('missing')).toBeUndefined();
      expect(await db.has('a')).toBe(true);
      expect(await db.has('empty')).toBe(true);
      expect(await db.has('missing')).toBe(false);
      await db.delete('a');
      expect(await db.get('a')).toBeUndefined();
      await db.close();
    });

    it('getMany and hasMany answer in order, at one point in time, in either encoding', async () => {
      const db = await open();
      await db.batch([
        { type: 'put', key: 'k1', value: 'v1' },
        { type: 'put', key: 'k3', value: '' },
        { type: 'put', key: new Uint8Array([0, 255]), value: new Uint8Array([9, 8, 7]) },
      ]);
      expect(await db.getMany(['k3', 'k2', 'k1', 'k1'])).toEqual(['', undefined, 'v1', 'v1']);
      expect(await db.getMany([])).toEqual([]);
      const binary = (await db.getMany([new Uint8Array([0, 255]), 'k2', 'k1'], { valueEncoding: 'binary' })) as (Uint8Array | undefined)[];
      expect([...binary[0]!]).toEqual([9, 8, 7]);
      expect(binary[1]).toBeUndefined();
      expect(bytesEqual(binary[2]!, utf8.encode('v1'))).toBe(true);
      expect(await db.hasMany(['k1', 'k2', 'k3'])).toEqual([true, false, true]);
      const snapshot = await db.snapshot();
      await db.put('k2', 'later');
      expect(await db.getMany(['k1', 'k2'], { snapshot })).toEqual(['v1', undefined]);
      expect(await db.getMany(['k1', 'k2'])).toEqual(['v1', 'later']);
      await db.close();
    });

    it('pipeline applies steps in order, each read seeing the steps before it', async () => {
      const db = await open();
      const results = await db.pipeline([
        { type: 'put', key: 'p', value: '1' },
        { type: 'get', key: 'p' },
        { type: 'batch', operations: [{ type: 'put', key: 'p', value: '2' }, { type: 'put', key: 'q', value: 'x' }] },
        { type: 'get', key: 'p' },
        { type: 'delete', key: 'q' },
        { type: 'has', key: 'q' },
        { type: 'get', key: 'never' },
      ]);
      expect(results).toEqual([undefined, '1', undefined, '2', undefined, false, undefined]);
      expect(await db.get('p')).toBe('2');
      expect(await db.pipeline([], { durable: true })).toEqual([]);
      await db.close();
    });

    it('a pipeline with one bad step applies none of it', async () => {
      const db = await open();
      await failsWith(() => db.pipeline([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: '', value: 'x' }]), 'InvalidArgument');
      await failsWith(() => db.pipeline([{ type: 'frobnicate', key: 'a' }]), 'InvalidArgument');
      await failsWith(() => db.pipeline('not a list'), 'InvalidArgument');
      expect(await db.get('a')).toBeUndefined();
      await db.close();
    });

    it('writes and reads issued together keep their order across the boundary', async () => {
      const db = await open({ durability: 'deferred' });
      const writes = [];
      for (let i = 0; i < 200; i++) writes.push(db.put('counter', String(i)));
      const read = db.get('counter'); // issued after every put, in the same task
      writes.push(db.delete('gone'), db.put('gone', 'back'));
      const many = db.getMany(['counter', 'gone']);
      await Promise.all(writes);
      expect(await read).toBe('199');
      expect(await many).toEqual(['199', 'back']);
      await db.close();
    });

    it('scan and snapshots answer the same through both handles', async () => {
      const db = await open();
      await db.batch(['a', 'b', 'c', 'd'].map((k) => ({ type: 'put', key: k, value: k.toUpperCase() })));
      const snapshot = await db.snapshot();
      await db.put('b', 'changed');
      const entries = (await db.scan({ gte: 'b', lt: 'd' })) as { key: string; value: string }[];
      expect(entries.map((e) => [e.key, e.value])).toEqual([['b', 'changed'], ['c', 'C']]);
      const old = (await db.scan({ snapshot, reverse: true, limit: 2 })) as { key: string; value: string }[];
      expect(old.map((e) => [e.key, e.value])).toEqual([['d', 'D'], ['c', 'C']]);
      await (snapshot as { release(): unknown }).release();
      await failsWith(() => db.get('a', { snapshot }), 'InvalidArgument');
      await db.close();
    });

    it('bad arguments are InvalidArgument, named, and change nothing', async () => {
      const db = await open();
      const cases: [string, () => unknown][] = [
        ['empty key', () => db.put('', 'v')],
        ['number key', () => db.put(5, 'v')],
        ['oversized key', () => db.put('k'.repeat(64 * 1024 + 1), 'v')],
        ['null value', () => db.put('k', null)],
        ['bad write options', () => db.put('k', 'v', { durable: 'yes' })],
        ['bad batch', () => db.batch([{ type: 'merge', key: 'k' }])],
        ['get of a number', () => db.get(7)],
        ['getMany of a string', () => db.getMany('k')],
        ['getMany with a bad key', () => db.getMany(['ok', ''])],
        ['hasMany of null', () => db.hasMany(null)],
        ['bad range', () => db.scan({ gt: 'a', gte: 'b' })],
        ['bad encoding', () => db.get('k', { valueEncoding: 'latin1' })],
        ['bad compact range', () => db.compact({ gte: 'a', other: 1 })],
      ];
      for (const [what, call] of cases) {
        const e = await failure(call);
        expect(e.code, what).toBe('InvalidArgument');
        expect(e.message.length, what).toBeGreaterThan(5);
      }
      expect(await db.scan()).toEqual([]);
      await db.close();
    });

    it('a second writer on the same database is Busy; after close, every call is Closed', async () => {
      const runtime = await fresh();
      const db = await open({}, 'shared', runtime);
      await failsWith(() => kind.open(runtime, 'shared'), 'Busy');
      await db.close();
      expect(db.closed).toBe(true);
      for (const call of [() => db.get('k'), () => db.put('k', 'v'), () => db.getMany(['k']), () => db.pipeline([]), () => db.stats(), () => db.close()]) {
        await failsWith(call, 'Closed');
      }
    });

    it('a read-only handle refuses writes with ReadOnly and reads what is stored', async () => {
      const runtime = await fresh();
      const writer = await open({}, 'ro', runtime);
      await writer.put('k', 'v');
      await writer.close();
      const reader = await open({ readOnly: true }, 'ro', runtime);
      expect(reader.readOnly).toBe(true);
      expect(await reader.get('k')).toBe('v');
      await failsWith(() => reader.put('k', 'w'), 'ReadOnly');
      await failsWith(() => reader.pipeline([{ type: 'delete', key: 'k' }]), 'ReadOnly');
      expect(await reader.pipeline([{ type: 'get', key: 'k' }])).toEqual(['v']);
      await reader.close();
    });

    it('damaged stored data is Corruption, not a crash or a wrong answer', async () => {
      const factory = new IDBFactory();
      const runtime = await createRuntime({ indexedDB: factory });
      const db = await kind.open(runtime, 'damaged', { memtableBytes: 64 * 1024 });
      for (let i = 0; i < 2000; i++) void db.put(`k${String(i).padStart(5, '0')}`, 'v'.repeat(100), { durable: false });
      await db.flush();
      await db.close();
      // Flip one byte in the middle of each stored table.
      const idb = await openIdb(factory, idbName('damaged'));
      const tx = idb.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      const keys = (await request(store.getAllKeys())) as string[];
      for (const key of keys.filter((k) => k.endsWith('.sst'))) {
        const record = (await request(store.get(key))) as { contents: Uint8Array };
        const contents = record.contents.slice();
        const at = contents.length >> 2;
        contents[at] = contents[at]! ^ 0x40;
        store.put({ ...record, contents }, key);
      }
      await txDone(tx);
      idb.close();
      const again = await kind.open(await createRuntime({ indexedDB: factory }), 'damaged');
      const e = await failure(() => again.scan());
      expect(e.code).toBe('Corruption');
      await again.close();
    });

    it('close() while calls are pending settles every one of them, and keeps what was acknowledged', async () => {
      const runtime = await fresh();
      const db = await open({}, 'closing', runtime);
      const calls = [];
      for (let i = 0; i < 50; i++) calls.push(db.put(`k${i}`, 'v'));
      calls.push(db.get('k1'), db.getMany(['k1', 'k2']), db.flush());
      const closing = db.close();
      const settled = await Promise.allSettled(calls);
      await closing;
      for (const s of settled) {
        if (s.status === 'rejected') expect((s.reason as StrataError).code).toBe('Closed');
      }
      const acknowledged = settled.slice(0, 50).filter((s) => s.status === 'fulfilled').length;
      const again = await open({}, 'closing', runtime);
      expect(((await again.scan()) as unknown[]).length).toBeGreaterThanOrEqual(acknowledged);
      await again.close();
    });

    it('events cross the boundary complete: a flush names its table', async () => {
      const db = await open();
      const events: StrataEvent[] = [];
      db.subscribe((e) => events.push(e));
      await sleep(5); // the subscription reaches the worker
      await db.put('k', 'v');
      await db.flush();
      await sleep(5);
      const finished = events.find((e) => e.type === 'flush' && e.phase === 'finished');
      expect(finished).toMatchObject({ reason: 'manual', memtableEntries: 1, output: { level: 0, entries: 1 } });
      const table = (finished as { output: { smallestKey: Uint8Array } }).output.smallestKey;
      expect(bytesEqual(table, utf8.encode('k'))).toBe(true);
      expect(events.some((e) => e.type === 'durable')).toBe(true);
      await db.close();
    });
  });
}

describe('contract: WorkerDatabase when the worker dies', () => {
  it('every pending and later call fails with IOError', async () => {
    const runtime = await fresh();
    const { port1, port2 } = new MessageChannel();
    serveDatabase(port2 as unknown as WorkerEndpoint, (n, o) => runtime.open(n, o));
    const endpoint = Object.assign(port1, { terminate: () => port1.close() }) as unknown as WorkerEndpoint;
    const db = await connect(endpoint, 'dying', {});
    await db.put('k', 'v');
    // Requests left without answer, then the worker's death as a Worker reports it.
    port2.onmessage = null;
    const pending = [db.get('k'), db.put('x', 'y')];
    await sleep(5);
    endpoint.onerror!({ message: 'killed', preventDefault() {} } as ErrorEvent);
    for (const p of pending) await failsWith(() => p, 'IOError');
    await failsWith(() => db.get('k'), 'IOError');
  });
});
