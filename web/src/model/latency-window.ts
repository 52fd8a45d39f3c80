// Latency as the caller sees it: from handing an operation to the database
// worker to its promise settling (for a durable write, its commit included).
// The engine's histograms time only the engine's own call; this is what an
// application waits. Observations go into log-spaced buckets per one-second
// slot, so the percentiles of any recent window are a merge of a few slots,
// never a sort of every observation.
import { percentileFromBuckets } from './rates.js';

/** Upper bucket bounds, µs: 1-2-5 steps from 10 µs to 100 s; the last bucket holds the rest. */
export const LATENCY_BOUNDS_MICROS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let decade = 10; decade <= 1e8; decade *= 10) for (const step of [1, 2, 5]) bounds.push(step * decade);
  return bounds.filter((b) => b <= 1e8);
})();

export const SLOT_MS = 1000;
/** Slots kept: a minute of history. */
export const SLOTS = 60;

function bucketOf(micros: number): number {
  let lo = 0;
  let hi = LATENCY_BOUNDS_MICROS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (micros <= LATENCY_BOUNDS_MICROS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Slot {
  /** Which slot of time this is: floor(at / SLOT_MS). */
  index: number;
  buckets: number[];
  count: number;
  min: number;
  max: number;
}

/** One kind of operation's latencies over the last SLOTS seconds. */
export class LatencyWindow {
  private slots: Slot[] = [];

  /** `count` operations that each took `micros`, finished at `at` (ms). */
  record(at: number, micros: number, count = 1): void {
    if (!(count > 0) || !Number.isFinite(micros)) return;
    const index = Math.floor(at / SLOT_MS);
    let slot = this.slots[this.slots.length - 1];
    if (!slot || slot.index !== index) {
      // Usually a new second; a call reported late may belong to an earlier one.
      slot = this.slots.find((s) => s.index === index);
      if (!slot) {
        slot = { index, buckets: new Array<number>(LATENCY_BOUNDS_MICROS.length + 1).fill(0), count: 0, min: Infinity, max: 0 };
        this.slots.push(slot);
        this.slots.sort((a, b) => a.index - b.index);
        while (this.slots.length > 0 && this.slots[0]!.index <= index - SLOTS) this.slots.shift();
      }
    }
    const m = Math.max(0, micros);
    slot.buckets[bucketOf(m)]! += count;
    slot.count += count;
    slot.min = Math.min(slot.min, m);
    slot.max = Math.max(slot.max, m);
  }

  /** The slots that overlap the `windowMs` before `now`. */
  private within(now: number, windowMs: number): Slot[] {
    const from = Math.floor((now - windowMs) / SLOT_MS);
    const to = Math.floor(now / SLOT_MS);
    return this.slots.filter((s) => s.index >= from && s.index <= to);
  }

  count(now: number, windowMs: number): number {
    return this.within(now, windowMs).reduce((sum, s) => sum + s.count, 0);
  }

  /** The p-th percentile (0..100) of the window, µs; null when nothing finished in it. */
  percentile(now: number, windowMs: number, p: number): number | null {
    const slots = this.within(now, windowMs);
    if (slots.length === 0) return null;
    const merged = new Array<number>(LATENCY_BOUNDS_MICROS.length + 1).fill(0);
    let min = Infinity;
    let max = 0;
    for (const s of slots) {
      s.buckets.forEach((n, i) => (merged[i]! += n));
      min = Math.min(min, s.min);
      max = Math.max(max, s.max);
    }
    return percentileFromBuckets(merged, LATENCY_BOUNDS_MICROS, p, min, max);
  }

  clear(): void {
    this.slots = [];
  }
}

/** What the caller waits for: a durable write (its commit), a deferred write, a read. */
export type CallKind = 'durable' | 'deferred' | 'read';
export const CALL_KINDS: readonly CallKind[] = ['durable', 'deferred', 'read'];

export interface CallLatency {
  p50: number | null;
  p99: number | null;
  count: number;
}

/** Caller-side latencies of every kind, for the open database. */
export class CallerLatency {
  private readonly windows = new Map<CallKind, LatencyWindow>(CALL_KINDS.map((k) => [k, new LatencyWindow()]));

  record(kind: CallKind, at: number, micros: number, count = 1): void {
    this.windows.get(kind)!.record(at, micros, count);
  }

  summary(kind: CallKind, now: number, windowMs: number): CallLatency {
    const w = this.windows.get(kind)!;
    return { p50: w.percentile(now, windowMs, 50), p99: w.percentile(now, windowMs, 99), count: w.count(now, windowMs) };
  }

  clear(): void {
    for (const w of this.windows.values()) w.clear();
  }
}
