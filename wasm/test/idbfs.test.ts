// The IDBFS behaviour the commit design relies on (wasm/src/storage.ts,
// wasm/binding/commit_env.h): a commit is one IndexedDB transaction that
// puts exactly the files changed since the previous commit and deletes the
// removed ones; files are written once (only CURRENT is stored again, with
// the manifest it names); the store holds exactly the engine's files; and
// the stock Emscripten loader (FS.syncfs(true) at the next open) restores
// them byte for byte.
//
// fake-indexeddb's IDBObjectStore.prototype.put/delete and
// IDBTransaction.prototype.commit are wrapped for the whole file to record
// every put (path, contents) and delete, grouped by transaction, and whether
// commit() was called on it. A key-range delete is recorded as one delete
// per stored path it covers (the recorder keeps the set of stored paths per
// database).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange, IDBObjectStore, IDBTransaction } from 'fake-indexeddb';
import { type Database, type Runtime, createRuntime } from '../dist/node.js';
import { deletionRuns } from '../dist/storage.js';
import {
  type FileRecord,
  bytesEqual,
  directoryNames,
  freshRuntime,
  idbName,
  liveTables,
  prng,
  randomBytes,
  runtimeFS,
  seedFor,
  settle,
  sleep,
  storedFiles,
  storedNames,
} from './helpers.js';

const KiB = 1024;

interface Op {
  kind: 'put' | 'delete';
  path: string;
  contents?: Uint8Array;
  inRange?: boolean; // deleted by a key-range delete
}

interface TxRecord {
  tx: IDBTransaction;
  db: string; // the IndexedDB database name
  durability: string;
  ops: Op[];
  requests: number;
  commitCalled: boolean;
  completed: boolean;
  aborted: boolean;
}

const transactions: TxRecord[] = [];
const byTx = new Map<IDBTransaction, TxRecord>();

function recordOp(tx: IDBTransaction, op: Op): void {
  let rec = byTx.get(tx);
  if (!rec) {
    rec = {
      tx,
      db: tx.db.name,
      durability: (tx as IDBTransaction & { durability?: string }).durability ?? 'default',
      ops: [],
      requests: 0,
      commitCalled: false,
      completed: false,
      aborted: false,
    };
    const r = rec;
    tx.addEventListener('complete', () => (r.completed = true));
    tx.addEventListener('abort', () => (r.aborted = true));
    byTx.set(tx, rec);
    transactions.push(rec);
  }
  rec.ops.push(op);
}

// The paths each IndexedDB database stores, as the recorded requests left them.
const storedPaths = new Map<string, Set<string>>();
function storedIn(tx: IDBTransaction): Set<string> {
  const name = tx.db.name;
  let paths = storedPaths.get(name);
  if (!paths) storedPaths.set(name, (paths = new Set()));
  return paths;
}
function countRequest(tx: IDBTransaction): void {
  const rec = byTx.get(tx);
  if (rec) rec.requests++;
}

const originalPut = IDBObjectStore.prototype.put;
const originalDelete = IDBObjectStore.prototype.delete;
const originalCommit = IDBTransaction.prototype.commit;

beforeAll(() => {
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    const contents = (value as Partial<FileRecord> | null)?.contents;
    recordOp(this.transaction, {
      kind: 'put',
      path: String(key),
      ...(contents instanceof Uint8Array ? { contents: contents.slice() } : {}),
    });
    countRequest(this.transaction);
    storedIn(this.transaction).add(String(key));
    return originalPut.call(this, value, key);
  } as typeof IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.delete = function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
    const stored = storedIn(this.transaction);
    if (key instanceof IDBKeyRange) {
      const covered = [...stored].filter((p) => key.includes(p)).sort();
      for (const path of covered) recordOp(this.transaction, { kind: 'delete', path, inRange: true });
      for (const path of covered) stored.delete(path);
    } else {
      recordOp(this.transaction, { kind: 'delete', path: String(key) });
      stored.delete(String(key));
    }
    countRequest(this.transaction);
    return originalDelete.call(this, key);
  } as typeof IDBObjectStore.prototype.delete;
  IDBTransaction.prototype.commit = function (this: IDBTransaction) {
    const rec = byTx.get(this);
    if (rec) rec.commitCalled = true;
    return originalCommit.call(this);
  };
});

afterAll(() => {
  IDBObjectStore.prototype.put = originalPut;
  IDBObjectStore.prototype.delete = originalDelete;
  IDBTransaction.prototype.commit = originalCommit;
});

/** The write transactions on database `name` recorded from index `from` on. */
function commitsOf(name: string, from = 0): TxRecord[] {
  return transactions.slice(from).filter((t) => t.db === idbName(name));
}
const puts = (t: TxRecord) => t.ops.filter((o) => o.kind === 'put');
const deletes = (t: TxRecord) => t.ops.filter((o) => o.kind === 'delete');
const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

const WAL = /^\d{6}\.wal$/;
const SST = /^\d{6}\.sst$/;
const MANIFEST = /^MANIFEST-\d{6}$/;

/** What the store should hold: the directory's files but LOCK, the engine's own. */
const storableNames = (runtime: Runtime, name: string) => directoryNames(runtime, name).filter((n) => n !== 'LOCK');

/** Checks one commit's shape: each path at most once, all under the mount. */
function expectWellFormed(name: string, t: TxRecord): void {
  const paths = t.ops.map((o) => o.path);
  expect(new Set(paths).size, `a commit names each path once: ${paths.join(' ')}`).toBe(paths.length);
  for (const p of paths) expect(p.startsWith(`${idbName(name)}/`)).toBe(true);
  for (const p of puts(t)) expect(p.contents, `contents of ${p.path}`).toBeInstanceOf(Uint8Array);
  // Left to commit on its own: ending it with commit() lost acknowledged
  // commits in WebKit (README, "Persistence and durability").
  expect(t.commitCalled, 'commit() was called').toBe(false);
}

describe('what a commit stores', () => {
  it('a durable write stores its new WAL segment and nothing else', async () => {
    const name = 'one-wal';
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const db = await runtime.open(name);
    let mark = transactions.length;
    await db.put('first', '1');
    const [first, ...more] = commitsOf(name, mark);
    expect(more).toEqual([]);
    expectWellFormed(name, first!);
    // The first commit also stores the database's initial manifest.
    const firstPuts = puts(first!).map((o) => base(o.path));
    expect(firstPuts.filter((n) => WAL.test(n))).toHaveLength(1);
    expect(firstPuts.filter((n) => MANIFEST.test(n))).toHaveLength(1);
    expect(firstPuts).toContain('CURRENT');
    expect(firstPuts).toHaveLength(3);

    const stored = new Set(puts(first!).map((o) => o.path));
    for (let i = 0; i < 30; i++) {
      mark = transactions.length;
      await db.put(`k${i}`, `value ${i}`);
      const commits = commitsOf(name, mark);
      expect(commits, `commits of write ${i}`).toHaveLength(1);
      const t = commits[0]!;
      expectWellFormed(name, t);
      expect(deletes(t), `deletes of write ${i}`).toEqual([]);
      expect(puts(t)).toHaveLength(1);
      const { path, contents } = puts(t)[0]!;
      expect(base(path)).toMatch(WAL);
      expect(stored.has(path), `${path} is new`).toBe(false);
      expect(contents!.length).toBeGreaterThan(0);
      stored.add(path);
    }
    expect(await storedNames(factory, name)).toHaveLength(3 + 30);
    await db.close();
  });

  it('writes issued together share one commit and one WAL segment', async () => {
    const name = 'group';
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const db = await runtime.open(name);
    await db.put('warm', 'up');
    const mark = transactions.length;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) writes.push(db.put(`g${i}`, 'x'.repeat(100)));
    writes.push(db.delete('warm'));
    writes.push(
      db.batch([
        { type: 'put', key: 'b1', value: '1' },
        { type: 'put', key: 'b2', value: '2' },
      ]),
    );
    await Promise.all(writes);
    const commits = commitsOf(name, mark);
    expect(commits).toHaveLength(1);
    expect(deletes(commits[0]!)).toEqual([]);
    const stored = puts(commits[0]!);
    expect(stored).toHaveLength(1);
    expect(base(stored[0]!.path)).toMatch(WAL);
    expect(stored[0]!.contents!.length).toBeGreaterThan(50 * 100);
    await db.close();
  });

  it('stores one file for a small write however many files the database holds', async () => {
    const name = 'many-files';
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const db = await runtime.open(name, { memtableBytes: 64 * KiB });
    const smallWriteStores = async (label: string): Promise<void> => {
      await settle(db); // no background work (a trivial move, say) in the measured commit
      const mark = transactions.length;
      await db.put(`a-small-${label}`, 'v'); // keys below the tables' ranges
      const commits = commitsOf(name, mark);
      expect(commits, label).toHaveLength(1);
      expect(deletes(commits[0]!), label).toEqual([]);
      expect(puts(commits[0]!).map((o) => base(o.path)), label).toEqual([expect.stringMatching(WAL)]);
    };
    await db.put('a-warm', 'up'); // the first commit also stores the initial manifest
    await smallWriteStores('at first');
    // Tables with disjoint key ranges: compactions move them down whole.
    for (let t = 0; t < 40; t++) {
      await db.put(`t${String(t).padStart(3, '0')}`, 'x'.repeat(100));
      await db.flush();
    }
    // flush() schedules no background work; the next write does.
    await db.put('a-kick', 'v');
    await settle(db);
    const tables = liveTables(db.stats());
    expect(tables.length).toBeGreaterThanOrEqual(30);
    const storedTables = (await storedNames(factory, name)).filter((n) => SST.test(n));
    expect(storedTables).toEqual(tables);
    await smallWriteStores('with 30+ tables');
    // And a deferred write made durable by sync().
    await settle(db);
    const mark = transactions.length;
    await db.put('deferred', 'v', { durable: false });
    await db.sync();
    const commits = commitsOf(name, mark);
    expect(commits).toHaveLength(1);
    expect(commits[0]!.ops.map((o) => `${o.kind} ${base(o.path)}`)).toEqual([expect.stringMatching(/^put \d{6}\.wal$/)]);
    await db.close();
  });

  it('makes every commit one transaction, counted by the commit stats; a durable write resolves after it completes', async () => {
    const seed = seedFor('commit transactions');
    const rand = prng(seed);
    const name = 'one-tx';
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const db = await runtime.open(name, { memtableBytes: 64 * KiB, commitIntervalMs: 2 });
    const mark = transactions.length;
    // When a write issued at transaction index `issued` resolves, its commit
    // (the first one started after it) has completed, and commits never
    // overlap: only the newest may still run (one for later writes). A
    // flush or compaction may change nothing and need no commit: for them
    // only the overlap is checked.
    const allCommitted = (what: string, issued: number, changed = true) => {
      const all = commitsOf(name, mark);
      all.forEach((t, i) => {
        expect(t.aborted, what).toBe(false);
        if (i < all.length - 1) expect(t.completed, `${what}: an older commit is still running`).toBe(true);
      });
      const own = commitsOf(name, issued)[0];
      if (changed) expect(own?.completed, `${what}: resolved before its commit completed`).toBe(true);
    };
    const pending: Promise<void>[] = [];
    for (let op = 0; op < 500; op++) {
      const k = `k${(rand() * 300) | 0}`;
      const r = rand();
      const issued = transactions.length;
      if (r < 0.35) {
        await db.put(k, randomBytes(rand, (rand() * 2000) | 0));
        allCommitted(`durable put ${op}`, issued);
      } else if (r < 0.7) {
        void db.put(k, randomBytes(rand, (rand() * 2000) | 0), { durable: false });
      } else if (r < 0.8) {
        pending.push(db.delete(k).then(() => allCommitted(`delete ${op}`, issued)));
      } else if (r < 0.9) {
        pending.push(
          db
            .batch([
              { type: 'put', key: k, value: 'batch' },
              { type: 'delete', key: `${k}x` },
            ])
            .then(() => allCommitted(`batch ${op}`, issued)),
        );
      } else if (r < 0.93) {
        await db.flush();
        allCommitted(`flush ${op}`, issued, false);
      } else if (r < 0.95) {
        await db.compact();
        allCommitted(`compact ${op}`, issued, false);
      } else {
        await sleep((rand() * 4) | 0); // timer commits of deferred writes and background work
      }
    }
    await Promise.all(pending);
    const issued = transactions.length;
    await db.put('last', 'v');
    allCommitted('last put', issued);
    const stats = db.stats();
    const commits = commitsOf(name, mark);
    for (const t of commits) expectWellFormed(name, t);
    expect(stats.flushes).toBeGreaterThan(0);
    expect(stats.compactions).toBeGreaterThan(0);
    expect(commits.length).toBe(stats.commits.commits);
    expect(commits.reduce((n, t) => n + puts(t).length, 0)).toBe(stats.commits.filesStored);
    // A key range also covers files made and removed between two commits
    // (never stored), which filesDeleted counts and the recorder cannot see.
    const deleteRequests = commits.reduce((n, t) => n + t.requests - puts(t).length, 0);
    expect(deleteRequests).toBeLessThanOrEqual(stats.commits.filesDeleted);
    expect(commits.reduce((n, t) => n + deletes(t).length, 0)).toBeLessThanOrEqual(stats.commits.filesDeleted);
    expect(commits.reduce((n, t) => n + deletes(t).filter((o) => !o.inRange).length, 0)).toBeLessThan(
      stats.commits.filesDeleted,
    );
    expect(commits.reduce((n, t) => n + puts(t).reduce((b, o) => b + o.contents!.length, 0), 0)).toBe(
      stats.commits.bytesStored,
    );
    // ... and the deletes, single or ranges, left the store holding exactly the directory.
    await db.sync();
    await settle(db);
    expect(await storedNames(factory, name)).toEqual(storableNames(runtime, name));
    await db.close();
  });

  it('asks IndexedDB for idbDurability on commits a writer awaits, and relaxed on timer commits', async () => {
    const cases: { options: { idbDurability?: 'strict' | 'relaxed' | 'default' }; awaited: string }[] = [
      { options: {}, awaited: 'strict' },
      { options: { idbDurability: 'relaxed' }, awaited: 'relaxed' },
      { options: { idbDurability: 'default' }, awaited: 'default' },
    ];
    for (const { options, awaited } of cases) {
      const name = `durability-${awaited}`;
      const runtime = await freshRuntime(new IDBFactory());
      const db = await runtime.open(name, { ...options, commitIntervalMs: 1 });
      let mark = transactions.length;
      await db.put('durable', 'v');
      expect(commitsOf(name, mark).map((t) => t.durability)).toEqual([awaited]);
      mark = transactions.length;
      await db.put('deferred', 'v', { durable: false });
      for (let i = 0; i < 5000 && commitsOf(name, mark).length === 0; i++) await sleep(1);
      expect(commitsOf(name, mark).map((t) => t.durability)).toEqual(['relaxed']);
      mark = transactions.length;
      await db.put('deferred2', 'v', { durable: false });
      await db.sync(); // a writer waits: the commit is durable
      expect(commitsOf(name, mark).map((t) => t.durability)).toEqual([awaited]);
      await db.close();
    }
  });
  it('makes sync() after a timer commit flush it strictly, by storing CURRENT again', async () => {
    const name = 'strict-after-relaxed';
    const runtime = await freshRuntime(new IDBFactory());
    const db = await runtime.open(name, { durability: 'deferred', commitIntervalMs: 1 });
    await db.sync(); // the files of the open, strictly
    let mark = transactions.length;
    await db.put('k', 'v');
    for (let i = 0; i < 5000 && commitsOf(name, mark).length === 0; i++) await sleep(1);
    expect(commitsOf(name, mark).map((t) => t.durability)).toEqual(['relaxed']);
    // Nothing changed since, but the relaxed commit is not on disk yet.
    mark = transactions.length;
    await db.sync();
    const flush = commitsOf(name, mark);
    expect(flush.map((t) => t.durability)).toEqual(['strict']);
    expect(flush[0]!.ops.map((o) => base(o.path))).toEqual(['CURRENT']);
    // Once strict, a sync with nothing new stores nothing.
    mark = transactions.length;
    await db.sync();
    expect(commitsOf(name, mark)).toEqual([]);
    await db.close();
  });
});

describe('files are made in MEMFS directly', () => {
  // ASCII and not: the binding reads short ASCII names a byte at a time and
  // others with UTF8ToString.
  it.each(['made-directly', 'made directly: é, 日本, 😀'])(
    'a durable write to %j makes its WAL segment without looking up a path or missing a name, and it is read back whole',
    async (name) => {
      // Through open(2), each new file meant two lookups that miss, each a
      // thrown error in MEMFS (costly with an inspector attached); CommitEnv
      // now makes the file in the directory's node (wasm/binding/memfs_files.h),
      // found by walking the directory entries, and the commit takes each file
      // from the mount's root node (storage.ts): no FS.lookupPath, which
      // normalizes every path with regular expressions.
      const factory = new IDBFactory();
      const runtime = await freshRuntime(factory);
      const db = await runtime.open(name);
      await db.put('first', '1');
      type Fn = (...args: unknown[]) => unknown;
      const FS = runtimeFS(runtime) as unknown as { lookupNode: Fn; lookupPath: Fn };
      const { lookupNode, lookupPath } = FS;
      let misses = 0;
      let pathLookups = 0;
      FS.lookupNode = function (this: unknown, ...args: unknown[]) {
        try {
          return lookupNode.apply(this, args);
        } catch (e) {
          misses++;
          throw e;
        }
      };
      FS.lookupPath = function (this: unknown, ...args: unknown[]) {
        pathLookups++;
        return lookupPath.apply(this, args);
      };
      const mark = transactions.length;
      try {
        for (let i = 0; i < 20; i++) await db.put(`k${i}`, `value ${i}`);
      } finally {
        FS.lookupNode = lookupNode;
        FS.lookupPath = lookupPath;
      }
      expect(misses).toBe(0);
      expect(pathLookups).toBe(0);
      const made = commitsOf(name, mark)
        .flatMap(puts)
        .filter((o) => WAL.test(base(o.path)));
      expect(made).toHaveLength(20);
      // Stored as a file made through open(2) was: mode 0644, its bytes whole.
      const stored = await storedFiles(factory, name);
      for (const { path, contents } of made) {
        const record = stored.get(path);
        expect(record, path).toBeDefined();
        expect(record!.mode, path).toBe(0o100644);
        expect(record!.contents.length, path).toBeGreaterThan(0);
        expect(bytesEqual(record!.contents, contents!), path).toBe(true);
      }
      await db.close();

      const reopened = await (await freshRuntime(factory)).open(name);
      for (let i = 0; i < 20; i++) expect(reopened.get(`k${i}`)).toBe(`value ${i}`);
      await reopened.close();
    },
  );
});

describe('a database named __proto__', () => {
  it('is written and read back: its directory, which MEMFS entries cannot hold as their own, is looked up the slow way', async () => {
    const factory = new IDBFactory();
    const db = await (await freshRuntime(factory)).open('__proto__');
    for (let i = 0; i < 5; i++) await db.put(`k${i}`, `value ${i}`);
    await db.close();
    const reopened = await (await freshRuntime(factory)).open('__proto__');
    for (let i = 0; i < 5; i++) expect(reopened.get(`k${i}`)).toBe(`value ${i}`);
    await reopened.close();
  });
});

describe('files are written once', () => {
  it('stores every path once, except CURRENT, which comes with the manifest it names', async () => {
    const seed = seedFor('write-once');
    const rand = prng(seed);
    const name = 'write-once';
    const factory = new IDBFactory();
    const mark = transactions.length;
    const work = async (db: Database<'utf8', 'utf8'>, ops: number) => {
      for (let op = 0; op < ops; op++) {
        const k = `w${(rand() * 200) | 0}`;
        const r = rand();
        if (r < 0.5) await db.put(k, 'v'.repeat((rand() * 3000) | 0));
        else if (r < 0.8) void db.put(k, 'd'.repeat((rand() * 3000) | 0), { durable: false });
        else if (r < 0.9) await db.delete(k);
        else if (r < 0.94) await db.flush();
        else if (r < 0.96) await db.compact();
        else await sleep(2);
      }
      await sleep(5);
      await db.sync();
    };
    // Session 1: closed cleanly.
    let runtime = await freshRuntime(factory);
    let db = await runtime.open(name, { memtableBytes: 64 * KiB, commitIntervalMs: 2 });
    await work(db, 300);
    await db.close();
    // Session 2: recovers the WAL, then crashes (dropped without close). It
    // is let go idle first, so that no background work of it commits to
    // the factory that session 3 uses.
    runtime = await freshRuntime(factory);
    db = await runtime.open(name, { memtableBytes: 64 * KiB, commitIntervalMs: 2 });
    await work(db, 300);
    await db.put('kick', 'v'); // schedules background work left by a last flush or compact
    await settle(db);
    // Session 3: recovers after the crash, closes cleanly.
    runtime = await freshRuntime(factory);
    db = await runtime.open(name, { memtableBytes: 64 * KiB, commitIntervalMs: 2 });
    await work(db, 300);
    await db.close();

    const commits = commitsOf(name, mark);
    const contentsByPath = new Map<string, Uint8Array[]>();
    const deletedAt = new Map<string, number>();
    commits.forEach((t, i) => {
      expectWellFormed(name, t);
      for (const o of t.ops) {
        if (o.kind === 'delete') {
          deletedAt.set(o.path, i);
          continue;
        }
        if (base(o.path) !== 'CURRENT') {
          expect(deletedAt.has(o.path), `${o.path} is stored again after its delete`).toBe(false);
        }
        const list = contentsByPath.get(o.path) ?? [];
        list.push(o.contents!);
        contentsByPath.set(o.path, list);
      }
    });
    let currentPuts = 0;
    const currentContents = new Set<string>();
    for (const [path, list] of contentsByPath) {
      if (base(path) === 'CURRENT') {
        currentPuts += list.length;
        for (const c of list) currentContents.add(Buffer.from(c).toString());
        continue;
      }
      expect(list.length, `${path} is stored once`).toBe(1);
    }
    // CURRENT is replaced by rename, so it is stored again, each time naming
    // a new manifest; or stored unchanged, alone, by a strict flush (a sync
    // after relaxed commits).
    const isStrictFlush = (t: TxRecord) => t.ops.length === 1 && base(t.ops[0]!.path) === 'CURRENT';
    const flushes = commits.filter(isStrictFlush).length;
    expect(currentPuts).toBeGreaterThan(3);
    expect(currentContents.size).toBe(currentPuts - flushes);
    for (const t of commits) {
      if (isStrictFlush(t)) continue;
      const manifests = puts(t).filter((o) => MANIFEST.test(base(o.path)));
      const current = puts(t).filter((o) => base(o.path) === 'CURRENT');
      expect(manifests.length).toBeLessThanOrEqual(1);
      expect(current.length).toBe(manifests.length);
      if (current.length === 1) {
        expect(Buffer.from(current[0]!.contents!).toString()).toBe(`${base(manifests[0]!.path)}\n`);
      }
    }
    // What is stored now is the last stored version of each path.
    const stored = await storedFiles(factory, name);
    for (const [path, record] of stored) {
      const list = contentsByPath.get(path);
      expect(list, `${path} was put by a recorded commit`).toBeDefined();
      expect(bytesEqual(record.contents, list![list!.length - 1]!)).toBe(true);
    }
  });
});

describe('the store mirrors the engine directory', () => {
  it('holds exactly the engine files after each commit; obsolete files are deleted', async () => {
    const seed = seedFor('store mirrors directory');
    const rand = prng(seed);
    const name = 'mirror';
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    // A long interval: only the awaited commits below reach storage.
    const db = await runtime.open(name, { memtableBytes: 64 * KiB, commitIntervalMs: 60_000 });
    const mark = transactions.length;
    const expectMirror = async (what: string) => {
      const dir = storableNames(runtime, name);
      const FS = runtimeFS(runtime);
      const contents = new Map(dir.map((n) => [n, FS.readFile(`${idbName(name)}/${n}`)] as const));
      const stored = await storedFiles(factory, name);
      expect([...stored.keys()].map(base).sort(), what).toEqual(dir);
      for (const [path, record] of stored) {
        expect(bytesEqual(record.contents, contents.get(base(path))!), `${what}: contents of ${path}`).toBe(true);
      }
      expect(dir.filter((n) => n.endsWith('.tmp')), what).toEqual([]);
    };
    for (let round = 0; round < 12; round++) {
      for (let op = 0; op < 40; op++) {
        const k = `m${(rand() * 300) | 0}`;
        if (rand() < 0.8) void db.put(k, randomBytes(rand, (rand() * 3000) | 0), { durable: false });
        else void db.delete(k, { durable: false });
        if (rand() < 0.1) await sleep(0); // background flushes and compactions
      }
      if (round % 4 === 3) await db.compact();
      // Background work may run while a commit is in flight (and is stored
      // by the next one): compare once there is none left.
      await settle(db);
      await expectMirror(`round ${round}`);
    }
    await db.compact();
    await settle(db);
    await expectMirror('after compact');
    const stats = db.stats();
    expect(stats.compactions).toBeGreaterThan(0);
    const names = await storedNames(factory, name);
    expect(names.filter((n) => SST.test(n))).toEqual(liveTables(stats));
    const manifests = names.filter((n) => MANIFEST.test(n));
    expect(manifests).toHaveLength(1);
    const current = (await storedFiles(factory, name)).get(`${idbName(name)}/CURRENT`);
    expect(Buffer.from(current!.contents).toString()).toBe(`${manifests[0]}\n`);
    // Every table or manifest ever stored but no longer live was deleted by a commit.
    const everStored = new Set(commitsOf(name, mark).flatMap((t) => puts(t).map((o) => base(o.path))));
    const obsolete = [...everStored].filter((n) => (SST.test(n) || MANIFEST.test(n)) && !names.includes(n));
    expect(obsolete.length).toBeGreaterThan(0);
    const deleted = new Set(commitsOf(name, mark).flatMap((t) => deletes(t).map((o) => base(o.path))));
    for (const n of obsolete) expect(deleted.has(n), `${n} was deleted`).toBe(true);
    await db.close();
  });

  it('lands a commit of more requests than one task issues whole, in one transaction', async () => {
    // A commit issues its requests a few dozen per task (storage.ts): one
    // that deletes many tables (those that many flushes and compactions since
    // the last commit made and removed) must still be a single transaction.
    // Without an IDBKeyRange each file goes as a delete of its own.
    const rand = prng(seedFor('many-request commit'));
    const name = 'many-requests';
    const factory = new IDBFactory();
    const runtime = await createRuntime({ indexedDB: factory });
    const db = await runtime.open(name, { memtableBytes: 64 * KiB, commitIntervalMs: 60_000 });
    const mark = transactions.length;
    for (let i = 0; i < 1500; i++) {
      void db.put(`k${(rand() * 5000) | 0}`, randomBytes(rand, 1000), { durable: false });
      if (i % 50 === 49) await sleep(0); // background flushes and compactions
    }
    await settle(db);
    const commit = commitsOf(name, mark).reduce((a, b) => (b.ops.length > a.ops.length ? b : a));
    expect(puts(commit).length).toBeGreaterThan(0);
    expect(deletes(commit).length).toBeGreaterThan(64); // two tasks' worth at least
    expect(deletes(commit).some((o) => o.inRange)).toBe(false);
    expect(commit.completed && !commit.aborted).toBe(true);
    const stored = await storedFiles(factory, name);
    const dir = storableNames(runtime, name);
    expect([...stored.keys()].map(base).sort()).toEqual(dir);
    await db.close();
  });

  it('is what the stock Emscripten loader restores at the next open, byte for byte', async () => {
    const name = 'loader';
    const factory = new IDBFactory();
    const rand = prng(11);
    const first = await freshRuntime(factory);
    const db = await first.open(name, { memtableBytes: 64 * KiB });
    for (let i = 0; i < 300; i++) await db.put(`l${i % 120}`, randomBytes(rand, (rand() * 2000) | 0));
    await db.compact();
    for (let i = 0; i < 50; i++) await db.put(`l${i}`, 'again');
    await db.flush(); // no WAL left to replay: the next open changes nothing
    const expected = db.scan();
    await db.close();
    const stored = await storedFiles(factory, name);
    expect(stored.size).toBeGreaterThan(2);

    const runtime: Runtime = await freshRuntime(factory);
    const again = await runtime.open(name);
    const FS = runtimeFS(runtime);
    expect(storableNames(runtime, name)).toEqual([...stored.keys()].map(base).sort());
    for (const [path, record] of stored) {
      const stat = FS.stat(path);
      expect(FS.isFile(stat.mode), path).toBe(true);
      expect(stat.mode, path).toBe(record.mode);
      expect(stat.mtime.getTime(), path).toBe(record.timestamp.getTime());
      expect(bytesEqual(FS.readFile(path), record.contents), path).toBe(true);
    }
    expect(again.scan()).toEqual(expected);
    await again.close();
  });
});

it('never stores the LOCK file, the engine\'s own', async () => {
  const name = 'lock';
  const factory = new IDBFactory();
  const runtime = await freshRuntime(factory);
  const mark = transactions.length;
  const db = await runtime.open(name);
  expect(directoryNames(runtime, name)).toContain('LOCK');
  await db.put('k', 'v');
  await db.flush();
  await db.close();
  const ops = commitsOf(name, mark).flatMap((t) => t.ops);
  expect(ops.length).toBeGreaterThan(0);
  for (const o of ops) expect(base(o.path)).not.toBe('LOCK');
  expect(await storedNames(factory, name)).not.toContain('LOCK');
  for (const t of transactions) for (const o of t.ops) expect(base(o.path)).not.toBe('LOCK');
});

describe('deleting runs of files', () => {
  it('deletionRuns joins deleted paths with no live path between them, in key order', () => {
    const d = (n: number, ext = 'wal') => `/db/${String(n).padStart(6, '0')}.${ext}`;
    expect(deletionRuns([], [d(1)])).toEqual([]);
    expect(deletionRuns([d(5)], [])).toEqual([[d(5), d(5)]]);
    // Unsorted input; a live table among the segments splits the run.
    expect(deletionRuns([d(4), d(1), d(2), d(3)], [d(9), d(0, 'sst')])).toEqual([[d(1), d(4)]]);
    expect(deletionRuns([d(1), d(2), d(4), d(5)], [d(3, 'sst'), d(7)])).toEqual([
      [d(1), d(2)],
      [d(4), d(5)],
    ]);
    // A live path sorting between two deleted ones by name, not by number.
    expect(deletionRuns([d(10), d(11)], [`/db/000010.wal.tmp`, '/db/CURRENT'])).toEqual([
      [d(10), d(10)],
      [d(11), d(11)],
    ]);
    // Live paths before and after every deleted one do not split.
    expect(deletionRuns([d(2), d(3)], [d(1), d(4), '/db/MANIFEST-000001'])).toEqual([[d(2), d(3)]]);
  });

  it('a consolidation of WAL segments deletes the ones it replaces in one key-range request', async () => {
    const name = 'ranges';
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const db = await runtime.open(name);
    const mark = transactions.length;
    for (let i = 0; i < 40; i++) await db.put(`k${i}`, `v${i}`);
    const consolidation = commitsOf(name, mark).find((t) => deletes(t).length >= 16);
    expect(consolidation, 'a commit that consolidates segments').toBeDefined();
    const deleted = deletes(consolidation!);
    expect(deleted.every((o) => o.inRange && WAL.test(base(o.path)))).toBe(true);
    expect(consolidation!.requests - puts(consolidation!).length).toBe(1);
    expect(await storedNames(factory, name)).toEqual(storableNames(runtime, name));
    await db.close();
    const again = await (await freshRuntime(factory)).open(name);
    expect(again.scan().length).toBe(40);
    await again.close();
  });
});
