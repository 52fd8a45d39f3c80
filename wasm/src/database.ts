// A database handle: the engine (through the Embind binding), the storage it
// persists to, and the group committer between them. Reads are synchronous
// calls into wasm; writes apply at once and return a promise that settles
// by the handle's durability mode.
import type { RawDatabase, StrataModule } from './strata.js';
import {
  type Bytes,
  type Decoded,
  type Encoding,
  MAX_BATCH_BYTES,
  byteLength,
  checkEncoding,
  checkKey,
  checkValue,
  decode,
  describe,
  maxByteLength,
} from './bytes.js';
import { ArgWriter } from './args.js';
import { Committer } from './committer.js';
import { StrataError, engineError, invalidArgument } from './errors.js';
import { EntryIterator, type Entry, type RangeOptions, parseLimit, parseRange } from './iterator.js';
import { type CommitStats, type Stats, parseStats } from './stats.js';
import type { IdbDurability, Storage } from './storage.js';

export type Durability = 'durable' | 'deferred';

export interface WriteOptions {
  /** Overrides the handle's durability mode for this write. */
  durable?: boolean;
}

export interface ReadOptions<V extends Encoding> {
  snapshot?: Snapshot;
  valueEncoding?: V;
}

export interface ScanOptions<K extends Encoding, V extends Encoding> extends RangeOptions {
  /** Most entries to return; default all. */
  limit?: number;
  /** Descending key order. */
  reverse?: boolean;
  snapshot?: Snapshot;
  keyEncoding?: K;
  valueEncoding?: V;
}

export type BatchOperation =
  | { type: 'put'; key: Bytes; value: Bytes }
  | { type: 'delete'; key: Bytes };

/** Settings fixed when a handle opens (validated by the runtime). */
export interface HandleSettings<K extends Encoding, V extends Encoding> {
  name: string;
  durability: Durability;
  commitIntervalMs: number;
  /** What commits that a writer awaits ask of IndexedDB. */
  idbDurability: IdbDurability;
  keyEncoding: K;
  valueEncoding: V;
}

const OK = 0;
const NOT_FOUND = 1;

/** A point-in-time view for reads. Release it when done. */
export class Snapshot {
  /** @internal */
  constructor(
    readonly db: Database,
    /** @internal */ public id: number,
  ) {}

  get released(): boolean {
    return this.id === 0;
  }

  release(): void {
    if (this.id === 0) return;
    this.db._releaseSnapshot(this.id);
    this.id = 0;
  }
}

export class Database<K extends Encoding = Encoding, V extends Encoding = Encoding> {
  private readonly args: ArgWriter;
  private readonly descriptor: number; // uint32 index of {pointer, length}
  private readonly handle: number; // for the module's _strata_* calls
  private readonly committer: Committer;
  private readonly commitStats: CommitStats = {
    commits: 0,
    filesStored: 0,
    filesDeleted: 0,
    bytesStored: 0,
    commitMicros: 0,
  };
  private rawOpen = true;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private workTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly finalizer = new FinalizationRegistry<number>((cursor) => {
    if (this.rawOpen) this.raw.closeCursor(cursor);
  });

  /** @internal Made by open(). */
  constructor(
    private readonly module: StrataModule,
    private readonly raw: RawDatabase,
    private readonly storage: Storage,
    private readonly settings: HandleSettings<K, V>,
    private readonly onClosed: () => void,
  ) {
    this.args = new ArgWriter(module, raw);
    this.descriptor = raw.descriptor() >>> 2;
    this.handle = raw.handle();
    this.committer = new Committer((durable) => this.commit(durable), settings.commitIntervalMs, () => {});
  }

  get name(): string {
    return this.settings.name;
  }

  get closed(): boolean {
    return this.state !== 'open';
  }

  /**
   * Why writes are refused, if they are: a failed commit (QuotaExceeded,
   * IOError) or an engine background error (ReadOnly). Reads still work.
   */
  get readOnlyError(): StrataError | undefined {
    return this.committer.failed;
  }

  // ---- writes

  put(key: Bytes, value: Bytes, options?: WriteOptions): Promise<void> {
    try {
      this.checkWritable();
      checkKey(key);
      checkValue(value);
      this.args.begin(maxByteLength(key) + maxByteLength(value));
      const keySize = this.args.bytes(key);
      const valueSize = this.args.bytes(value);
      this.check(this.module._strata_put(this.handle, keySize, valueSize));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.acknowledge(options);
  }

  delete(key: Bytes, options?: WriteOptions): Promise<void> {
    try {
      this.checkWritable();
      checkKey(key);
      this.args.begin(maxByteLength(key));
      this.check(this.module._strata_delete(this.handle, this.args.bytes(key)));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.acknowledge(options);
  }

  /** Applies the operations atomically, in order: all or none. */
  batch(operations: readonly BatchOperation[], options?: WriteOptions): Promise<void> {
    try {
      this.checkWritable();
      this.encodeBatch(operations);
      this.check(this.module._strata_write(this.handle, this.args.size));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.acknowledge(options);
  }

  // ---- reads

  /** The value of key, or undefined if it has none. */
  get<E extends Encoding = V>(key: Bytes, options?: ReadOptions<E>): Decoded<E> | undefined {
    this.checkOpen();
    checkKey(key);
    const snapshot = this.snapshotId(options?.snapshot);
    const encoding = this.encoding(options?.valueEncoding, this.settings.valueEncoding, 'valueEncoding');
    this.args.begin(maxByteLength(key));
    const code = this.module._strata_get(this.handle, this.args.bytes(key), snapshot);
    if (code === NOT_FOUND) return undefined;
    this.check(code);
    const { heap, ptr, size } = this.result();
    return decode(heap, ptr, size, encoding as E);
  }

  /** Entries of a range, in an array. */
  scan<KE extends Encoding = K, VE extends Encoding = V>(
    options?: ScanOptions<KE, VE>,
  ): Entry<Decoded<KE>, Decoded<VE>>[] {
    return Array.from(this.iterator(options));
  }

  /** Entries of a range, one at a time, from the state of this moment. */
  iterator<KE extends Encoding = K, VE extends Encoding = V>(options?: ScanOptions<KE, VE>): EntryIterator<KE, VE> {
    this.checkOpen();
    const opts = options ?? {};
    if (typeof opts !== 'object') throw invalidArgument(`scan options must be an object, got ${describe(opts)}`);
    const range = parseRange(opts);
    const limit = parseLimit(opts.limit);
    const keyEncoding = this.encoding(opts.keyEncoding, this.settings.keyEncoding, 'keyEncoding') as KE;
    const valueEncoding = this.encoding(opts.valueEncoding, this.settings.valueEncoding, 'valueEncoding') as VE;
    const snapshot = this.snapshotId(opts.snapshot);
    const { lower, upper } = range;
    this.args.begin((lower ? maxByteLength(lower) : 0) + (upper ? maxByteLength(upper) : 0));
    const lowerSize = lower !== undefined ? this.args.bytes(lower) : 0;
    const upperSize = upper !== undefined ? this.args.bytes(upper) : 0;
    const cursor = this.raw.newCursor(
      lower !== undefined,
      lowerSize,
      range.lowerInclusive,
      upper !== undefined,
      upperSize,
      range.upperInclusive,
      opts.reverse === true,
      snapshot,
    );
    if (cursor === 0) throw engineError(this.raw.lastCode(), this.raw.lastError());
    const it = new EntryIterator<KE, VE>(this as Database, cursor, limit, keyEncoding, valueEncoding);
    this.finalizer.register(it, cursor, it);
    return it;
  }

  /** A view of the database as of now, for get, scan and iterator. */
  snapshot(): Snapshot {
    this.checkOpen();
    const id = this.raw.newSnapshot();
    if (id === 0) throw engineError(this.raw.lastCode(), this.raw.lastError());
    return new Snapshot(this as Database, id);
  }

  // ---- maintenance

  /** Resolves when every write made so far is durable. */
  sync(): Promise<void> {
    if (this.state !== 'open') return Promise.reject(closedError(this.name));
    return this.committer.durable();
  }

  /** Writes the memtable to a table, then waits for durability. */
  flush(): Promise<void> {
    try {
      this.checkWritable();
      this.check(this.raw.flush());
    } catch (e) {
      return Promise.reject(e);
    }
    return this.committer.durable();
  }

  /**
   * Compacts the tables holding [gte, lte] (the whole database without a
   * range) down to one level, dropping every overwritten version and
   * tombstone that no snapshot needs; then waits for durability.
   */
  compact(range?: { gte?: Bytes; lte?: Bytes }): Promise<void> {
    try {
      this.checkWritable();
      const { gte, lte } = range ?? {};
      if (gte !== undefined) checkKey(gte, 'gte');
      if (lte !== undefined) checkKey(lte, 'lte');
      this.args.begin((gte ? maxByteLength(gte) : 0) + (lte ? maxByteLength(lte) : 0));
      const beginSize = gte !== undefined ? this.args.bytes(gte) : 0;
      const endSize = lte !== undefined ? this.args.bytes(lte) : 0;
      this.check(this.raw.compact(gte !== undefined, beginSize, lte !== undefined, endSize));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.committer.durable();
  }

  /** The engine's counters, gauges, levels and latency histograms. */
  stats(): Stats {
    this.checkOpen();
    return parseStats(this.raw.statsJson(), this.commitStats);
  }

  /** The same stats in Prometheus text format. */
  metrics(): string {
    this.checkOpen();
    return this.raw.metrics();
  }

  /**
   * Makes every write durable and closes the handle; open iterators and
   * snapshots end with it. Rejects if the last commit fails (the handle is
   * closed all the same).
   */
  async close(): Promise<void> {
    if (this.state !== 'open') throw closedError(this.name);
    this.state = 'closing';
    if (this.workTimer !== undefined) clearTimeout(this.workTimer);
    // Closes the WAL segment, and every cursor and snapshot with the engine.
    const closeCode = this.raw.close();
    const closeError = closeCode === OK ? undefined : engineError(closeCode, this.raw.lastError());
    this.rawOpen = false;
    try {
      // Rejects with the failure if a commit failed before: what came after
      // it is not durable, and close() must say so.
      await this.committer.durable();
    } finally {
      this.committer.stop();
      this.state = 'closed';
      this.raw.delete();
      this.storage.release();
      this.onClosed();
    }
    if (closeError) throw closeError;
  }

  // ---- internals used by EntryIterator and Snapshot

  /** @internal */
  _cursorNext(cursor: number, maxEntries: number, maxBytes: number): { heap: Uint8Array; ptr: number; size: number } {
    this.checkOpen();
    this.check(this.module._strata_cursor_next(this.handle, cursor, maxEntries, maxBytes));
    return this.result();
  }

  /** @internal */
  _cursorSeek(cursor: number, target: Bytes): void {
    this.checkOpen();
    checkKey(target, 'seek target');
    this.args.begin(maxByteLength(target));
    this.check(this.module._strata_cursor_seek(this.handle, cursor, this.args.bytes(target)));
  }

  /** @internal */
  _closeCursor(it: EntryIterator<Encoding, Encoding>, cursor: number): void {
    this.finalizer.unregister(it);
    if (this.rawOpen) this.raw.closeCursor(cursor);
  }

  /** @internal */
  _releaseSnapshot(id: number): void {
    if (this.rawOpen) this.check(this.raw.releaseSnapshot(id)); // else closed with the engine
  }

  // ---- private

  private checkOpen(): void {
    if (this.state !== 'open') throw closedError(this.name);
  }

  private checkWritable(): void {
    this.checkOpen();
    const failure = this.committer.failed;
    if (failure) {
      throw new StrataError(failure.code, `database ${this.name} is read-only after a failed commit: ${failure.message}`, {
        cause: failure,
      });
    }
  }

  private check(code: number): void {
    if (code !== OK) throw engineError(code, this.raw.lastError());
  }

  private encoding(given: unknown, fallback: Encoding, what: string): Encoding {
    checkEncoding(given, what);
    return given ?? fallback;
  }

  private snapshotId(snapshot: unknown): number {
    if (snapshot === undefined) return 0;
    if (!(snapshot instanceof Snapshot) || snapshot.db !== (this as Database)) {
      throw invalidArgument('snapshot must come from this database');
    }
    if (snapshot.released) throw invalidArgument('snapshot was released');
    return snapshot.id;
  }

  /** The bytes a call left in wasm memory. */
  private result(): { heap: Uint8Array; ptr: number; size: number } {
    const u32 = this.module.HEAPU32;
    return { heap: this.module.HEAPU8, ptr: u32[this.descriptor]!, size: u32[this.descriptor + 1]! };
  }

  private encodeBatch(operations: readonly BatchOperation[]): void {
    if (!Array.isArray(operations)) throw invalidArgument(`batch takes an array, got ${describe(operations)}`);
    // Each field is read once, into ops: a getter cannot change what was
    // checked and sized before it is encoded.
    const ops: { put: boolean; key: Bytes; value: Bytes }[] = [];
    let bound = 0;
    for (let i = 0; i < operations.length; i++) {
      const op: unknown = operations[i];
      if (typeof op !== 'object' || op === null) throw invalidArgument(`batch[${i}] must be an object`);
      const { type, key, value } = op as { type: unknown; key: unknown; value: unknown };
      checkKey(key, `batch[${i}].key`);
      if (type === 'put') {
        checkValue(value);
        ops.push({ put: true, key, value });
        bound += 9 + maxByteLength(key) + maxByteLength(value);
      } else if (type === 'delete') {
        ops.push({ put: false, key, value: '' });
        bound += 5 + maxByteLength(key);
      } else {
        throw invalidArgument(`batch[${i}].type must be 'put' or 'delete', got ${describe(type)}`);
      }
    }
    if (bound > MAX_BATCH_BYTES) {
      // Strings were bounded at 3 bytes a character; size them exactly.
      bound = 0;
      for (const op of ops) bound += 9 + byteLength(op.key) + byteLength(op.value);
      if (bound > MAX_BATCH_BYTES) throw invalidArgument(`batch of ${bound} bytes exceeds ${MAX_BATCH_BYTES}`);
    }
    this.args.begin(bound);
    for (const op of ops) {
      this.args.u8(op.put ? 1 : 0);
      const keySizeAt = this.args.reserveU32();
      this.args.setU32(keySizeAt, this.args.bytes(op.key));
      if (op.put) {
        const valueSizeAt = this.args.reserveU32();
        this.args.setU32(valueSizeAt, this.args.bytes(op.value));
      }
    }
  }

  /** The promise a write returns, by durability, and background work. */
  private acknowledge(options: WriteOptions | undefined): Promise<void> {
    this.scheduleWork();
    const durable = options?.durable ?? this.settings.durability === 'durable';
    if (durable) return this.committer.durable();
    this.committer.deferred();
    return Promise.resolve();
  }

  /** Runs pending flushes and compactions one step per task. */
  private scheduleWork(): void {
    if (this.workTimer !== undefined || this.module._strata_has_pending_work(this.handle) === 0) return;
    this.workTimer = setTimeout(() => {
      this.workTimer = undefined;
      if (this.state !== 'open') return;
      // An error here makes the engine read-only; writes then report it.
      this.raw.runPendingWork();
      this.committer.deferred();
      this.scheduleWork();
    }, 0);
  }

  /** One durability point: close the WAL segment, store what changed. */
  private async commit(durable: boolean): Promise<void> {
    const started = performance.now();
    if (this.rawOpen) this.check(this.raw.sync());
    const paths = this.raw.takeChanges().split('\n');
    paths.pop(); // after the last '\n'
    if (paths.length === 0) return;
    const stored = await this.storage.commit(paths, durable ? this.settings.idbDurability : 'relaxed');
    const s = this.commitStats;
    s.commits++;
    s.filesStored += stored.files;
    s.filesDeleted += paths.length - stored.files;
    s.bytesStored += stored.bytes;
    s.commitMicros += Math.round((performance.now() - started) * 1000);
  }
}

function closedError(name: string): StrataError {
  return new StrataError('Closed', `database ${name} is closed`);
}
