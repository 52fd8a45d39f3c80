// The commit pipeline alone (commit-pipeline.ts), over a scripted engine and
// a recording storage: group commit, what each commit asks of IndexedDB,
// the strict flush of relaxed commits, failures, and the events it reports.
import { describe, expect, it } from 'vitest';
import { CommitPipeline } from '../dist/commit-pipeline.js';
import { EngineHandle } from '../dist/engine-handle.js';
import { StrataError } from '../dist/errors.js';
import type { StrataEvent } from '../dist/events.js';
import type { CommitCounts, IdbDurability, Storage } from '../dist/storage.js';
import { fakeEngine } from './fake-engine.js';
import { sleep } from './helpers.js';

interface Commit {
  paths: readonly string[];
  durability: IdbDurability;
}

/** A storage that records each commit; `fail` makes the next ones fail. */
function recordingStorage() {
  const commits: Commit[] = [];
  const storage = {
    directory: '/db',
    fail: undefined as StrataError | undefined,
    commits,
    async load() {},
    release() {},
    async commit(paths: readonly string[], durability: IdbDurability): Promise<CommitCounts> {
      await sleep(1); // a transaction takes time: writes arrive meanwhile
      if (storage.fail) throw storage.fail;
      commits.push({ paths: [...paths], durability });
      // Tables as if the ahead store's worker stored them.
      return { files: paths.length, bytes: 100 * paths.length, deleted: 0, byAheadStore: paths.filter((p) => p.endsWith('.sst')).length };
    },
  };
  return storage as typeof storage & Storage;
}

function setUp(options: { commitIntervalMs?: number; idbDurability?: IdbDurability } = {}) {
  const fake = fakeEngine();
  const failures: StrataError[] = [];
  const engine = new EngineHandle(fake.module, fake.raw, (e) => failures.push(e));
  const events: StrataEvent[] = [];
  engine.events.subscribe((e) => events.push(e));
  const storage = recordingStorage();
  const pipeline = new CommitPipeline(
    engine,
    storage,
    { commitIntervalMs: options.commitIntervalMs ?? 20, idbDurability: options.idbDurability ?? 'strict' },
    (e) => failures.push(e),
  );
  return { fake, engine, storage, pipeline, events, failures };
}

describe('CommitPipeline', () => {
  it('gathers the durable writers that come together into one commit, and those during it into the next', async () => {
    const { fake, storage, pipeline } = setUp();
    fake.changes = ['/db/000005.wal'];
    const first = [pipeline.durable(), pipeline.durable(), pipeline.durable()];
    await sleep(0); // the commit started; these wait for the next
    fake.changes = ['/db/000006.wal'];
    const second = [pipeline.durable(), pipeline.durable()];
    await Promise.all([...first, ...second]);
    expect(storage.commits.map((c) => c.paths)).toEqual([['/db/000005.wal'], ['/db/000006.wal']]);
    expect(fake.calls.filter((c) => c === 'sync').length).toBe(2);
  });

  it('asks for the handle durability when a writer waits, relaxed on the timer', async () => {
    const { fake, storage, pipeline } = setUp({ commitIntervalMs: 5, idbDurability: 'default' });
    fake.changes = ['/db/000005.wal'];
    pipeline.deferred();
    await sleep(30);
    fake.changes = ['/db/000006.wal'];
    await pipeline.durable();
    expect(storage.commits.map((c) => c.durability)).toEqual(['relaxed', 'default']);
  });

  it('stores CURRENT again, strictly, when a writer needs durability after relaxed commits', async () => {
    const { fake, storage, pipeline } = setUp({ commitIntervalMs: 5 });
    fake.changes = ['/db/000005.wal'];
    pipeline.deferred();
    await sleep(30); // a relaxed commit stored it
    await pipeline.durable(); // nothing changed since: CURRENT, strictly
    await pipeline.durable(); // nothing relaxed left: no commit at all
    expect(storage.commits).toEqual([
      { paths: ['/db/000005.wal'], durability: 'relaxed' },
      { paths: ['/db/CURRENT'], durability: 'strict' },
    ]);
  });

  it('says how many writers wait for a commit, and whether one runs', async () => {
    const { fake, pipeline } = setUp();
    fake.changes = ['/db/000005.wal'];
    const waiting = [pipeline.durable(), pipeline.durable(), pipeline.durable()];
    expect(pipeline.snapshot()).toMatchObject({ waiting: 3 });
    await sleep(0); // the commit runs: they wait on it
    expect(pipeline.snapshot()).toMatchObject({ waiting: 3, inProgress: true });
    await Promise.all(waiting);
    expect(pipeline.snapshot()).toMatchObject({ waiting: 0, inProgress: false, commits: 1 });
  });

  it('reports each commit as a durable event and counts it', async () => {
    const { fake, pipeline, events } = setUp();
    fake.changes = ['/db/000005.wal', '/db/000007.sst'];
    await pipeline.durable();
    const durable = events.filter((e) => e.type === 'durable');
    expect(durable).toEqual([
      expect.objectContaining({ type: 'durable', commit: 1, filesStored: 2, filesStoredAhead: 1, bytes: 200, idbDurability: 'strict' }),
    ]);
    expect(pipeline.stats).toMatchObject({ commits: 1, filesStored: 2, bytesStored: 200, filesStoredAhead: 1 });
    fake.changes = ['/db/000008.sst'];
    await pipeline.durable();
    expect(pipeline.stats).toMatchObject({ commits: 2, filesStored: 3, filesStoredAhead: 2 });
    expect(pipeline.stats.lastDurableAt).toBeGreaterThan(0);
  });

  it('a failed commit fails its writers, every later one, and is reported once', async () => {
    const { fake, storage, pipeline, failures } = setUp();
    fake.changes = ['/db/000005.wal'];
    storage.fail = new StrataError('QuotaExceeded', 'no room');
    const waiting = [pipeline.durable(), pipeline.durable()];
    for (const w of waiting) await expect(w).rejects.toMatchObject({ code: 'QuotaExceeded' });
    storage.fail = undefined;
    await expect(pipeline.durable()).rejects.toMatchObject({ code: 'QuotaExceeded' });
    expect(failures.map((e) => e.code)).toEqual(['QuotaExceeded']);
  });

  it('a WAL segment that cannot be closed fails the commit with the engine error', async () => {
    const { fake, pipeline } = setUp();
    fake.answers.sync = 4; // IOError
    await expect(pipeline.durable()).rejects.toMatchObject({ code: 'IOError', message: 'fake failure' });
  });
});
