// The database worker: a dedicated Web Worker that owns one wasm instance
// and one open database, and serves a WorkerDatabase's requests in order
// (DESIGN.md decision 4). Iterators and snapshots live here, named by ids.
import { type Database, Snapshot } from './database.js';
import { StrataError } from './errors.js';
import type { EntryIterator } from './iterator.js';
import { open } from './index.js';
import type { Encoding } from './bytes.js';
import type { Request, Response, WireError, WorkerMessage } from './worker-protocol.js';

declare const self: {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  close(): void;
};

type AnyDatabase = Database<Encoding, Encoding>;

let db: AnyDatabase | undefined;
let forwardEvents = false; // all of them, or only errors
const iterators = new Map<number, EntryIterator<Encoding, Encoding>>();
const snapshots = new Map<number, Snapshot>();
let nextId = 1;

function wire(e: unknown): WireError {
  if (e instanceof StrataError) return { code: e.code, message: e.message };
  return { code: 'IOError', message: `database worker: ${String(e)}` };
}

/** Forwards the database's events to the client. */
function attach(database: AnyDatabase): AnyDatabase {
  database.subscribe((event) => {
    if (forwardEvents || event.type === 'error') self.postMessage({ event });
  });
  return database;
}

function database(): AnyDatabase {
  if (!db) throw new StrataError('Closed', 'the database is not open in this worker');
  return db;
}

/** Read options with the snapshot id swapped for the snapshot. */
function readOptions(options: unknown): Record<string, unknown> | undefined {
  if (options === undefined || options === null || typeof options !== 'object') return options as undefined;
  const { snapshotId, ...rest } = options as { snapshotId?: number };
  if (snapshotId === undefined) return rest;
  const snapshot = snapshots.get(snapshotId);
  if (!snapshot) throw new StrataError('InvalidArgument', 'unknown or released snapshot');
  return { ...rest, snapshot };
}

/** The buffers of a whole scan's binary keys and values, to transfer. */
function buffersOf(entries: { key: unknown; value: unknown }[]): Transferable[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { key, value } of entries) {
    if (key instanceof Uint8Array) buffers.add(key.buffer as ArrayBuffer);
    if (value instanceof Uint8Array) buffers.add(value.buffer as ArrayBuffer);
  }
  return [...buffers];
}

function page(it: EntryIterator<Encoding, Encoding>, max: number) {
  const entries = [];
  for (let i = 0; i < max; i++) {
    const next = it.next();
    if (next.done) break;
    entries.push(next.value);
  }
  return entries;
}

async function handle(method: Request['method'], args: unknown[]): Promise<[unknown, Transferable[]?]> {
  const [a, b, c] = args;
  switch (method) {
    case 'open': {
      if (db) throw new StrataError('Busy', 'this worker already has a database open');
      db = attach((await open(a as string, b as object)) as AnyDatabase);
      return [db.readOnly];
    }
    case 'put':
      return [await database().put(a as Uint8Array, b as Uint8Array, c as object)];
    case 'delete':
      return [await database().delete(a as Uint8Array, b as object)];
    case 'batch':
      return [await database().batch(a as never, b as object)];
    case 'get': {
      const value = database().get(a as Uint8Array, readOptions(b));
      return [value, value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : []];
    }
    case 'scan': {
      const entries = database().scan(readOptions(a));
      return [entries, buffersOf(entries)];
    }
    case 'iteratorOpen': {
      const id = nextId++;
      iterators.set(id, database().iterator(readOptions(a)));
      return [id];
    }
    case 'iteratorNext': {
      const it = iterators.get(a as number);
      if (!it) return [[]];
      const entries = page(it, b as number);
      if (entries.length < (b as number)) iterators.delete(a as number); // it closed itself at its end
      // Copied, not transferred: entries still buffered here may share
      // their chunk's buffer with these.
      return [entries];
    }
    case 'iteratorSeek': {
      const it = iterators.get(a as number);
      if (!it) throw new StrataError('Closed', 'iterator is closed (or reached its end)');
      it.seek(b as Uint8Array);
      return [undefined];
    }
    case 'iteratorClose':
      iterators.get(a as number)?.close();
      iterators.delete(a as number);
      return [undefined];
    case 'snapshot': {
      const id = nextId++;
      snapshots.set(id, database().snapshot());
      return [id];
    }
    case 'snapshotRelease':
      snapshots.get(a as number)?.release();
      snapshots.delete(a as number);
      return [undefined];
    case 'sync':
      return [await database().sync()];
    case 'flush':
      return [await database().flush()];
    case 'compact':
      return [await database().compact(a as object)];
    case 'stats':
      return [database().stats()];
    case 'metrics':
      return [database().metrics()];
    case 'refresh': {
      const stale = database();
      db = undefined;
      iterators.clear();
      snapshots.clear();
      db = attach(await stale.refresh());
      return [undefined];
    }
    case 'events':
      forwardEvents = a === true;
      return [undefined];
    case 'close': {
      const closing = database();
      db = undefined;
      iterators.clear();
      snapshots.clear();
      await closing.close();
      return [undefined];
    }
  }
}

self.onmessage = (e: MessageEvent<Request>) => {
  const { id, method, args } = e.data;
  handle(method, args).then(
    ([value, transfer]) => self.postMessage({ id, ok: true, value } satisfies Response, transfer ?? []),
    (error: unknown) => self.postMessage({ id, ok: false, error: wire(error) } satisfies Response),
  );
};
