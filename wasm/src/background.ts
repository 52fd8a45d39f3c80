// The background driver: the engine runs without threads in wasm (DESIGN.md
// decision 3), so this does what its background thread does natively.
//
// - Steps: pending flushes (a few hundred KiB of a memtable a step) and
//   compaction picks run one step per task (RunPendingWork), so the page's
//   thread is never held for long; flush() and compact() leave the memtable
//   to them too (flushInSteps). Each waits for a timer's turn (stepTurn).
// - Compaction offload: a job the engine picked goes to the compaction
//   runner (a compaction worker, or another instance) with its inputs'
//   bytes; its outputs come back and are installed (the buffers of its
//   inputs come back too, as many as are kept for the next job's copies,
//   and the buffers of the input files the job removed go to the runner, to
//   be freed there). A runner that fails leaves the job to run here, so no
//   job is lost.
// - Outputs stored by the runner: a compaction worker stores a job's outputs
//   in IndexedDB itself (output-store.ts); the next commit leaves them out.
// - Busy retry: a write (or flush, or compact) that must wait for a job
//   still out at the runner answers Busy; it runs again once that job is
//   installed.
//
// The engine reports what happens (its events); this only reports the
// transfer of a job's files (compaction progress events).
import { BufferPool } from './buffer-pool.js';
import type { CompactionJobMessage, CompactionReply, CompactionRunner } from './compaction.js';
import type { CommitPipeline } from './commit-pipeline.js';
import { BUSY, type EngineHandle, OK } from './engine-handle.js';
import { StrataError } from './errors.js';
import { copyInSteps, nextTask } from './tasks.js';
import type { CompactionJobStats } from './stats.js';
import { fileBytes } from './storage.js';
import type { MemfsNode } from './strata.js';

/**
 * The turn a background step waits for: a zero-delay timer's, so that the
 * page's own timers and frames get theirs between steps (steps back to back
 * by messages held a 4 ms timer off for most of a flush); a message's in a
 * hidden page (a background tab), where timers run once a second or less.
 */
function stepTurn(): Promise<void> {
  const { document } = globalThis as { document?: { visibilityState?: string } };
  if (document?.visibilityState === 'hidden') return nextTask();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

// The most the input buffers a runner hands back (CompactionReply.spare)
// may hold for later jobs' copies, kept while the database is open: about a
// job's inputs (less where jobs read less). Copying into them rather than
// into fresh memory cut the page's time copying inputs by two thirds
// (README, "compact() on an in-page handle").
const SPARE_INPUT_BYTES = 32 << 20;

export class BackgroundDriver {
  readonly stats: CompactionJobStats;
  private stepQueued = false;
  // Waiting for the next step to have run (flushesReach).
  private readonly stepWaiters: (() => void)[] = [];
  private compactionInFlight: Promise<void> | undefined;
  private stopped = false;
  // Jobs whose runner may have stored outputs that were then not installed.
  private storedJobsNotInstalled = 0;
  // Buffers of earlier jobs' inputs, handed back by the runner.
  private readonly spareInputs = new BufferPool(SPARE_INPUT_BYTES);

  /**
   * @param runner where compaction jobs go; undefined: they run inside the
   *   engine's own steps (compaction: 'inline').
   * @param directory the database's directory (inputs and outputs live there).
   * @param fail turns the handle read-only with this error.
   */
  constructor(
    private readonly engine: EngineHandle,
    private readonly commits: CommitPipeline,
    private readonly runner: CompactionRunner | undefined,
    private readonly directory: string,
    private readonly fail: (error: StrataError) => void,
  ) {
    this.stats = { runner: runner?.kind ?? 'inline', sent: 0, installed: 0, runHere: 0, storedByRunner: 0 };
  }

  /**
   * A runner may have stored files that no manifest names (a job dropped at
   * close, or run here after its outputs were stored): close() removes them.
   */
  get mayHaveLeftFiles(): boolean {
    return this.storedJobsNotInstalled > 0;
  }

  /** Runs pending flushes and compactions, one step per task, until none is left. */
  schedule(): void {
    const { engine } = this;
    if (this.stopped || this.stepQueued || engine.module._strata_has_pending_work(engine.handle) === 0) return;
    this.stepQueued = true;
    void stepTurn().then(() => {
      this.stepQueued = false;
      try {
        this.step();
      } finally {
        for (const wake of this.stepWaiters.splice(0)) wake();
      }
    });
  }

  private step(): void {
    const { engine } = this;
    if (this.stopped) return;
    try {
      const code = engine.raw.runPendingWork();
      engine.drainEvents();
      // The engine is read-only after this; writes report it too.
      if (code !== OK) return this.fail(engine.error(code));
    } catch (e) {
      return this.fail(new StrataError('IOError', `the wasm module failed: ${String(e)}`, { cause: e }));
    }
    this.commits.deferred();
    this.startCompaction();
    this.schedule();
  }

  /**
   * Freezes the memtable and resolves once it is in a table, written a
   * step per task (the binding's kFlushStepBytes a step) instead of in one
   * engine call that holds the thread for a whole memtable (52 - 70 ms for
   * 4 MiB here). A flush already under way ends first. What is written
   * meanwhile stays in the new memtable, for the caller's own flush.
   */
  async flushInSteps(): Promise<void> {
    const { engine } = this;
    if (engine.raw.flushUnderWay()) await this.flushesReach(engine.raw.flushesDone() + 1);
    if (!engine.open || this.stopped) return;
    const code = engine.raw.freezeMemtable();
    engine.drainEvents();
    if (code === BUSY) return; // writes are stopped for a compaction: the caller's call waits for it
    engine.check(code);
    if (!engine.raw.flushUnderWay()) return;
    await this.flushesReach(engine.raw.flushesDone() + 1);
    await nextTask(); // the caller's commit of the new table in a task of its own, not the last step's
  }

  /** Resolves once the engine has done count flushes, or can do no more (closed, failed). */
  private async flushesReach(count: number): Promise<void> {
    const { engine } = this;
    while (!this.stopped && engine.raw.flushesDone() < count && engine.module._strata_has_pending_work(engine.handle) !== 0) {
      await new Promise<void>((resolve) => {
        this.stepWaiters.push(resolve);
        this.schedule(); // a step is queued (pending work, not stopped): it wakes this
      });
    }
  }

  /**
   * Runs call (an engine call answering a status code). If it answers Busy
   * (it must wait for a compaction out at the runner), runs it again once
   * that is installed and returns the promise of that; undefined when it
   * went through at once. beforeRetry may throw to give up (the handle
   * closed or turned read-only meanwhile).
   */
  whenNotBusy(call: () => number, beforeRetry: () => void): Promise<void> | undefined {
    const code = call();
    this.engine.drainEvents(); // the engine reports the write stall, if it is one
    if (code === BUSY) this.startCompaction(); // the job it waits for may not be out yet
    const running = this.compactionInFlight;
    if (code === BUSY && running) {
      // In the install's own microtasks, not a task later: calls that
      // waited go before any made since (a later put of the same key would
      // otherwise land first and be overwritten by the older value).
      return running.then(() => {
        beforeRetry();
        return this.whenNotBusy(call, beforeRetry);
      });
    }
    this.engine.check(code);
    return undefined;
  }

  /** Sends the job the engine picked, if one waits and none is out, to the runner. */
  startCompaction(): void {
    const runner = this.runner;
    const { engine } = this;
    if (!runner || this.compactionInFlight || this.stopped) return;
    if (engine.module._strata_has_compaction_job(engine.handle) === 0) return;
    this.compactionInFlight = this.runCompaction(runner).finally(() => {
      this.compactionInFlight = undefined;
      if (this.stopped) return;
      this.commits.deferred();
      this.schedule();
    });
  }

  /** No more steps or jobs (the handle is closing); the runner is ended. */
  stop(): void {
    this.stopped = true; // a step already queued does nothing
    this.runner?.close();
  }

  // A job's inputs and outputs are megabytes of copies: they go at most a
  // file (an input at most a copyInSteps step) per task, so that the thread
  // serves requests and paints in between.
  private async runCompaction(runner: CompactionRunner): Promise<void> {
    const { engine } = this;
    let job: CompactionJobMessage;
    let reserved: string[] = []; // the paths the job's outputs may have
    const inputFiles: MemfsNode[] = [];
    try {
      engine.check(engine.raw.takeCompactionJob());
      const id = engine.raw.compactionJobId();
      const { heap, ptr, size } = engine.result();
      const envelope = heap.slice(ptr, ptr + size);
      const paths = engine.raw.compactionInputs().split('\n');
      paths.pop(); // after the last '\n'
      reserved = engine.raw.compactionReservedOutputs().split('\n');
      reserved.pop();
      const inputs = [];
      for (const path of paths) {
        // A table is written once (CommitEnv) and its file stays while it is an input.
        const file = engine.module.FS.lookupPath(path).node;
        const bytes = await this.copyOfFile(file);
        if (!bytes) return; // closed meantime: the engine abandoned the job
        inputs.push({ path, bytes });
        inputFiles.push(file);
        const progress = { job: id, step: 'input-sent', done: inputs.length, total: paths.length } as const;
        engine.events.emit({ type: 'compaction', phase: 'progress', ...progress });
      }
      // Only a runner in another thread stores: here, it would hold this
      // thread just as a commit does.
      const store = runner.kind === 'worker' ? this.commits.beginOutsideStore(reserved) : undefined;
      job = { id, dir: this.directory, envelope, inputs, spareWanted: this.spareInputs.room, ...(store && { store }) };
    } catch (e) {
      return this.runCompactionHere(e);
    }
    try {
      await this.runAndInstall(runner, job, inputFiles);
    } finally {
      if (job.store) this.commits.endOutsideStore(reserved);
    }
  }

  /** Sends the job to the runner and installs its outputs (or runs it here). */
  private async runAndInstall(runner: CompactionRunner, job: CompactionJobMessage, inputFiles: MemfsNode[]): Promise<void> {
    const { engine } = this;
    let reply: CompactionReply;
    try {
      this.stats.sent++;
      if (job.store) this.storedJobsNotInstalled++;
      reply = await runner.run(job);
    } catch (e) {
      return this.runCompactionHere(e);
    }
    this.spareInputs.give(reply.spare);
    if (reply.stored) {
      this.stats.storedByRunner++;
      this.commits.storedAhead(reply.outputs.map((o) => o.path));
    } else if (job.store) {
      this.storedJobsNotInstalled--; // the runner stored nothing
    }
    try {
      // The outputs enter the directory through the engine's Env, one per
      // task, each buffer the runner sent becoming its file (no copy: the
      // reply's buffers are this job's alone). Not stored by the runner, a
      // commit in between may store some before the edit that installs them;
      // if the job is abandoned instead, the engine's close() deletes them
      // (and after a crash, the next open does).
      let done = 0;
      for (const output of reply.outputs) {
        await nextTask();
        if (!engine.open) return; // closed meantime: the engine abandoned the job
        engine.check(engine.raw.writeCompactionOutput(output.path, output.bytes));
        const progress = { job: job.id, step: 'output-installed', done: ++done, total: reply.outputs.length } as const;
        engine.events.emit({ type: 'compaction', phase: 'progress', ...progress });
      }
      await nextTask();
      if (!engine.open) return;
      engine.args.begin(reply.result.length);
      engine.args.bytes(reply.result);
      engine.check(engine.raw.completeCompaction(reply.result.length));
      this.stats.installed++;
      if (job.store) this.storedJobsNotInstalled--;
      engine.drainEvents();
    } catch (e) {
      return this.runCompactionHere(e);
    }
    this.recycleRemoved(runner, inputFiles);
  }

  /** A copy of a table's bytes, made a step per task; undefined if the engine closed meanwhile. */
  private async copyOfFile(file: MemfsNode): Promise<Uint8Array | undefined> {
    const source = fileBytes(file);
    const copy = this.spareInputs.take(source.length);
    return (await copyInSteps(source, copy, () => this.engine.open)) ? copy : undefined;
  }

  /**
   * Hands the buffers of the input files that the installed job removed to
   * the runner, to be freed on its thread (CompactionRunner.recycle). Only
   * while no commit runs: a commit holds views of the files it stores until
   * it has stored them, and nothing else here keeps a view of a removed one.
   */
  private recycleRemoved(runner: CompactionRunner, inputFiles: MemfsNode[]): void {
    if (!runner.recycle || this.commits.busy) return;
    const buffers = new Set<ArrayBuffer>();
    for (const file of inputFiles) {
      const buffer = file.contents?.buffer;
      // Unlinked: MEMFS took it out of its directory (the node stays as it was).
      const removed = file.parent.contents[file.name] !== file;
      if (removed && buffer instanceof ArrayBuffer) buffers.add(buffer);
    }
    if (buffers.size > 0) runner.recycle([...buffers]);
  }

  /** The job could not run (or come back) elsewhere: run it in this instance. */
  private runCompactionHere(cause: unknown): void {
    const { engine } = this;
    if (!engine.open) return;
    this.stats.runHere++;
    const code = engine.raw.runCompactionInline();
    engine.drainEvents();
    if (code !== OK) {
      this.fail(new StrataError('IOError', `compaction failed (${String(cause)}): ${engine.raw.lastError()}`, { cause }));
    }
  }
}
