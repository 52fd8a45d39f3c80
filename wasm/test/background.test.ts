// The background driver alone (background.ts), over a scripted engine: steps
// of pending work one per task, a compaction job sent to a runner and its
// outputs installed a file per task, a failing runner leaving the job to run
// here, the outputs a compaction worker stored left out of commits, the
// Busy retry of a write that waits for the job, and flushes left to the steps.
import { describe, expect, it, vi } from 'vitest';
import { BackgroundDriver } from '../dist/background.js';
import type { CompactionJobMessage, CompactionReply, CompactionRunner } from '../dist/compaction.js';
import { CommitPipeline } from '../dist/commit-pipeline.js';
import { EngineHandle } from '../dist/engine-handle.js';
import type { StrataError } from '../dist/errors.js';
import type { StrataEvent } from '../dist/events.js';
import type { Storage } from '../dist/storage.js';
import { fakeEngine } from './fake-engine.js';
import { sleep } from './helpers.js';

const BUSY = 5;

/** A runner whose reply (or failure) the test sets; it records the jobs it got. */
function scriptedRunner(reply: (job: CompactionJobMessage) => Promise<CompactionReply>, kind: CompactionRunner['kind'] = 'instance') {
  const jobs: CompactionJobMessage[] = [];
  const runner: CompactionRunner & { jobs: CompactionJobMessage[]; closed: boolean } = {
    kind,
    jobs,
    closed: false,
    run(job) {
      jobs.push(job);
      return reply(job);
    },
    close() {
      runner.closed = true;
    },
  };
  return runner;
}

function setUp(runner: CompactionRunner | undefined) {
  const fake = fakeEngine();
  const failures: StrataError[] = [];
  const engine = new EngineHandle(fake.module, fake.raw, (e) => failures.push(e));
  const events: StrataEvent[] = [];
  engine.events.subscribe((e) => events.push(e));
  const storedAhead: string[] = [];
  const outsidePaths = new Set<string>();
  const storage: Storage = {
    directory: '/db',
    load: async () => {},
    commit: async () => ({ files: 0, bytes: 0, deleted: 0, byAheadStore: 0 }),
    release: () => {},
    beginOutsideStore: (durability, paths) => {
      for (const path of paths) outsidePaths.add(path);
      return { database: '/db', version: 21, objectStore: 'FILE_DATA', durability };
    },
    endOutsideStore: (paths) => paths.forEach((path) => outsidePaths.delete(path)),
    storedAhead: (paths) => storedAhead.push(...paths),
  };
  const commits = new CommitPipeline(engine, storage, { commitIntervalMs: 1000, idbDurability: 'strict' }, () => {});
  const driver = new BackgroundDriver(engine, commits, runner, '/db', (e) => failures.push(e));
  return { fake, engine, driver, events, failures, storedAhead, outsidePaths: () => [...outsidePaths] };
}

const twoOutputs = (id: number, stored?: boolean): CompactionReply => ({
  id,
  result: new Uint8Array([1, 2, 3]),
  outputs: [
    { path: '/db/000020.sst', bytes: new Uint8Array([20]), mode: 0o100666 },
    { path: '/db/000021.sst', bytes: new Uint8Array([21]), mode: 0o100666 },
  ],
  ...(stored !== undefined && { stored }),
});

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(1);
  expect(condition()).toBe(true);
};

describe('BackgroundDriver', () => {
  it('runs pending work one step per task until none is left', async () => {
    const { fake, driver } = setUp(undefined);
    fake.pendingSteps = 3;
    driver.schedule();
    driver.schedule(); // one timer at a time
    expect(fake.calls).toEqual([]); // not in the caller's task
    await until(() => fake.pendingSteps === 0);
    expect(fake.calls.filter((c) => c === 'runPendingWork').length).toBe(3);
  });

  it('a failed step turns the handle read-only', async () => {
    const { fake, driver, failures } = setUp(undefined);
    fake.pendingSteps = 1;
    fake.answers.runPendingWork = 4;
    driver.schedule();
    await until(() => failures.length === 1);
    expect(failures[0]).toMatchObject({ code: 'IOError', message: 'fake failure' });
  });

  it('sends a job with its inputs to the runner and installs its outputs', async () => {
    const runner = scriptedRunner(async (job) => twoOutputs(job.id));
    const { fake, driver, events, storedAhead } = setUp(runner);
    fake.files.set('/db/000010.sst', new Uint8Array([10]));
    fake.files.set('/db/000011.sst', new Uint8Array([11]));
    fake.jobWaiting = true;
    driver.startCompaction();
    await until(() => fake.calls.includes('completeCompaction'));
    expect(runner.jobs).toHaveLength(1);
    expect(runner.jobs[0]).toMatchObject({ id: 7, dir: '/db' });
    expect(runner.jobs[0]!.inputs.map((i) => [i.path, [...i.bytes]])).toEqual([
      ['/db/000010.sst', [10]],
      ['/db/000011.sst', [11]],
    ]);
    // Both outputs written through the engine, then the result delivered.
    const install = fake.calls.slice(fake.calls.indexOf('writeCompactionOutput /db/000020.sst'));
    expect(install).toEqual(['writeCompactionOutput /db/000020.sst', 'writeCompactionOutput /db/000021.sst', 'completeCompaction']);
    expect(fake.files.get('/db/000021.sst')).toEqual(new Uint8Array([21]));
    const steps = events.flatMap((e) => (e.type === 'compaction' && e.phase === 'progress' ? [`${e.step} ${e.done}/${e.total}`] : []));
    expect(steps).toEqual(['input-sent 1/2', 'input-sent 2/2', 'output-installed 1/2', 'output-installed 2/2']);
    expect(driver.stats).toEqual({ runner: 'instance', sent: 1, installed: 1, runHere: 0, storedByRunner: 0 });
    // A runner in this thread is not asked to store the outputs.
    expect(runner.jobs[0]!.store).toBeUndefined();
    expect(storedAhead).toEqual([]);
    expect(driver.mayHaveLeftFiles).toBe(false);
  });

  it('an input of several megabytes is copied a step per task and arrives whole', async () => {
    const runner = scriptedRunner(async (job) => ({ id: job.id, result: new Uint8Array(1), outputs: [] }));
    const { fake, driver } = setUp(runner);
    const big = new Uint8Array(2.5 * 1024 * 1024 + 3).map((_, i) => (i * 7919) >>> 5);
    fake.files.set('/db/000010.sst', big);
    fake.jobWaiting = true;
    // Tasks of others that run while the input is copied (one between each step).
    let othersRan = 0;
    const other = () => {
      othersRan++;
      if (runner.jobs.length === 0) setImmediate(other);
    };
    setImmediate(other);
    driver.startCompaction();
    await until(() => fake.calls.includes('completeCompaction'));
    expect(othersRan).toBeGreaterThanOrEqual(10); // 2.5 MiB in 256 KiB steps
    const sent = runner.jobs[0]!.inputs[0]!.bytes;
    expect(sent.length).toBe(big.length);
    expect(Buffer.compare(sent, big)).toBe(0);
  });

  it("copies a job's inputs into the buffers the runner handed back with the last reply", async () => {
    const handedBack = new ArrayBuffer(64);
    const runner = scriptedRunner(async (job) => ({ ...twoOutputs(job.id), spare: runner.jobs.length === 1 ? [handedBack] : [] }));
    const { fake, driver } = setUp(runner);
    fake.files.set('/db/000010.sst', new Uint8Array([10]));
    fake.files.set('/db/000011.sst', new Uint8Array([11]));
    for (let job = 1; job <= 2; job++) {
      await sleep(1); // the last job's end
      fake.jobWaiting = true;
      driver.startCompaction();
      await until(() => driver.stats.installed === job);
    }
    const [first, second] = runner.jobs.map((job) => job.inputs.map((input) => input.bytes));
    expect(first!.some((bytes) => bytes.buffer === handedBack)).toBe(false);
    expect(second![0]!.buffer).toBe(handedBack); // one buffer came back: the first input got it
    expect(second![1]!.buffer).not.toBe(handedBack);
    expect(second!.map((bytes) => [...bytes])).toEqual([[10], [11]]);
  });

  it('a compaction worker is told where to store the outputs, and what it stored is left out of commits', async () => {
    let answer!: () => void;
    const runner = scriptedRunner((job) => new Promise((resolve) => (answer = () => resolve(twoOutputs(job.id, true)))), 'worker');
    const { fake, driver, storedAhead, outsidePaths } = setUp(runner);
    fake.jobWaiting = true;
    driver.startCompaction();
    expect(driver.mayHaveLeftFiles).toBe(false); // the inputs go first, one per task
    await until(() => runner.jobs.length === 1);
    expect(runner.jobs[0]!.store).toEqual({ database: '/db', version: 21, objectStore: 'FILE_DATA', durability: 'strict' });
    expect(driver.mayHaveLeftFiles).toBe(true); // the worker may be storing them now
    // No key range a commit deletes covers the names its outputs may have.
    expect(outsidePaths()).toEqual(['/db/000020.sst', '/db/000021.sst', '/db/000022.sst']);
    answer();
    await until(() => fake.calls.includes('completeCompaction'));
    expect(storedAhead).toEqual(['/db/000020.sst', '/db/000021.sst']);
    expect(driver.stats).toMatchObject({ sent: 1, installed: 1, storedByRunner: 1 });
    expect(driver.mayHaveLeftFiles).toBe(false);
    expect(outsidePaths()).toEqual([]);
  });

  it('outputs the compaction worker could not store are left to the commits', async () => {
    const runner = scriptedRunner(async (job) => twoOutputs(job.id, false), 'worker');
    const { fake, driver, storedAhead, outsidePaths } = setUp(runner);
    fake.jobWaiting = true;
    driver.startCompaction();
    await until(() => fake.calls.includes('completeCompaction'));
    expect(storedAhead).toEqual([]);
    expect(driver.stats).toMatchObject({ installed: 1, storedByRunner: 0 });
    expect(driver.mayHaveLeftFiles).toBe(false);
    expect(outsidePaths()).toEqual([]);
  });

  it('a stored job that is not installed leaves files for close() to remove', async () => {
    const runner = scriptedRunner(async (job) => twoOutputs(job.id, true), 'worker');
    const { fake, driver, outsidePaths } = setUp(runner);
    fake.answers.completeCompaction = 4; // the install fails: the job runs here
    fake.jobWaiting = true;
    driver.startCompaction();
    await until(() => fake.calls.includes('runCompactionInline'));
    expect(driver.stats).toMatchObject({ installed: 0, runHere: 1, storedByRunner: 1 });
    expect(driver.mayHaveLeftFiles).toBe(true);
    await until(() => outsidePaths().length === 0);
  });

  it('a runner that fails leaves the job to run here', async () => {
    const runner = scriptedRunner(async () => {
      throw new Error('the worker died');
    });
    const { fake, driver, failures } = setUp(runner);
    fake.jobWaiting = true;
    driver.startCompaction();
    await until(() => fake.calls.includes('runCompactionInline'));
    expect(fake.calls).not.toContain('completeCompaction');
    expect(driver.stats.runHere).toBe(1);
    expect(failures).toEqual([]);
  });

  it('a write answered Busy runs again once the job it waits for is installed', async () => {
    let answer!: (reply: CompactionReply) => void;
    const runner = scriptedRunner((job) => new Promise((resolve) => (answer = () => resolve({ id: job.id, result: new Uint8Array(1), outputs: [] }))));
    const { fake, driver } = setUp(runner);
    fake.jobWaiting = true;
    let tries = 0;
    const write = () => (++tries === 1 ? BUSY : 0);
    const retried = driver.whenNotBusy(write, () => {});
    expect(retried, 'Busy: a promise of the retry').toBeInstanceOf(Promise);
    expect(tries).toBe(1);
    await until(() => runner.jobs.length === 1);
    answer({ id: 7, result: new Uint8Array(1), outputs: [] });
    await retried;
    expect(tries).toBe(2);
    expect(driver.whenNotBusy(write, () => {})).toBeUndefined(); // through at once
  });

  it('flushInSteps freezes the memtable and resolves once the steps have flushed it', async () => {
    const { fake, driver } = setUp(undefined);
    fake.memtableHolds = true;
    fake.flushSteps = 4;
    const flushed = driver.flushInSteps();
    expect(fake.calls).toEqual(['freezeMemtable']); // the flush is left to the steps
    await flushed;
    expect(fake.calls).toEqual(['freezeMemtable', ...Array(4).fill('runPendingWork')]);
    expect(fake.flushes).toBe(1);
  });

  it('flushInSteps lets a flush under way end before it freezes the memtable again', async () => {
    const { fake, driver } = setUp(undefined);
    fake.memtableHolds = true;
    fake.flushSteps = 2;
    fake.raw.freezeMemtable(); // a flush under way
    fake.memtableHolds = true; // and writes since
    fake.calls.length = 0;
    await driver.flushInSteps();
    expect(fake.calls).toEqual(['runPendingWork', 'runPendingWork', 'freezeMemtable', 'runPendingWork', 'runPendingWork']);
    expect(fake.flushes).toBe(2);
  });

  it('flushInSteps in a hidden page steps by messages, not timers (a hidden tab holds timers back)', async () => {
    const { fake, driver } = setUp(undefined);
    fake.memtableHolds = true;
    const globals = globalThis as { document?: unknown };
    globals.document = { visibilityState: 'hidden' };
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // timers that never fire
    try {
      await driver.flushInSteps();
      expect(fake.flushes).toBe(1);
    } finally {
      vi.useRealTimers();
      delete globals.document;
    }
  });

  it('flushInSteps with nothing to flush resolves without a step', async () => {
    const { fake, driver } = setUp(undefined);
    await driver.flushInSteps();
    expect(fake.calls).toEqual(['freezeMemtable']);
  });

  it('flushInSteps ends when the driver stops, the flush unfinished', async () => {
    const { fake, driver } = setUp(undefined);
    fake.memtableHolds = true;
    const flushed = driver.flushInSteps();
    driver.stop();
    await flushed;
    expect(fake.flushes).toBe(0);
  });

  it('stop() ends the steps and the runner', async () => {
    const runner = scriptedRunner(async () => {
      throw new Error('unused');
    });
    const { fake, driver } = setUp(runner);
    fake.pendingSteps = 5;
    driver.schedule();
    driver.stop();
    await sleep(5);
    expect(fake.calls).not.toContain('runPendingWork');
    expect(runner.closed).toBe(true);
  });
});
