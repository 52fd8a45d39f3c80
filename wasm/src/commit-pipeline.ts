// The storage side of durability (DESIGN.md decision 2): a commit closes the
// engine's WAL segment (its durability point) and stores exactly the files
// that changed since the last commit in one storage transaction; the
// Committer (committer.ts) groups writers into commits. What each commit
// asks of IndexedDB:
//
// - a commit a writer awaits (durable writes, sync(), flush(), compact(),
//   close()) asks for the handle's idbDurability ('strict' by default);
// - a commit on the deferred timer asks for 'relaxed';
// - a strict commit also makes every earlier relaxed one durable. When a
//   writer needs one and nothing changed since a relaxed commit, CURRENT is
//   stored again, unchanged, strictly.
import { Committer } from './committer.js';
import type { EngineHandle } from './engine-handle.js';
import type { StrataError } from './errors.js';
import type { CommitStats } from './stats.js';
import type { OutputStore } from './output-store.js';
import type { IdbDurability, Storage } from './storage.js';

export class CommitPipeline {
  readonly stats: CommitStats = {
    commits: 0,
    filesStored: 0,
    filesDeleted: 0,
    bytesStored: 0,
    filesStoredAhead: 0,
    commitMicros: 0,
    lastDurableAt: 0,
    waiting: 0,
    inProgress: false,
  };
  private readonly committer: Committer;
  private readonly idbDurability: IdbDurability;
  // A relaxed commit stored data since the last strict one.
  private relaxedSinceStrict = false;

  constructor(
    private readonly engine: EngineHandle,
    private readonly storage: Storage,
    options: { commitIntervalMs: number; idbDurability: IdbDurability },
    onFailure: (e: StrataError) => void,
  ) {
    this.idbDurability = options.idbDurability;
    this.committer = new Committer((durable) => this.commit(durable), options.commitIntervalMs, onFailure);
  }

  /** The counters, with the writers waiting for a commit now. */
  snapshot(): CommitStats {
    return { ...this.stats, waiting: this.committer.waiting, inProgress: this.committer.busy };
  }

  /** Resolves once every write made so far is durable. */
  durable(): Promise<void> {
    return this.committer.durable();
  }

  /** Whether a commit is running (it may hold views of the files it stores). */
  get busy(): boolean {
    return this.committer.busy;
  }

  /** Notes a change acknowledged at once: committed within the interval. */
  deferred(): void {
    this.committer.deferred();
  }

  /**
   * Where a compaction runner in another thread may store a job's outputs
   * (paths: the names they may have) itself, as durably as an awaited
   * commit, until endOutsideStore(paths); undefined if the storage has no
   * such place.
   */
  beginOutsideStore(paths: readonly string[]): OutputStore | undefined {
    return this.storage.beginOutsideStore?.(this.idbDurability, paths);
  }

  endOutsideStore(paths: readonly string[]): void {
    this.storage.endOutsideStore?.(paths);
  }

  /** These files are stored as they are (by a runner): commits leave them out. */
  storedAhead(paths: readonly string[]): void {
    this.storage.storedAhead?.(paths);
  }

  /** Stops the interval timer (the handle is closing). */
  stop(): void {
    this.committer.stop();
  }

  /** One durability point: close the WAL segment, store what changed. */
  private async commit(durable: boolean): Promise<void> {
    const { engine } = this;
    const started = performance.now();
    if (engine.open) engine.check(engine.raw.sync());
    engine.drainEvents(); // the WAL segment closed
    const paths = engine.text(engine.raw.takeChanges()).split('\n');
    paths.pop(); // after the last '\n'
    const idbDurability = durable ? this.idbDurability : 'relaxed';
    if (paths.length === 0) {
      // Nothing new, but what relaxed commits stored is not on disk yet:
      // store CURRENT again (unchanged), strictly, to flush it all.
      if (!(durable && idbDurability === 'strict' && this.relaxedSinceStrict)) return;
      paths.push(`${this.storage.directory}/CURRENT`);
    }
    const stored = await this.storage.commit(paths, idbDurability);
    this.relaxedSinceStrict = idbDurability !== 'strict' && (this.relaxedSinceStrict || stored.files + stored.deleted > 0);
    const s = this.stats;
    const micros = Math.round((performance.now() - started) * 1000);
    s.commits++;
    s.filesStored += stored.files;
    s.filesDeleted += stored.deleted;
    s.bytesStored += stored.bytes;
    s.filesStoredAhead += stored.byAheadStore;
    s.commitMicros += micros;
    s.lastDurableAt = Date.now();
    engine.events.emit({
      type: 'durable',
      commit: s.commits,
      filesStored: stored.files,
      filesStoredAhead: stored.byAheadStore,
      filesDeleted: stored.deleted,
      bytes: stored.bytes,
      micros,
      idbDurability,
    });
  }
}
