// StrataDB as an abstract-level 3 database (the Level ecosystem's common
// API): abstract-level does argument checks, encodings, sublevels, hooks,
// events and deferred open; this class hands the private calls (README of
// abstract-level, "Private API For Implementors") to a StrataDB handle,
// either the in-thread Database (StrataLevel) or a WorkerDatabase
// (StrataWorkerLevel).
import { AbstractLevel, AbstractSnapshot, type AbstractDatabaseOptions } from 'abstract-level';
import type { Bytes, Encoding } from '../bytes.js';
import type { BatchOperation, Database, Snapshot } from '../database.js';
import { OPEN_OPTIONS, type OpenOptions, type Runtime } from '../runtime.js';
import type { RangeOptions } from '../iterator.js';
import { type WorkerDatabase, type WorkerSnapshot, openInHostWorker } from '../worker-client.js';
import { StrataLevelError, mapErrors, toLevelError } from './errors.js';
import { type Cursor, StrataIterator, StrataKeyIterator, StrataValueIterator } from './iterator.js';

type MaybePromise<T> = T | Promise<T>;

/** The forms abstract-level hands keys and values in (the manifest's encodings). */
type Format = 'utf8' | 'view';

/** A snapshot of either handle. */
type AnySnapshot = Snapshot | WorkerSnapshot;
/** What the handles' reads take: each is only ever given a snapshot of its own. */
type HandleSnapshot = Snapshot & WorkerSnapshot;

interface HandleReadOptions {
  valueEncoding: Encoding;
  snapshot: HandleSnapshot | undefined;
}

/** What a level needs of a StrataDB handle; Database and WorkerDatabase both have it. */
interface LevelHandle {
  put(key: Bytes, value: Bytes): Promise<void>;
  delete(key: Bytes): Promise<void>;
  batch(operations: BatchOperation[]): Promise<void>;
  get(key: Bytes, options: HandleReadOptions): MaybePromise<Bytes | undefined>;
  getMany(keys: Bytes[], options: HandleReadOptions): MaybePromise<(Bytes | undefined)[]>;
  has(key: Bytes, options: HandleReadOptions): MaybePromise<boolean>;
  hasMany(keys: Bytes[], options: HandleReadOptions): MaybePromise<boolean[]>;
  iterator(
    options: RangeOptions & { reverse: boolean; limit?: number; keyEncoding: Encoding; valueEncoding: Encoding; snapshot: HandleSnapshot | undefined },
  ): Cursor;
  snapshot(): MaybePromise<AnySnapshot>;
  close(): Promise<void>;
}

/** StrataDB's open options, less the encodings (abstract-level's own, here). */
export type StrataOpenOptions = Omit<OpenOptions, 'keyEncoding' | 'valueEncoding'>;

export interface StrataLevelOptions<K, V> extends AbstractDatabaseOptions<K, V>, StrataOpenOptions {}

/** Options of abstract-level's private calls (always set, by its README). */
interface ReadCallOptions {
  keyEncoding: Format;
  valueEncoding: Format;
  snapshot?: StrataLevelSnapshot;
}

interface IteratorCallOptions extends RangeOptions {
  reverse: boolean;
  limit: number;
  keys: boolean;
  values: boolean;
  keyEncoding: Format;
  valueEncoding: Format;
  snapshot?: StrataLevelSnapshot;
}

interface BatchCallOperation {
  type: 'put' | 'del';
  key: Bytes;
  value?: Bytes;
}

const encodingOf = (format: Format): Encoding => (format === 'view' ? 'binary' : 'utf8');

// Keys a clear() deletes per batch: each batch is one write.
const CLEAR_BATCH_KEYS = 1000;

// abstract-level's types declare no constructor argument; its code takes { owner }.
const SnapshotBase = AbstractSnapshot as unknown as new (options: object) => AbstractSnapshot;

class StrataLevelSnapshot extends SnapshotBase {
  /** A worker handle's snapshot arrives later; its request left at once. */
  readonly view: MaybePromise<AnySnapshot>;
  closed = false;

  constructor(options: object, view: MaybePromise<AnySnapshot>) {
    super(options);
    if (view instanceof Promise) view.catch(() => {}); // reported by the reads that use it
    this.view = view;
  }

  async _close(): Promise<void> {
    this.closed = true;
    await mapErrors(async () => (await this.view).release());
  }
}

// Options abstract-level handles (and hands to _open as it sees fit).
const LEVEL_OPTIONS = new Set(['keyEncoding', 'valueEncoding', 'createIfMissing', 'errorIfExists', 'passive']);

/** Splits options into StrataDB's (its open options and `own`) and abstract-level's. */
function splitOptions(options: object | undefined, own: readonly string[]): [Record<string, unknown>, Record<string, unknown>] {
  const strata: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options ?? {})) {
    const ours = own.includes(name) || (OPEN_OPTIONS.has(name) && !LEVEL_OPTIONS.has(name));
    (ours ? strata : rest)[name] = value;
  }
  return [strata, rest];
}

export abstract class StrataLevelBase<KDefault = string, VDefault = string> extends AbstractLevel<Bytes, KDefault, VDefault> {
  #handle: LevelHandle | undefined;
  // StrataDB's options from the constructor; abstract-level gets the rest
  // (and hands them to hooks as its own).
  readonly #strataOptions: Record<string, unknown>;
  readonly #ownOptions: readonly string[];

  /** The database's name (where it is stored). */
  readonly location: string;

  /** `own`: the subclass's options, beside StrataDB's open options. */
  protected constructor(
    location: string,
    options: StrataLevelOptions<KDefault, VDefault> | undefined,
    getSync: boolean,
    own: readonly string[],
  ) {
    if (typeof location !== 'string') throw new TypeError("The first argument 'location' must be a string");
    const [strataOptions, levelOptions] = splitOptions(options, own);
    const manifest = {
      encodings: { utf8: true, view: true },
      has: true,
      getSync,
      seek: true,
      implicitSnapshots: true,
      explicitSnapshots: true,
      createIfMissing: true,
      errorIfExists: true,
      // A memory database is gone with its runtime.
      permanence: options?.storage !== 'memory',
    };
    // level-supports' types lag its manifest (getSync, has).
    super(manifest as ConstructorParameters<typeof AbstractLevel>[0], levelOptions);
    this.location = location;
    this.#strataOptions = strataOptions;
    this.#ownOptions = own;
  }

  /** Opens the StrataDB handle; `options` are abstract-level's open options merged with the constructor's. */
  protected abstract openHandle(name: string, options: Record<string, unknown>): Promise<LevelHandle>;

  /** The open handle (abstract-level calls nothing else before open or after close). */
  protected get handle(): LevelHandle {
    return this.#handle!;
  }

  async _open(options: Record<string, unknown>): Promise<void> {
    // Level code passes options of its own along: StrataDB gets those it knows.
    const [fromOpen] = splitOptions(options, this.#ownOptions);
    const { createIfMissing, errorIfExists } = options;
    this.#handle = await mapErrors(() =>
      this.openHandle(this.location, { ...this.#strataOptions, ...fromOpen, createIfMissing, errorIfExists }),
    );
  }

  async _close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await mapErrors(() => handle?.close());
  }

  _get(key: Bytes, options: ReadCallOptions): Promise<Bytes | undefined> {
    return this.read(options, (read) => this.handle.get(key, read));
  }

  _getMany(keys: Bytes[], options: ReadCallOptions): Promise<(Bytes | undefined)[]> {
    return this.read(options, (read) => this.handle.getMany(keys, read));
  }

  _has(key: Bytes, options: ReadCallOptions): Promise<boolean> {
    return this.read(options, (read) => this.handle.has(key, read));
  }

  _hasMany(keys: Bytes[], options: ReadCallOptions): Promise<boolean[]> {
    return this.read(options, (read) => this.handle.hasMany(keys, read));
  }

  _put(key: Bytes, value: Bytes): Promise<void> {
    return mapErrors(() => this.handle.put(key, value));
  }

  _del(key: Bytes): Promise<void> {
    return mapErrors(() => this.handle.delete(key));
  }

  _batch(operations: BatchCallOperation[]): Promise<void> {
    return mapErrors(() =>
      this.handle.batch(
        operations.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: op.value! } : { type: 'delete', key: op.key })),
      ),
    );
  }

  _iterator(options: IteratorCallOptions) {
    return new StrataIterator(this, options, this.cursor(options));
  }

  _keys(options: IteratorCallOptions) {
    return new StrataKeyIterator(this, options, this.cursor({ ...options, keys: true, values: false }));
  }

  _values(options: IteratorCallOptions) {
    return new StrataValueIterator(this, options, this.cursor({ ...options, keys: false, values: true }));
  }

  _snapshot(options: object) {
    return new StrataLevelSnapshot(options, this.handle.snapshot());
  }

  /**
   * Deletes the keys of a range (abstract-level's clear(), which need not
   * be atomic) in batches of CLEAR_BATCH_KEYS, reading them from one view
   * of the database taken when called.
   */
  _clear(options: IteratorCallOptions): Promise<void> {
    return mapErrors(async () => {
      // Keys as bytes: deleted exactly as stored, whatever the encoding.
      const keys = this.cursor({ ...options, keys: true, values: false, keyEncoding: 'view' });
      try {
        for (let done = false; !done; ) {
          const batch: BatchOperation[] = [];
          while (batch.length < CLEAR_BATCH_KEYS) {
            const next = await keys.next();
            if (next.done) {
              done = true;
              break;
            }
            batch.push({ type: 'delete', key: next.value.key });
          }
          if (batch.length > 0) await this.handle.batch(batch);
        }
      } finally {
        await keys.close();
      }
    });
  }

  /**
   * A StrataDB iterator for abstract-level iterator options. A failure to
   * make one (an oversized bound, a closed snapshot) is reported by its
   * first read, as abstract-level reports its own.
   */
  private cursor(options: IteratorCallOptions): Cursor {
    const failed = (e: unknown) => deferredCursor(Promise.reject(toLevelError(e)));
    if (options.snapshot?.closed) return failed(new StrataLevelError('LEVEL_SNAPSHOT_NOT_OPEN', 'the snapshot is closed'));
    const view = options.snapshot?.view as MaybePromise<HandleSnapshot> | undefined;
    // An explicit snapshot of a worker handle still on its way: its read
    // waits for it (the worker saw the snapshot's request first).
    if (view instanceof Promise) return deferredCursor(view.then((v) => this.openCursor(options, v)));
    try {
      return this.openCursor(options, view);
    } catch (e) {
      return failed(e);
    }
  }

  private openCursor(options: IteratorCallOptions, snapshot: HandleSnapshot | undefined): Cursor {
    // As in LevelDB, gte wins over gt and lte over lt.
    const { gt, gte, lt, lte } = options;
    const lower = gte !== undefined ? { gte } : gt !== undefined ? { gt } : {};
    const upper = lte !== undefined ? { lte } : lt !== undefined ? { lt } : {};
    return this.handle.iterator({
      ...lower,
      ...upper,
      reverse: options.reverse,
      limit: options.limit === -1 ? undefined : options.limit,
      // What is not wanted is read as bytes: views, nothing decoded.
      keyEncoding: options.keys === false ? 'binary' : encodingOf(options.keyEncoding),
      valueEncoding: options.values === false ? 'binary' : encodingOf(options.valueEncoding),
      snapshot,
    });
  }

  /** Runs a read with the handle's options for abstract-level's; with a worker's pending snapshot, once it arrives. */
  private read<T>(options: ReadCallOptions, call: (read: HandleReadOptions) => MaybePromise<T>): Promise<T> {
    const valueEncoding = encodingOf(options.valueEncoding);
    const view = options.snapshot?.view as MaybePromise<HandleSnapshot> | undefined;
    return mapErrors(() =>
      view instanceof Promise ? view.then((snapshot) => call({ valueEncoding, snapshot })) : call({ valueEncoding, snapshot: view }),
    );
  }
}

/** A cursor whose making waits on a promise; each read waits for it (and fails if it fails). */
function deferredCursor(made: Promise<Cursor>): Cursor {
  made.catch(() => {}); // reported by the reads
  return {
    next: async () => (await made).next(),
    seek: async (target) => (await made).seek(target),
    close: () => made.then(
      (cursor) => cursor.close(),
      () => {},
    ),
  };
}

export interface StrataLevelThreadOptions<K, V> extends StrataLevelOptions<K, V> {
  /** The runtime to open in (createRuntime()); default the package's own. */
  runtime?: Runtime;
}

/** What a level opens and destroys with: a Runtime, or the package's default one. */
export type LevelRuntime = Pick<Runtime, 'open' | 'destroy'>;

// A level's memory database goes when the level is collected.
const memoryFinalizer = new FinalizationRegistry<() => void>((free) => free());

/**
 * A StrataDB database in this thread as an abstract-level database: reads
 * are synchronous calls into wasm (getSync works), compaction runs in a
 * worker where there are Web Workers. With storage: 'memory' the data
 * lives as long as the level (as memory-level's): it outlasts close() and
 * open(), and is freed when the level is collected (or by destroy()).
 */
export abstract class StrataLevelInThread<KDefault = string, VDefault = string> extends StrataLevelBase<KDefault, VDefault> {
  #freesMemory = false;

  constructor(location: string, options?: StrataLevelThreadOptions<KDefault, VDefault>) {
    super(location, options, true, ['runtime']);
  }

  /** The package's default runtime (each entry point loads the wasm its own way). */
  protected abstract defaultRuntime(): LevelRuntime;

  protected async openHandle(name: string, options: Record<string, unknown>): Promise<LevelHandle> {
    const { runtime = this.defaultRuntime(), ...open } = options as StrataOpenOptions & { runtime?: LevelRuntime };
    if (open.storage === 'memory' && open.keepOnClose === undefined) {
      open.keepOnClose = true;
      if (!this.#freesMemory) {
        this.#freesMemory = true;
        memoryFinalizer.register(this, () => void runtime.destroy(name, { storage: 'memory' }).catch(() => {}));
      }
    }
    return runtime.open<Encoding, Encoding>(name, open);
  }

  _getSync(key: Bytes, options: ReadCallOptions): Bytes | undefined {
    try {
      return (this.handle as Database<Encoding, Encoding>).get(key, {
        valueEncoding: encodingOf(options.valueEncoding),
        snapshot: options.snapshot?.view as Snapshot | undefined, // made in this thread: never a promise
      });
    } catch (e) {
      throw toLevelError(e);
    }
  }
}

export interface StrataLevelWorkerOptions<K, V> extends StrataLevelOptions<K, V> {
  /**
   * Opens the WorkerDatabase. Default openInHostWorker(): the page's one
   * database host worker serves it. openInWorker gives it a dedicated
   * worker of its own; connect() over a MessagePort to serveDatabase()
   * fits too.
   */
  openWorker?: (name: string, options: StrataOpenOptions) => Promise<WorkerDatabase<Encoding, Encoding>>;
}

/**
 * A StrataDB database in a Web Worker as an abstract-level database: this
 * thread only sends requests (so no getSync), in batches per task.
 */
export class StrataWorkerLevel<KDefault = string, VDefault = string> extends StrataLevelBase<KDefault, VDefault> {
  constructor(location: string, options?: StrataLevelWorkerOptions<KDefault, VDefault>) {
    super(location, options, false, ['openWorker']);
  }

  protected async openHandle(name: string, options: Record<string, unknown>): Promise<LevelHandle> {
    const { openWorker = openInHostWorker, ...open } = options as StrataLevelWorkerOptions<unknown, unknown>;
    return openWorker(name, open as StrataOpenOptions);
  }
}
