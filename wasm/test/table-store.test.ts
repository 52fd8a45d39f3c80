// Big new tables stored by the table store's worker ahead of their commit
// (table-store.ts, IndexedDbStorage.commit): which files go ahead, that they
// are stored before the commit's own transaction, that a table store that
// cannot store them leaves them to the commit, and that the commit's key
// ranges are of its own instant. Then WorkerTableStore over a scripted
// Worker: the copies it sends, the buffers it reuses, and a worker that
// fails, falls silent or is closed. And the buffers it hands back, in which
// new tables are made (keptFileBuffers).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { storeFiles, type OutputStore } from '../dist/output-store.js';
import type { BufferPool } from '../dist/buffer-pool.js';
import { IndexedDbStorage, fileBytes } from '../dist/storage.js';
import type { MemfsNode, StrataModule } from '../dist/strata.js';
import { type TableFile, type TableStore, type TableStoreReply, type TableStoreRequest, WorkerTableStore } from '../dist/table-store.js';
import { bytesEqual, freshRuntime, idbName, prng, randomBytes, seedFor, sleep, storedFiles, storedNames } from './helpers.js';

/** Stores what it is given into factory (or refuses), noting each call and what was stored at that moment. */
class RecordingTableStore implements TableStore {
  readonly calls: { where: OutputStore; paths: string[]; storedBefore: string[] }[] = [];
  closed = false;
  constructor(
    private readonly factory: IDBFactory,
    private readonly name: string,
    private readonly answer: 'store' | 'refuse',
    private readonly meanwhile: () => void = () => {},
  ) {}

  async store(where: OutputStore, files: readonly TableFile[]): Promise<boolean> {
    this.calls.push({ where, paths: files.map((f) => f.path), storedBefore: await storedNames(this.factory, this.name) });
    this.meanwhile();
    if (this.answer === 'refuse') return false;
    await storeFiles(this.factory, where, files);
    return true;
  }

  close(): void {
    this.closed = true;
  }
}

async function loadedStorage(factory: IDBFactory, name: string, tables: TableStore) {
  const runtime = await freshRuntime(factory);
  const module = (runtime as unknown as { module: StrataModule }).module;
  const storage = new IndexedDbStorage(module, idbName(name), IDBKeyRange, tables);
  await storage.load();
  return { storage, FS: module.FS };
}

describe('a commit with a table store', () => {
  const KiB = 1 << 10;

  async function commitOfFour(answer: 'store' | 'refuse') {
    const factory = new IDBFactory();
    const name = `ahead-${answer}`;
    const dir = idbName(name);
    const rand = prng(seedFor(name));
    const files = {
      [`${dir}/000007.sst`]: randomBytes(rand, 300 * KiB), // a big table: ahead
      [`${dir}/000008.sst`]: randomBytes(rand, 10 * KiB), // a small one
      [`${dir}/000009.wal`]: randomBytes(rand, 300 * KiB), // big, not a table
      [`${dir}/MANIFEST-000010`]: randomBytes(rand, 100),
    };
    const tables = new RecordingTableStore(factory, name, answer);
    const { storage, FS } = await loadedStorage(factory, name, tables);
    for (const [path, bytes] of Object.entries(files)) FS.writeFile(path, bytes);
    const counts = await storage.commit(Object.keys(files), 'strict');
    return { factory, name, dir, files, tables, storage, counts };
  }

  it('has the worker store its big tables first, then stores the rest in its own transaction', async () => {
    const { factory, name, dir, files, tables, storage, counts } = await commitOfFour('store');
    expect(tables.calls).toEqual([
      {
        where: { database: dir, version: expect.any(Number), objectStore: 'FILE_DATA', durability: 'strict' },
        paths: [`${dir}/000007.sst`],
        storedBefore: [], // the commit's own transaction comes after
      },
    ]);
    const bytes = Object.values(files).reduce((n, b) => n + b.length, 0);
    expect(counts).toEqual({ files: 4, bytes, deleted: 0, byTableStore: 1 });
    const stored = await storedFiles(factory, name);
    for (const [path, contents] of Object.entries(files)) expect(bytesEqual(stored.get(path)!.contents, contents), path).toBe(true);
    storage.release();
    expect(tables.closed).toBe(true);

    // IDBFS's loader restores the worker's record as it does the commit's.
    const again = await loadedStorage(factory, name, new RecordingTableStore(factory, name, 'store'));
    for (const [path, contents] of Object.entries(files)) expect(bytesEqual(again.FS.readFile(path), contents), path).toBe(true);
    again.storage.release();
  });

  it('stores the tables itself when the table store could not', async () => {
    const { factory, name, files, tables, storage, counts } = await commitOfFour('refuse');
    expect(tables.calls.length).toBe(1);
    expect(counts).toMatchObject({ files: 4, byTableStore: 0 });
    const stored = await storedFiles(factory, name);
    for (const [path, contents] of Object.entries(files)) expect(bytesEqual(stored.get(path)!.contents, contents), path).toBe(true);
    storage.release();
  });

  it('deletes key ranges of its own instant: a table removed while the worker stores it is not covered', async () => {
    const factory = new IDBFactory();
    const dir = idbName('instant');
    const [first, table, last] = [1, 2, 3].map((n) => `${dir}/00000${n}.sst`) as [string, string, string];
    let FS!: { unlink(path: string): void };
    // A compaction drops the new table while the worker stores it: a later
    // commit deletes it, not a range of this one.
    const tables = new RecordingTableStore(factory, 'instant', 'store', () => FS.unlink(table));
    const loaded = await loadedStorage(factory, 'instant', tables);
    FS = loaded.FS;
    for (const path of [first, last]) loaded.FS.writeFile(path, new Uint8Array([1]));
    await loaded.storage.commit([first, last], 'relaxed');
    for (const path of [first, last]) loaded.FS.unlink(path);
    loaded.FS.writeFile(table, new Uint8Array(300 * KiB));
    expect(await loaded.storage.commit([first, table, last], 'relaxed')).toMatchObject({ deleted: 2, byTableStore: 1 });
    expect(await storedNames(factory, 'instant')).toEqual(['000002.sst']);
    expect(await loaded.storage.commit([table], 'relaxed')).toMatchObject({ deleted: 1 });
    expect(await storedNames(factory, 'instant')).toEqual([]);
    loaded.storage.release();
  });
});

/** A Worker whose answers a test scripts; postMessage transfers as a real one does. */
class ScriptedWorker {
  static made: ScriptedWorker[] = [];
  static behaviour: 'store' | 'refuse' | 'fail' | 'silent' = 'store';
  readonly requests: TableStoreRequest[] = [];
  readonly transfers: ArrayBuffer[][] = [];
  terminated = false;
  onmessage: ((e: { data: TableStoreReply }) => void) | null = null;
  onerror: ((e: { message: string; preventDefault(): void }) => void) | null = null;

  constructor(readonly url: URL) {
    ScriptedWorker.made.push(this);
  }

  postMessage(message: TableStoreRequest, transfer: ArrayBuffer[]): void {
    const request = structuredClone(message, { transfer });
    this.requests.push(request);
    this.transfers.push(transfer);
    const { behaviour } = ScriptedWorker;
    setTimeout(() => {
      if (this.terminated || behaviour === 'silent') return;
      if (behaviour === 'fail') return this.onerror?.({ message: 'boom', preventDefault() {} });
      const spare = request.files.map((f) => f.bytes.buffer as ArrayBuffer);
      this.onmessage?.({ data: { id: request.id, stored: behaviour === 'store', spare } });
    }, 1);
  }

  terminate(): void {
    this.terminated = true;
  }
}

describe('WorkerTableStore', () => {
  const where: OutputStore = { database: '/stratadb/x', version: 1, objectStore: 'FILE_DATA', durability: 'strict' };
  const table = (n: number, size: number): TableFile => ({
    path: `/stratadb/x/00000${n}.sst`,
    bytes: randomBytes(prng(n), size),
    mode: 0o100644,
  });

  function scripted(behaviour: typeof ScriptedWorker.behaviour) {
    ScriptedWorker.made = [];
    ScriptedWorker.behaviour = behaviour;
    vi.stubGlobal('Worker', ScriptedWorker);
    return new WorkerTableStore();
  }

  afterEach(() => {
    vi.unstubAllGlobals();
    WorkerTableStore.timeoutMs = { base: 30_000, perMiB: 2_000 };
  });

  it('sends copies of the tables, keeps its own, and copies the next ones into the buffers handed back', async () => {
    const store = scripted('store');
    const files = [table(1, 700_000), table(2, 5_000)]; // the first takes several copy steps
    expect(await store.store(where, files)).toBe(true);
    const [worker] = ScriptedWorker.made;
    expect(worker!.url.pathname.endsWith('/table-store-worker.js')).toBe(true);
    const [sent] = worker!.requests;
    expect(sent!.where).toEqual(where);
    expect(sent!.files.map((f) => [f.path, f.mode])).toEqual(files.map((f) => [f.path, f.mode]));
    sent!.files.forEach((f, i) => expect(bytesEqual(f.bytes, files[i]!.bytes)).toBe(true));
    expect(files[0]!.bytes.length).toBe(700_000); // the caller's bytes stay its own
    const handedBack = worker!.requests[0]!.files.map((f) => f.bytes.buffer);

    const next = [table(3, 650_000)];
    expect(await store.store(where, next)).toBe(true);
    expect(ScriptedWorker.made.length).toBe(1);
    expect(handedBack).toContain(worker!.transfers[1]![0]); // a buffer handed back, reused
    expect(bytesEqual(worker!.requests[1]!.files[0]!.bytes, next[0]!.bytes)).toBe(true);
    store.close();
    expect(worker!.terminated).toBe(true);
  });

  it('answers false when the worker did not store, failed or fell silent, and starts another for the next', async () => {
    expect(await scripted('refuse').store(where, [table(1, 1000)])).toBe(false);

    const failing = scripted('fail');
    expect(await failing.store(where, [table(1, 1000)])).toBe(false);
    expect(ScriptedWorker.made[0]!.terminated).toBe(true);
    ScriptedWorker.behaviour = 'store';
    expect(await failing.store(where, [table(2, 1000)])).toBe(true);
    expect(ScriptedWorker.made.length).toBe(2);

    const silent = scripted('silent');
    WorkerTableStore.timeoutMs = { base: 30, perMiB: 0 };
    expect(await silent.store(where, [table(1, 1000)])).toBe(false);
    expect(ScriptedWorker.made[0]!.terminated).toBe(true);
  });

  it('answers false when closed meanwhile, sending nothing if it was still copying', async () => {
    const waiting = scripted('silent');
    const pending = waiting.store(where, [table(1, 1000)]);
    await sleep(10); // sent; the worker is silent
    waiting.close();
    expect(await pending).toBe(false);

    const copying = scripted('store');
    const copy = copying.store(where, [table(2, 2 << 20)]); // eight copy steps
    copying.close();
    expect(await copy).toBe(false);
    expect(ScriptedWorker.made).toEqual([]);
  });
});

describe('the buffers a table store hands back', () => {
  const rand = prng(seedFor('kept buffers'));
  const values = Array.from({ length: 2000 }, () => randomBytes(rand, 300));

  /** The files that flush() leaves after 2,000 random values of 300 bytes in database `name`. */
  async function flushedFiles(runtime: Awaited<ReturnType<typeof freshRuntime>>, name: string) {
    const db = await runtime.open(name, { storage: 'memory', valueEncoding: 'binary' });
    values.forEach((value, i) => db.put(`k${String(i).padStart(5, '0')}`, value, { durable: false }));
    await db.flush();
    const { FS } = (runtime as unknown as { module: StrataModule }).module;
    const dir = idbName(name);
    const files = FS.readdir(dir)
      .filter((n) => n !== '.' && n !== '..')
      .map((n) => ({ name: n, node: FS.lookupPath(`${dir}/${n}`).node as MemfsNode }));
    return { db, files: files.map((f) => ({ ...f, bytes: fileBytes(f.node).slice() })) };
  }

  it('hold the next big new file of about their size', async () => {
    const runtime = await freshRuntime(new IDBFactory());
    const first = await flushedFiles(runtime, 'fresh');
    await first.db.close();
    const table = first.files.find((f) => f.name.endsWith('.sst'))!;
    const size = table.bytes.length;
    expect(size).toBeGreaterThan(256 << 10);

    // As a table store's worker would hand them back: one of about the
    // table's size, one far bigger.
    const kept = new ArrayBuffer(size + 1000);
    const pool = (runtime as unknown as { tableBuffers: BufferPool }).tableBuffers;
    pool.give([kept, new ArrayBuffer(2 * size)]);
    const second = await flushedFiles(runtime, 'kept');
    const holder = second.files.find((f) => f.node.contents?.buffer === kept);
    expect(holder, 'no new file is in the kept buffer').toBeDefined();
    // The same data makes the same files.
    expect(bytesEqual(holder!.bytes, first.files.find((f) => f.name === holder!.name)!.bytes)).toBe(true);
    expect(pool.bytes).toBe(2 * size); // the far bigger one is not taken
    expect(second.db.get('k01999', { valueEncoding: 'binary' })).toEqual(values[1999]);
    await second.db.close();
  });
});
