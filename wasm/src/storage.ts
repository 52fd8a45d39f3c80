// Where a database's files persist. In the browser: an IDBFS mount, loaded
// from IndexedDB at open and committed with one IndexedDB transaction per
// durability point (DESIGN.md decision 2).
//
// A commit does not use the stock FS.syncfs(false): that walks every file
// and reads every stored timestamp per call, and trusts millisecond mtimes.
// It stores exactly the paths the engine changed since the previous commit
// (CommitEnv in wasm/binding reports them), in IDBFS's own record format, so
// that IDBFS's own loader (IDBFS.syncfs populating this mount) reads the
// database at the next open:
//
//   object store 'FILE_DATA' of the IndexedDB database named after the
//   mount point; key: the file's absolute path; value:
//   { timestamp: Date, mode: number, contents: Uint8Array }
//
// A changed path that no longer exists is deleted from the store; a run of
// them with no live file between (in key order) goes as one key-range delete
// (deletionRuns). Puts and deletes of one commit share one transaction, so a
// commit lands whole or not at all: a manifest and the files it names arrive
// together, and a file that a manifest edit made obsolete leaves storage only
// with that edit. The exceptions are new files stored by another thread
// first, where storing them alone leaves a database that opens as one of
// the states the engine went through:
//
// - a compaction worker stores a job's outputs itself (beginOutsideStore,
//   output-store.ts), before the commit of the edit that installs them,
//   which leaves them out (storedAhead);
// - a commit has the ahead store's worker (ahead-store.ts) store its big
//   new files first, then stores the rest in its own transaction (see
//   aheadFiles): new tables, which no stored manifest names yet (the next
//   open deletes them), and new WAL segments, all of the commit's
//   together, only when it removes none: those stored then follow the
//   stored ones without a gap, so the next open replays a prefix of the
//   writes. (A segment made and removed since the last commit, one a flush
//   made obsolete, was never stored: a later one stored without the
//   manifest that obsoletes it would be replayed after a hole.)
import type { EmscriptenFS, MemfsDirectory, MemfsNode, StrataModule } from './strata.js';
import { inOwnBuffer } from './bytes.js';
import { StrataError, storageError } from './errors.js';
import type { OutputStore } from './output-store.js';
import type { AheadFile, AheadStore } from './ahead-store.js';

export type IdbDurability = 'strict' | 'relaxed' | 'default';

// What a commit issues in one task (see IndexedDbStorage.commit): bytes of
// puts, and requests (a delete costs Chromium ~30 us to issue: a compaction's
// commit deletes hundreds of input tables).
const SPLIT_BYTES = 256 << 10;
const SPLIT_REQUESTS = 32;
// New files go to the ahead store (where there is one) from this size on.
export const AHEAD_BYTES = 256 << 10;
// engine/src/db/filename.cc
export const TABLE_SUFFIX = '.sst';
const WAL_SUFFIX = '.wal';

export interface CommitCounts {
  files: number; // stored
  bytes: number; // of the files stored
  deleted: number;
  byAheadStore: number; // of the files stored, those the ahead store's worker stored
}

export interface Storage {
  /** The database's directory in Emscripten's file system. */
  readonly directory: string;
  /** Makes the directory and fills it from storage. */
  load(): Promise<void>;
  /**
   * Stores the current state of the changed paths; resolves when durable,
   * with what it stored and deleted.
   */
  commit(paths: readonly string[], durability: IdbDurability): Promise<CommitCounts>;
  /** Forgets the directory in memory (the stored copy stays). */
  release(): void;
  /**
   * Where another thread may store the files named by paths itself
   * (output-store.ts), as durably as asked, until endOutsideStore(paths);
   * absent or undefined: only commits store.
   */
  beginOutsideStore?(durability: IdbDurability, paths: readonly string[]): OutputStore | undefined;
  endOutsideStore?(paths: readonly string[]): void;
  /** These files are stored as they are now: commits leave them out. */
  storedAhead?(paths: readonly string[]): void;
  /** Deletes every stored file that is not in the directory (after the last commit). */
  removeUnlisted?(): Promise<void>;
}

/**
 * The database lives in memory only (Node without IndexedDB, tests): for as
 * long as it is open (closing it frees its files), or with keepOnClose until
 * destroy() or the end of the runtime.
 */
export class MemoryStorage implements Storage {
  constructor(
    private readonly module: StrataModule,
    readonly directory: string,
    private readonly keepOnClose = false,
  ) {}

  async load(): Promise<void> {
    this.module.FS.mkdirTree(this.directory);
  }

  async commit(): Promise<CommitCounts> {
    return { files: 0, bytes: 0, deleted: 0, byAheadStore: 0 };
  }

  release(): void {
    if (!this.keepOnClose) this.module.destroyDatabase(this.directory); // nothing else holds its files
  }
}

export class IndexedDbStorage implements Storage {
  private mount: unknown; // Emscripten's mount object, while mounted
  private root: MemfsDirectory | undefined; // the mount's root node, the directory's files its entries
  private db: IDBDatabase | undefined; // IDBFS's connection, once loaded
  private readonly storedAheadPaths = new Set<string>();
  // Files another thread may be storing: no key range that a commit deletes
  // covers them, though the directory does not hold them yet.
  private readonly outsidePaths = new Set<string>();

  /**
   * @param keyRange the IndexedDB's IDBKeyRange, if known (see deletionRuns).
   * @param ahead where big new files are stored ahead of a commit's own
   *   transaction, if anywhere (ahead-store.ts).
   */
  constructor(
    private readonly module: StrataModule,
    readonly directory: string,
    private readonly keyRange?: typeof IDBKeyRange,
    private readonly ahead?: AheadStore,
  ) {}

  async load(): Promise<void> {
    const { FS, IDBFS } = this.module;
    FS.mkdirTree(this.directory);
    this.root = FS.mount(IDBFS, {}, this.directory) as MemfsDirectory;
    this.mount = this.root.mount;
    // IDBFS.syncfs on this mount alone: FS.syncfs would reload every mounted
    // database, dropping what the open ones have not committed yet.
    await new Promise<void>((resolve, reject) => {
      IDBFS.syncfs(this.mount, true, (err) =>
        err ? reject(storageError(`loading ${this.directory} from IndexedDB`, err)) : resolve(),
      );
    });
    // Someone deletes or upgrades the stored database: let them. Commits
    // then fail on the closed connection and the handle turns read-only,
    // so no write is acknowledged that the deletion erases.
    const db = await this.connection();
    db.onversionchange = () => db.close();
    this.db = db;
  }

  async commit(paths: readonly string[], durability: IdbDurability): Promise<CommitCounts> {
    const counts = { files: 0, bytes: 0, deleted: 0, byAheadStore: 0 };
    if (paths.length === 0) return counts;
    // Take every file now, synchronously, so the commit is the state of one
    // instant even if the engine goes on while the transaction runs.
    const files: (AheadFile & { timestamp: number })[] = [];
    const deleted: string[] = [];
    for (const path of paths) {
      const node = this.fileNode(path);
      const storedAhead = this.storedAheadPaths.delete(path);
      if (!node) {
        deleted.push(path);
        continue;
      }
      if (storedAhead) continue; // a table is written once: stored as it is
      const bytes = fileBytes(node);
      counts.files++;
      counts.bytes += bytes.length;
      files.push({ path, bytes, mode: node.mode, timestamp: node.timestamp });
    }
    counts.deleted = deleted.length;
    const ahead = this.ahead ? aheadFiles(files, deleted) : [];
    // In a buffer of its exact size (IndexedDB would store a MEMFS file's
    // spare capacity too): a file CommitEnv wrote in one of its own is
    // stored without a copy (put() clones it at once).
    const put = (file: (typeof files)[number]): StoreRequest => ({
      put: file.path,
      value: { timestamp: new Date(file.timestamp), mode: file.mode, contents: inOwnBuffer(file.bytes) },
    });
    // Deletes first: a put of the same commit lands after any range. A
    // commit with files ahead starts its transaction tasks later: a
    // compaction worker may meanwhile have started storing outputs under
    // names that this instant's ranges cover (beginOutsideStore), and
    // IndexedDB would run that transaction first. Such a commit deletes the
    // removed paths one by one.
    const deletes = ahead.length > 0 ? deleted.map((path) => ({ delete: path })) : this.deleteRequests(deleted);
    const requests = [...deletes, ...files.filter((f) => !ahead.includes(f)).map(put)];
    const db = this.db ?? (await this.connection());
    if (ahead.length > 0) {
      const where = { database: this.directory, version: db.version, objectStore: this.module.IDBFS.DB_STORE_NAME, durability };
      if (await this.ahead!.store(where, ahead)) counts.byAheadStore = ahead.length;
      else requests.push(...ahead.map(put));
    }
    return new Promise<CommitCounts>((resolve, reject) => {
      let tx: IDBTransaction | undefined;
      const fail = (e: unknown) => {
        // Never land part of a commit: undo the requests already made.
        try {
          tx?.abort();
        } catch {
          // already finished or aborted
        }
        reject(storageError('committing to IndexedDB', e));
      };
      // A put clones its file at once: a commit of many megabytes (new
      // tables) or many files issues its requests a few at a time, the next
      // ones from the last one's success (still in the same transaction),
      // so that the thread is not held for the whole copy. The transaction
      // is left to commit on its own: ending it with commit() lost
      // acknowledged commits in WebKit (README, "Persistence and
      // durability").
      let next = 0;
      const issue = (store: IDBObjectStore) => {
        try {
          let bytes = 0;
          let last: IDBRequest | undefined;
          const end = Math.min(requests.length, next + SPLIT_REQUESTS);
          while (next < end && bytes < SPLIT_BYTES) {
            const request = requests[next++]!;
            if ('put' in request) {
              last = store.put(request.value, request.put);
              bytes += request.value.contents.length;
            } else {
              last = store.delete(request.delete);
            }
          }
          if (next < requests.length && last) last.onsuccess = () => issue(store);
        } catch (e) {
          fail(e);
        }
      };
      try {
        const options = durability === 'default' ? undefined : { durability };
        tx = db.transaction([this.module.IDBFS.DB_STORE_NAME], 'readwrite', options);
        issue(tx.objectStore(this.module.IDBFS.DB_STORE_NAME));
      } catch (e) {
        fail(e);
        return;
      }
      const transaction = tx;
      transaction.oncomplete = () => resolve(counts);
      transaction.onabort = () =>
        reject(storageError('committing to IndexedDB', transaction.error ?? 'transaction aborted'));
    });
  }

  beginOutsideStore(durability: IdbDurability, paths: readonly string[]): OutputStore | undefined {
    if (!this.db) return undefined;
    for (const path of paths) this.outsidePaths.add(path);
    return { database: this.directory, version: this.db.version, objectStore: this.module.IDBFS.DB_STORE_NAME, durability };
  }

  endOutsideStore(paths: readonly string[]): void {
    for (const path of paths) this.outsidePaths.delete(path);
  }

  storedAhead(paths: readonly string[]): void {
    for (const path of paths) this.storedAheadPaths.add(path);
  }

  async removeUnlisted(): Promise<void> {
    const { db } = this;
    if (!db) return;
    const live = new Set(filesIn(this.module.FS, this.directory));
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction([this.module.IDBFS.DB_STORE_NAME], 'readwrite');
      const store = tx.objectStore(this.module.IDBFS.DB_STORE_NAME);
      store.getAllKeys().onsuccess = (e) => {
        const keys = (e.target as IDBRequest<IDBValidKey[]>).result;
        for (const key of keys) if (typeof key === 'string' && !live.has(key)) store.delete(key);
      };
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(storageError('removing unlisted files from IndexedDB', tx.error ?? 'transaction aborted'));
    });
  }

  /** Requests deleting paths: runs of them as key ranges where it can (deletionRuns). */
  private deleteRequests(paths: string[]): StoreRequest[] {
    const { keyRange } = this;
    if (!keyRange || paths.length < 2) return paths.map((path) => ({ delete: path }));
    const keep = [...filesIn(this.module.FS, this.directory), ...this.outsidePaths];
    return deletionRuns(paths, keep).map(([first, last]) => ({
      delete: first === last ? first : keyRange.bound(first, last),
    }));
  }

  private fileNode(path: string): MemfsNode | undefined {
    // A file of the directory itself (every file the engine makes) is an
    // entry of the mount's root node: looked up there, it costs neither
    // FS.lookupPath's normalizing of the path with regular expressions nor
    // a thrown error when the file is gone. (MEMFS internals of Emscripten
    // 3.1.6, as in wasm/binding/memfs_files.cc: re-check on an upgrade.)
    const name = path.startsWith(`${this.directory}/`) ? path.slice(this.directory.length + 1) : '';
    if (this.root && name !== '' && name !== '.' && name !== '..' && !name.includes('/')) {
      return Object.prototype.hasOwnProperty.call(this.root.contents, name) ? this.root.contents[name] : undefined;
    }
    try {
      return this.module.FS.lookupPath(path).node;
    } catch {
      return undefined; // removed since it changed
    }
  }

  release(): void {
    this.ahead?.close();
    const { FS, IDBFS } = this.module;
    if (this.mount !== undefined) {
      FS.unmount(this.directory);
      this.mount = undefined;
      this.root = undefined;
    }
    IDBFS.dbs[this.directory]?.close();
    delete IDBFS.dbs[this.directory];
    this.db = undefined;
  }

  private connection(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
      this.module.IDBFS.getDB(this.directory, (err, db) =>
        err || !db ? reject(storageError(`opening IndexedDB database ${this.directory}`, err)) : resolve(db),
      );
    });
  }
}

/** A file as IDBFS stores it (the value of its record). */
interface StoredFile {
  timestamp: Date;
  mode: number;
  contents: Uint8Array;
}

type StoreRequest = { put: string; value: StoredFile } | { delete: string | IDBKeyRange };

/**
 * Which of a commit's new files its ahead store stores first (see the top
 * of this file): tables of AHEAD_BYTES or more; and every WAL segment, when
 * one is that big and the commit removes none.
 */
export function aheadFiles<F extends AheadFile>(files: readonly F[], deleted: readonly string[]): F[] {
  const big = (f: AheadFile) => f.bytes.length >= AHEAD_BYTES;
  const segments = files.filter((f) => f.path.endsWith(WAL_SUFFIX));
  const segmentsGo = segments.some(big) && !deleted.some((path) => path.endsWith(WAL_SUFFIX));
  return files.filter((f) => (f.path.endsWith(TABLE_SUFFIX) && big(f)) || (segmentsGo && f.path.endsWith(WAL_SUFFIX)));
}

/**
 * The deleted paths as runs [first, last] to delete as key ranges: a run
 * holds no live path (one in the directory now), so all it covers in the
 * store are paths being deleted (or never stored). The store's keys are the
 * paths of the directory's files (the engine's directory is flat), and
 * IndexedDB orders string keys as JavaScript compares strings. A
 * consolidation of WAL segments or a compaction deletes many files in a row:
 * one range delete costs IndexedDB about what a single one does
 * (bench/browser/range-delete-bench.mjs: a commit with 33 single deletes
 * took Chromium ~6.7 ms, with one range ~2.5 ms).
 */
export function deletionRuns(deleted: readonly string[], live: readonly string[]): [string, string][] {
  const gone = [...deleted].sort();
  const kept = [...live].sort();
  const runs: [string, string][] = [];
  let k = 0; // kept[k] is the first live path after the current deleted one
  for (const path of gone) {
    while (k < kept.length && kept[k]! < path) k++;
    const run = runs[runs.length - 1];
    // No live path between the run's last and this one: extend the run.
    if (run && (k === 0 || kept[k - 1]! < run[1])) run[1] = path;
    else runs.push([path, path]);
  }
  return runs;
}

/** Absolute paths of the files in dir. */
export function filesIn(FS: EmscriptenFS, dir: string): string[] {
  return FS.readdir(dir)
    .filter((name) => name !== '.' && name !== '..')
    .map((name) => `${dir}/${name}`);
}

/** A view of a MEMFS file's bytes (it may hold an Int8Array, a slice of HEAP8, with spare capacity). */
export function fileBytes(node: MemfsNode): Uint8Array {
  const data = node.contents;
  return data ? new Uint8Array(data.buffer, data.byteOffset, node.usedBytes) : new Uint8Array(0);
}

/**
 * A read-only handle's storage: loaded like a writer's, never committed to
 * (what the engine writes locally, recovery say, stays in memory).
 */
export class ReadOnlyStorage extends IndexedDbStorage {
  override async commit(): Promise<CommitCounts> {
    return { files: 0, bytes: 0, deleted: 0, byAheadStore: 0 };
  }

  override beginOutsideStore(): undefined {
    return undefined;
  }

  override async removeUnlisted(): Promise<void> {}
}

/** Deletes the stored copy of a database (its IndexedDB database). */
export function deleteStoredDatabase(factory: IDBFactory, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = factory.deleteDatabase(dir);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(storageError(`deleting IndexedDB database ${dir}`, req.error));
    req.onblocked = () =>
      reject(new StrataError('Busy', `database ${dir} is open in another tab or worker; close it first`));
  });
}
