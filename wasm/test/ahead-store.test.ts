// Big new files stored by the ahead store's worker before their commit's
// own transaction (ahead-store.ts, IndexedDbStorage.commit): which files go
// ahead (aheadFiles), that they are stored first, that an ahead store that
// cannot store them leaves them to the commit, and that the commit's key
// ranges are of its own instant. Then WorkerAheadStore over a scripted
// Worker: the copies it sends, the buffers it reuses, and a worker that
// fails, falls silent or is closed. And the buffers it hands back, in which
// new files are made (keptFileBuffers).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { storeFiles, type OutputStore } from '../dist/output-store.js';
import type { BufferPool } from '../dist/buffer-pool.js';
import { IndexedDbStorage, aheadFiles, fileBytes } from '../dist/storage.js';
import type { MemfsNode, StrataModule } from '../dist/strata.js';
import { type AheadFile, type AheadStore, type AheadStoreReply, type AheadStoreRequest, WorkerAheadStore } from '../dist/ahead-store.js';
import { bytesEqual, crashCopy, freshRuntime, idbName, prng, randomBytes, seedFor, sleep, storedFiles, storedNames } from './helpers.js';

/** Stores what it is given into factory (or refuses), noting each call and what was stored at that moment. */
class RecordingAheadStore implements AheadStore {
  readonly calls: { where: OutputStore; paths: string[]; storedBefore: string[] }[] = [];
  closed = false;
  /** Runs once the files are stored, before store() answers. */
  afterStored: () => Promise<void> = async () => {};
  constructor(
    private readonly factory: IDBFactory,
    private readonly name: string,
    private readonly answer: 'store' | 'refuse',
  ) {}

  async store(where: OutputStore, files: readonly AheadFile[]): Promise<boolean> {
    this.calls.push({ where, paths: files.map((f) => f.path), storedBefore: await storedNames(this.factory, this.name) });
    if (this.answer === 'refuse') return false;
    await storeFiles(this.factory, where, files);
    await this.afterStored();
    return true;
  }

  close(): void {
    this.closed = true;
  }
}

async function loadedStorage(factory: IDBFactory, name: string, ahead: AheadStore) {
  const runtime = await freshRuntime(factory);
  const module = (runtime as unknown as { module: StrataModule }).module;
  const storage = new IndexedDbStorage(module, idbName(name), IDBKeyRange, ahead);
  await storage.load();
  return { storage, FS: module.FS };
}

describe('which files go ahead', () => {
  const file = (name: string, size: number): AheadFile => ({ path: `/stratadb/x/${name}`, bytes: new Uint8Array(size), mode: 0o100644 });
  const names = (files: AheadFile[]) => files.map((f) => f.path.slice('/stratadb/x/'.length));
  const big = 256 << 10;

  it('big tables, and every WAL segment when one is big and the commit removes none', () => {
    const files = [file('000005.wal', 100), file('000006.wal', big), file('000007.sst', big), file('000008.sst', big - 1), file('MANIFEST-000009', big)];
    expect(names(aheadFiles(files, []))).toEqual(['000005.wal', '000006.wal', '000007.sst']);
    // A table removed: the segments still go.
    expect(names(aheadFiles(files, ['/stratadb/x/000003.sst']))).toEqual(['000005.wal', '000006.wal', '000007.sst']);
    // No segment is big: none goes.
    expect(names(aheadFiles([file('000005.wal', big - 1), file('000006.wal', 100)], []))).toEqual([]);
  });

  it('no WAL segment from a commit that removes one (it may never have been stored: a gap)', () => {
    const files = [file('000006.wal', big), file('000007.sst', big)];
    expect(names(aheadFiles(files, ['/stratadb/x/000004.wal']))).toEqual(['000007.sst']);
  });
});

describe('a commit with an ahead store', () => {
  const KiB = 1 << 10;

  async function commitOfFive(answer: 'store' | 'refuse') {
    const factory = new IDBFactory();
    const name = `ahead-${answer}`;
    const dir = idbName(name);
    const rand = prng(seedFor(name));
    const files = {
      [`${dir}/000007.sst`]: randomBytes(rand, 300 * KiB), // a big table: ahead
      [`${dir}/000008.sst`]: randomBytes(rand, 10 * KiB), // a small one
      [`${dir}/000009.wal`]: randomBytes(rand, 300 * KiB), // a big segment: ahead, with the other
      [`${dir}/000011.wal`]: randomBytes(rand, 200),
      [`${dir}/MANIFEST-000010`]: randomBytes(rand, 100),
    };
    const ahead = new RecordingAheadStore(factory, name, answer);
    const { storage, FS } = await loadedStorage(factory, name, ahead);
    for (const [path, bytes] of Object.entries(files)) FS.writeFile(path, bytes);
    const counts = await storage.commit(Object.keys(files), 'strict');
    return { factory, name, dir, files, ahead, storage, counts };
  }

  it('has the worker store its big files first, then stores the rest in its own transaction', async () => {
    const { factory, name, dir, files, ahead, storage, counts } = await commitOfFive('store');
    expect(ahead.calls).toEqual([
      {
        where: { database: dir, version: expect.any(Number), objectStore: 'FILE_DATA', durability: 'strict' },
        paths: [`${dir}/000007.sst`, `${dir}/000009.wal`, `${dir}/000011.wal`],
        storedBefore: [], // the commit's own transaction comes after
      },
    ]);
    const bytes = Object.values(files).reduce((n, b) => n + b.length, 0);
    expect(counts).toEqual({ files: 5, bytes, deleted: 0, byAheadStore: 3 });
    const stored = await storedFiles(factory, name);
    for (const [path, contents] of Object.entries(files)) expect(bytesEqual(stored.get(path)!.contents, contents), path).toBe(true);
    storage.release();
    expect(ahead.closed).toBe(true);

    // IDBFS's loader restores the worker's record as it does the commit's.
    const again = await loadedStorage(factory, name, new RecordingAheadStore(factory, name, 'store'));
    for (const [path, contents] of Object.entries(files)) expect(bytesEqual(again.FS.readFile(path), contents), path).toBe(true);
    again.storage.release();
  });

  it('stores the files itself when the ahead store could not', async () => {
    const { factory, name, files, ahead, storage, counts } = await commitOfFive('refuse');
    expect(ahead.calls.length).toBe(1);
    expect(counts).toMatchObject({ files: 5, byAheadStore: 0 });
    const stored = await storedFiles(factory, name);
    for (const [path, contents] of Object.entries(files)) expect(bytesEqual(stored.get(path)!.contents, contents), path).toBe(true);
    storage.release();
  });

  it('deletes only what was removed at its instant: a table removed while the worker stores it stays stored', async () => {
    const factory = new IDBFactory();
    const dir = idbName('instant');
    const [first, table, last] = [1, 2, 3].map((n) => `${dir}/00000${n}.sst`) as [string, string, string];
    const ahead = new RecordingAheadStore(factory, 'instant', 'store');
    const loaded = await loadedStorage(factory, 'instant', ahead);
    // A compaction drops the new table while the worker stores it: a later
    // commit deletes it, not a range of this one.
    ahead.afterStored = async () => loaded.FS.unlink(table);
    for (const path of [first, last]) loaded.FS.writeFile(path, new Uint8Array([1]));
    await loaded.storage.commit([first, last], 'relaxed');
    for (const path of [first, last]) loaded.FS.unlink(path);
    loaded.FS.writeFile(table, new Uint8Array(300 * KiB));
    expect(await loaded.storage.commit([first, table, last], 'relaxed')).toMatchObject({ deleted: 2, byAheadStore: 1 });
    expect(await storedNames(factory, 'instant')).toEqual(['000002.sst']);
    expect(await loaded.storage.commit([table], 'relaxed')).toMatchObject({ deleted: 1 });
    expect(await storedNames(factory, 'instant')).toEqual([]);
    loaded.storage.release();
  });
});

describe('a commit with files ahead beside a compaction worker', () => {
  it("never deletes outputs that the compaction worker starts storing while the files go ahead", async () => {
    const factory = new IDBFactory();
    const dir = idbName('beside');
    const [first, output, last, table] = ['000001.wal', '000002.sst', '000003.wal', '000009.sst'].map((n) => `${dir}/${n}`) as [string, string, string, string];
    const ahead = new RecordingAheadStore(factory, 'beside', 'store');
    const loaded = await loadedStorage(factory, 'beside', ahead);
    for (const path of [first, last]) loaded.FS.writeFile(path, new Uint8Array([1]));
    await loaded.storage.commit([first, last], 'relaxed');
    for (const path of [first, last]) loaded.FS.unlink(path);
    loaded.FS.writeFile(table, new Uint8Array(300 << 10));
    // While the table goes ahead, a compaction job (its output name 000002,
    // between the two removed segments) goes out and its worker stores it.
    ahead.afterStored = async () => {
      const where = loaded.storage.beginOutsideStore('strict', [output])!;
      await storeFiles(factory, where, [{ path: output, bytes: new Uint8Array([2]), mode: 0o100644 }]);
    };
    expect(await loaded.storage.commit([first, last, table], 'relaxed')).toMatchObject({ deleted: 2, byAheadStore: 1 });
    expect(await storedNames(factory, 'beside')).toEqual(['000002.sst', '000009.sst']);
    loaded.storage.release();
  });
});

describe('a crash between the ahead store and the commit', () => {
  it('leaves a prefix of the writes wherever it falls: big WAL segments go ahead, but not in a commit that removes one', async () => {
    const factory = new IDBFactory();
    const name = 'crash-ahead';
    const runtime = await freshRuntime(factory);
    // Deferred writes, committed only when sync() asks; a 64 KiB memtable.
    const db = await runtime.open(name, { durability: 'deferred', commitIntervalMs: 60_000, memtableBytes: 64 << 10 });
    const ahead = new RecordingAheadStore(factory, name, 'store');
    (db as unknown as { storage: { ahead: AheadStore } }).storage.ahead = ahead;
    const crashes: IDBFactory[] = [];
    ahead.afterStored = async () => void crashes.push(await crashCopy(factory, name));
    const batch = (tag: string, n: number) =>
      db.batch(Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: `${tag}${String(i).padStart(5, '0')}`, value: `${tag}${'v'.repeat(200)}` })));
    const flushes = () => db.stats().flushes;

    await batch('a', 10);
    await db.sync(); // a small segment: committed by the commit alone
    await batch('b', 1500);
    await db.sync(); // a big segment: ahead
    expect(ahead.calls.length).toBe(1);
    await batch('c', 1500); // over the memtable: the next write freezes it
    const before = flushes();
    await batch('e', 1);
    while (flushes() === before) await sleep(1); // flushed by the background steps
    await batch('d', 1500);
    await db.sync(); // removes the flushed segments: the table goes ahead, d's big segment with the manifest
    expect(ahead.calls.length).toBe(2);
    expect(ahead.calls[1]!.paths.every((p) => p.endsWith('.sst'))).toBe(true);
    await db.close();

    for (const crash of crashes) {
      const again = await (await freshRuntime(crash)).open(name);
      const count = (tag: string) => again.scan({ gte: tag, lt: `${tag}~` }).length;
      const counts = { a: count('a'), b: count('b'), c: count('c'), d: count('d'), e: count('e') };
      await again.close();
      // A prefix: a tag's writes are all there or none, and once one is missing so is every later one.
      const seen = [counts.a === 10, counts.b === 1500, counts.c === 1500, counts.e === 1, counts.d === 1500];
      for (const [tag, n] of Object.entries(counts)) expect([0, tag === 'a' ? 10 : tag === 'e' ? 1 : 1500], tag).toContain(n);
      const firstMissing = seen.indexOf(false);
      expect(firstMissing === -1 || seen.slice(firstMissing).every((s) => !s), JSON.stringify(counts)).toBe(true);
      expect(counts.a + counts.b, 'a synced write is missing').toBe(1510);
    }
  });
});

/** A Worker whose answers a test scripts; postMessage transfers as a real one does. */
class ScriptedWorker {
  static made: ScriptedWorker[] = [];
  static behaviour: 'store' | 'refuse' | 'fail' | 'silent' = 'store';
  readonly requests: AheadStoreRequest[] = [];
  readonly transfers: ArrayBuffer[][] = [];
  terminated = false;
  onmessage: ((e: { data: AheadStoreReply }) => void) | null = null;
  onerror: ((e: { message: string; preventDefault(): void }) => void) | null = null;

  constructor(readonly url: URL) {
    ScriptedWorker.made.push(this);
  }

  postMessage(message: AheadStoreRequest, transfer: ArrayBuffer[]): void {
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

describe('WorkerAheadStore', () => {
  const where: OutputStore = { database: '/stratadb/x', version: 1, objectStore: 'FILE_DATA', durability: 'strict' };
  const table = (n: number, size: number): AheadFile => ({
    path: `/stratadb/x/00000${n}.sst`,
    bytes: randomBytes(prng(n), size),
    mode: 0o100644,
  });

  function scripted(behaviour: typeof ScriptedWorker.behaviour) {
    ScriptedWorker.made = [];
    ScriptedWorker.behaviour = behaviour;
    vi.stubGlobal('Worker', ScriptedWorker);
    return new WorkerAheadStore();
  }

  afterEach(() => {
    vi.unstubAllGlobals();
    WorkerAheadStore.timeoutMs = { base: 30_000, perMiB: 2_000 };
  });

  it('sends copies of the files, keeps its own, and copies the next ones into the buffers handed back', async () => {
    const store = scripted('store');
    const files = [table(1, 700_000), table(2, 5_000)]; // the first takes several copy steps
    expect(await store.store(where, files)).toBe(true);
    const [worker] = ScriptedWorker.made;
    expect(worker!.url.pathname.endsWith('/ahead-store-worker.js')).toBe(true);
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

    const failing = scripted('store');
    expect(await failing.store(where, [table(1, 1000)])).toBe(true);
    ScriptedWorker.behaviour = 'fail';
    expect(await failing.store(where, [table(2, 1000)])).toBe(false);
    expect(ScriptedWorker.made[0]!.terminated).toBe(true);
    ScriptedWorker.behaviour = 'store';
    expect(await failing.store(where, [table(3, 1000)])).toBe(true);
    expect(ScriptedWorker.made.length).toBe(2);

    const silent = scripted('silent');
    WorkerAheadStore.timeoutMs = { base: 30, perMiB: 0 };
    expect(await silent.store(where, [table(1, 1000)])).toBe(false);
    expect(ScriptedWorker.made[0]!.terminated).toBe(true);
  });

  it('gives up, never rejecting, where no worker runs: one that cannot be made, or fails before it ever answered', async () => {
    const unmade = scripted('store');
    vi.stubGlobal('Worker', class {
      constructor() {
        throw new DOMException('a script of another origin', 'SecurityError');
      }
    });
    expect(await unmade.store(where, [table(1, 1000)])).toBe(false);
    vi.stubGlobal('Worker', ScriptedWorker);
    expect(await unmade.store(where, [table(2, 1000)])).toBe(false); // not tried again
    expect(ScriptedWorker.made).toEqual([]);

    const unloaded = scripted('fail'); // as a script that does not load
    expect(await unloaded.store(where, [table(1, 1000)])).toBe(false);
    ScriptedWorker.behaviour = 'store';
    expect(await unloaded.store(where, [table(2, 1000)])).toBe(false);
    expect(ScriptedWorker.made.length).toBe(1);
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

describe('the buffers an ahead store hands back', () => {
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

    // As an ahead store's worker would hand them back: one of about the
    // table's size, one far bigger.
    const kept = new ArrayBuffer(size + 1000);
    const pool = (runtime as unknown as { fileBuffers: BufferPool }).fileBuffers;
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
