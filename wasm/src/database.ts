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
import { type CommitStats, type CompactionJobStats, type Stats, parseStats } from './stats.js';
import type { IdbDurability, Storage } from './storage.js';
import type { CompactionJobMessage, CompactionReply, CompactionRunner } from './compaction.js';
import { EventHub, type StrataEventListener } from './events.js';

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
  onError: ((error: StrataError) => void) | undefined;
  /**
   * A read-only handle (OpenOptions.readOnly, or ifLocked: 'readonly'):
   * how to open a fresh one for refresh(). Undefined for a writer.
   */
  reopenReadOnly: (() => Promise<Database<K, V>>) | undefined;
  /** Where compaction jobs run; undefined: inside the engine's own steps. */
  compactionRunner: CompactionRunner | undefined;
}

const OK = 0;
const NOT_FOUND = 1;
const BUSY = 5;

/** Batch operations read once and checked, with a bound on their encoding. */
interface CheckedBatch {
  ops: { put: boolean; key: Bytes; value: Bytes }[];
  bound: number;
}

/**
 * Reads each operation's fields once: a getter cannot change what was
 * checked and sized before it is encoded.
 */
function checkBatch(operations: readonly BatchOperation[]): CheckedBatch {
  if (!Array.isArray(operations)) throw invalidArgument(`batch takes an array, got ${describe(operations)}`);
  const ops: CheckedBatch['ops'] = [];
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
    lastDurableAt: 0,
  };
  private rawOpen = true;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private failure: StrataError | undefined;
  // A relaxed commit stored data since the last strict one: a strict commit
  // must run even if nothing changed since, to flush it to disk.
  private relaxedSinceStrict = false;
  private workTimer: ReturnType<typeof setTimeout> | undefined;
  private compactionInFlight: Promise<void> | undefined;
  private waitingCalls = 0; // calls waiting for compactionInFlight (a write stall)
  private readonly compactionStats: CompactionJobStats;
  private readonly events = new EventHub();
  private lastJob = 0; // compaction job ids, for events
  // Iterators and snapshots dropped without close()/release() give their
  // engine resources back when collected.
  private readonly cursorFinalizer = new FinalizationRegistry<number>((cursor) => this.releaseCursor(cursor));
  private readonly snapshotFinalizer = new FinalizationRegistry<number>((id) => {
    if (this.rawOpen) this.raw.releaseSnapshot(id);
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
    this.committer = new Committer(
      (durable) => this.commit(durable),
      settings.commitIntervalMs,
      (e) => this.fail(e),
    );
    this.compactionStats = { runner: settings.compactionRunner?.kind ?? 'inline', sent: 0, installed: 0, runHere: 0 };
    this.scheduleWork(); // recovery may have left a flush or compaction due
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
    if (code === NOT_FOUND) return undefined;
    this.check(code);
    const { heap, ptr, size } = this.result();
    return decode(heap, ptr, size, encoding as E);
  }

  /** Entries of a range, in an array. */
  scan<KE extends Encoding = K, VE extends Encoding = V>(
    options?: ScanOptions<KE, VE>,
  ): Entry<Decoded<KE>, Decoded<VE>>[] {
    const it = this.iterator(options);
    try {
      return Array.from(it);
    } finally {
      it.close();
    }
  }

  /** Entries of a range, one at a time, from the state of this moment. */
  iterator<KE extends Encoding = K, VE extends Encoding = V>(options?: ScanOptions<KE, VE>): EntryIterator<KE, VE> {
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
    this.cursorFinalizer.register(it, cursor, it);
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
    return this.committer.durable();
  }

  /** Writes the memtable to a table, then waits for durability. */
  flush(): Promise<void> {
    try {
      this.checkWritable();
      return Promise.resolve(this.whenNotBusy(() => this.flushReporting())).then(() => {
        this.scheduleWork();
        return this.committer.durable();
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Compacts the tables holding [gte, lte] (the whole database without a
   * range) down to one level, dropping every overwritten version and
   * tombstone that no snapshot needs; then waits for durability.
   */
  compact(range?: { gte?: Bytes; lte?: Bytes }): Promise<void> {
    try {
      this.checkWritable();
      checkOptionsObject(range, 'compact range');
      const { gte, lte, ...rest } = range ?? {};
      if (Object.keys(rest).length > 0) throw invalidArgument('a compact range takes gte and lte only');
      if (gte !== undefined) checkKey(gte, 'gte');
      if (lte !== undefined) checkKey(lte, 'lte');
      const compacted = this.whenNotBusy(() => {
        this.args.begin((gte ? maxByteLength(gte) : 0) + (lte ? maxByteLength(lte) : 0));
        const beginSize = gte !== undefined ? this.args.bytes(gte) : 0;
        const endSize = lte !== undefined ? this.args.bytes(lte) : 0;
        return this.raw.compact(gte !== undefined, beginSize, lte !== undefined, endSize);
      });
      return Promise.resolve(compacted).then(() => {
        this.scheduleWork();
        return this.committer.durable();
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Calls listener with every event the database reports (events.ts):
   * flushes, compactions, write stalls, durability points, errors. Returns
   * the function that unsubscribes it.
   */
  subscribe(listener: StrataEventListener): () => void {
    return this.events.subscribe(listener);
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
    const stats = parseStats(this.raw.statsJson(), this.commitStats, this.compactionStats);
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
      this.settings.compactionRunner?.close();
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
    this.cursorFinalizer.unregister(it);
    this.releaseCursor(cursor);
  }

  /** @internal */
  _releaseSnapshot(snapshot: Snapshot, id: number): void {
    this.snapshotFinalizer.unregister(snapshot);
    if (this.rawOpen) this.check(this.raw.releaseSnapshot(id)); // else closed with the engine
  }

  // ---- private

  /**
   * Closes an engine cursor. The last reader of tables that a compaction
   * replaced makes the engine delete them: commit that, so storage does not
   * keep them until the next write.
   */
  private releaseCursor(cursor: number): void {
    if (!this.rawOpen) return;
    this.raw.closeCursor(cursor);
    if (this.state === 'open' && this.raw.hasChanges()) this.committer.deferred();
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
    this.events.emit({ type: 'error', code: error.code, message: error.message });
    const onError = this.settings.onError;
    if (onError) queueMicrotask(() => onError(error));
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

  /**
   * Runs call. If it answers Busy (it must wait for a compaction running in
   * a worker), runs it again once that is installed, and returns the promise
   * of that; undefined when it went through at once.
   */
  private whenNotBusy(call: () => number): Promise<void> | undefined {
    const code = call();
    if (code === BUSY) this.startCompaction(); // the job it waits for may not be out yet
    const running = this.compactionInFlight;
    if (code === BUSY && running) {
      // One write-stall event pair per stall, however many calls wait in it.
      if (this.waitingCalls++ === 0) this.events.emit({ type: 'write-stall', stalled: true });
      const retried = running.then(() => {
        this.checkWritable();
        return this.whenNotBusy(call);
      });
      const done = () => {
        if (--this.waitingCalls === 0) this.events.emit({ type: 'write-stall', stalled: false });
      };
      retried.then(done, done);
      return retried;
    }
    this.check(code);
    return undefined;
  }

  /** The promise a write returns, by durability, and background work. */
  private acknowledge(options: WriteOptions | undefined): Promise<void> {
    this.scheduleWork();
    this.startCompaction(); // a write that had to make room may have picked one
    const durable = options?.durable ?? this.settings.durability === 'durable';
    if (this.failure) return Promise.reject(this.failure);
    if (durable) return this.committer.durable();
    this.committer.deferred();
    return Promise.resolve();
  }

  /** Runs pending flushes and compactions one step per task. */
  private scheduleWork(): void {
    if (this.settings.reopenReadOnly) return; // its changes are never stored
    if (this.workTimer !== undefined || this.module._strata_has_pending_work(this.handle) === 0) return;
    this.workTimer = setTimeout(() => {
      this.workTimer = undefined;
      if (this.state !== 'open') return;
      try {
        const before = this.events.active ? this.activity() : undefined;
        if (before?.immutableMemtable) this.events.emit({ type: 'flush', phase: 'started' });
        const started = performance.now();
        const code = this.raw.runPendingWork();
        if (before) this.reportStep(before, performance.now() - started);
        // The engine is read-only after this; writes report it too.
        if (code !== OK) return this.fail(engineError(code, this.raw.lastError()));
      } catch (e) {
        return this.fail(new StrataError('IOError', `the wasm module failed: ${String(e)}`, { cause: e }));
      }
      this.committer.deferred();
      this.startCompaction();
      this.scheduleWork();
    }, 0);
  }

  /** A flush asked for by flush(), with its events (it runs at once, in this call). */
  private flushReporting(): number {
    const before = this.events.active ? this.activity() : undefined;
    const started = performance.now();
    const code = this.raw.flush();
    if (before && code === 0 && this.activity().flushes > before.flushes) {
      this.events.emit({ type: 'flush', phase: 'started' });
      this.reportStep(before, performance.now() - started);
    }
    return code;
  }

  /** The few engine counters events are made from. */
  private activity() {
    const s = JSON.parse(this.raw.statsJson()) as Pick<
      Stats,
      'flushes' | 'immutableMemtable' | 'compactions' | 'compactionBytesWritten'
    > & { levels: { files: number }[] };
    return { ...s, l0Files: s.levels[0]?.files ?? 0 };
  }

  /** Events for what a step of pending work did inside the engine. */
  private reportStep(before: ReturnType<Database['activity']>, ms: number): void {
    const after = this.activity();
    const micros = Math.round(ms * 1000);
    if (after.flushes > before.flushes) {
      this.events.emit({ type: 'flush', phase: 'finished', micros, l0Files: after.l0Files });
    }
    if (after.compactions > before.compactions && !this.settings.compactionRunner) {
      const job = ++this.lastJob;
      this.events.emit({ type: 'compaction', phase: 'started', job, runner: 'here', inputs: [] });
      const bytesWritten = after.compactionBytesWritten - before.compactionBytesWritten;
      this.events.emit({ type: 'compaction', phase: 'finished', job, runner: 'here', outputs: [], bytesWritten, micros });
    }
  }

  /**
   * Sends the compaction job the engine picked, if one waits, to the
   * compaction runner; installs its outputs when they come back. A runner
   * that fails leaves the job to run here, so no job is lost.
   */
  private startCompaction(): void {
    const runner = this.settings.compactionRunner;
    if (!runner || this.compactionInFlight || this.state !== 'open') return;
    if (this.module._strata_has_compaction_job(this.handle) === 0) return;
    this.compactionInFlight = this.runCompaction(runner).finally(() => {
      this.compactionInFlight = undefined;
      if (this.state !== 'open') return;
      this.committer.deferred();
      this.scheduleWork();
    });
  }

  // Sending a job copies megabytes of inputs: they go one file per task, so
  // that requests are served in between. Outputs are installed in one task
  // (no copies, see below).
  private async runCompaction(runner: CompactionRunner): Promise<void> {
    let job: CompactionJobMessage;
    const id = ++this.lastJob;
    try {
      this.check(this.raw.takeCompactionJob());
      const { heap, ptr, size } = this.result();
      const envelope = heap.slice(ptr, ptr + size);
      const paths = this.raw.compactionInputs().split('\n');
      paths.pop(); // after the last '\n'
      const sizes = paths.map((path) => ({ path, bytes: this.module.FS.lookupPath(path).node.usedBytes }));
      this.events.emit({ type: 'compaction', phase: 'started', job: id, runner: runner.kind, inputs: sizes });
      const inputs = [];
      for (const path of paths) {
        await nextTask();
        if (!this.rawOpen) return; // closed meantime: the engine abandoned the job
        inputs.push({ path, bytes: this.module.FS.readFile(path) });
        const progress = { job: id, step: 'input-sent', done: inputs.length, total: paths.length } as const;
        this.events.emit({ type: 'compaction', phase: 'progress', ...progress });
      }
      job = { id, dir: this.storage.directory, envelope, inputs };
    } catch (e) {
      return this.runCompactionHere(e, id);
    }
    const started = performance.now();
    let reply: CompactionReply;
    try {
      this.compactionStats.sent++;
      reply = await runner.run(job);
    } catch (e) {
      return this.runCompactionHere(e, job.id);
    }
    try {
      await nextTask();
      if (!this.rawOpen) return; // closed meantime: the engine abandoned the job
      // The outputs enter the directory in the same task as the manifest edit
      // that installs them, so one commit stores both: storage never holds an
      // output that no manifest names. The bytes came for this alone: each
      // file takes them without a copy.
      let done = 0;
      for (const output of reply.outputs) {
        this.module.FS.writeFile(output.path, output.bytes, { canOwn: true });
        this.check(this.raw.recordFile(output.path));
        const progress = { job: job.id, step: 'output-installed', done: ++done, total: reply.outputs.length } as const;
        this.events.emit({ type: 'compaction', phase: 'progress', ...progress });
      }
      this.args.begin(reply.result.length);
      this.args.bytes(reply.result);
      this.check(this.raw.completeCompaction(reply.result.length));
      this.compactionStats.installed++;
      const outputs = reply.outputs.map(({ path, bytes }) => ({ path, bytes: bytes.length }));
      this.events.emit({
        type: 'compaction',
        phase: 'finished',
        job: job.id,
        runner: runner.kind,
        outputs,
        bytesWritten: outputs.reduce((n, o) => n + o.bytes, 0),
        micros: Math.round((performance.now() - started) * 1000),
      });
    } catch (e) {
      this.runCompactionHere(e, job.id);
    }
  }

  /** The job could not run (or come back) elsewhere: run it in this instance. */
  private runCompactionHere(cause: unknown, job = ++this.lastJob): void {
    if (!this.rawOpen) return;
    this.compactionStats.runHere++;
    this.events.emit({ type: 'compaction', phase: 'started', job, runner: 'here', inputs: [] });
    const started = performance.now();
    const before = this.events.active ? this.activity() : undefined;
    const code = this.raw.runCompactionInline();
    if (code !== OK) {
      this.fail(new StrataError('IOError', `compaction failed (${String(cause)}): ${this.raw.lastError()}`, { cause }));
      return;
    }
    const after = this.events.active ? this.activity() : undefined;
    const bytesWritten = before && after ? after.compactionBytesWritten - before.compactionBytesWritten : 0;
    const micros = Math.round((performance.now() - started) * 1000);
    this.events.emit({ type: 'compaction', phase: 'finished', job, runner: 'here', outputs: [], bytesWritten, micros });
  }

  /** One durability point: close the WAL segment, store what changed. */
  private async commit(durable: boolean): Promise<void> {
    const started = performance.now();
    if (this.rawOpen) this.check(this.raw.sync());
    const paths = this.raw.takeChanges().split('\n');
    paths.pop(); // after the last '\n'
    const idbDurability = durable ? this.settings.idbDurability : 'relaxed';
    if (paths.length === 0) {
      // Nothing new, but what relaxed commits stored is not on disk yet:
      // store CURRENT again (unchanged), strictly, to flush it all.
      if (!(durable && idbDurability === 'strict' && this.relaxedSinceStrict)) return;
      paths.push(`${this.storage.directory}/CURRENT`);
    }
    const stored = await this.storage.commit(paths, idbDurability);
    this.relaxedSinceStrict = idbDurability !== 'strict' && (this.relaxedSinceStrict || stored.files + stored.deleted > 0);
    const s = this.commitStats;
    const micros = Math.round((performance.now() - started) * 1000);
    s.commits++;
    s.filesStored += stored.files;
    s.filesDeleted += stored.deleted;
    s.bytesStored += stored.bytes;
    s.commitMicros += micros;
    s.lastDurableAt = Date.now();
    this.events.emit({
      type: 'durable',
      commit: s.commits,
      filesStored: stored.files,
      filesDeleted: stored.deleted,
      bytes: stored.bytes,
      micros,
      idbDurability,
    });
  }
}

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

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
