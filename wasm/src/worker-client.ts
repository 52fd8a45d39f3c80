// openInWorker(): the database runs in a dedicated Web Worker of its own
// (db-worker.ts) and this client offers the in-thread handle's API, every
// method async (DESIGN.md decision 4). Requests keep their order; writes
// that overlap share commits in the worker as they would in-thread.
import type { Bytes, Decoded, Encoding } from './bytes.js';
import type { BatchOperation, ScanOptions, WriteOptions } from './database.js';
import { StrataError, invalidArgument } from './errors.js';
import type { Entry, RangeOptions } from './iterator.js';
import type { OpenOptions } from './runtime.js';
import type { Stats } from './stats.js';
import type { Method, Request, WorkerMessage } from './worker-protocol.js';
import { EventHub, type StrataEventListener } from './events.js';

// Entries per message when iterating: an iterator fetches pages this big.
const PAGE_ENTRIES = 256;

export interface WorkerReadOptions<V extends Encoding> {
  snapshot?: WorkerSnapshot;
  valueEncoding?: V;
}

export interface WorkerScanOptions<K extends Encoding, V extends Encoding>
  extends Omit<ScanOptions<K, V>, 'snapshot'> {
  snapshot?: WorkerSnapshot;
}

/** A point-in-time view held in the worker. Release it when done. */
export class WorkerSnapshot {
  /** @internal */
  constructor(
    readonly db: WorkerDatabase,
    /** @internal */ public id: number,
  ) {}

  get released(): boolean {
    return this.id === 0;
  }

  async release(): Promise<void> {
    if (this.id === 0) return;
    const id = this.id;
    this.id = 0;
    if (!this.db.closed) await this.db._call('snapshotRelease', [id]);
  }
}

export class WorkerDatabase<K extends Encoding = Encoding, V extends Encoding = Encoding> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: StrataError) => void }>();
  private failure: StrataError | undefined; // the worker is gone
  private state: 'open' | 'closing' | 'closed' = 'open';
  private writeFailure: StrataError | undefined; // the handle turned read-only
  private openedReadOnly = false;
  private readonly events = new EventHub();

  /** @internal Made by openInWorker(). */
  constructor(
    private readonly worker: Worker,
    readonly name: string,
    private readonly onError: ((e: StrataError) => void) | undefined,
  ) {
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => this.receive(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.crash(`the database worker failed: ${e.message}`);
    };
    worker.onmessageerror = () => this.crash('a message from the database worker could not be read');
  }

  get closed(): boolean {
    return this.state !== 'open';
  }

  /**
   * Calls listener with every event the worker's database reports (see
   * Database.subscribe); returns the function that unsubscribes it.
   */
  subscribe(listener: StrataEventListener): () => void {
    const wasActive = this.events.active;
    const unsubscribe = this.events.subscribe(listener);
    if (!wasActive) void this.call('events', [true]).catch(() => {});
    return () => {
      unsubscribe();
      if (!this.events.active && !this.closed) void this.call('events', [false]).catch(() => {});
    };
  }

  /** Why writes are refused, if they are (see Database.readOnlyError). */
  get readOnlyError(): StrataError | undefined {
    return this.writeFailure;
  }

  /**
   * Whether this is a read-only handle: opened with readOnly, or with
   * ifLocked: 'readonly' while another tab or worker had the database.
   */
  get readOnly(): boolean {
    return this.openedReadOnly;
  }

  put(key: Bytes, value: Bytes, options?: WriteOptions): Promise<void> {
    return this.call('put', [key, value, options]) as Promise<void>;
  }

  delete(key: Bytes, options?: WriteOptions): Promise<void> {
    return this.call('delete', [key, options]) as Promise<void>;
  }

  batch(operations: readonly BatchOperation[], options?: WriteOptions): Promise<void> {
    return this.call('batch', [operations, options]) as Promise<void>;
  }

  get<E extends Encoding = V>(key: Bytes, options?: WorkerReadOptions<E>): Promise<Decoded<E> | undefined> {
    return this.call('get', [key, this.wireOptions(options)]) as Promise<Decoded<E> | undefined>;
  }

  scan<KE extends Encoding = K, VE extends Encoding = V>(
    options?: WorkerScanOptions<KE, VE>,
  ): Promise<Entry<Decoded<KE>, Decoded<VE>>[]> {
    return this.call('scan', [this.wireOptions(options)]) as Promise<Entry<Decoded<KE>, Decoded<VE>>[]>;
  }

  /** Entries of a range from the state of this moment, fetched in pages. */
  iterator<KE extends Encoding = K, VE extends Encoding = V>(
    options?: WorkerScanOptions<KE, VE>,
  ): WorkerIterator<KE, VE> {
    return new WorkerIterator<KE, VE>(this as WorkerDatabase, this.call('iteratorOpen', [this.wireOptions(options)]) as Promise<number>);
  }

  async snapshot(): Promise<WorkerSnapshot> {
    return new WorkerSnapshot(this as WorkerDatabase, (await this.call('snapshot', [])) as number);
  }

  sync(): Promise<void> {
    return this.call('sync', []) as Promise<void>;
  }

  flush(): Promise<void> {
    return this.call('flush', []) as Promise<void>;
  }

  compact(range?: Pick<RangeOptions, 'gte' | 'lte'>): Promise<void> {
    return this.call('compact', [range]) as Promise<void>;
  }

  stats(): Promise<Stats> {
    return this.call('stats', []) as Promise<Stats>;
  }

  metrics(): Promise<string> {
    return this.call('metrics', []) as Promise<string>;
  }

  /**
   * For a read-only handle: reopens it on what is stored now. Iterators and
   * snapshots of the old one end.
   */
  refresh(): Promise<void> {
    return this.call('refresh', []) as Promise<void>;
  }

  /** Closes the database (making every write durable) and ends the worker. */
  async close(): Promise<void> {
    if (this.state !== 'open') throw new StrataError('Closed', `database ${this.name} is closed`);
    const closing = this.call('close', []);
    this.state = 'closing';
    try {
      await closing;
    } finally {
      this.state = 'closed';
      this.worker.terminate();
      this.crash(`database ${this.name} is closed`, 'Closed');
    }
  }

  /** @internal openInWorker() tells what the worker opened. */
  _opened(readOnly: boolean): void {
    this.openedReadOnly = readOnly;
  }

  /** @internal */
  _call(method: Method, args: unknown[]): Promise<unknown> {
    return this.call(method, args);
  }

  private call(method: Method, args: unknown[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state !== 'open') return Promise.reject(new StrataError('Closed', `database ${this.name} is closed`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ id, method, args } satisfies Request);
      } catch (e) {
        // Not cloneable (a function, say): bad input, caught before it left.
        this.pending.delete(id);
        reject(invalidArgument(`${method}: ${String(e)}`));
      }
    });
  }

  private receive(message: WorkerMessage): void {
    if ('event' in message) {
      const { event } = message;
      if (event.type === 'error' && !this.writeFailure) {
        this.writeFailure = new StrataError(event.code, event.message);
        this.onError?.(this.writeFailure);
      }
      this.events.emit(event);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new StrataError(message.error.code, message.error.message));
  }

  /** The worker is gone (or failed: then it is ended): every pending and later call fails. */
  private crash(message: string, code: 'IOError' | 'Closed' = 'IOError'): void {
    if (!this.failure) this.worker.terminate();
    this.failure ??= new StrataError(code, message);
    if (this.state === 'open') this.state = 'closed';
    for (const { reject } of this.pending.values()) reject(this.failure);
    this.pending.clear();
  }

  private wireOptions(options: { snapshot?: WorkerSnapshot } | undefined): object | undefined {
    if (options === undefined || options === null || typeof options !== 'object') return options;
    const { snapshot, ...rest } = options;
    if (snapshot === undefined) return rest;
    if (!(snapshot instanceof WorkerSnapshot) || snapshot.db !== (this as WorkerDatabase)) {
      throw invalidArgument('snapshot must come from this database');
    }
    if (snapshot.released) throw invalidArgument('snapshot was released');
    return { ...rest, snapshotId: snapshot.id };
  }
}

/** An async iterator over a range, one page per message. */
export class WorkerIterator<K extends Encoding, V extends Encoding>
  implements AsyncIterableIterator<Entry<Decoded<K>, Decoded<V>>>
{
  private buffer: Entry<Decoded<K>, Decoded<V>>[] = [];
  private position = 0;
  private done = false;

  /** @internal */
  constructor(
    private readonly db: WorkerDatabase,
    private readonly id: Promise<number>,
  ) {
    id.catch(() => {}); // reported by next()
  }

  async next(): Promise<IteratorResult<Entry<Decoded<K>, Decoded<V>>, undefined>> {
    if (this.position === this.buffer.length && !this.done) {
      this.buffer = (await this.db._call('iteratorNext', [await this.id, PAGE_ENTRIES])) as Entry<Decoded<K>, Decoded<V>>[];
      this.position = 0;
      if (this.buffer.length < PAGE_ENTRIES) this.done = true; // the worker closed it
    }
    if (this.position === this.buffer.length) return { done: true, value: undefined };
    return { done: false, value: this.buffer[this.position++]! };
  }

  /** Moves to the first key at or after target (before, in reverse). */
  async seek(target: Bytes): Promise<void> {
    await this.db._call('iteratorSeek', [await this.id, target]);
    this.buffer = [];
    this.position = 0;
  }

  async return(): Promise<IteratorResult<Entry<Decoded<K>, Decoded<V>>, undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.buffer = [];
    if (!this.db.closed) await this.db._call('iteratorClose', [await this.id]);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Opens database `name` in a new dedicated Web Worker (its own wasm
 * instance) and returns a client whose methods mirror the in-thread
 * Database, all async. Options are open()'s; onError runs here.
 */
export async function openInWorker<K extends Encoding = 'utf8', V extends Encoding = 'utf8'>(
  name: string,
  options: OpenOptions<K, V> = {},
): Promise<WorkerDatabase<K, V>> {
  if (typeof Worker === 'undefined') throw invalidArgument('openInWorker needs Web Workers (a browser)');
  if (typeof options !== 'object' || options === null) throw invalidArgument('open options must be an object');
  const { onError, ...rest } = options;
  const worker = new Worker(new URL('./db-worker.js', import.meta.url), { type: 'module', name: `stratadb ${name}` });
  const db = new WorkerDatabase<K, V>(worker, name, onError);
  try {
    db._opened((await db._call('open', [name, rest])) as boolean);
  } catch (e) {
    worker.terminate();
    throw e;
  }
  return db;
}
