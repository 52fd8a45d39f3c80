// The database worker's side of the protocol (worker-protocol.ts): one open
// database, served to one client over an Endpoint (the worker's own scope in
// db-worker.ts; a MessagePort in tests). Requests are started in the order
// they arrive, so writes apply in order and overlapping durable writes share
// commits as they would in-thread; responses and events go back batched per
// task. Iterators and snapshots live here, named by ids.
import { BufferPool } from './buffer-pool.js';
import { type Encoding, inOwnBuffer } from './bytes.js';
import type { Database, ReadOptions, ScanOptions } from './database.js';
import type { Snapshot } from './database.js';
import { StrataError } from './errors.js';
import type { StrataEvent } from './events.js';
import { chunkHeader } from './entry-chunk.js';
import type { EntryIterator } from './iterator.js';
import type {
  Args,
  ClientMessage,
  Endpoint,
  Method,
  Request,
  Result,
  WireError,
  WireReadOptions,
  WireScanOptions,
  WireValue,
  WorkerMessage,
} from './worker-protocol.js';

type AnyDatabase = Database<Encoding, Encoding>;
type Opener = (name: string, options: object) => Promise<AnyDatabase>;
/** What a handler answers, and the buffers that go with it. */
type Answer<M extends Method> = { value: Result<M>; transfer?: Transferable[] };
type Handlers = { [M in Method]: (...args: Args<M>) => Answer<M> | Promise<Answer<M>> };

function wire(e: unknown): WireError {
  if (e instanceof StrataError) return { code: e.code, message: e.message };
  return { code: 'IOError', message: `database worker: ${String(e)}` };
}

/**
 * Binary values in buffers of their own, and those buffers, to transfer. A
 * small value read here shares its buffer with others (slab.ts), which
 * answers not yet sent may hold: transferring it would detach them.
 */
function owned<T>(values: T[]): { values: T[]; transfer: Transferable[] } {
  const transfer: Transferable[] = [];
  const copies = values.map((v) => {
    if (!(v instanceof Uint8Array)) return v;
    const own = inOwnBuffer(v);
    transfer.push(own.buffer);
    return own as T;
  });
  return { values: copies, transfer };
}

// Response buffers the clients sent back, for every database this thread
// serves (the host worker serves many): one bound on what is kept.
const pool = new BufferPool();
const take = (size: number) => pool.take(size);
// What a binary answer is copied into: a buffer of its own size, since the
// caller keeps views into it (as long as it likes).
const exact = (size: number) => new Uint8Array(size);
const intoFor = (...encodings: Encoding[]) => (encodings.includes('binary') ? exact : take);

/** @internal The pool, for tests. */
export const _responseBuffers = pool;

/** Serves database requests arriving at endpoint; opens with `open`. */
export function serveDatabase(endpoint: Endpoint, open: Opener): void {
  let db: AnyDatabase | undefined;
  let allEvents = false; // else only errors
  const iterators = new Map<number, EntryIterator<Encoding, Encoding>>();
  const snapshots = new Map<number, Snapshot>();
  let nextId = 1;

  // What goes back at the end of this task, in order.
  let outbox: WorkerMessage['items'] = [];
  let transfers: Transferable[] = [];
  const send = (item: WorkerMessage['items'][number], transfer: Transferable[] = []) => {
    if (outbox.length === 0) queueMicrotask(flush);
    outbox.push(item);
    transfers.push(...transfer);
  };
  const flush = () => {
    const message: WorkerMessage = { items: outbox };
    const transfer = transfers;
    outbox = [];
    transfers = [];
    endpoint.postMessage(message, transfer);
  };

  const database = (): AnyDatabase => {
    if (!db) throw new StrataError('Closed', 'the database is not open in this worker');
    return db;
  };
  const attach = (opened: AnyDatabase): AnyDatabase => {
    opened.subscribe((event: StrataEvent) => {
      if (allEvents || event.type === 'error') send({ event });
    });
    return opened;
  };
  const readOptions = (options: WireReadOptions | undefined): ReadOptions<Encoding> | undefined => {
    if (options === undefined || options === null || typeof options !== 'object') return options;
    const { snapshotId, ...rest } = options;
    if (snapshotId === undefined) return rest;
    const snapshot = snapshots.get(snapshotId);
    if (!snapshot) throw new StrataError('InvalidArgument', 'unknown or released snapshot');
    return { ...rest, snapshot };
  };
  const scanOptions = (options: WireScanOptions | undefined) =>
    readOptions(options as WireReadOptions) as ScanOptions<Encoding, Encoding> | undefined;
  // refresh() replaces the handle: its iterators and snapshots end, and a
  // later call on one answers Closed (never a silent end of the data).
  const forget = () => {
    iterators.clear();
    snapshots.clear();
  };
  const iterator = (id: number) => {
    const it = iterators.get(id);
    if (!it) throw new StrataError('Closed', 'iterator is closed (or its handle was refreshed)');
    return it;
  };

  const handlers: Handlers = {
    async open(name, options) {
      if (db) throw new StrataError('Busy', 'this worker already has a database open');
      db = attach(await open(name, options));
      return { value: { readOnly: db.readOnly } };
    },
    async put(key, value, options) {
      return { value: await database().put(key, value, options) };
    },
    async delete(key, options) {
      return { value: await database().delete(key, options) };
    },
    async batch(operations, options) {
      return { value: await database().batch(operations, options) };
    },
    async pipeline(operations, options) {
      const results = await database().pipeline(operations, options);
      const { values, transfer } = owned(results);
      return { value: values, transfer };
    },
    get(key, options) {
      const { values, transfer } = owned([database().get(key, readOptions(options)) as WireValue]);
      return { value: values[0], transfer };
    },
    getMany(keys, options) {
      const value = database()._getManyList(keys, readOptions(options), intoFor);
      return { value, transfer: [value.list.buffer] };
    },
    has(key, options) {
      return { value: database().has(key, readOptions(options)) };
    },
    hasMany(keys, options) {
      return { value: database().hasMany(keys, readOptions(options)) };
    },
    scan(options) {
      const it = database().iterator(scanOptions(options));
      try {
        return chunksOf(it, Infinity);
      } finally {
        it.close();
      }
    },
    iteratorOpen(options) {
      const id = nextId++;
      iterators.set(id, database().iterator(scanOptions(options)));
      return { value: id };
    },
    iteratorNext(id, minEntries) {
      const it = iterator(id);
      const page = chunksOf(it, minEntries);
      // done: it stays open (a seek can move it back) until iteratorClose.
      return { value: { ...page.value, done: it._atEnd }, transfer: page.transfer };
    },
    iteratorSeek(id, target, dropped) {
      const it = iterator(id);
      if (!Number.isInteger(dropped) || dropped < 0) throw new StrataError('InvalidArgument', 'dropped must be a count');
      it.seek(target);
      it._unread(dropped);
      return { value: undefined };
    },
    iteratorClose(id) {
      iterators.get(id)?.close();
      iterators.delete(id);
      return { value: undefined };
    },
    snapshot() {
      const id = nextId++;
      snapshots.set(id, database().snapshot());
      return { value: id };
    },
    snapshotRelease(id) {
      snapshots.get(id)?.release();
      snapshots.delete(id);
      return { value: undefined };
    },
    async sync() {
      return { value: await database().sync() };
    },
    async flush() {
      return { value: await database().flush() };
    },
    async compact(range) {
      return { value: await database().compact(range) };
    },
    stats() {
      return { value: database().stats() };
    },
    metrics() {
      return { value: database().metrics() };
    },
    async refresh() {
      // Calls wait meanwhile (dispatch); if it fails, the handle stays (a
      // writable one cannot refresh and is still open).
      const fresh = await database().refresh();
      forget();
      db = attach(fresh);
      return { value: undefined };
    },
    events(all) {
      allEvents = all;
      return { value: undefined };
    },
    async close() {
      const closing = database();
      db = undefined;
      forget();
      await closing.close();
      return { value: undefined };
    },
  };

  // While refresh() replaces the handle, the requests that arrive wait for
  // it, in order, and then use the new handle: a call made meanwhile (a
  // viewer refreshing on a timer while its user types) never answers Closed
  // because of it.
  let waiting: Request[] | undefined;
  const dispatch = (request: Request) => {
    if (waiting) {
      waiting.push(request);
      return;
    }
    const { id, method, args } = request;
    let answer;
    try {
      // The handler table is keyed by the method named in the request.
      answer = (handlers[method] as (...a: unknown[]) => Answer<Method> | Promise<Answer<Method>>)(...args);
    } catch (error) {
      send({ response: { id, ok: false, error: wire(error) } });
      return;
    }
    const answered = Promise.resolve(answer).then(
      ({ value, transfer }) => send({ response: { id, ok: true, value } }, transfer),
      (error: unknown) => send({ response: { id, ok: false, error: wire(error) } }),
    );
    if (method !== 'refresh') return;
    waiting = [];
    const release = () => {
      const held = waiting ?? [];
      waiting = undefined;
      for (const r of held) dispatch(r); // a refresh among them holds the rest again
    };
    answered.then(release, release);
  };
  endpoint.onmessage = (e: MessageEvent<ClientMessage>) => {
    pool.give(e.data.returned);
    for (const request of e.data.requests) dispatch(request);
  };
}

/** Chunks of it until at least minEntries entries or its end, for the wire. */
function chunksOf(it: EntryIterator<Encoding, Encoding>, minEntries: number): Answer<'scan'> {
  const into = intoFor(it.keyEncoding, it.valueEncoding);
  const chunks: Uint8Array[] = [];
  let entries = 0;
  for (let chunk = it._nextChunk(into); chunk; chunk = entries < minEntries ? it._nextChunk(into) : undefined) {
    chunks.push(chunk);
    entries += chunkHeader(chunk, 0).count;
  }
  return {
    value: { chunks, keyEncoding: it.keyEncoding, valueEncoding: it.valueEncoding },
    transfer: chunks.map((c) => c.buffer),
  };
}
