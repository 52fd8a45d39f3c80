// openInWorker(): the database runs in a dedicated Web Worker of its own
// (db-worker.ts) and this client offers the in-thread handle's API, every
// method async (DESIGN.md decision 4). Requests keep their order; writes
// that overlap share commits in the worker as they would in-thread. The
// calls of one task travel in one message (worker-protocol.ts).
import { RETURN_BYTES } from './buffer-pool.js';
import type { Bytes, Decoded, Encoding } from './bytes.js';
import type { BatchOperation, PipelineOperation, PipelineOptions, PipelineResult, ScanOptions, WriteOptions } from './database.js';
import { decodeChunk } from './entry-chunk.js';
import { decodeValueList } from './value-list.js';
import { StrataError, invalidArgument } from './errors.js';
import type { Entry, RangeOptions } from './iterator.js';
import type { OpenOptions } from './runtime.js';
import type { Stats } from './stats.js';
import type {
  Args,
  ClientMessage,
  Endpoint,
  EntryChunks,
  Method,
  Request,
  Result,
  WireReadOptions,
  WireScanOptions,
  WireValue,
  WorkerMessage,
} from './worker-protocol.js';
import { EventHub, type StrataEventListener } from './events.js';

/** The worker as the client sees it: an Endpoint it can also end. */
export interface WorkerEndpoint extends Endpoint {
  terminate(): void;
  onerror?: ((e: ErrorEvent) => void) | null;
  onmessageerror?: ((e: MessageEvent) => void) | null;
}

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
    if (!this.db.closed) await this.db._call('snapshotRelease', id);
  }
}

export class WorkerDatabase<K extends Encoding = Encoding, V extends Encoding = Encoding> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: StrataError) => void }>();
  // Requests of this task, sent together at its end.
  private outbox: Request[] = [];
  // Response buffers decoded into strings, going back with the next
  // requests for the worker to reuse (buffer-pool.ts), and their bytes
  // (at most RETURN_BYTES).
  private returning: ArrayBuffer[] = [];
  private returningBytes = 0;
  private failure: StrataError | undefined; // the worker is gone
  private state: 'open' | 'closing' | 'closed' = 'open';
  private writeFailure: StrataError | undefined; // the handle turned read-only
  private openedReadOnly = false;
  private readonly events = new EventHub();

  /** @internal Made by openInWorker() (or a test, over a MessagePort). */
  constructor(
    private readonly worker: WorkerEndpoint,
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
    if (!wasActive) void this.call('events', true).catch(() => {});
    return () => {
      unsubscribe();
      if (!this.events.active && !this.closed) void this.call('events', false).catch(() => {});
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
    return this.call('put', key, value, options);
  }

  delete(key: Bytes, options?: WriteOptions): Promise<void> {
    return this.call('delete', key, options);
  }

  batch(operations: readonly BatchOperation[], options?: WriteOptions): Promise<void> {
    return this.call('batch', operations, options);
  }

  /** See Database.pipeline: every step in one round trip. */
  pipeline<E extends Encoding = V>(
    operations: readonly PipelineOperation[],
    options?: PipelineOptions<E>,
  ): Promise<PipelineResult<Decoded<E>>[]> {
    return this.call('pipeline', operations, options) as Promise<PipelineResult<Decoded<E>>[]>;
  }

  get<E extends Encoding = V>(key: Bytes, options?: WorkerReadOptions<E>): Promise<Decoded<E> | undefined> {
    return this.call('get', key, this.wireOptions(options)) as Promise<Decoded<E> | undefined>;
  }

  /** The values of keys, all read at one point in time, in one round trip. */
  async getMany<E extends Encoding = V>(
    keys: readonly Bytes[],
    options?: WorkerReadOptions<E>,
  ): Promise<(Decoded<E> | undefined)[]> {
    const { list, encoding } = await this.call('getMany', keys, this.wireOptions(options));
    const values = decodeValueList(list, 0, encoding) as (Decoded<E> | undefined)[];
    this.giveBack([list], [encoding]);
    return values;
  }

  has(key: Bytes, options?: WorkerReadOptions<Encoding>): Promise<boolean> {
    return this.call('has', key, this.wireOptions(options));
  }

  hasMany(keys: readonly Bytes[], options?: WorkerReadOptions<Encoding>): Promise<boolean[]> {
    return this.call('hasMany', keys, this.wireOptions(options));
  }

  scan<KE extends Encoding = K, VE extends Encoding = V>(
    options?: WorkerScanOptions<KE, VE>,
  ): Promise<Entry<Decoded<KE>, Decoded<VE>>[]> {
    return this.call('scan', this.wireOptions(options) as WireScanOptions).then(
      (scanned) => this._entriesOf(scanned) as Entry<Decoded<KE>, Decoded<VE>>[],
    );
  }

  /** Entries of a range from the state of this moment, fetched in pages. */
  iterator<KE extends Encoding = K, VE extends Encoding = V>(
    options?: WorkerScanOptions<KE, VE>,
  ): WorkerIterator<KE, VE> {
    return new WorkerIterator<KE, VE>(this as WorkerDatabase, this.call('iteratorOpen', this.wireOptions(options) as WireScanOptions));
  }

  async snapshot(): Promise<WorkerSnapshot> {
    return new WorkerSnapshot(this as WorkerDatabase, await this.call('snapshot'));
  }

  sync(): Promise<void> {
    return this.call('sync');
  }

  flush(): Promise<void> {
    return this.call('flush');
  }

  compact(range?: Pick<RangeOptions, 'gte' | 'lte'>): Promise<void> {
    return this.call('compact', range);
  }

  stats(): Promise<Stats> {
    return this.call('stats');
  }

  metrics(): Promise<string> {
    return this.call('metrics');
  }

  /**
   * For a read-only handle: reopens it on what is stored now. Iterators and
   * snapshots of the old one end.
   */
  refresh(): Promise<void> {
    return this.call('refresh');
  }

  /** Closes the database (making every write durable) and ends the worker. */
  async close(): Promise<void> {
    if (this.state !== 'open') throw new StrataError('Closed', `database ${this.name} is closed`);
    const closing = this.call('close');
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

  /**
   * @internal Entries from the wire. Binary keys and values are views into
   * their chunk's transferred buffer; chunks decoded into strings alone go
   * back to the worker.
   */
  _entriesOf({ chunks, keyEncoding, valueEncoding }: EntryChunks): Entry<WireValue, WireValue>[] {
    const entries: Entry<string | Uint8Array, string | Uint8Array>[] = [];
    for (const chunk of chunks) decodeChunk(chunk, 0, keyEncoding, valueEncoding, entries);
    this.giveBack(chunks, [keyEncoding, valueEncoding]);
    return entries;
  }

  /** Sends decoded buffers back to the worker, unless a binary side was handed out as views into them. */
  private giveBack(views: readonly Uint8Array[], encodings: readonly Encoding[]): void {
    if (this.closed || encodings.includes('binary')) return;
    for (const { buffer } of views) {
      if (this.returningBytes + buffer.byteLength > RETURN_BYTES) return;
      this.returning.push(buffer as ArrayBuffer);
      this.returningBytes += buffer.byteLength;
    }
  }

  /** @internal */
  _call<M extends Method>(method: M, ...args: Args<M>): Promise<Result<M>> {
    return this.call(method, ...args);
  }

  private call<M extends Method>(method: M, ...args: Args<M>): Promise<Result<M>> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state !== 'open') return Promise.reject(new StrataError('Closed', `database ${this.name} is closed`));
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.outbox.length === 0) queueMicrotask(() => this.send());
      this.outbox.push({ id, method, args } as Request);
    });
  }

  /** Sends this task's requests in one message. */
  private send(): void {
    const requests = this.outbox;
    const returned = this.returning;
    this.outbox = [];
    this.returning = [];
    this.returningBytes = 0;
    try {
      const message: ClientMessage = returned.length > 0 ? { requests, returned } : { requests };
      this.worker.postMessage(message, returned);
    } catch {
      // Not cloneable (a function, say): bad input, caught before it left.
      // Which request it was is unknown: send them one by one to find out.
      for (const request of requests) {
        try {
          this.worker.postMessage({ requests: [request] });
        } catch (e) {
          const waiter = this.pending.get(request.id);
          this.pending.delete(request.id);
          waiter?.reject(invalidArgument(`${request.method}: ${String(e)}`));
        }
      }
    }
  }

  private receive(message: WorkerMessage): void {
    for (const item of message.items) {
      if ('event' in item) {
        const { event } = item;
        if (event.type === 'error' && !this.writeFailure) {
          this.writeFailure = new StrataError(event.code, event.message);
          this.onError?.(this.writeFailure);
        }
        this.events.emit(event);
        continue;
      }
      const { response } = item;
      const waiter = this.pending.get(response.id);
      if (!waiter) continue;
      this.pending.delete(response.id);
      if (response.ok) waiter.resolve(response.value);
      else waiter.reject(new StrataError(response.error.code, response.error.message));
    }
  }

  /** The worker is gone (or failed: then it is ended): every pending and later call fails. */
  private crash(message: string, code: 'IOError' | 'Closed' = 'IOError'): void {
    if (!this.failure) this.worker.terminate();
    this.failure ??= new StrataError(code, message);
    if (this.state === 'open') this.state = 'closed';
    for (const { reject } of this.pending.values()) reject(this.failure);
    this.pending.clear();
    this.outbox = [];
    this.returning = [];
    this.returningBytes = 0;
  }

  private wireOptions(options: { snapshot?: WorkerSnapshot } | undefined): WireReadOptions | undefined {
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

/**
 * An async iterator over a range, one page per message. for await..of
 * closes it at the end or on an early exit; driven with next() it stays open
 * after its end (a seek can move it back) until close().
 */
export class WorkerIterator<K extends Encoding, V extends Encoding>
  implements AsyncIterator<Entry<Decoded<K>, Decoded<V>>>, AsyncIterable<Entry<Decoded<K>, Decoded<V>>>
{
  private buffer: Entry<Decoded<K>, Decoded<V>>[] = [];
  private position = 0;
  private exhausted = false; // the worker said there is no more, until a seek
  private closed = false;

  /** @internal */
  constructor(
    private readonly db: WorkerDatabase,
    private readonly id: Promise<number>,
  ) {
    id.catch(() => {}); // reported by next()
  }

  async next(): Promise<IteratorResult<Entry<Decoded<K>, Decoded<V>>, undefined>> {
    if (this.position === this.buffer.length && !this.exhausted && !this.closed) {
      const page = await this.db._call('iteratorNext', await this.id, PAGE_ENTRIES);
      this.buffer = this.db._entriesOf(page) as Entry<Decoded<K>, Decoded<V>>[];
      this.position = 0;
      this.exhausted = page.done;
    }
    if (this.position === this.buffer.length) return { done: true, value: undefined };
    return { done: false, value: this.buffer[this.position++]! };
  }

  /** Moves to the first key at or after target (before, in reverse); also after the end. */
  async seek(target: Bytes): Promise<void> {
    if (this.closed) throw new StrataError('Closed', 'iterator is closed');
    await this.db._call('iteratorSeek', await this.id, target, this.buffer.length - this.position);
    this.buffer = [];
    this.position = 0;
    this.exhausted = false;
  }

  async return(): Promise<IteratorResult<Entry<Decoded<K>, Decoded<V>>, undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.buffer = [];
    if (!this.db.closed) await this.db._call('iteratorClose', await this.id);
  }

  async *[Symbol.asyncIterator](): AsyncIterableIterator<Entry<Decoded<K>, Decoded<V>>> {
    try {
      for (let r = await this.next(); !r.done; r = await this.next()) yield r.value;
    } finally {
      await this.close();
    }
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
  checkWorkerOpen('openInWorker', options);
  const worker = new Worker(new URL('./db-worker.js', import.meta.url), { type: 'module', name: `stratadb ${name}` });
  return connect<K, V>(worker, name, options);
}

function checkWorkerOpen(call: string, options: unknown): void {
  if (typeof Worker === 'undefined') throw invalidArgument(`${call} needs Web Workers (a browser)`);
  if (typeof options !== 'object' || options === null) throw invalidArgument('open options must be an object');
}

// The page's database host worker (db-host-worker.ts), made by the first
// openInHostWorker(), and the connections it serves.
let host: Worker | undefined;
const hosted = new Set<WorkerEndpoint>();

/**
 * Opens database `name` in the page's database host worker: one Web Worker
 * and one wasm instance serve every database opened this way, each over a
 * MessagePort of its own. A database per openInWorker() costs a worker and
 * a wasm instance each (a Chromium page holds about 120 wasm instances);
 * these share one thread instead. Options are open()'s.
 */
export async function openInHostWorker<K extends Encoding = 'utf8', V extends Encoding = 'utf8'>(
  name: string,
  options: OpenOptions<K, V> = {},
): Promise<WorkerDatabase<K, V>> {
  checkWorkerOpen('openInHostWorker', options);
  if (!host) {
    const worker = new Worker(new URL('./db-host-worker.js', import.meta.url), { type: 'module', name: 'stratadb host' });
    // The host failing fails every database it serves; the next open starts another.
    worker.onerror = (e) => {
      if (host === worker) host = undefined;
      for (const endpoint of hosted) endpoint.onerror?.(e);
    };
    host = worker;
  }
  const { port1, port2 } = new MessageChannel();
  const endpoint: WorkerEndpoint = Object.assign(port1, {
    terminate() {
      hosted.delete(endpoint);
      port1.close();
    },
  });
  hosted.add(endpoint);
  host.postMessage(port2, [port2]);
  return connect<K, V>(endpoint, name, options);
}

/**
 * A WorkerDatabase over any endpoint that serveDatabase() (worker-server.ts)
 * answers: a worker, or a MessagePort (tests run the protocol this way).
 */
export async function connect<K extends Encoding = 'utf8', V extends Encoding = 'utf8'>(
  endpoint: WorkerEndpoint,
  name: string,
  options: OpenOptions<K, V>,
): Promise<WorkerDatabase<K, V>> {
  const { onError, ...rest } = options;
  const db = new WorkerDatabase<K, V>(endpoint, name, onError);
  try {
    db._opened((await db._call('open', name, rest)).readOnly);
  } catch (e) {
    endpoint.terminate();
    throw e;
  }
  return db;
}
