// Group commit (DESIGN.md decision 2). A commit is one durability point:
// the engine closes its WAL segment, then the files changed since the last
// commit go to storage in one transaction. Every write made before a commit
// starts is durable when it completes. Commits never overlap: writes that
// arrive during one share the next.
//
// Two kinds of writer:
// - durable: waits for the next commit (which starts at once if none runs);
// - deferred: acknowledged at once, committed within `intervalMs`.
import { StrataError } from './errors.js';

interface Waiter {
  resolve: () => void;
  reject: (e: StrataError) => void;
}

export class Committer {
  private waiters: Waiter[] = [];
  private running = false;
  private inFlight = 0; // writers of the commit running now
  private deferredWrites = false; // deferred writes since the last commit started
  private deferredDue = false; // ... and their interval has passed
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failure: StrataError | undefined;

  /**
   * @param commit performs one commit; `durable` says a writer waits on it.
   * @param onFailure called once, with the first commit failure; later
   *   commits are refused with the same error.
   */
  constructor(
    private readonly commit: (durable: boolean) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onFailure: (e: StrataError) => void,
  ) {}

  /** The error that stopped commits, if one did. */
  get failed(): StrataError | undefined {
    return this.failure;
  }

  /** Writers waiting for a commit now (in progress or next). */
  get waiting(): number {
    return this.waiters.length + this.inFlight;
  }

  /** Whether a commit is running. */
  get busy(): boolean {
    return this.running;
  }

  /** Resolves once every write made so far is durable. */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.start();
    });
  }

  /** Notes a write acknowledged at once: it is committed within the interval. */
  deferred(): void {
    if (this.failure) return;
    this.deferredWrites = true;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.deferredWrites) return;
        this.deferredDue = true;
        this.start();
      }, this.intervalMs);
    }
  }

  /** Stops the interval timer (the handle is closing). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    // A microtask later, so that writes issued together share the commit.
    queueMicrotask(() => void this.run());
  }

  private async run(): Promise<void> {
    while (!this.failure && (this.waiters.length > 0 || this.deferredDue)) {
      const batch = this.waiters;
      this.waiters = [];
      this.inFlight = batch.length;
      this.deferredWrites = false;
      this.deferredDue = false;
      try {
        await this.commit(batch.length > 0);
        for (const w of batch) w.resolve();
      } catch (e) {
        this.failure =
          e instanceof StrataError ? e : new StrataError('IOError', `commit failed: ${String(e)}`, { cause: e });
        this.stop();
        this.onFailure(this.failure);
        for (const w of batch) w.reject(this.failure);
      }
      this.inFlight = 0;
    }
    // After a failure, writers that came during the failed commit fail too.
    if (this.failure) for (const w of this.waiters.splice(0)) w.reject(this.failure);
    this.running = false;
  }
}
