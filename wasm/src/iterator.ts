// Range reads: an engine cursor over a consistent view, read in chunks so
// that one call into wasm returns many entries.
import type { Database } from './database.js';
import { type Bytes, type Decoded, type Encoding, checkKey, copyInto } from './bytes.js';
import { chunkHeader, decodeChunk, utf8Wanted } from './entry-chunk.js';
import { StrataError, invalidArgument } from './errors.js';

/** Bounds of a key range; at most one lower and one upper bound. */
export interface RangeOptions {
  gt?: Bytes;
  gte?: Bytes;
  lt?: Bytes;
  lte?: Bytes;
}

export interface Entry<K, V> {
  key: K;
  value: V;
}

// Entries per call into wasm, and the bytes after which a chunk stops.
// Binary keys and values are views into one copy of their chunk, and string
// ones may be slices of their chunk's decoded keys (values), so a kept one
// may hold about CHUNK_BYTES (plus its own size) alive.
// A chunk starts small after creation or a seek and doubles per call, so
// that a short read (a seek, then a few next()s) decodes few extra entries;
// an iterator whose limit fits one chunk reads it in one call. The database
// worker, which sends whole pages, reads full-size chunks (_nextChunk).
const FIRST_CHUNK_ENTRIES = 16;
const CHUNK_ENTRIES = 256;
const CHUNK_BYTES = 64 * 1024;

/** The validated form of a range. */
export interface Range {
  lower: Bytes | undefined;
  lowerInclusive: boolean;
  upper: Bytes | undefined;
  upperInclusive: boolean;
}

export function parseRange(options: RangeOptions): Range {
  const { gt, gte, lt, lte } = options;
  if (gt !== undefined && gte !== undefined) throw invalidArgument('give gt or gte, not both');
  if (lt !== undefined && lte !== undefined) throw invalidArgument('give lt or lte, not both');
  // !== undefined, not ??: a null bound is an error, not "no bound".
  const lower = gt !== undefined ? gt : gte;
  const upper = lt !== undefined ? lt : lte;
  if (lower !== undefined) checkKey(lower, gt !== undefined ? 'gt' : 'gte');
  if (upper !== undefined) checkKey(upper, lt !== undefined ? 'lt' : 'lte');
  return { lower, lowerInclusive: gte !== undefined, upper, upperInclusive: lte !== undefined };
}

export function parseLimit(limit: unknown): number {
  if (limit === undefined || limit === Infinity) return Infinity;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
    throw invalidArgument(`limit must be a non-negative integer, got ${String(limit)}`);
  }
  return limit;
}

/**
 * Entries of a range in key order (or reverse), read from the state of the
 * database when the iterator was made. Iterate it with for..of or for
 * await..of, which close it at the end or on an early exit. Driven with
 * next() it stays open after its end (a seek can move it back) until
 * close(); while open it pins the tables of its view, which a compaction
 * cannot delete meanwhile (a finalizer also closes it, eventually).
 */
export class EntryIterator<K extends Encoding, V extends Encoding>
  implements Iterator<Entry<Decoded<K>, Decoded<V>>>, Iterable<Entry<Decoded<K>, Decoded<V>>>, AsyncIterable<Entry<Decoded<K>, Decoded<V>>>
{
  private buffer: Entry<Decoded<K>, Decoded<V>>[] = [];
  private position = 0;
  private remaining: number; // entries the limit still allows: it counts those handed out
  private cursor: number;
  private chunkEntries = FIRST_CHUNK_ENTRIES;
  // The cursor reached the end of its range (or the limit was reached); it
  // stays open, so a seek can move it back.
  private exhausted = false;

  /** @internal Made by Database.iterator(). */
  constructor(
    private readonly db: Database,
    cursor: number,
    limit: number,
    /** The encodings its keys and values come in. */
    readonly keyEncoding: K,
    readonly valueEncoding: V,
  ) {
    this.cursor = cursor;
    this.remaining = limit;
    if (limit <= CHUNK_ENTRIES) this.chunkEntries = Math.max(limit, 1);
  }

  next(): IteratorResult<Entry<Decoded<K>, Decoded<V>>, undefined> {
    if (this.cursor !== 0 && this.db.closed) throw new StrataError('Closed', `database ${this.db.name} is closed`);
    if (this.position === this.buffer.length && !this.exhausted) this.fill();
    if (this.position === this.buffer.length) return { done: true, value: undefined };
    const entry = this.buffer[this.position]!;
    this.buffer[this.position++] = undefined!; // let it be collected
    this.remaining--;
    return { done: false, value: entry };
  }

  return(): IteratorResult<Entry<Decoded<K>, Decoded<V>>, undefined> {
    this.close();
    return { done: true, value: undefined };
  }

  /**
   * Moves to the first key at or after target (at or before it in reverse),
   * within the iterator's range; entries read ahead are dropped. Works
   * after the end of the range too; the limit counts every entry yielded,
   * seeks or not.
   */
  seek(target: Bytes): void {
    if (this.cursor === 0) throw new StrataError('Closed', 'iterator is closed');
    this.db._cursorSeek(this.cursor, target);
    this.buffer = [];
    this.position = 0;
    this.chunkEntries = FIRST_CHUNK_ENTRIES;
    this.exhausted = false;
  }

  /** Releases the cursor. Later next() calls report the end. */
  close(): void {
    if (this.cursor === 0) return;
    this.db._closeCursor(this, this.cursor);
    this.cursor = 0;
    this.buffer = [];
    this.position = 0;
  }

  /**
   * for..of (and Array.from) walk it once and close it at the end, on an
   * early exit, or when a step throws.
   */
  [Symbol.iterator](): IterableIterator<Entry<Decoded<K>, Decoded<V>>> {
    // A plain iterator, not a generator: resuming a generator per entry
    // costs more than this does.
    const walk: IterableIterator<Entry<Decoded<K>, Decoded<V>>> = {
      next: () => {
        let r: IteratorResult<Entry<Decoded<K>, Decoded<V>>, undefined>;
        try {
          r = this.next();
        } catch (e) {
          this.close();
          throw e;
        }
        if (r.done) this.close();
        return r;
      },
      return: () => this.return(),
      [Symbol.iterator]: () => walk,
    };
    return walk;
  }

  /** for await..of, the same way. */
  async *[Symbol.asyncIterator](): AsyncIterableIterator<Entry<Decoded<K>, Decoded<V>>> {
    try {
      for (let r = this.next(); !r.done; r = this.next()) yield r.value;
    } finally {
      this.close();
    }
  }

  /** @internal Whether it has no more (until a seek). */
  get _atEnd(): boolean {
    return this.exhausted && this.position === this.buffer.length;
  }

  /**
   * @internal The next chunk, undecoded, copied into a buffer from `into`
   * (format in entry-chunk.ts), or undefined at the end; for the database
   * worker, which sends chunks as they are, whole pages at a time (so its
   * chunks start at full size). Only for an iterator read by chunks alone.
   */
  _nextChunk(into: (size: number) => Uint8Array): Uint8Array | undefined {
    this.chunkEntries = CHUNK_ENTRIES;
    const chunk = this.readChunk();
    if (!chunk) return undefined;
    this.remaining -= chunkHeader(chunk.heap, chunk.ptr).count;
    return copyInto(into, chunk);
  }

  /**
   * @internal Entries handed out by _nextChunk that never reached the
   * caller (the worker client dropped them at a seek): they no longer count
   * against the limit.
   */
  _unread(entries: number): void {
    this.remaining += entries;
  }

  private fill(): void {
    this.buffer = [];
    this.position = 0;
    const chunk = this.readChunk();
    if (!chunk) return;
    // One copy of the chunk when bytes are handed out (views into it; a
    // small chunk's copy shares a slab with others: slab.ts), else strings
    // are decoded straight from wasm memory.
    const binary = this.keyEncoding === 'binary' || this.valueEncoding === 'binary';
    if (binary) decodeChunk(this.db._copies.chunks.copy(chunk.heap, chunk.ptr, chunk.size), 0, this.keyEncoding, this.valueEncoding, this.buffer);
    else decodeChunk(chunk.heap, chunk.ptr, this.keyEncoding, this.valueEncoding, this.buffer);
  }

  /**
   * The next chunk where wasm wrote it (read only when nothing is buffered),
   * or undefined: at the end (then exhausted) or once closed.
   */
  private readChunk(): { heap: Uint8Array; ptr: number; size: number } | undefined {
    if (this.cursor === 0 || this.exhausted) return undefined;
    if (this.remaining === 0) {
      this.exhausted = true;
      return undefined;
    }
    const result = this.db._cursorNext(
      this.cursor,
      Math.min(this.remaining, this.chunkEntries),
      CHUNK_BYTES,
      utf8Wanted(this.keyEncoding, this.valueEncoding),
    );
    this.chunkEntries = Math.min(this.chunkEntries * 2, CHUNK_ENTRIES);
    const { count, atEnd } = chunkHeader(result.heap, result.ptr);
    if (atEnd || count === this.remaining) this.exhausted = true; // the end, or all the limit allows
    return count === 0 ? undefined : result;
  }
}
