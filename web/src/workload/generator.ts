// The workload generator's engine, without DOM or timers: the panel calls
// tick() every TICK_MS. Each tick issues the operations that fell due
// (RateScheduler) without awaiting them, so concurrent writes share group
// commits in the database worker, up to maxInFlight at a time. If the
// engine cannot keep up (a write stall, say) in-flight operations pile up
// to the bound, operations stay owed, then get skipped, and the achieved
// rate drops below the target: status() reports all of it.
import { describeError } from '../model/error-text.js';
import type { WorkloadConfig } from './config.js';
import { keyBytes, makeValue } from './keys.js';
import { OpChooser, type OpType } from './mix.js';
import { RateMeter, RateScheduler } from './scheduler.js';

export const TICK_MS = 50;
export const MAX_IN_FLIGHT = 4000;
/**
 * Value bytes in flight at most: 4,000 puts of 64 KiB would queue 256 MiB
 * of messages for the database worker. Large values lower the bound.
 */
export const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;
/**
 * Consecutive failures after which a run stops. It stops at the first
 * ReadOnly (every later write fails too) or Closed error.
 */
export const STOP_AFTER_FAILURES = 20;

/** What the generator drives: WorkerDatabase<'binary','binary'> fits. */
export interface WorkloadTarget {
  put(key: Uint8Array, value: Uint8Array): Promise<unknown>;
  get(key: Uint8Array): Promise<unknown>;
  delete(key: Uint8Array): Promise<unknown>;
}

export interface GeneratorOptions {
  now: () => number;
  seed?: number;
  maxInFlight?: number;
  stopAfterFailures?: number;
  /** Called once when the run stops, with why; `failed` if errors stopped it. */
  onStop?: (reason: string, failed: boolean) => void;
}

export interface GeneratorStatus {
  running: boolean;
  config: WorkloadConfig;
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
  errors: number;
  lastError: string | undefined;
  stopReason: string | undefined;
  /** Errors stopped the run. */
  failed: boolean;
}

export class WorkloadGenerator {
  private readonly chooser: OpChooser;
  private readonly scheduler: RateScheduler;
  private readonly meter = new RateMeter(2000);
  private readonly startMs: number;
  private readonly maxInFlight: number;
  private readonly stopAfter: number;
  private running = true;
  private stoppedAt: number | undefined;
  private stopReason: string | undefined;
  private failed = false;
  private inFlight = 0;
  private seq = 0;
  private lastTick: number;
  private owed = 0;
  private completed = 0;
  private failuresInARow = 0;
  private errors = 0;
  private lastError: string | undefined;
  private readonly done: Record<OpType, number> = { put: 0, get: 0, delete: 0 };

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
    this.meter.sample(this.startMs, 0);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Issues the operations due now, as many as the in-flight bound allows. */
  tick(): void {
    const now = this.options.now();
    this.meter.sample(now, this.completed);
    if (!this.running) return;
    const due = this.scheduler.due(now);
    // At most two ticks' worth at once (more after a late tick), so paying
    // back a backlog does not block the page for long.
    const perTick = Math.ceil((this.config.rate * 2 * Math.max(TICK_MS, now - this.lastTick)) / 1000);
    this.lastTick = now;
    const n = Math.min(due, this.maxInFlight - this.inFlight, perTick);
    for (let i = 0; i < n; i++) this.issue();
    this.scheduler.issued(n);
    this.owed = due - n;
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
    return {
      running: this.running,
      config: this.config,
      elapsedMs: now - this.startMs,
      targetRate: this.config.rate,
      achievedRate: this.meter.rate(),
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      issued: this.scheduler.issuedTotal,
      done: { ...this.done },
      owed: this.owed,
      skipped: this.scheduler.skipped,
      errors: this.errors,
      lastError: this.lastError,
      stopReason: this.stopReason,
      failed: this.failed,
    };
  }

  private issue(): void {
    const op = this.chooser.choose();
    this.seq++;
    const key = keyBytes(op.key);
    let pending: Promise<unknown>;
    try {
      pending =
        op.type === 'put'
          ? this.target.put(key, makeValue(this.config.valueSize, this.seq))
          : op.type === 'get'
            ? this.target.get(key)
            : this.target.delete(key);
    } catch (e) {
      pending = Promise.reject(e);
    }
    this.inFlight++;
    pending.then(
      () => {
        this.inFlight--;
        this.completed++;
        this.done[op.type]++;
        this.failuresInARow = 0;
      },
      (e: unknown) => {
        this.inFlight--;
        this.completed++;
        this.errors++;
        this.failuresInARow++;
        const { code, text } = describeError(e);
        this.lastError = `${op.type}: ${text}`;
        // Closed: the dashboard closed or switched the database under the run.
        if (code === 'Closed') this.stop('stopped: the database was closed');
        else if (code === 'ReadOnly') this.stop(`stopped: ${this.lastError}`, true);
        else if (this.failuresInARow >= this.stopAfter) {
          this.stop(`stopped after ${this.failuresInARow} failures in a row; last: ${this.lastError}`, true);
        }
      },
    );
  }
}
