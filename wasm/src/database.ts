// A database handle's API (DESIGN.md decision 11): argument checks and
// marshalling into and out of the engine. Reads are synchronous calls into
// wasm; writes apply at once and return a promise that settles by the
// handle's durability mode. The engine handle (engine-handle.ts), the
// background driver (background.ts) and the commit pipeline
// (commit-pipeline.ts) do the rest.
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
  copyInto,
  decode,
  describe,
  maxByteLength,
} from './bytes.js';
import type { ArgWriter } from './args.js';
import { BackgroundDriver } from './background.js';
import { nextTask } from './tasks.js';
import { CommitPipeline } from './commit-pipeline.js';
import { EngineHandle, NOT_FOUND, OK } from './engine-handle.js';
import { StrataError, engineError, invalidArgument } from './errors.js';
import { EntryIterator, type Entry, type RangeOptions, parseLimit, parseRange } from './iterator.js';
import { type Stats, parseStats } from './stats.js';
import { decodeValueList, presenceInValueList, valueListUtf8Wanted } from './value-list.js';
import { chunkHeader } from './entry-chunk.js';
import { ResultCopies } from './slab.js';
import type { IdbDurability, Storage } from './storage.js';
import type { CompactionRunner } from './compaction.js';
import type { StrataEventListener } from './events.js';

// Reads between two looks for background work they made due (afterReads).
const READS_PER_SCHEDULE = 64;

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

/**
 * One step of a pipeline(): applied in order, each write atomic on its own
 * (a batch atomically as a whole), each read seeing the steps before it.
 */
export type PipelineOperation =
  | BatchOperation
  | { type: 'get'; key: Bytes }
  | { type: 'has'; key: Bytes }
  | { type: 'batch'; operations: readonly BatchOperation[] };

/** What each step of a pipeline answers: a get its value, a has whether, a write undefined. */
export type PipelineResult<V> = V | boolean | undefined;

export interface PipelineOptions<V extends Encoding> extends WriteOptions {
  valueEncoding?: V;
}

/** Settings fixed when a handle opens (validated by the runtime). */
export interface HandleSettings<K extends Encoding, V extends Encoding> {
  name: string;
  durability: Durability;
  commitIntervalMs: number;
  /** What commits that a writer awaits ask of IndexedDB. */
  idbDurability: IdbDurability;
  keyEncoding: K;
  valueEncoding: V;
  onError: ((error: StrataError) => void) | undefined;
  /**
   * A read-only handle (OpenOptions.readOnly, or ifLocked: 'readonly'):
   * how to open a fresh one for refresh(). Undefined for a writer.
   */
  reopenReadOnly: (() => Promise<Database<K, V>>) | undefined;
  /** Where compaction jobs run; undefined: inside the engine's own steps. */
  compactionRunner: CompactionRunner | undefined;
}

/** Batch operations read once and checked, with a bound on their encoding. */
interface CheckedBatch {
  ops: { put: boolean; key: Bytes; value: Bytes }[];
  bound: number;
}

/**
 * Reads each operation's fields once: a getter cannot change what was
 * checked and sized before it is encoded. `what` names the list in errors.
 */
function checkBatch(operations: readonly BatchOperation[], what = 'batch'): CheckedBatch {
  if (!Array.isArray(operations)) throw invalidArgument(`${what} takes an array, got ${describe(operations)}`);
  return sizeBatch(operations.map((op: unknown, i) => checkBatchOperation(op, `${what}[${i}]`)));
}

function checkBatchOperation(op: unknown, name: string): CheckedBatch['ops'][number] {
  if (typeof op !== 'object' || op === null) throw invalidArgument(`${name} must be an object`);
  const { type, key, value } = op as { type: unknown; key: unknown; value: unknown };
  checkKey(key, `${name}.key`);
  if (type === 'put') {
    checkValue(value);
    return { put: true, key, value };
  }
  if (type === 'delete') return { put: false, key, value: '' };
  throw invalidArgument(`${name}.type must be 'put' or 'delete', got ${describe(type)}`);
}

/** Bounds the encoding of checked operations; InvalidArgument past the batch limit. */
function sizeBatch(ops: CheckedBatch['ops']): CheckedBatch {
  let bound = 0;
  for (const op of ops) bound += op.put ? 9 + maxByteLength(op.key) + maxByteLength(op.value) : 5 + maxByteLength(op.key);
  if (bound > MAX_BATCH_BYTES) {
    // Strings were bounded at 3 bytes a character; size them exactly.
    bound = 0;
    for (const op of ops) bound += 9 + byteLength(op.key) + byteLength(op.value);
    if (bound > MAX_BATCH_BYTES) throw invalidArgument(`batch of ${bound} bytes exceeds ${MAX_BATCH_BYTES}`);
  }
  return { ops, bound };
}

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
    this.db._releaseSnapshot(this, this.id);
    this.id = 0;
  }
}

export class Database<K extends Encoding = Encoding, V extends Encoding = Encoding> {
  // The parts of a handle (engine-handle.ts, commit-pipeline.ts,
  // background.ts); this class is the API and its marshalling.
  private readonly engine: EngineHandle;
  private readonly commits: CommitPipeline;
  private readonly background: BackgroundDriver;
  private readsSinceSchedule = 0; // afterReads()
  // compact() calls run one after another: the last one's end, and how
  // many are under way or waiting.
  private lastCompaction: Promise<void> = Promise.resolve();
  private compactionsQueued = 0;
  private readonly args: ArgWriter;
  private readonly handle: number; // for the module's _strata_* calls
  /** @internal Where binary results are copied (slab.ts). */
  readonly _copies = new ResultCopies();
  private state: 'open' | 'closing' | 'closed' = 'open';
  private failure: StrataError | undefined;
  // Iterators and snapshots dropped without close()/release() give their
  // engine resources back when collected.
  private readonly cursorFinalizer = new FinalizationRegistry<number>((cursor) => this.releaseCursor(cursor));
  private readonly snapshotFinalizer = new FinalizationRegistry<number>((id) => {
    if (this.engine.open) this.raw.releaseSnapshot(id);
  });

  /** @internal Made by open(). */
  constructor(
    private readonly module: StrataModule,
    private readonly raw: RawDatabase,
    private readonly storage: Storage,
    private readonly settings: HandleSettings<K, V>,
    /** Frees the name and its lock; resolves once the lock is free. */
    private readonly onClosed: () => Promise<void>,
  ) {
    const fail = (e: StrataError) => this.fail(e);
    this.engine = new EngineHandle(module, raw, fail);
    this.args = this.engine.args;
    this.handle = this.engine.handle;
    this.commits = new CommitPipeline(this.engine, storage, settings, fail);
    this.background = new BackgroundDriver(this.engine, this.commits, settings.compactionRunner, storage.directory, fail);
    this.background.schedule(); // recovery may have left a flush or compaction due
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
   * The open option onError hears of it when it happens.
   */
  get readOnlyError(): StrataError | undefined {
    return this.failure;
  }

  // ---- writes

  put(key: Bytes, value: Bytes, options?: WriteOptions): Promise<void> {
    try {
      this.checkWritable();
      checkWriteOptions(options);
      checkKey(key);
      checkValue(value);
      return this.write(options, () => {
        this.args.begin(maxByteLength(key) + maxByteLength(value));
        const keySize = this.args.bytes(key);
        return this.module._strata_put(this.handle, keySize, this.args.bytes(value));
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  delete(key: Bytes, options?: WriteOptions): Promise<void> {
    try {
      this.checkWritable();
      checkWriteOptions(options);
      checkKey(key);
      return this.write(options, () => {
        this.args.begin(maxByteLength(key));
        return this.module._strata_delete(this.handle, this.args.bytes(key));
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Applies the operations atomically, in order: all or none. */
  batch(operations: readonly BatchOperation[], options?: WriteOptions): Promise<void> {
    try {
      this.checkWritable();
      checkWriteOptions(options);
      const ops = checkBatch(operations);
      return this.write(options, () => {
        this.encodeBatch(ops);
        return this.module._strata_write(this.handle, this.args.size);
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- reads

  /** The value of key, or undefined if it has none. */
  get<E extends Encoding = V>(key: Bytes, options?: ReadOptions<E>): Decoded<E> | undefined {
    this.checkOpen();
    checkKey(key);
    checkOptionsObject(options, 'get options');
    const snapshot = this.snapshotId(options?.snapshot);
    const encoding = this.encoding(options?.valueEncoding, this.settings.valueEncoding, 'valueEncoding');
    this.args.begin(maxByteLength(key));
    const code = this.module._strata_get(this.handle, this.args.bytes(key), snapshot);
    this.engine.drainEvents(); // the last reader of replaced tables deletes them
    this.afterReads(1);
    if (code === NOT_FOUND) return undefined;
    this.engine.check(code);
    const { heap, ptr, size } = this.engine.result();
    return decode(heap, ptr, size, encoding as E, this._copies.values);
  }

  /**
   * The values of keys (undefined where none), all read at one point in
   * time; one call into the engine. Binary values are views into one buffer
   * holding the call's values.
   */
  getMany<E extends Encoding = V>(keys: readonly Bytes[], options?: ReadOptions<E>): (Decoded<E> | undefined)[] {
    const encoding = this.encoding(options?.valueEncoding, this.settings.valueEncoding, 'valueEncoding') as E;
    const { heap, ptr, size } = this.readMany(keys, options, true, valueListUtf8Wanted(encoding));
    // Binary values are views into one copy of the list; strings are decoded from wasm memory.
    if (encoding === 'binary') return decodeValueList(this._copies.chunks.copy(heap, ptr, size), 0, encoding);
    return decodeValueList(heap, ptr, encoding);
  }

  /**
   * @internal getMany's values undecoded, copied into a buffer from
   * intoFor(their encoding) (format in value-list.ts), with the encoding to
   * decode them in; for the database worker, which sends them as they are.
   */
  _getManyList(
    keys: readonly Bytes[],
    options: ReadOptions<Encoding> | undefined,
    intoFor: (encoding: Encoding) => (size: number) => Uint8Array,
  ): { list: Uint8Array; encoding: Encoding } {
    const encoding = this.encoding(options?.valueEncoding, this.settings.valueEncoding, 'valueEncoding');
    return { list: copyInto(intoFor(encoding), this.readMany(keys, options, true, valueListUtf8Wanted(encoding))), encoding };
  }

  /** Whether key has a value. */
  has(key: Bytes, options?: ReadOptions<Encoding>): boolean {
    return this.hasMany([key], options)[0]!;
  }

  /** Whether each key has a value, all at one point in time; one call into the engine. */
  hasMany(keys: readonly Bytes[], options?: ReadOptions<Encoding>): boolean[] {
    const { heap, ptr } = this.readMany(keys, options, false, 0);
    return presenceInValueList(heap, ptr);
  }

  /**
   * Applies steps in order (puts, deletes, batches, gets, has) and answers
   * each: a get its value, a has a boolean, a write undefined. Every step is
   * checked before any is applied; the promise settles by the durability
   * mode once all are applied. One round trip through a worker.
   */
  pipeline<E extends Encoding = V>(
    operations: readonly PipelineOperation[],
    options?: PipelineOptions<E>,
  ): Promise<PipelineResult<Decoded<E>>[]> {
    try {
      this.checkOpen();
      checkWriteOptions(options);
      const encoding = this.encoding(options?.valueEncoding, this.settings.valueEncoding, 'valueEncoding') as E;
      const steps = checkPipeline(operations);
      if (steps.some((s) => s.write)) this.checkWritable();
      return this.runPipeline(steps, encoding, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Entries of a range, in an array. */
  scan<KE extends Encoding = K, VE extends Encoding = V>(
    options?: ScanOptions<KE, VE>,
  ): Entry<Decoded<KE>, Decoded<VE>>[] {
    // It never reaches the caller, so no finalizer needs to watch it.
    const it = this.newIterator(options, false);
    try {
      return Array.from(it);
    } finally {
      it.close();
    }
  }

  /** Entries of a range, one at a time, from the state of this moment. */
  iterator<KE extends Encoding = K, VE extends Encoding = V>(options?: ScanOptions<KE, VE>): EntryIterator<KE, VE> {
    return this.newIterator(options, true);
  }

  /** An iterator; one the caller may drop without close() is watched by the finalizer. */
  private newIterator<KE extends Encoding, VE extends Encoding>(
    options: ScanOptions<KE, VE> | undefined,
    mayBeDropped: boolean,
  ): EntryIterator<KE, VE> {
    this.checkOpen();
    checkOptionsObject(options, 'scan options');
    const opts = options ?? {};
    if (opts.reverse !== undefined && typeof opts.reverse !== 'boolean') throw invalidArgument('reverse must be a boolean');
    const range = parseRange(opts);
    const limit = parseLimit(opts.limit);
    const keyEncoding = this.encoding(opts.keyEncoding, this.settings.keyEncoding, 'keyEncoding') as KE;
    const valueEncoding = this.encoding(opts.valueEncoding, this.settings.valueEncoding, 'valueEncoding') as VE;
    const snapshot = this.snapshotId(opts.snapshot);
    const { lower, upper } = range;
    this.args.begin((lower ? maxByteLength(lower) : 0) + (upper ? maxByteLength(upper) : 0));
    const lowerSize = lower !== undefined ? this.args.bytes(lower) : 0;
    const upperSize = upper !== undefined ? this.args.bytes(upper) : 0;
    const cursor = this.module._strata_new_cursor(
      this.handle,
      lower !== undefined ? 1 : 0,
      lowerSize,
      range.lowerInclusive ? 1 : 0,
      upper !== undefined ? 1 : 0,
      upperSize,
      range.upperInclusive ? 1 : 0,
      opts.reverse === true ? 1 : 0,
      snapshot,
    );
    if (cursor === 0) throw engineError(this.raw.lastCode(), this.raw.lastError());
    const it = new EntryIterator<KE, VE>(this as Database, cursor, limit, keyEncoding, valueEncoding);
    if (mayBeDropped) this.cursorFinalizer.register(it, cursor, it);
    return it;
  }

  /** A view of the database as of now, for get, scan and iterator. */
  snapshot(): Snapshot {
    this.checkOpen();
    const id = this.raw.newSnapshot();
    if (id === 0) throw engineError(this.raw.lastCode(), this.raw.lastError());
    const snapshot = new Snapshot(this as Database, id);
    this.snapshotFinalizer.register(snapshot, id, snapshot);
    return snapshot;
  }

  // ---- maintenance

  /** Resolves when every write made so far is durable. */
  sync(): Promise<void> {
    if (this.state !== 'open') return Promise.reject(closedError(this.name));
    return this.commits.durable();
  }

  /** Writes the memtable to a table, then waits for durability. */
  flush(): Promise<void> {
    try {
      this.checkWritable();
      return this.background
        .flushInSteps()
        .then(() => {
          this.checkWritable(); // closed or failed meanwhile
          return this.whenNotBusy(() => this.raw.flush()); // what was written meanwhile
        })
        .then(() => {
          this.background.schedule();
          return this.commits.durable();
        });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Compacts the tables holding [gte, lte] (the whole database without a
   * range) down to one level, dropping every overwritten version and
   * tombstone that no snapshot needs; then waits for durability. Runs job
   * by job, each in a task of its own (or at the compaction runner), so
   * that calls and background work go on between them; compact() calls
   * run one after another.
   */
  compact(range?: { gte?: Bytes; lte?: Bytes }): Promise<void> {
    try {
      this.checkWritable();
      checkOptionsObject(range, 'compact range');
      const { gte, lte, ...rest } = range ?? {};
      if (Object.keys(rest).length > 0) throw invalidArgument('a compact range takes gte and lte only');
      if (gte !== undefined) checkKey(gte, 'gte');
      if (lte !== undefined) checkKey(lte, 'lte');
      // Copies of the bounds as they are now, for the calls after the
      // memtable's flush (a Buffer's slice() would share its bytes).
      const [begin, end] = [gte, lte].map((b) => (b === undefined || typeof b === 'string' ? b : new Uint8Array(b)));
      // One at a time (two ranges taking turns job by job would each start
      // the other over); with none under way, it starts at once, as
      // flush() does.
      const run = () => this.compactJobByJob(begin, end);
      const done = this.compactionsQueued === 0 ? run() : this.lastCompaction.then(run);
      this.compactionsQueued++;
      const settled = () => {
        this.compactionsQueued--;
      };
      this.lastCompaction = done.then(settled, settled);
      return done;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private async compactJobByJob(begin: Bytes | undefined, end: Bytes | undefined): Promise<void> {
    this.checkWritable(); // closed or failed while an earlier call ran
    await this.background.flushInSteps();
    // One job a call into the engine; each call after the first goes on
    // where the last stopped (CompactRangeOptions::resume).
    let resume = false;
    let finished = false;
    for (;;) {
      this.checkWritable(); // closed or failed meanwhile
      await this.whenNotBusy(() => {
        this.args.begin((begin ? maxByteLength(begin) : 0) + (end ? maxByteLength(end) : 0));
        const beginSize = begin !== undefined ? this.args.bytes(begin) : 0;
        const endSize = end !== undefined ? this.args.bytes(end) : 0;
        const code = this.raw.compact(begin !== undefined, beginSize, end !== undefined, endSize, 1, resume);
        finished = this.raw.compactFinished();
        resume = true;
        return code;
      });
      if (finished) break;
      // A job ran in this thread (compaction: 'inline'): its install is
      // committed as a background step's would be, and the next job runs in
      // a task of its own, so that calls and timers that came meanwhile go
      // on between the two.
      this.commits.deferred();
      this.background.schedule();
      await nextTask();
    }
    this.background.schedule();
    return this.commits.durable();
  }

  /**
   * Calls listener with every event the database reports (events.ts):
   * flushes, compactions, write stalls, durability points, errors. Returns
   * the function that unsubscribes it.
   */
  subscribe(listener: StrataEventListener): () => void {
    return this.engine.events.subscribe(listener);
  }

  /** Whether this is a read-only handle (see OpenOptions.readOnly). */
  get readOnly(): boolean {
    return this.settings.reopenReadOnly !== undefined;
  }

  /**
   * For a read-only handle: closes it and opens a new one on what is stored
   * now (the writer's durable writes since this one opened included).
   */
  async refresh(): Promise<Database<K, V>> {
    const reopen = this.settings.reopenReadOnly;
    if (!reopen) throw invalidArgument('refresh() is for read-only handles');
    await this.close();
    return reopen();
  }

  /** The engine's counters, gauges, levels and latency histograms. */
  stats(): Stats {
    this.checkOpen();
    const stats = parseStats(this.raw.statsJson(), this.commits.snapshot(), this.background.stats);
    if (this.failure && !stats.readOnly) {
      stats.readOnly = true;
      stats.readOnlyReason = this.failure.message;
    }
    return stats;
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
    this.background.stop();
    // Closes the WAL segment, and every cursor and snapshot with the engine.
    const closeCode = this.engine.close();
    const closeError = closeCode === OK ? undefined : this.engine.error(closeCode);
    try {
      // Rejects with the failure if a commit failed before: what came after
      // it is not durable, and close() must say so.
      await this.commits.durable();
      // Outputs a compaction worker stored for a job that was then dropped.
      // Left there if this fails: the engine deletes them at the next open.
      if (this.background.mayHaveLeftFiles) await this.storage.removeUnlisted?.().catch(() => undefined);
    } finally {
      this.commits.stop();
      this.state = 'closed';
      this.engine.release();
      this.storage.release();
      await this.onClosed();
    }
    if (closeError) throw closeError;
  }

  // ---- internals used by EntryIterator and Snapshot

  /** @internal */
  _cursorNext(
    cursor: number,
    maxEntries: number,
    maxBytes: number,
    utf8Wanted: number,
  ): { heap: Uint8Array; ptr: number; size: number } {
    this.checkOpen();
    this.engine.check(this.module._strata_cursor_next(this.handle, cursor, maxEntries, maxBytes, utf8Wanted));
    const { heap, ptr } = this.engine.result();
    this.afterReads(chunkHeader(heap, ptr).count);
    return this.engine.result(); // read again after the engine call afterReads may make
  }

  /** @internal */
  _cursorSeek(cursor: number, target: Bytes): void {
    this.checkOpen();
    checkKey(target, 'seek target');
    this.args.begin(maxByteLength(target));
    this.engine.check(this.module._strata_cursor_seek(this.handle, cursor, this.args.bytes(target)));
  }

  /** @internal */
  _closeCursor(it: EntryIterator<Encoding, Encoding>, cursor: number): void {
    this.cursorFinalizer.unregister(it);
    this.releaseCursor(cursor);
  }

  /** @internal */
  _releaseSnapshot(snapshot: Snapshot, id: number): void {
    this.snapshotFinalizer.unregister(snapshot);
    if (this.engine.open) this.engine.check(this.raw.releaseSnapshot(id)); // else closed with the engine
  }

  // ---- private

  /**
   * Reads can make a compaction due (a table that lookups keep reading past:
   * seek compaction), which runs in background steps like any other: look
   * for one every READS_PER_SCHEDULE reads (the allowance of a table is 100
   * lookups or more), not after each.
   */
  private afterReads(count: number): void {
    this.readsSinceSchedule += count;
    if (this.readsSinceSchedule < READS_PER_SCHEDULE) return;
    this.readsSinceSchedule = 0;
    this.background.schedule();
  }

  /**
   * Reads keys in one engine call (strata_get_many); answers where wasm
   * wrote their value list (value-list.ts), read before the next call.
   */
  private readMany(
    keys: readonly Bytes[],
    options: ReadOptions<Encoding> | undefined,
    values: boolean,
    utf8Wanted: number,
  ): { heap: Uint8Array; ptr: number; size: number } {
    this.checkOpen();
    if (!Array.isArray(keys)) throw invalidArgument(`keys must be an array, got ${describe(keys)}`);
    checkOptionsObject(options, 'read options');
    const snapshot = this.snapshotId(options?.snapshot);
    let bound = 0;
    for (let i = 0; i < keys.length; i++) {
      checkKey(keys[i], `keys[${i}]`);
      bound += 4 + maxByteLength(keys[i]!);
    }
    if (bound > MAX_BATCH_BYTES) throw invalidArgument(`keys of up to ${bound} bytes exceed ${MAX_BATCH_BYTES}`);
    this.args.begin(bound);
    for (const key of keys) {
      const at = this.args.reserveU32();
      this.args.setU32(at, this.args.bytes(key));
    }
    const code = this.module._strata_get_many(this.handle, this.args.size, snapshot, values ? 1 : 0, utf8Wanted);
    this.engine.drainEvents();
    this.afterReads(keys.length);
    this.engine.check(code);
    return this.engine.result();
  }

  private async runPipeline<E extends Encoding>(
    steps: PipelineStep[],
    encoding: E,
    options: WriteOptions | undefined,
  ): Promise<PipelineResult<Decoded<E>>[]> {
    const results: PipelineResult<Decoded<E>>[] = [];
    let wrote = false;
    for (const step of steps) {
      if (step.read) {
        this.checkOpen();
        results.push(step.read === 'get' ? this.get(step.key, { valueEncoding: encoding }) : this.has(step.key));
        continue;
      }
      const waiting = this.whenNotBusy(() => {
        this.encodeBatch(step.write!);
        return this.module._strata_write(this.handle, this.args.size);
      });
      if (waiting) await waiting;
      wrote = true;
      results.push(undefined);
    }
    if (wrote) await this.acknowledge(options);
    return results;
  }

  /**
   * Closes an engine cursor. The last reader of tables that a compaction
   * replaced makes the engine delete them: commit that, so storage does not
   * keep them until the next write.
   */
  private releaseCursor(cursor: number): void {
    if (!this.engine.open) return;
    this.module._strata_close_cursor(this.handle, cursor);
    this.engine.drainEvents();
    if (this.state === 'open' && this.module._strata_has_changes(this.handle) !== 0) this.commits.deferred();
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw closedError(this.name);
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.settings.reopenReadOnly) {
      throw new StrataError('ReadOnly', `this handle of database ${this.name} is read-only`);
    }
    const failure = this.failure;
    if (failure) {
      throw new StrataError(failure.code, `database ${this.name} is read-only: ${failure.message}`, { cause: failure });
    }
  }

  /** Turns the handle read-only for good, and tells onError once. */
  private fail(error: StrataError): void {
    if (this.failure) return;
    this.failure = error;
    this.engine.events.emit({ type: 'error', code: error.code, message: error.message });
    const onError = this.settings.onError;
    if (onError) queueMicrotask(() => onError(error));
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

  /** Encodes checked operations into the scratch. */
  private encodeBatch(batch: CheckedBatch): void {
    this.args.begin(batch.bound);
    for (const op of batch.ops) {
      this.args.u8(op.put ? 1 : 0);
      const keySizeAt = this.args.reserveU32();
      this.args.setU32(keySizeAt, this.args.bytes(op.key));
      if (op.put) {
        const valueSizeAt = this.args.reserveU32();
        this.args.setU32(valueSizeAt, this.args.bytes(op.value));
      }
    }
  }

  /** Applies a write (apply returns its status code); answers by the durability mode. */
  private write(options: WriteOptions | undefined, apply: () => number): Promise<void> {
    const waiting = this.whenNotBusy(apply);
    return waiting ? waiting.then(() => this.acknowledge(options)) : this.acknowledge(options);
  }

  /** Runs call through the driver's Busy retry, giving up if the handle stops being writable. */
  private whenNotBusy(call: () => number): Promise<void> | undefined {
    return this.background.whenNotBusy(call, () => this.checkWritable());
  }

  /** The promise a write returns, by durability, and background work. */
  private acknowledge(options: WriteOptions | undefined): Promise<void> {
    this.background.schedule();
    this.background.startCompaction(); // a write that had to make room may have picked one
    const durable = options?.durable ?? this.settings.durability === 'durable';
    if (this.failure) return Promise.reject(this.failure);
    if (durable) return this.commits.durable();
    this.commits.deferred();
    return Promise.resolve();
  }
}

/** A pipeline step, checked: a read, or a write as a batch. */
interface PipelineStep {
  read?: 'get' | 'has';
  key: Bytes;
  write?: CheckedBatch;
}

function checkPipeline(operations: readonly PipelineOperation[]): PipelineStep[] {
  if (!Array.isArray(operations)) throw invalidArgument(`pipeline takes an array, got ${describe(operations)}`);
  return operations.map((op: unknown, i) => {
    if (typeof op !== 'object' || op === null) throw invalidArgument(`pipeline[${i}] must be an object`);
    const { type, key, operations: inner } = op as { type: unknown; key: unknown; operations: unknown };
    if (type === 'get' || type === 'has') {
      checkKey(key, `pipeline[${i}].key`);
      return { read: type, key };
    }
    if (type === 'batch') return { key: '', write: checkBatch(inner as BatchOperation[], `pipeline[${i}].operations`) };
    if (type === 'put' || type === 'delete') return { key: '', write: sizeBatch([checkBatchOperation(op, `pipeline[${i}]`)]) };
    throw invalidArgument(`pipeline[${i}].type must be 'put', 'delete', 'batch', 'get' or 'has', got ${describe(type)}`);
  });
}

function checkOptionsObject(options: unknown, what: string): void {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalidArgument(`${what} must be an object, got ${describe(options)}`);
  }
}

function checkWriteOptions(options: unknown): void {
  checkOptionsObject(options, 'write options');
  const durable = (options as WriteOptions | undefined)?.durable;
  if (durable !== undefined && typeof durable !== 'boolean') throw invalidArgument('durable must be a boolean');
}

function closedError(name: string): StrataError {
  return new StrataError('Closed', `database ${name} is closed`);
}
