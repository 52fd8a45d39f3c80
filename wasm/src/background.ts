// The background driver: the engine runs without threads in wasm (DESIGN.md
// decision 3), so this does what its background thread does natively.
//
// - Steps: pending flushes and compaction picks run one step per task
//   (RunPendingWork), so the page's thread is never held for long.
// - Compaction offload: a job the engine picked goes to the compaction
//   runner (a compaction worker, or another instance) with its inputs'
//   bytes; its outputs come back and are installed. A runner that fails
//   leaves the job to run here, so no job is lost.
// - Busy retry: a write (or flush, or compact) that must wait for a job
//   still out at the runner answers Busy; it runs again once that job is
//   installed.
//
// The engine reports what happens (its events); this only reports the
// transfer of a job's files (compaction progress events).
import type { CompactionJobMessage, CompactionReply, CompactionRunner } from './compaction.js';
import type { CommitPipeline } from './commit-pipeline.js';
import { BUSY, type EngineHandle, OK } from './engine-handle.js';
import { StrataError } from './errors.js';
import type { CompactionJobStats } from './stats.js';

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class BackgroundDriver {
  readonly stats: CompactionJobStats;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private compactionInFlight: Promise<void> | undefined;
  private stopped = false;

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
    this.stats = { runner: runner?.kind ?? 'inline', sent: 0, installed: 0, runHere: 0 };
  }

  /** Runs pending flushes and compactions, one step per task, until none is left. */
  schedule(): void {
    const { engine } = this;
    if (this.stopped || this.timer !== undefined || engine.module._strata_has_pending_work(engine.handle) === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
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
    }, 0);
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
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.runner?.close();
  }

  // A job's inputs and outputs are megabytes of copies: they go one file per
  // task (a table file, a few MB at most), so that the thread serves
  // requests and paints in between.
  private async runCompaction(runner: CompactionRunner): Promise<void> {
    const { engine } = this;
    let job: CompactionJobMessage;
    try {
      engine.check(engine.raw.takeCompactionJob());
      const id = engine.raw.compactionJobId();
      const { heap, ptr, size } = engine.result();
      const envelope = heap.slice(ptr, ptr + size);
      const paths = engine.raw.compactionInputs().split('\n');
      paths.pop(); // after the last '\n'
      const inputs = [];
      for (const path of paths) {
        await nextTask();
        if (!engine.open) return; // closed meantime: the engine abandoned the job
        inputs.push({ path, bytes: engine.module.FS.readFile(path) });
        const progress = { job: id, step: 'input-sent', done: inputs.length, total: paths.length } as const;
        engine.events.emit({ type: 'compaction', phase: 'progress', ...progress });
      }
      job = { id, dir: this.directory, envelope, inputs };
    } catch (e) {
      return this.runCompactionHere(e);
    }
    let reply: CompactionReply;
    try {
      this.stats.sent++;
      reply = await runner.run(job);
    } catch (e) {
      return this.runCompactionHere(e);
    }
    try {
      // The outputs enter the directory through the engine's Env, one per
      // task. A commit in between may store some before the edit that
      // installs them; if the job is abandoned instead, the engine's close()
      // deletes them (and after a crash, the next open does).
      let done = 0;
      for (const output of reply.outputs) {
        await nextTask();
        if (!engine.open) return; // closed meantime: the engine abandoned the job
        engine.args.begin(output.bytes.length);
        engine.args.bytes(output.bytes);
        engine.check(engine.raw.writeCompactionOutput(output.path, output.bytes.length));
        const progress = { job: job.id, step: 'output-installed', done: ++done, total: reply.outputs.length } as const;
        engine.events.emit({ type: 'compaction', phase: 'progress', ...progress });
      }
      await nextTask();
      if (!engine.open) return;
      engine.args.begin(reply.result.length);
      engine.args.bytes(reply.result);
      engine.check(engine.raw.completeCompaction(reply.result.length));
      this.stats.installed++;
      engine.drainEvents();
    } catch (e) {
      this.runCompactionHere(e);
    }
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
