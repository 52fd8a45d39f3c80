// The ahead store: a worker that stores some of a commit's new files in
// IndexedDB before the commit's own transaction (IndexedDbStorage.commit
// says which may go ahead). IndexedDB's put() clones its value on the
// calling thread: a commit putting a 3.9 MiB flush table held the page's
// thread 35 - 38 ms in Chromium 156, one putting a 3.7 MB WAL segment 41 ms
// (README, "Big new files stored by a worker"). Here the database's thread
// only copies each file, a step per task, into a buffer it transfers.
import { BufferPool } from './buffer-pool.js';
import type { OutputStore } from './output-store.js';
import type { StrataModule } from './strata.js';
import { AHEAD_BYTES, TABLE_SUFFIX } from './storage.js';
import { copyInSteps } from './tasks.js';

export interface AheadFile {
  path: string;
  bytes: Uint8Array; // not changed while stored: files are written once (CommitEnv)
  mode: number;
}

export interface AheadStore {
  /**
   * Stores the files as IDBFS records where said, in one transaction;
   * resolves false, never rejects, if they were not stored (the caller
   * stores them itself).
   */
  store(where: OutputStore, files: readonly AheadFile[]): Promise<boolean>;
  /** Ends the worker; a store under way, and any later one, resolves false. */
  close(): void;
}

/** What the page sends the worker. */
export interface AheadStoreRequest {
  id: number;
  where: OutputStore;
  files: AheadFile[]; // each bytes a view at the start of a buffer of its own, transferred
}

/** The worker's answer; spare: the request's buffers, transferred back for later copies. */
export interface AheadStoreReply {
  id: number;
  stored: boolean;
  spare: ArrayBuffer[];
}

// Buffers the worker hands back, kept for later copies and new files
// (memory already touched rather than fresh: README, "Fresh memory"): about
// two flush tables of the default memtable.
const SPARE_BYTES = 8 << 20;
// The most a kept buffer may be bigger than the file made in it, as a
// fraction of the file's size.
const KEPT_FILE_SLACK = 1 / 4;

/**
 * The buffers a runtime's ahead stores hand back, kept for their next
 * copies and for new files' bytes (Module.strataFileBuffer, in
 * wasm/binding/memfs_files.cc): a flush's table, made in one of them, is
 * not copied into fresh memory in the flush's last step, and the ahead
 * store's copy of it, made a step per task, takes the fresh memory instead.
 */
export function keptFileBuffers(module: StrataModule): BufferPool {
  const pool = new BufferPool(SPARE_BYTES);
  // Tables that go ahead alone: where buffers come back, such a table always
  // goes ahead, so it is never copied out of its buffer again (a commit's
  // own put() would first copy it into one of its exact size).
  module.strataFileBuffer = (size, name) =>
    name.endsWith(TABLE_SUFFIX) && size >= AHEAD_BYTES ? pool.takeKept(size, size * KEPT_FILE_SLACK) : undefined;
  return pool;
}

export class WorkerAheadStore implements AheadStore {
  /** How long a store may take: a base plus a time per MiB (it may wait behind other transactions). */
  static timeoutMs = { base: 30_000, perMiB: 2_000 };
  private worker: Worker | undefined;
  private lastId = 0;
  // Closed, or no worker runs here: every store answers false at once.
  private stopped = false;
  private answered = false; // a worker has answered once
  private readonly pending = new Map<number, { resolve: (stored: boolean) => void; timer: ReturnType<typeof setTimeout> }>();

  /** @param spare where the buffers the worker hands back are kept (keptFileBuffers). */
  constructor(private readonly spare = new BufferPool(SPARE_BYTES)) {}

  async store(where: OutputStore, files: readonly AheadFile[]): Promise<boolean> {
    const copies: AheadFile[] = [];
    for (const file of files) {
      const bytes = this.spare.take(file.bytes.length);
      if (!(await copyInSteps(file.bytes, bytes, () => !this.stopped))) return false;
      copies.push({ path: file.path, bytes, mode: file.mode });
    }
    const id = ++this.lastId;
    const mib = copies.reduce((n, f) => n + f.bytes.length, 0) / (1 << 20);
    const { base, perMiB } = WorkerAheadStore.timeoutMs;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => this.fail(), base + perMiB * mib);
      this.pending.set(id, { resolve, timer });
      const request: AheadStoreRequest = { id, where, files: copies };
      try {
        const worker = (this.worker ??= this.start());
        worker.postMessage(request, copies.map((f) => f.bytes.buffer as ArrayBuffer));
      } catch {
        // No worker here (its script from another origin, a policy): the
        // commits store everything themselves from now on.
        this.stopped = true;
        this.fail();
      }
    });
  }

  close(): void {
    this.stopped = true;
    this.fail();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./ahead-store-worker.js', import.meta.url), {
      type: 'module',
      name: 'stratadb ahead store',
    });
    worker.onmessage = (e: MessageEvent<AheadStoreReply>) => {
      this.answered = true;
      const pending = this.pending.get(e.data.id);
      if (!pending) return;
      this.pending.delete(e.data.id);
      clearTimeout(pending.timer);
      this.spare.give(e.data.spare);
      pending.resolve(e.data.stored);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      // One that never answered did not load (a missing script, a policy):
      // no other would, and each try would cost the copies again.
      if (!this.answered) this.stopped = true;
      this.fail();
    };
    worker.onmessageerror = () => this.fail();
    return worker;
  }

  /** Ends the worker (the next store starts another); what it had is not stored. */
  private fail(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const { resolve, timer } of this.pending.values()) {
      clearTimeout(timer);
      resolve(false);
    }
    this.pending.clear();
  }
}
