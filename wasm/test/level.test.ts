// stratadb/level beyond abstract-level's own suite (test-level/ runs that):
// what StrataDB adds or decides itself. Errors carry LEVEL_* codes with the
// StrataError as cause; StrataDB's options reach open() and other options
// are left to abstract-level; a memory database outlives close() and open()
// of its level; snapshots and clear() over the engine's views; the worker
// variant over a MessageChannel to the database worker's own code.
import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { LIMITS, StrataError, createRuntime } from '../dist/node.js';
import { StrataLevel, StrataLevelError, StrataWorkerLevel } from '../dist/level/node.js';
import { connect, type WorkerEndpoint } from '../dist/worker-client.js';
import { serveDatabase } from '../dist/worker-server.js';

const opened: { close(): Promise<void>; status: string }[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) if (db.status === 'open') await db.close();
});

let count = 0;
function memoryLevel<K = string, V = string>(options: object = {}): StrataLevel<K, V> {
  const db = new StrataLevel<K, V>(`level-${count++}`, { storage: 'memory', ...options });
  opened.push(db);
  return db;
}

/** Expects promise to reject with a StrataLevelError of `code` whose cause is a StrataError of `cause`. */
async function expectLevelError(promise: Promise<unknown>, code: string, cause?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(Error);
  expect((error as { code: string }).code).toBe(code);
  if (cause) {
    // abstract-level wraps open failures once more (LEVEL_DATABASE_NOT_OPEN).
    let inner = (error as Error).cause;
    while (inner && !(inner instanceof StrataError)) inner = (inner as Error).cause;
    expect((inner as StrataError | undefined)?.code).toBe(cause);
  }
}

describe('stratadb/level errors', () => {
  it('a key or value over the limit: LEVEL_INVALID_KEY / LEVEL_INVALID_VALUE, the StrataError as cause', async () => {
    const db = memoryLevel();
    const bigKey = 'k'.repeat(LIMITS.maxKeyBytes + 1);
    await expectLevelError(db.put(bigKey, 'v'), 'LEVEL_INVALID_KEY', 'InvalidArgument');
    await expectLevelError(db.get(bigKey), 'LEVEL_INVALID_KEY', 'InvalidArgument');
    await expectLevelError(db.batch([{ type: 'del', key: bigKey }]), 'LEVEL_INVALID_KEY', 'InvalidArgument');
    await expectLevelError(db.put('k', 'v'.repeat(LIMITS.maxValueBytes + 1)), 'LEVEL_INVALID_VALUE', 'InvalidArgument');
    const thrown = (() => {
      try {
        db.getSync(bigKey);
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(StrataLevelError);
    expect((thrown as StrataLevelError).code).toBe('LEVEL_INVALID_KEY');
    expect((thrown as StrataLevelError).cause).toBeInstanceOf(StrataError);
  });

  it('a database open elsewhere: open fails with LEVEL_DATABASE_NOT_OPEN, caused by LEVEL_LOCKED (Busy)', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const first = new StrataLevel('locked', { runtime });
    opened.push(first);
    await first.open();
    const second = new StrataLevel('locked', { runtime });
    await expectLevelError(second.open(), 'LEVEL_DATABASE_NOT_OPEN', 'Busy');
    const cause = (await second.open().catch((e: Error) => e.cause)) as StrataLevelError;
    expect(cause.code).toBe('LEVEL_LOCKED');
  });

  it("StrataDB's own options are checked at open; options it does not know are abstract-level's", async () => {
    await expectLevelError(memoryLevel({ memtableBytes: 1 }).open(), 'LEVEL_DATABASE_NOT_OPEN', 'InvalidArgument');
    await expectLevelError(memoryLevel({ durability: 'sometimes' }).open(), 'LEVEL_DATABASE_NOT_OPEN', 'InvalidArgument');
    const db = memoryLevel({ memtableBytes: 64 * 1024, someLevelPlugin: { x: 1 } });
    await db.open({ anotherOne: true } as object);
    await db.put('a', '1');
    expect(await db.get('a')).toBe('1');
  });

  it('createIfMissing and errorIfExists reach the engine', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    await expectLevelError(new StrataLevel('absent', { runtime, createIfMissing: false }).open(), 'LEVEL_DATABASE_NOT_OPEN', 'NotFound');
    const db = new StrataLevel('present', { runtime });
    await db.put('a', '1');
    await db.close();
    await expectLevelError(db.open({ errorIfExists: true }), 'LEVEL_DATABASE_NOT_OPEN', 'InvalidArgument');
    await db.open({ createIfMissing: false });
    expect(await db.get('a')).toBe('1');
    await db.close();
  });
});

describe('stratadb/level behaviour', () => {
  it("a memory database's data outlives close() and open() of its level, not the level", async () => {
    const db = memoryLevel();
    await db.put('kept', 'yes');
    await db.close();
    await db.open();
    expect(await db.get('kept')).toBe('yes');
    // keepOnClose: false asks for the package's own behaviour: gone at close.
    const brief = memoryLevel({ keepOnClose: false });
    await brief.put('kept', 'yes');
    await brief.close();
    await brief.open();
    expect(await brief.get('kept')).toBeUndefined();
  });

  it('an explicit snapshot sees the database as it was, for get, getMany, has, getSync and iterators', async () => {
    const db = memoryLevel();
    await db.batch([
      { type: 'put', key: 'a', value: '1' },
      { type: 'put', key: 'b', value: '2' },
    ]);
    const snapshot = db.snapshot();
    await db.put('a', 'changed');
    await db.del('b');
    await db.put('c', 'new');
    expect(await db.get('a', { snapshot })).toBe('1');
    expect(db.getSync('a', { snapshot })).toBe('1');
    expect(await db.getMany(['a', 'b', 'c'], { snapshot })).toEqual(['1', '2', undefined]);
    expect(await db.has('b', { snapshot })).toBe(true);
    expect(await db.iterator({ snapshot }).all()).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(await db.keys().all()).toEqual(['a', 'c']);
    await snapshot.close();
    await expectLevelError(db.iterator({ snapshot }).all(), 'LEVEL_SNAPSHOT_NOT_OPEN');
  });

  it('an iterator that cannot be made reports it on its first read, with a Level code', async () => {
    const db = memoryLevel();
    const it = db.iterator({ gt: 'k'.repeat(LIMITS.maxKeyBytes + 1) });
    await expectLevelError(it.next(), 'LEVEL_INVALID_KEY', 'InvalidArgument');
    await it.close();
  });

  it('clear() deletes a range in batches from one view: keys written meanwhile stay', async () => {
    const db = memoryLevel();
    const keys = Array.from({ length: 2500 }, (_, i) => `k${String(i).padStart(5, '0')}`);
    await db.batch(keys.map((key) => ({ type: 'put' as const, key, value: 'v' })));
    const clearing = db.clear({ gte: 'k00100', lt: 'k02400' });
    await db.put('k01000x', 'written after clear() was called');
    await clearing;
    const left = await db.keys().all();
    expect(left.length).toBe(2500 - 2300 + 1);
    expect(left).toContain('k01000x');
    expect(left[99]).toBe('k00099');
    expect(left[100]).toBe('k01000x');
  });

  it('binary keys and values round-trip through view and buffer encodings; utf8 strings are not reencoded', async () => {
    const db = memoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    const key = new Uint8Array([0x80, 0x00, 0xff]);
    await db.put(key, new Uint8Array([1, 2, 3]));
    expect(await db.get(key)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await db.get(Buffer.from(key), { keyEncoding: 'buffer', valueEncoding: 'buffer' })).toEqual(Buffer.from([1, 2, 3]));
    expect(await db.keys().all()).toEqual([key]);
    await db.put(new Uint8Array(0), new Uint8Array(0));
    expect(await db.keys({ limit: 1 }).all()).toEqual([new Uint8Array(0)]);
  });

  it('seek() works after the end of an iterator and past its limit', async () => {
    const db = memoryLevel();
    await db.batch(['a', 'b', 'c'].map((key) => ({ type: 'put' as const, key, value: key })));
    const it = db.keys({ limit: 2 });
    expect(await it.all().catch(() => 'closed by all()')).toEqual(['a', 'b']);
    const again = db.keys();
    expect(await again.nextv(10)).toEqual(['a', 'b', 'c']);
    expect(await again.next()).toBeUndefined();
    again.seek('b');
    expect(await again.next()).toBe('b');
    await again.close();
  });
});

describe('StrataWorkerLevel', () => {
  const endpoints: WorkerEndpoint[] = [];
  afterEach(() => {
    for (const e of endpoints.splice(0)) e.terminate();
  });

  it('serves the same calls through the worker protocol, a snapshot before a write included', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const openWorker = (name: string, options: object) => {
      const { port1, port2 } = new MessageChannel();
      serveDatabase(port2 as never, (n, o) => runtime.open(n, o));
      const endpoint = Object.assign(port1, { terminate: () => port1.close() }) as unknown as WorkerEndpoint;
      endpoints.push(endpoint);
      return connect(endpoint, name, options);
    };
    const db = new StrataWorkerLevel('worker-level', { openWorker });
    await db.put('a', '1');
    // No await between: the snapshot's request leaves before the write's.
    const snapshot = db.snapshot();
    const writing = db.put('a', '2');
    expect(await db.get('a', { snapshot })).toBe('1');
    await writing;
    expect(await db.get('a')).toBe('2');
    expect(await db.iterator({ snapshot }).all()).toEqual([['a', '1']]);
    expect((db.supports as { getSync?: boolean }).getSync).toBe(false);
    await snapshot.close();
    await expectLevelError(db.put('k'.repeat(LIMITS.maxKeyBytes + 1), 'v'), 'LEVEL_INVALID_KEY', 'InvalidArgument');
    await db.close();
  });
});
