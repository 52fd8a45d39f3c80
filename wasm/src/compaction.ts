// Running the engine's compaction jobs in another wasm instance (DESIGN.md
// decision 3): the database takes a job (an envelope: the job and its
// reserved output file numbers, wasm/binding/compaction_executor.h) with its
// input tables' bytes, a runner merges them in its own instance, and the
// outputs' bytes come back to be written and installed by the database.
// A compaction worker may also store the outputs in IndexedDB itself before
// it answers (job.store, output-store.ts), so that the database's thread
// never clones them for IndexedDB.
import type { StrataModule } from './strata.js';
import { filesIn } from './storage.js';
import type { OutputStore } from './output-store.js';

export interface CompactionJobMessage {
  id: number;
  dir: string; // the database directory: inputs and outputs live there
  envelope: Uint8Array;
  inputs: { path: string; bytes: Uint8Array }[];
  /** Where the runner stores the outputs before it answers, if it can. */
  store?: OutputStore;
  /**
   * The most bytes of input buffers the database keeps (CompactionReply.spare):
   * the runner drops the others where it is. Unset: no limit.
   */
  spareWanted?: number;
}

export interface CompactionOutput {
  path: string;
  bytes: Uint8Array;
  mode: number; // the file's mode, as IDBFS stores it
}

export interface CompactionReply {
  id: number;
  result: Uint8Array; // EncodeCompactionResult
  outputs: CompactionOutput[];
  /** The runner stored the outputs (job.store) as they are here. */
  stored?: boolean;
  /**
   * The buffers of the job's inputs, which the runner no longer needs (it
   * wrote copies into its own file system), up to job.spareWanted bytes:
   * the database copies later inputs into them, memory already touched
   * rather than fresh (README, "Fresh memory").
   */
  spare?: ArrayBuffer[];
}

export interface CompactionRunner {
  readonly kind: 'worker' | 'instance';
  run(job: CompactionJobMessage): Promise<CompactionReply>;
  /**
   * Takes buffers the database no longer needs (the bytes of the files a
   * job removed) to free them on the runner's thread; false if it cannot
   * (the database then leaves them to its own garbage collector). Chromium
   * frees a buffer that came in a message on the thread that drops it, in
   * its sweeps: a page dropping a compaction's 100 MB of inputs paused for
   * 15 - 34 ms in them.
   */
  recycle?(buffers: ArrayBuffer[]): boolean;
  close(): void;
}

/** What the database sends a compaction worker besides jobs: buffers to drop there. */
export interface RecycleMessage {
  recycled: ArrayBuffer[];
}

/** Runs one job in `module`, leaving its file system as it found it. */
export function runCompactionIn(module: StrataModule, job: CompactionJobMessage): CompactionReply {
  const { FS } = module;
  FS.mkdirTree(job.dir);
  const inputs = new Set(job.inputs.map((i) => i.path));
  for (const input of job.inputs) FS.writeFile(input.path, input.bytes);
  try {
    const result = module.runCompaction(job.envelope);
    // What the job wrote is what is new in the directory.
    const outputs = filesIn(FS, job.dir)
      .filter((path) => !inputs.has(path))
      .map((path) => ({ path, bytes: FS.readFile(path), mode: FS.stat(path).mode }));
    const spare = upTo(job.inputs.map((i) => i.bytes.buffer as ArrayBuffer), job.spareWanted ?? Infinity);
    return { id: job.id, result, outputs, spare };
  } finally {
    for (const path of filesIn(FS, job.dir)) FS.unlink(path);
  }
}

/** The first of buffers that together hold at most bytes. */
function upTo(buffers: ArrayBuffer[], bytes: number): ArrayBuffer[] {
  let total = 0;
  return buffers.filter((buffer) => {
    if (total + buffer.byteLength > bytes) return false;
    total += buffer.byteLength;
    return true;
  });
}

/**
 * Jobs go to a compaction Web Worker (compaction-worker.ts), one at a time.
 * A worker that fails, or does not answer in time (a browser may kill a
 * worker without a word), is ended; the job then runs in the database's own
 * instance, and the next job starts a new worker.
 */
export class WorkerCompactionRunner implements CompactionRunner {
  readonly kind = 'worker';
  /**
   * How long a job may take: a base plus a time per megabyte of input, for
   * the merge and again for storing the outputs (which may wait behind
   * other IndexedDB transactions).
   */
  static timeoutMs = { base: 30_000, perMiB: 2_000 };
  private worker: Worker | undefined;
  private pending:
    | {
        id: number;
        resolve: (r: CompactionReply) => void;
        reject: (e: Error) => void;
        timer: ReturnType<typeof setTimeout>;
        limitMs: number;
      }
    | undefined;

  run(job: CompactionJobMessage): Promise<CompactionReply> {
    const worker = (this.worker ??= this.start());
    const mib = job.inputs.reduce((n, i) => n + i.bytes.length, 0) / (1 << 20);
    const { base, perMiB } = WorkerCompactionRunner.timeoutMs;
    const limitMs = base + perMiB * mib;
    return new Promise((resolve, reject) => {
      this.pending = { id: job.id, resolve, reject, timer: this.timer(limitMs), limitMs };
      // The inputs are copies made for this job: transfer them.
      worker.postMessage(job, [job.envelope.buffer as ArrayBuffer, ...job.inputs.map((i) => i.bytes.buffer as ArrayBuffer)]);
    });
  }

  recycle(buffers: ArrayBuffer[]): boolean {
    if (!this.worker) return false;
    try {
      this.worker.postMessage({ recycled: buffers } satisfies RecycleMessage, buffers);
      return true;
    } catch {
      return false; // one could not be transferred: nothing was
    }
  }

  close(): void {
    this.fail('the compaction worker was closed');
  }

  private start(): Worker {
    const worker = new Worker(new URL('./compaction-worker.js', import.meta.url), {
      type: 'module',
      name: 'stratadb compaction',
    });
    worker.onmessage = (e: MessageEvent<CompactionReply | { id: number; error: string } | { id: number; storing: true }>) => {
      const pending = this.pending;
      if (!pending || pending.id !== e.data.id) return;
      clearTimeout(pending.timer);
      if ('storing' in e.data) {
        pending.timer = this.timer(pending.limitMs); // merged; the store has a time of its own
        return;
      }
      this.pending = undefined;
      if ('error' in e.data) pending.reject(new Error(e.data.error));
      else pending.resolve(e.data);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      this.fail(`the compaction worker failed: ${e.message}`);
    };
    return worker;
  }

  private timer(ms: number): ReturnType<typeof setTimeout> {
    return setTimeout(() => this.fail('the compaction worker did not answer in time'), ms);
  }

  /** Ends the worker (a new one serves the next job) and the job it had. */
  private fail(message: string): void {
    this.worker?.terminate();
    this.worker = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(message));
    }
  }
}

/**
 * Jobs go to a second wasm instance in this thread: the same path as a
 * worker's (envelope, copies of the inputs, outputs written back), without
 * the parallelism. For Node, where there are no Web Workers, and tests.
 */
export class InstanceCompactionRunner implements CompactionRunner {
  readonly kind = 'instance';
  constructor(private readonly module: Promise<StrataModule>) {}

  async run(job: CompactionJobMessage): Promise<CompactionReply> {
    const module = await this.module;
    await new Promise((resolve) => setTimeout(resolve, 0)); // finish in a later task, as a worker would
    return runCompactionIn(module, job);
  }

  close(): void {}
}
