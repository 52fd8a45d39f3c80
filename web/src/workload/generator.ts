// The workload generator's engine, without DOM or timers: the panel calls
// tick() every TICK_MS. Each tick issues the operations that fell due
// (RateScheduler) in a few messages, not one per operation: the writes as
// one pipeline (in order, each answered; a durable pipeline settles once its
// commit is durable) and the reads as one getMany, each cut at
// MAX_OPS_PER_CALL. The keys and values of one call are views into one
// buffer, so posting it to the worker copies one buffer, not thousands.
// Nothing is awaited, so concurrent writes share group commits in the
// database worker, up to maxInFlight operations at a time.
// If the engine cannot keep up (slow commits, a write stall) in-flight
// operations pile up to the bound, operations stay owed, then get skipped,
// and the achieved rate drops below the target: status() reports all of it,
// with how late the page's own timer ran and each call's latency as the
// caller sees it.
import type { BatchOperation } from 'stratadb';
import { describeError } from '../model/error-text.js';
import type { CallKind } from '../model/latency-window.js';
import type { WorkloadConfig } from './config.js';
import { KEY_LENGTH, writeKey, writeValue } from './keys.js';
import { OpChooser, type Op, type OpType } from './mix.js';
import { RateMeter, RateScheduler } from './scheduler.js';

export const TICK_MS = 50;
/** Operations in one pipeline or getMany: a worker task of a few milliseconds. */
export const MAX_OPS_PER_CALL = 2000;
/**
 * Operations in flight at most. Durable writes stay in flight until their
 * commit: at 20,000 ops/s and 500 ms commits that is 10,000.
 */
export const MAX_IN_FLIGHT = 50_000;
/** Value bytes in flight at most: large values lower the bound. */
export const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;
/**
 * Consecutive failed calls after which a run stops. It stops at the first
 * ReadOnly (every later write fails too) or Closed error.
 */
export const STOP_AFTER_FAILURES = 20;
/** How far back "recent" reaches: skipped operations, timer lag. */
export const RECENT_MS = 5000;

/** What the generator drives: WorkerDatabase<'binary','binary'> fits. */
export interface WorkloadTarget {
  pipeline(operations: readonly BatchOperation[], options?: { durable?: boolean }): Promise<unknown>;
  getMany(keys: readonly Uint8Array[]): Promise<unknown>;
}

export interface GeneratorOptions {
  now: () => number;
  seed?: number;
  maxInFlight?: number;
  stopAfterFailures?: number;
  /** The writes' durability: true durable, false deferred, undefined the database's default. */
  durable?: boolean;
  /** Whether the database's default is durable (for the latency kind of writes without an override). */
  defaultDurable?: boolean;
  /** Called once when the run stops, with why; `failed` if errors stopped it. */
  onStop?: (reason: string, failed: boolean) => void;
  /** Called as each call settles: `count` operations of `kind` that took `micros`. */
  onLatency?: (kind: CallKind, micros: number, count: number) => void;
}

export interface GeneratorStatus {
  running: boolean;
  config: WorkloadConfig;
  /** The writes' durability in this run. */
  durability: 'durable' | 'deferred';
  elapsedMs: number;
  targetRate: number;
  /** Completions (successful or not) per second over the last 2 s. */
  achievedRate: number;
  inFlight: number;
  maxInFlight: number;
  issued: number;
  /** Successful operations by type. */
  done: Record<OpType, number>;
  /** Operations due but not yet issued (held back by the in-flight bound). */
  owed: number;
  /** Operations that fell due but were dropped (the backlog was full). */
  skipped: number;
  /** ... of them in the last RECENT_MS. */
  skippedRecent: number;
  /** The longest a tick came after its time in the last RECENT_MS: the page's thread was busy. */
  tickLagMs: number;
  /** Messages sent to the database worker. */
  calls: number;
  errors: number;
  lastError: string | undefined;
  stopReason: string | undefined;
  /** Errors stopped the run. */
  failed: boolean;
}

interface Mark {
  at: number;
  value: number;
}

/** Keeps (at, value) marks of the last RECENT_MS. */
function keepRecent(marks: Mark[], now: number): void {
  while (marks.length > 1 && marks[1]!.at <= now - RECENT_MS) marks.shift();
}

export class WorkloadGenerator {
  private readonly chooser: OpChooser;
  private readonly scheduler: RateScheduler;
  private readonly meter = new RateMeter(2000);
  private readonly startMs: number;
  private readonly maxInFlight: number;
  private readonly stopAfter: number;
  private readonly writeKind: CallKind;
  private running = true;
  private stoppedAt: number | undefined;
  private stopReason: string | undefined;
  private failed = false;
  private inFlight = 0;
  private seq = 0;
  private lastTick: number;
  private owed = 0;
  private completed = 0;
  private calls = 0;
  private failuresInARow = 0;
  private errors = 0;
  private lastError: string | undefined;
  private readonly done: Record<OpType, number> = { put: 0, get: 0, delete: 0 };
  private readonly skippedMarks: Mark[] = [];
  private readonly lagMarks: Mark[] = [];

  constructor(
    private readonly target: WorkloadTarget,
    readonly config: WorkloadConfig,
    private readonly options: GeneratorOptions,
  ) {
    this.chooser = new OpChooser(config.kind, config.keySpace, options.seed ?? Date.now());
    this.startMs = options.now();
    this.lastTick = this.startMs;
    this.scheduler = new RateScheduler(config.rate, this.startMs);
    this.maxInFlight = options.maxInFlight ?? Math.max(1, Math.min(MAX_IN_FLIGHT, Math.floor(MAX_IN_FLIGHT_BYTES / config.valueSize)));
    this.stopAfter = options.stopAfterFailures ?? STOP_AFTER_FAILURES;
    this.writeKind = (options.durable ?? options.defaultDurable ?? true) ? 'durable' : 'deferred';
    this.meter.sample(this.startMs, 0);
    this.skippedMarks.push({ at: this.startMs, value: 0 });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Operations sent and not settled yet (cheaper than status()). */
  get pending(): number {
    return this.inFlight;
  }

  /** Issues the operations due now, as many as the in-flight bound allows. */
  tick(): void {
    const now = this.options.now();
    this.meter.sample(now, this.completed);
    if (!this.running) return;
    this.lagMarks.push({ at: now, value: Math.max(0, now - this.lastTick - TICK_MS) });
    keepRecent(this.lagMarks, now);
    const due = this.scheduler.due(now);
    // At most two ticks' worth at once (more after a late tick), so paying
    // back a backlog does not block the page for long.
    const perTick = Math.ceil((this.config.rate * 2 * Math.max(TICK_MS, now - this.lastTick)) / 1000);
    this.lastTick = now;
    const n = Math.max(0, Math.min(due, this.maxInFlight - this.inFlight, perTick));
    this.issue(n);
    this.scheduler.issued(n);
    this.owed = due - n;
    this.skippedMarks.push({ at: now, value: this.scheduler.skipped });
    keepRecent(this.skippedMarks, now);
  }

  stop(reason: string, failed = false): void {
    if (!this.running) return;
    this.running = false;
    this.stoppedAt = this.options.now();
    this.stopReason = reason;
    this.failed = failed;
    this.owed = 0;
    this.options.onStop?.(reason, failed);
  }

  status(): GeneratorStatus {
    const now = this.stoppedAt ?? this.options.now();
    const oldestSkipped = this.skippedMarks[0]?.value ?? 0;
    return {
      running: this.running,
      config: this.config,
      durability: this.writeKind === 'durable' ? 'durable' : 'deferred',
      elapsedMs: now - this.startMs,
      targetRate: this.config.rate,
      achievedRate: this.meter.rate(),
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      issued: this.scheduler.issuedTotal,
      done: { ...this.done },
      owed: this.owed,
      skipped: this.scheduler.skipped,
      skippedRecent: this.scheduler.skipped - oldestSkipped,
      tickLagMs: this.lagMarks.reduce((max, m) => Math.max(max, m.value), 0),
      calls: this.calls,
      errors: this.errors,
      lastError: this.lastError,
      stopReason: this.stopReason,
      failed: this.failed,
    };
  }

  /** Chooses n operations and sends them: writes in pipelines, reads in getMany calls. */
  private issue(n: number): void {
    const writes: Op[] = [];
    const reads: Op[] = [];
    for (let i = 0; i < n; i++) {
      const op = this.chooser.choose();
      (op.type === 'get' ? reads : writes).push(op);
    }
    for (let i = 0; i < writes.length; i += MAX_OPS_PER_CALL) this.sendWrites(writes.slice(i, i + MAX_OPS_PER_CALL));
    for (let i = 0; i < reads.length; i += MAX_OPS_PER_CALL) this.sendReads(reads.slice(i, i + MAX_OPS_PER_CALL));
  }

  private sendWrites(ops: Op[]): void {
    const size = this.config.valueSize;
    let bytes = 0;
    for (const op of ops) bytes += KEY_LENGTH + (op.type === 'put' ? size : 0);
    const buffer = new Uint8Array(bytes);
    let at = 0;
    const counts: Record<OpType, number> = { put: 0, get: 0, delete: 0 };
    const batch: BatchOperation[] = ops.map((op) => {
      const key = buffer.subarray(at, (at += KEY_LENGTH));
      writeKey(key, op.key);
      counts[op.type]++;
      if (op.type !== 'put') return { type: 'delete', key };
      const value = buffer.subarray(at, (at += size));
      writeValue(value, ++this.seq);
      return { type: 'put', key, value };
    });
    const durable = this.options.durable;
    this.send(this.writeKind, ops.length, counts, () =>
      durable === undefined ? this.target.pipeline(batch) : this.target.pipeline(batch, { durable }),
    );
  }

  private sendReads(ops: Op[]): void {
    const buffer = new Uint8Array(ops.length * KEY_LENGTH);
    const keys = ops.map((op, i) => {
      const key = buffer.subarray(i * KEY_LENGTH, (i + 1) * KEY_LENGTH);
      writeKey(key, op.key);
      return key;
    });
    this.send('read', keys.length, { put: 0, get: keys.length, delete: 0 }, () => this.target.getMany(keys));
  }

  private send(kind: CallKind, count: number, counts: Record<OpType, number>, call: () => Promise<unknown>): void {
    const started = this.options.now();
    let pending: Promise<unknown>;
    try {
      pending = call();
    } catch (e) {
      pending = Promise.reject(e);
    }
    this.calls++;
    this.inFlight += count;
    pending.then(
      () => {
        this.settled(count);
        for (const type of ['put', 'get', 'delete'] as const) this.done[type] += counts[type];
        this.failuresInARow = 0;
        this.options.onLatency?.(kind, (this.options.now() - started) * 1000, count);
      },
      (e: unknown) => {
        this.settled(count);
        this.errors += count;
        this.failuresInARow++;
        const { code, text } = describeError(e);
        this.lastError = `${kind === 'read' ? 'get' : 'write'}: ${text}`;
        // Closed: the dashboard closed or switched the database under the run.
        if (code === 'Closed') this.stop('stopped: the database was closed');
        else if (code === 'ReadOnly') this.stop(`stopped: ${this.lastError}`, true);
        else if (this.failuresInARow >= this.stopAfter) {
          this.stop(`stopped after ${this.failuresInARow} failed calls in a row; last: ${this.lastError}`, true);
        }
      },
    );
  }

  private settled(count: number): void {
    this.inFlight -= count;
    this.completed += count;
  }
}
