// abstract-level iterators over a StrataDB cursor: the in-thread
// EntryIterator (synchronous) or a WorkerIterator (every call a promise).
import { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } from 'abstract-level';
import type { Bytes } from '../bytes.js';
import type { Entry } from '../iterator.js';
import { mapErrors, toLevelError } from './errors.js';

type MaybePromise<T> = T | Promise<T>;

/** What a level iterator needs of a StrataDB iterator. */
export interface Cursor {
  next(): MaybePromise<IteratorResult<Entry<Bytes, Bytes>, undefined>>;
  seek(target: Bytes): MaybePromise<void>;
  close(): MaybePromise<void>;
}

/**
 * Reads a cursor for one of the three iterator kinds, each entry shaped by
 * `shape`. abstract-level's seek() is synchronous: a worker cursor's seek
 * is sent at once (requests keep their order) and the next read waits for
 * it, so a failed seek fails that read.
 */
class CursorReader<T> {
  private seeking: Promise<void> | undefined;

  constructor(
    private readonly cursor: Cursor,
    private readonly shape: (entry: Entry<Bytes, Bytes>) => T,
  ) {}

  nextv(size: number): Promise<T[]> {
    return mapErrors(async () => {
      const seeking = this.seeking;
      this.seeking = undefined;
      if (seeking) await seeking;
      const out: T[] = [];
      while (out.length < size) {
        let result = this.cursor.next();
        if (result instanceof Promise) result = await result;
        if (result.done) break;
        out.push(this.shape(result.value));
      }
      return out;
    });
  }

  async next(): Promise<T | undefined> {
    return (await this.nextv(1))[0];
  }

  seek(target: Bytes): void {
    let seeking;
    try {
      seeking = this.cursor.seek(target);
    } catch (e) {
      throw toLevelError(e);
    }
    if (seeking instanceof Promise) {
      seeking.catch(() => {}); // reported by the next read
      this.seeking = seeking;
    }
  }

  close(): Promise<void> {
    return mapErrors(() => this.cursor.close());
  }
}

// One class per kind, as abstract-level wants, sharing the calls below.
const kReader = Symbol('reader');

interface Reads {
  [kReader]: CursorReader<unknown>;
}

const readerCalls = {
  _next(this: Reads) {
    return this[kReader].next();
  },
  _nextv(this: Reads, size: number) {
    return this[kReader].nextv(size);
  },
  _all(this: Reads) {
    return this[kReader].nextv(Infinity);
  },
  _seek(this: Reads, target: Bytes) {
    this[kReader].seek(target);
  },
  _close(this: Reads) {
    return this[kReader].close();
  },
};

export class StrataIterator<TDatabase> extends AbstractIterator<TDatabase, Bytes, Bytes> {
  [kReader]: CursorReader<[Bytes, Bytes]>;

  constructor(db: TDatabase, options: object, cursor: Cursor) {
    super(db, options);
    this[kReader] = new CursorReader(cursor, (e) => [e.key, e.value]);
  }
}

export class StrataKeyIterator<TDatabase> extends AbstractKeyIterator<TDatabase, Bytes> {
  [kReader]: CursorReader<Bytes>;

  constructor(db: TDatabase, options: object, cursor: Cursor) {
    super(db, options);
    this[kReader] = new CursorReader(cursor, (e) => e.key);
  }
}

export class StrataValueIterator<TDatabase> extends AbstractValueIterator<TDatabase, Bytes, Bytes> {
  [kReader]: CursorReader<Bytes>;

  constructor(db: TDatabase, options: object, cursor: Cursor) {
    super(db, options);
    this[kReader] = new CursorReader(cursor, (e) => e.value);
  }
}

for (const kind of [StrataIterator, StrataKeyIterator, StrataValueIterator]) Object.assign(kind.prototype, readerCalls);
