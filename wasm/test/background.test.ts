// The background driver alone (background.ts), over a scripted engine: steps
// of pending work one per task, a compaction job sent to a runner and its
// outputs installed in one task, a failing runner leaving the job to run
// here, and the Busy retry of a write that waits for the job.
import { describe, expect, it } from 'vitest';
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
function scriptedRunner(reply: (job: CompactionJobMessage) => Promise<CompactionReply>) {
  const jobs: CompactionJobMessage[] = [];
  const runner: CompactionRunner & { jobs: CompactionJobMessage[]; closed: boolean } = {
    kind: 'instance',
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
  const storage = { directory: '/db', commit: async () => ({ files: 0, bytes: 0, deleted: 0 }) } as unknown as Storage;
  const commits = new CommitPipeline(engine, storage, { commitIntervalMs: 1000, idbDurability: 'strict' }, () => {});
  const driver = new BackgroundDriver(engine, commits, runner, '/db', (e) => failures.push(e));
  return { fake, engine, driver, events, failures };
}

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

  it('sends a job with its inputs to the runner and installs its outputs in one task', async () => {
    const runner = scriptedRunner(async (job) => ({
      id: job.id,
      result: new Uint8Array([1, 2, 3]),
      outputs: [
        { path: '/db/000020.sst', bytes: new Uint8Array([20]) },
        { path: '/db/000021.sst', bytes: new Uint8Array([21]) },
      ],
    }));
    const { fake, driver, events } = setUp(runner);
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
    expect(driver.stats).toEqual({ runner: 'instance', sent: 1, installed: 1, runHere: 0 });
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
