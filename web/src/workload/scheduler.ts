// Open-loop pacing: operations are due by the clock (rate × elapsed time),
// not by when earlier ones finished, so a slow engine shows up as a backlog
// and a lower achieved rate instead of quietly lowering the load.

/** Operations due after `elapsedMs` at `rate` ops/s, less those already accounted for. */
export function opsDue(elapsedMs: number, rate: number, accounted: number): number {
  if (elapsedMs <= 0) return 0;
  return Math.max(0, Math.floor((elapsedMs * rate) / 1000) - accounted);
}

/**
 * Tracks what a run owes. The generator asks `due(now)`, issues what it
 * can (it may be held back by its bound on in-flight operations) and
 * reports that with `issued(n)`; the rest stays owed. The debt is capped at
 * `maxBacklog` operations (default one second's worth): beyond it,
 * operations are skipped and counted, so that after a write stall the
 * generator does not fire a minute's worth at once.
 */
export class RateScheduler {
  private issuedCount = 0;
  private skippedCount = 0;
  readonly maxBacklog: number;

  constructor(
    readonly rate: number,
    private readonly startMs: number,
    maxBacklog?: number,
  ) {
    this.maxBacklog = maxBacklog ?? Math.max(1, Math.ceil(rate));
  }

  /** Operations owed at `now` (at most maxBacklog). */
  due(now: number): number {
    const owed = opsDue(now - this.startMs, this.rate, this.issuedCount + this.skippedCount);
    if (owed > this.maxBacklog) {
      this.skippedCount += owed - this.maxBacklog;
      return this.maxBacklog;
    }
    return owed;
  }

  issued(n: number): void {
    this.issuedCount += n;
  }

  get issuedTotal(): number {
    return this.issuedCount;
  }

  /** Operations that fell due but were never issued: the engine could not keep up. */
  get skipped(): number {
    return this.skippedCount;
  }
}

/**
 * The achieved rate: completions over a sliding window. Feed it the running
 * total of completed operations; it keeps samples covering `windowMs`.
 */
export class RateMeter {
  private readonly samples: { at: number; total: number }[] = [];

  constructor(private readonly windowMs = 2000) {}

  sample(at: number, total: number): void {
    this.samples.push({ at, total });
    // Keep one sample at or before the window's start, so the window is full.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
  }

  /** Operations per second over the window (0 until two samples). */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at <= first.at) return 0;
    return ((last.total - first.total) * 1000) / (last.at - first.at);
  }
}
