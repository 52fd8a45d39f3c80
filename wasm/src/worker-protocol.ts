// Messages between a WorkerDatabase (worker-client.ts) and the database
// worker (worker-server.ts): a typed request/response union, batched per
// task each way (DESIGN.md decision 11).
//
// - Calls: each method's arguments and result are typed once, here, and
//   both sides check against it: the server's handler table and the
//   client's call() are keyed by it.
// - Batching: the requests a client issues in one task travel in one
//   message; the worker's responses and events of one task travel back in
//   one message, in the order they happened.
// - Errors travel as their code and message and become StrataErrors again
//   on the client's side. Binary values in responses travel as transferred
//   buffers; a getMany's values travel as the engine's value list, and a
//   scan's or an iterator's entries as the engine's chunks. The client
//   sends such a buffer back once it has decoded it into strings, for the
//   worker to reuse (buffer-pool.ts).
import type { BatchOperation, PipelineOperation, WriteOptions } from './database.js';
import type { Bytes, Encoding } from './bytes.js';
import type { StrataErrorCode } from './errors.js';
import type { StrataEvent } from './events.js';
import type { RangeOptions } from './iterator.js';
import type { OpenOptions } from './runtime.js';
import type { Stats } from './stats.js';

/** Read options with the snapshot named by its id in the worker. */
export interface WireReadOptions {
  snapshotId?: number;
  valueEncoding?: Encoding;
}

export interface WireScanOptions extends RangeOptions {
  limit?: number;
  reverse?: boolean;
  snapshotId?: number;
  keyEncoding?: Encoding;
  valueEncoding?: Encoding;
}

/** Open options less those that cannot cross (onError runs on the client). */
export type WireOpenOptions = Omit<OpenOptions<Encoding, Encoding>, 'onError'>;

export type WireValue = string | Uint8Array | undefined;

/**
 * Values of a getMany as the engine wrote them (value-list.ts), in one
 * transferred buffer; the client decodes them in the encoding given.
 */
export interface ValueList {
  list: Uint8Array;
  encoding: Encoding;
}

/**
 * Entries as the engine's cursor wrote them (entry-chunk.ts), each chunk its
 * own transferred buffer: the worker does no per-entry work, and the client
 * decodes them in the encodings given.
 */
export interface EntryChunks {
  chunks: Uint8Array[];
  keyEncoding: Encoding;
  valueEncoding: Encoding;
}

/** A page of an iterator; done once it has no more (it stays open for seek). */
export interface IteratorPage extends EntryChunks {
  done: boolean;
}

/** Every call the worker serves: its arguments and its result. */
export interface Calls {
  open(name: string, options: WireOpenOptions): { readOnly: boolean };
  put(key: Bytes, value: Bytes, options?: WriteOptions): void;
  delete(key: Bytes, options?: WriteOptions): void;
  batch(operations: readonly BatchOperation[], options?: WriteOptions): void;
  pipeline(
    operations: readonly PipelineOperation[],
    options?: WriteOptions & { valueEncoding?: Encoding },
  ): (WireValue | boolean)[];
  get(key: Bytes, options?: WireReadOptions): WireValue;
  getMany(keys: readonly Bytes[], options?: WireReadOptions): ValueList;
  has(key: Bytes, options?: WireReadOptions): boolean;
  hasMany(keys: readonly Bytes[], options?: WireReadOptions): boolean[];
  scan(options?: WireScanOptions): EntryChunks;
  iteratorOpen(options?: WireScanOptions): number;
  /** Whole chunks, at least minEntries entries unless the end comes first. */
  iteratorNext(id: number, minEntries: number): IteratorPage;
  /** dropped: entries of the last page the client never handed out (not counted against the limit). */
  iteratorSeek(id: number, target: Bytes, dropped: number): void;
  iteratorClose(id: number): void;
  snapshot(): number;
  snapshotRelease(id: number): void;
  sync(): void;
  flush(): void;
  compact(range?: { gte?: Bytes; lte?: Bytes }): void;
  stats(): Stats;
  metrics(): string;
  refresh(): void;
  /** Whether to send every event, or only errors. */
  events(all: boolean): void;
  close(): void;
}

export type Method = keyof Calls;
export type Args<M extends Method> = Parameters<Calls[M]>;
export type Result<M extends Method> = ReturnType<Calls[M]>;

export interface Request<M extends Method = Method> {
  id: number;
  method: M;
  args: Args<M>;
}

export interface WireError {
  code: StrataErrorCode;
  message: string;
}

export type Response = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

/** Client to worker: the requests of one task, in order. */
export interface ClientMessage {
  requests: Request[];
  /** Response buffers nothing on the client refers to any more, transferred back for reuse. */
  returned?: ArrayBuffer[];
}

/** Worker to client: responses and events of one task, in the order they happened. */
export interface WorkerMessage {
  items: ({ response: Response } | { event: StrataEvent })[];
}

/** What either side talks through: a Worker, the worker's own scope, a MessagePort. */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}
