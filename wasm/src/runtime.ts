// A runtime is one instance of the wasm module with the databases opened in
// it. Each database directory is an IDBFS mount at /stratadb/<name>, stored
// in the IndexedDB database of the same name.
import type { OpenConfig, RawDatabase, StrataModule } from './strata.js';
import { type Encoding, checkEncoding, describe } from './bytes.js';
import { Database, type Durability } from './database.js';
import { InstanceCompactionRunner, WorkerCompactionRunner } from './compaction.js';
import { keptFileBuffers, WorkerAheadStore } from './ahead-store.js';
import type { BufferPool } from './buffer-pool.js';
import { StrataError, engineError, invalidArgument, storageError } from './errors.js';
import { LIMITS } from './limits.generated.js';
import {
  type IdbDurability,
  IndexedDbStorage,
  MemoryStorage,
  ReadOnlyStorage,
  type Storage,
  deleteStoredDatabase,
} from './storage.js';

export interface OpenOptions<K extends Encoding = 'utf8', V extends Encoding = 'utf8'> {
  /** Memtable size at which it is written to a table: 64 KiB .. 64 MiB. Default 4 MiB. */
  memtableBytes?: number;
  /** Cache of uncompressed blocks, up to 256 MiB; 0 disables. Default 8 MiB. */
  blockCacheBytes?: number;
  /** Bloom filter bits per key, 0..30; 0 builds none. Default 10. */
  bloomBitsPerKey?: number;
  /** zlib for tables in L2 and deeper (blocks that shrink by >= 12.5%). Default true. */
  compression?: boolean;
  /** zlib level 1 (fast) .. 9 (small). Default 1. */
  compressionLevel?: number;
  /**
   * 'durable' (default): a write's promise resolves once the write is in
   * IndexedDB. 'deferred': it resolves at once, and the write reaches
   * IndexedDB within commitIntervalMs. Either way a crash keeps or loses
   * whole writes (a batch is one write), in order.
   */
  durability?: Durability;
  /** Bound on how long a deferred write waits for its commit. Default 100 ms. */
  commitIntervalMs?: number;
  /**
   * The IndexedDB durability asked for by commits that a writer awaits:
   * 'strict' (default; on disk, survives power loss), 'relaxed' (handed to
   * the OS; survives a browser crash), 'default' (the browser's choice,
   * relaxed in Chromium). Deferred commits always ask 'relaxed'.
   */
  idbDurability?: IdbDurability;
  /** 'indexeddb' (default) persists; 'memory' keeps files in memory only. */
  storage?: 'indexeddb' | 'memory';
  /** Form of keys returned by scans: 'utf8' strings (default) or 'binary'. */
  keyEncoding?: K;
  /** Form of values returned by reads: 'utf8' strings (default) or 'binary'. */
  valueEncoding?: V;
  /**
   * Open read-only: no lock taken, nothing ever stored, writes refused with
   * ReadOnly; reads see what was stored at open; refresh() reopens.
   */
  readOnly?: boolean;
  /**
   * When another tab, worker or runtime has the database open: 'error'
   * (default) answers Busy, 'readonly' opens a read-only handle instead.
   */
  ifLocked?: 'error' | 'readonly';
  /**
   * Where compaction jobs run (DESIGN.md decision 3): 'worker' (the default
   * where there are Web Workers) sends each to a compaction worker with a
   * wasm instance of its own, so reads and writes go on meanwhile; 'inline'
   * (the default elsewhere) runs them here between calls; 'instance' sends
   * them to a second wasm instance in this thread (the worker's path, for
   * Node and tests).
   */
  compaction?: 'worker' | 'inline' | 'instance';
  /** Fail open on corruption found before the WAL tail (default true); false skips it. */
  paranoidChecks?: boolean;
  /**
   * storage: 'memory' only: keep the files after close (until destroy() or
   * the end of the runtime), so a reopen finds them. Default false: closing
   * a memory database frees its memory.
   */
  keepOnClose?: boolean;
  /** Create the database if it does not exist (default true); else open fails with NotFound. */
  createIfMissing?: boolean;
  /** Fail open with InvalidArgument if the database exists (default false). */
  errorIfExists?: boolean;
  /**
   * Called once if the handle turns read-only: a commit failed (then writes
   * acknowledged since the last successful commit are lost) or the engine
   * hit a background error. db.readOnlyError holds the same error.
   */
  onError?: (error: StrataError) => void;
}

/** The names open() takes. */
export const OPEN_OPTIONS: ReadonlySet<string> = new Set([
  'memtableBytes',
  'blockCacheBytes',
  'bloomBitsPerKey',
  'compression',
  'compressionLevel',
  'durability',
  'commitIntervalMs',
  'idbDurability',
  'storage',
  'keyEncoding',
  'valueEncoding',
  'paranoidChecks',
  'createIfMissing',
  'errorIfExists',
  'keepOnClose',
  'onError',
  'readOnly',
  'ifLocked',
  'compaction',
]);

export interface DestroyOptions {
  storage?: 'indexeddb' | 'memory';
}

export interface RuntimeOptions {
  /** The IndexedDB to persist to. Default: globalThis.indexedDB. */
  indexedDB?: IDBFactory;
  /**
   * That IndexedDB's IDBKeyRange (fake-indexeddb's, say), with which a
   * commit deletes a run of files in one request. Default:
   * globalThis.IDBKeyRange when indexedDB is the global one; without one,
   * each file is deleted on its own.
   */
  IDBKeyRange?: typeof IDBKeyRange;
}

const ROOT = '/stratadb';

export class Runtime {
  private readonly openNames = new Set<string>();
  private readonly indexedDB: IDBFactory | undefined;
  private readonly keyRange: typeof IDBKeyRange | undefined;
  private readonly fileBuffers: BufferPool;

  /** @internal Use createRuntime(). */
  constructor(
    private readonly module: StrataModule,
    options: RuntimeOptions,
    /** Loads another instance of the module (for compaction: 'instance'). */
    private readonly loadModule: () => Promise<StrataModule>,
  ) {
    const global = globalThis as { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange };
    this.indexedDB = options.indexedDB ?? global.indexedDB;
    if (options.IDBKeyRange !== undefined && typeof options.IDBKeyRange.bound !== 'function') {
      throw invalidArgument('IDBKeyRange must be the IDBKeyRange of the indexedDB given');
    }
    this.keyRange = options.IDBKeyRange ?? (this.indexedDB === global.indexedDB ? global.IDBKeyRange : undefined);
    const factory = this.indexedDB;
    if (factory) module.IDBFS.indexedDB = () => factory;
    this.fileBuffers = keptFileBuffers(module);
  }

  async open<K extends Encoding = 'utf8', V extends Encoding = 'utf8'>(
    name: string,
    options: OpenOptions<K, V> = {},
  ): Promise<Database<K, V>> {
    checkName(name);
    if (typeof options !== 'object' || options === null) {
      throw invalidArgument(`open options must be an object, got ${describe(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (!OPEN_OPTIONS.has(key)) throw invalidArgument(`unknown open option ${JSON.stringify(key)}`);
    }
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw invalidArgument('onError must be a function');
    }
    const config = engineConfig(options);
    const durability = options.durability ?? 'durable';
    if (durability !== 'durable' && durability !== 'deferred') {
      throw invalidArgument(`durability must be 'durable' or 'deferred', got ${describe(durability)}`);
    }
    const commitIntervalMs = numberOption(options.commitIntervalMs, 100, 'commitIntervalMs', 0, 60_000);
    const idbDurability = options.idbDurability ?? 'strict';
    if (!['strict', 'relaxed', 'default'].includes(idbDurability)) {
      throw invalidArgument(`idbDurability must be 'strict', 'relaxed' or 'default'`);
    }
    checkEncoding(options.keyEncoding, 'keyEncoding');
    checkEncoding(options.valueEncoding, 'valueEncoding');
    if (options.readOnly !== undefined && typeof options.readOnly !== 'boolean') {
      throw invalidArgument('readOnly must be a boolean');
    }
    if (options.ifLocked !== undefined && options.ifLocked !== 'error' && options.ifLocked !== 'readonly') {
      throw invalidArgument(`ifLocked must be 'error' or 'readonly', got ${describe(options.ifLocked)}`);
    }
    const compaction = options.compaction ?? (typeof Worker === 'function' ? 'worker' : 'inline');
    if (!['worker', 'inline', 'instance'].includes(compaction)) {
      throw invalidArgument(`compaction must be 'worker', 'inline' or 'instance', got ${describe(compaction)}`);
    }
    if (compaction === 'worker' && typeof Worker !== 'function') {
      throw invalidArgument("compaction: 'worker' needs Web Workers (use 'inline' or 'instance')");
    }
    if (options.keepOnClose !== undefined && typeof options.keepOnClose !== 'boolean') {
      throw invalidArgument('keepOnClose must be a boolean');
    }
    let readOnly = options.readOnly === true;
    let storage = this.storage(name, options.storage, readOnly, options.keepOnClose === true);
    if (this.openNames.has(name)) throw new StrataError('Busy', `database ${name} is already open`);
    this.openNames.add(name);
    let unlock: () => Promise<void> = async () => {};
    const raw = new this.module.Database();
    try {
      if (storage instanceof IndexedDbStorage && !readOnly) {
        try {
          unlock = await exclusiveLock(name);
        } catch (e) {
          if (!(e instanceof StrataError && e.code === 'Busy' && options.ifLocked === 'readonly')) throw e;
          readOnly = true;
          storage = this.storage(name, options.storage, true);
        }
      }
      // Without createIfMissing, a database never stored is NotFound before
      // loading it would create an empty IndexedDB database.
      if (storage instanceof IndexedDbStorage && config.createIfMissing === false && !(await this.list()).includes(name)) {
        throw new StrataError('NotFound', `database ${name} does not exist (createIfMissing is false)`);
      }
      // A read-only handle writes nothing, so it runs no compaction either.
      config.deferredCompaction = compaction !== 'inline' && !readOnly;
      config.compactionRunner = compaction;
      await this.load(storage, raw, name, config, readOnly);
    } catch (e) {
      raw.delete();
      storage.release();
      await unlock();
      this.openNames.delete(name);
      throw e;
    }
    return new Database<K, V>(
      this.module,
      raw,
      storage,
      {
        name,
        durability,
        commitIntervalMs,
        idbDurability,
        keyEncoding: (options.keyEncoding ?? 'utf8') as K,
        valueEncoding: (options.valueEncoding ?? 'utf8') as V,
        onError: options.onError,
        reopenReadOnly: readOnly ? () => this.open<K, V>(name, { ...options, readOnly: true }) : undefined,
        compactionRunner: !config.deferredCompaction
          ? undefined
          : compaction === 'worker'
            ? new WorkerCompactionRunner()
            : new InstanceCompactionRunner(this.loadModule()),
      },
      async () => {
        await unlock();
        this.openNames.delete(name);
      },
    );
  }

  /** The names of the databases stored in this runtime's IndexedDB, sorted. */
  async list(): Promise<string[]> {
    const factory = this.indexedDB;
    if (!factory) return [];
    let stored: IDBDatabaseInfo[];
    try {
      stored = await factory.databases();
    } catch (e) {
      throw storageError('listing IndexedDB databases', e);
    }
    const prefix = `${ROOT}/`;
    return stored
      .map((info) => info.name ?? '')
      .filter((name) => name.startsWith(prefix))
      .map((name) => name.slice(prefix.length))
      .sort();
  }

  /** Deletes a database and all its files. It must not be open. */
  async destroy(name: string, options: DestroyOptions = {}): Promise<void> {
    checkName(name);
    const storage = this.storage(name, options.storage);
    if (this.openNames.has(name)) throw new StrataError('Busy', `database ${name} is open; close it first`);
    const unlock = storage instanceof IndexedDbStorage ? await exclusiveLock(name) : async () => {};
    try {
      storage.release();
      const dir = directory(name);
      // The engine's own way (DB::Destroy), for what is in memory; then the
      // stored copy.
      const failed = this.module.destroyDatabase(dir);
      if (failed) throw engineError(Number(failed.slice(0, failed.indexOf(' '))), failed.slice(failed.indexOf(' ') + 1));
      if (storage instanceof IndexedDbStorage) await deleteStoredDatabase(this.indexedDB!, dir);
    } finally {
      await unlock();
    }
  }

  /**
   * Loads the stored files and opens the engine on them. A read-only handle
   * loads while the writer may be committing, so it can catch a manifest
   * and the files it names at different moments: it tries again.
   */
  private async load(storage: Storage, raw: RawDatabase, name: string, config: OpenConfig, readOnly: boolean) {
    for (let attempt = 1; ; attempt++) {
      try {
        await storage.load();
        const code = raw.open(directory(name), config);
        if (code !== 0) throw engineError(code, raw.lastError());
        return;
      } catch (e) {
        if (!readOnly || attempt === 3) throw e;
        storage.release();
      }
    }
  }

  private storage(name: string, kind: unknown, readOnly = false, keepOnClose = false): Storage {
    const dir = directory(name);
    if (kind === 'memory') return new MemoryStorage(this.module, dir, keepOnClose);
    if (kind !== undefined && kind !== 'indexeddb') {
      throw invalidArgument(`storage must be 'indexeddb' or 'memory', got ${describe(kind)}`);
    }
    if (!this.indexedDB) {
      throw invalidArgument("no IndexedDB here: pass storage: 'memory', or an indexedDB to createRuntime()");
    }
    if (readOnly) return new ReadOnlyStorage(this.module, dir);
    // A worker stores into the global IndexedDB: only where that is this runtime's.
    const ahead = typeof Worker === 'function' && this.indexedDB === globalThis.indexedDB ? new WorkerAheadStore(this.fileBuffers) : undefined;
    return new IndexedDbStorage(this.module, dir, this.keyRange, ahead);
  }
}

interface LockManager {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

/**
 * Holds the Web Lock of database `name` until the returned function is
 * called (or the page or worker dies), so that one tab, worker or runtime
 * at a time writes it (DESIGN.md decision 5). Busy if another holds it.
 * The function resolves once the lock is free again (Firefox frees it a
 * moment after its callback's promise settles: a reopen right after close
 * would find it held). Where there are no Web Locks (Node), only a
 * runtime's own opens exclude each other.
 */
function exclusiveLock(name: string): Promise<() => Promise<void>> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return Promise.resolve(async () => {});
  return new Promise((resolve, reject) => {
    const held: Promise<unknown> = locks.request(`stratadb:${name}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        reject(new StrataError('Busy', `database ${name} is open in another tab, worker or runtime`));
        return undefined;
      }
      return new Promise<void>((release) =>
        resolve(() => {
          release();
          return held.then(
            () => {},
            () => {},
          );
        }),
      );
    });
    held.catch(reject);
  });
}

function directory(name: string): string {
  return `${ROOT}/${name}`;
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw invalidArgument(`database name must be a string, got ${describe(name)}`);
  if (name.length === 0 || name.length > 200) throw invalidArgument('database name must be 1..200 characters');
  if (name.includes('/') || name.includes('\0') || name === '.' || name === '..') {
    throw invalidArgument(`database name ${JSON.stringify(name)} may not contain '/' or NUL, or be '.' or '..'`);
  }
}

function numberOption(value: unknown, fallback: number, what: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalidArgument(`${what} must be a number in ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

function engineConfig(options: OpenOptions<Encoding, Encoding>): OpenConfig {
  if (options.compression !== undefined && typeof options.compression !== 'boolean') {
    throw invalidArgument('compression must be a boolean');
  }
  for (const flag of ['paranoidChecks', 'createIfMissing', 'errorIfExists'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') throw invalidArgument(`${flag} must be a boolean`);
  }
  // Ranges and defaults are the binding's (LIMITS).
  const integer = (value: unknown, what: keyof typeof LIMITS & keyof OpenOptions<Encoding, Encoding>) => {
    const range = LIMITS[what] as { min: number; max: number; default: number };
    const n = numberOption(value, range.default, what, range.min, range.max);
    if (!Number.isInteger(n)) throw invalidArgument(`${what} must be an integer, got ${n}`);
    return n;
  };
  return {
    writeBufferBytes: integer(options.memtableBytes, 'memtableBytes'),
    blockCacheBytes: integer(options.blockCacheBytes, 'blockCacheBytes'),
    bloomBitsPerKey: integer(options.bloomBitsPerKey, 'bloomBitsPerKey'),
    compression: options.compression ?? true,
    zlibLevel: integer(options.compressionLevel, 'compressionLevel'),
    paranoidChecks: options.paranoidChecks ?? true,
    createIfMissing: options.createIfMissing ?? true,
    errorIfExists: options.errorIfExists ?? false,
    deferredCompaction: false,
    compactionRunner: 'worker',
  };
}
