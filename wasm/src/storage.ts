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
// A changed path that no longer exists is deleted from the store. Puts and
// deletes of one commit share one transaction, so a commit lands whole or not
// at all: a manifest and the files it names arrive together, and a file that
// a manifest edit made obsolete leaves storage only with that edit.
import type { StrataModule } from './strata.js';
import { StrataError, storageError } from './errors.js';

export type IdbDurability = 'strict' | 'relaxed' | 'default';

export interface CommitCounts {
  files: number;
  bytes: number;
}

export interface Storage {
  /** Makes the directory and fills it from storage. */
  load(): Promise<void>;
  /**
   * Stores the current state of the changed paths; resolves when durable,
   * with the count and bytes of the files stored (the rest were deleted).
   */
  commit(paths: readonly string[], durability: IdbDurability): Promise<CommitCounts>;
  /** Forgets the directory in memory (the stored copy stays). */
  release(): void;
}

/** The database lives in memory only (Node without IndexedDB, tests). */
export class MemoryStorage implements Storage {
  constructor(
    private readonly module: StrataModule,
    private readonly dir: string,
  ) {}

  async load(): Promise<void> {
    this.module.FS.mkdirTree(this.dir);
  }

  async commit(): Promise<CommitCounts> {
    return { files: 0, bytes: 0 };
  }

  release(): void {}
}

export class IndexedDbStorage implements Storage {
  private mount: unknown; // Emscripten's mount object, while mounted

  constructor(
    private readonly module: StrataModule,
    private readonly dir: string,
  ) {}

  async load(): Promise<void> {
    const { FS, IDBFS } = this.module;
    FS.mkdirTree(this.dir);
    this.mount = (FS.mount(IDBFS, {}, this.dir) as { mount: unknown }).mount;
    // IDBFS.syncfs on this mount alone: FS.syncfs would reload every mounted
    // database, dropping what the open ones have not committed yet.
    await new Promise<void>((resolve, reject) => {
      IDBFS.syncfs(this.mount, true, (err) =>
        err ? reject(storageError(`loading ${this.dir} from IndexedDB`, err)) : resolve(),
      );
    });
  }

  async commit(paths: readonly string[], durability: IdbDurability): Promise<CommitCounts> {
    const counts = { files: 0, bytes: 0 };
    if (paths.length === 0) return counts;
    const { FS } = this.module;
    // Read every file now, synchronously, so the commit is the state of one
    // instant even if the engine goes on while the transaction runs.
    const records = paths.map((path) => {
      if (!FS.analyzePath(path).exists) return { path, value: undefined };
      const stat = FS.stat(path);
      const contents = FS.readFile(path);
      counts.files++;
      counts.bytes += contents.length;
      return { path, value: { timestamp: stat.mtime, mode: stat.mode, contents } };
    });
    const db = await this.connection();
    return new Promise<CommitCounts>((resolve, reject) => {
      let tx: IDBTransaction | undefined;
      try {
        const options = durability === 'default' ? undefined : { durability };
        tx = db.transaction([this.module.IDBFS.DB_STORE_NAME], 'readwrite', options);
        const store = tx.objectStore(this.module.IDBFS.DB_STORE_NAME);
        for (const { path, value } of records) {
          if (value) store.put(value, path);
          else store.delete(path);
        }
      } catch (e) {
        // Never land part of a commit: undo the requests already made.
        try {
          tx?.abort();
        } catch {
          // already finished or aborted
        }
        reject(storageError('committing to IndexedDB', e));
        return;
      }
      const transaction = tx;
      transaction.oncomplete = () => resolve(counts);
      transaction.onabort = () =>
        reject(storageError('committing to IndexedDB', transaction.error ?? 'transaction aborted'));
    });
  }

  release(): void {
    const { FS, IDBFS } = this.module;
    if (this.mount !== undefined) {
      FS.unmount(this.dir);
      this.mount = undefined;
    }
    IDBFS.dbs[this.dir]?.close();
    delete IDBFS.dbs[this.dir];
  }

  private connection(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
      this.module.IDBFS.getDB(this.dir, (err, db) =>
        err || !db ? reject(storageError(`opening IndexedDB database ${this.dir}`, err)) : resolve(db),
      );
    });
  }
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
