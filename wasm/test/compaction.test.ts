// Compaction jobs run outside the engine call that picks them (DESIGN.md
// decision 3): with compaction: 'instance' each job goes, as it would to a
// compaction worker, to a second wasm instance as an envelope with copies of
// its input tables, and its outputs come back to be written and installed.
import { describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { type CompactionFinished, type CompactionStarted, type StrataEvent, createRuntime } from '../dist/node.js';
import { CommitPipeline } from '../dist/commit-pipeline.js';
import { type CompactionOutput, InstanceCompactionRunner, WorkerCompactionRunner } from '../dist/compaction.js';
import type { StrataModule } from '../dist/strata.js';
import { prng, seedFor } from './helpers.js';

const KiB = 1024;

describe("compaction: 'instance'", () => {
  it('compacts in another instance, and loses nothing', async () => {
    const seed = seedFor('compaction instance');
    const rand = prng(seed);
    const factory = new IDBFactory();
    const runtime = await createRuntime({ indexedDB: factory });
    const db = await runtime.open('instance', {
      compaction: 'instance',
      memtableBytes: 64 * KiB,
      durability: 'deferred',
    });
    const model = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const key = `k${String(Math.floor(rand() * 5000)).padStart(5, '0')}`;
      if (rand() < 0.1) {
        await db.delete(key);
        model.delete(key);
      } else {
        const value = `v${i}-${'x'.repeat(Math.floor(rand() * 200))}`;
        await db.put(key, value);
        model.set(key, value);
      }
      if (i % 200 === 0) {
        // Let the runner's job come back; read meanwhile.
        await new Promise((r) => setTimeout(r, 0));
        expect(db.get(key)).toBe(model.get(key));
      }
    }
    await db.sync();
    // A job sent just before may still be out: let it come back.
    for (let turn = 0; turn < 400; turn++) {
      const { sent, installed } = db.stats().compactionJobs;
      if (installed >= sent) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const stats = db.stats();
    expect(stats.compactions).toBeGreaterThan(0);
    // Every job went to the other instance and came back.
    expect(stats.compactionJobs.runner).toBe('instance');
    expect(stats.compactionJobs.sent).toBeGreaterThan(0);
    expect(stats.compactionJobs.installed).toBe(stats.compactionJobs.sent);
    expect(stats.compactionJobs.runHere).toBe(0);
    expect(stats.levels.slice(1).some((l) => l.files > 0)).toBe(true);
    const check = (d: typeof db) => {
      const sorted = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      expect(d.scan().map(({ key, value }) => [key, value])).toEqual(sorted);
    };
    check(db);
    await db.close();
    const again = await (await createRuntime({ indexedDB: factory })).open('instance', { compaction: 'instance' });
    check(again);
    await again.close();
  });

  it('runs a manual compaction while a job is out, and compact() leaves one level', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const db = await runtime.open('manual', { compaction: 'instance', memtableBytes: 64 * KiB });
    const writes = [];
    for (let i = 0; i < 5000; i++) writes.push(db.put(`k${String(i).padStart(5, '0')}`, 'v'.repeat(100)));
    await Promise.all(writes);
    await db.compact();
    const levels = db.stats().levels.filter((l) => l.files > 0);
    expect(levels.length).toBe(1);
    expect(db.scan().length).toBe(5000);
    await db.close();
  });

  it("installs each output the runner sends as the table's file itself, without a copy, and hands back the inputs' buffers", async () => {
    const sent: CompactionOutput[] = [];
    const run = InstanceCompactionRunner.prototype.run;
    InstanceCompactionRunner.prototype.run = async function (job) {
      const reply = await run.call(this, job);
      // The inputs' buffers come back for the next job's copies.
      expect(reply.spare).toHaveLength(job.inputs.length);
      job.inputs.forEach((input, i) => expect(reply.spare![i]).toBe(input.bytes.buffer));
      sent.push(...reply.outputs);
      return reply;
    };
    try {
      const runtime = await createRuntime({ indexedDB: new IDBFactory() });
      const db = await runtime.open('adopted', { compaction: 'instance', memtableBytes: 64 * KiB });
      const key = (i: number) => `k${String(i).padStart(5, '0')}`;
      await db.batch(Array.from({ length: 5000 }, (_, i) => ({ type: 'put' as const, key: key(i), value: `${i}`.repeat(40) })));
      await db.compact();
      const { FS } = (runtime as unknown as { module: StrataModule }).module;
      const live = sent.filter((o) => FS.analyzePath(o.path).exists);
      expect(live.length).toBeGreaterThan(0);
      for (const output of live) expect(FS.lookupPath(output.path).node.contents).toBe(output.bytes);
      expect(db.get('k04999')).toBe('4999'.repeat(40));
      expect(db.scan().length).toBe(5000);
      await db.close();
    } finally {
      InstanceCompactionRunner.prototype.run = run;
    }
  });
});

// A page frees what it drops in its own sweeps, and Chromium's took 20 - 35 ms
// for a compaction's buffers (CompactionRunner.recycle): buffers the database
// does not keep stay with the runner, or go to it.
describe('buffers a job leaves behind', () => {
  const key = (i: number) => `k${String(i).padStart(5, '0')}`;
  const puts = (repeat: number) =>
    Array.from({ length: 5000 }, (_, i) => ({ type: 'put' as const, key: key(i), value: `${i}`.repeat(repeat) }));

  it('the runner hands back no more input buffers than the database keeps', async () => {
    const run = InstanceCompactionRunner.prototype.run;
    const jobs: { wanted: number | undefined; inputs: ArrayBuffer[]; spare: ArrayBuffer[] }[] = [];
    InstanceCompactionRunner.prototype.run = async function (job) {
      // As if the database kept room for the first input's buffer alone.
      const reply = await run.call(this, { ...job, spareWanted: job.inputs[0]!.bytes.buffer.byteLength });
      jobs.push({ wanted: job.spareWanted, inputs: job.inputs.map((i) => i.bytes.buffer as ArrayBuffer), spare: reply.spare ?? [] });
      return reply;
    };
    try {
      const db = await (await createRuntime({ indexedDB: new IDBFactory() })).open('spare', { compaction: 'instance', memtableBytes: 64 * KiB });
      await db.batch(puts(40));
      await db.batch(puts(30)); // over the first: jobs merge several tables
      await db.compact();
      expect(db.get(key(4321))).toBe('4321'.repeat(30));
      await db.close();
    } finally {
      InstanceCompactionRunner.prototype.run = run;
    }
    expect(jobs.some((job) => job.inputs.length > 1)).toBe(true);
    for (const job of jobs) {
      expect(job.wanted).toBeGreaterThan(0); // the room its pool has
      expect(job.wanted).toBeLessThanOrEqual(32 << 20);
      expect(job.spare.length).toBe(1);
      expect(job.spare[0]).toBe(job.inputs[0]);
    }
  });

  it('gives the runner the buffers of the input files a job removed, none of a live file, and none while a commit runs', async () => {
    const runner = InstanceCompactionRunner.prototype as InstanceCompactionRunner & { recycle?: (buffers: ArrayBuffer[]) => boolean };
    const run = runner.run;
    const busy = Object.getOwnPropertyDescriptor(CommitPipeline.prototype, 'busy')!;
    let module: StrataModule | undefined;
    const inputBuffers = new Map<string, ArrayBuffer>(); // each input file's buffer, as the job left
    const recycled: ArrayBuffer[] = [];
    let commitRunning = false;
    runner.run = async function (job) {
      for (const { path } of job.inputs) inputBuffers.set(path, module!.FS.lookupPath(path).node.contents!.buffer as ArrayBuffer);
      return run.call(this, job);
    };
    // Recorded, not freed: the files' buffers stay usable here.
    runner.recycle = (buffers) => recycled.push(...buffers) > 0;
    Object.defineProperty(CommitPipeline.prototype, 'busy', { get: () => commitRunning, configurable: true });
    try {
      const runtime = await createRuntime({ indexedDB: new IDBFactory() });
      module = (runtime as unknown as { module: StrataModule }).module;
      const db = await runtime.open('recycled', { compaction: 'instance', memtableBytes: 64 * KiB });
      await db.batch(puts(40));
      await db.compact();
      const removed = [...inputBuffers].filter(([path]) => !module!.FS.analyzePath(path).exists);
      expect(removed.length).toBeGreaterThan(0);
      expect(recycled.length).toBe(removed.length);
      for (const [, buffer] of removed) expect(recycled.includes(buffer)).toBe(true);
      expect(db.scan().length).toBe(5000);

      // Jobs whose install finds a commit running give nothing.
      recycled.length = 0;
      inputBuffers.clear();
      commitRunning = true;
      await db.batch(puts(30));
      await db.compact();
      expect(inputBuffers.size).toBeGreaterThan(0);
      expect(recycled).toEqual([]);
      expect(db.get(key(4321))).toBe('4321'.repeat(30));
      await db.close();
    } finally {
      runner.run = run;
      delete runner.recycle;
      Object.defineProperty(CommitPipeline.prototype, 'busy', busy);
    }
  });

  it('a compaction worker takes buffers, transferred, once it runs', () => {
    const posted: { message: unknown; transfer: ArrayBuffer[] }[] = [];
    vi.stubGlobal(
      'Worker',
      class {
        onmessage = null;
        onerror = null;
        postMessage(message: unknown, transfer: ArrayBuffer[]) {
          posted.push({ message, transfer });
        }
        terminate() {}
      },
    );
    try {
      const runner = new WorkerCompactionRunner();
      const early = new ArrayBuffer(8);
      expect(runner.recycle([early])).toBe(false); // no worker yet: the database keeps it
      runner.run({ id: 1, dir: '/d', envelope: new Uint8Array(4), inputs: [] }).catch(() => {});
      const buffers = [new ArrayBuffer(16), new ArrayBuffer(32)];
      expect(runner.recycle(buffers)).toBe(true);
      expect(posted.length).toBe(2);
      const { message, transfer } = posted[1]!;
      expect((message as { recycled: ArrayBuffer[] }).recycled).toBe(buffers);
      expect(transfer).toBe(buffers);
      runner.close();
      expect(runner.recycle(buffers)).toBe(false); // ended
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('compact()', () => {
  it("sends its jobs to the runner like any other, level by level, with events, while writes go on", async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const db = await runtime.open('manual', { compaction: 'instance', memtableBytes: 64 * KiB, durability: 'deferred' });
    const rand = prng(seedFor('compact through the runner'));
    const model = new Map<string, string>();
    for (let i = 0; i < 12_000; i++) {
      const key = `k${String(Math.floor(rand() * 4000)).padStart(5, '0')}`;
      const value = `v${i}-${'x'.repeat(100)}`;
      void db.put(key, value);
      model.set(key, value);
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    const events: StrataEvent[] = [];
    db.subscribe((e) => events.push(e));
    const sentBefore = db.stats().compactionJobs.sent;
    const compacting = db.compact();
    // Writes go on while its jobs are out.
    for (let i = 0; i < 200; i++) {
      await db.put(`during${i}`, 'x');
      model.set(`during${i}`, 'x');
    }
    await compacting;
    const manual = events.filter((e): e is CompactionFinished => e.type === 'compaction' && e.phase === 'finished' && e.reason === 'manual');
    expect(manual.length).toBeGreaterThan(0);
    for (const job of manual) {
      expect(job.runner).toBe('instance');
      expect(job.error).toBeNull();
    }
    const stats = db.stats();
    expect(stats.compactionJobs.sent - sentBefore).toBeGreaterThanOrEqual(manual.length);
    expect(stats.compactionJobs.runHere).toBe(0);
    const sorted = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    expect(db.scan().map(({ key, value }) => [key, value])).toEqual(sorted);
    await db.close();
  });
});

/**
 * A database whose compact() takes several jobs: two versions of 4,000
 * keys (a and b halves), the first kept by a snapshot, so that each
 * level's pass has versions to keep and rewrites. The caller releases the
 * snapshot at the end (until then it keeps it from the finalizer).
 */
async function twoVersions(name: string, compaction: 'inline' | 'instance') {
  const runtime = await createRuntime({ indexedDB: new IDBFactory() });
  const db = await runtime.open(name, { compaction, memtableBytes: 64 * KiB, durability: 'deferred' });
  const model = new Map<string, string>();
  let snapshot;
  for (let version = 0; version < 2; version++) {
    for (let i = 0; i < 4000; i++) {
      const key = `${i % 2 ? 'a' : 'b'}${String(i).padStart(5, '0')}`;
      const value = `v${version}-${i}-${'x'.repeat(100)}`;
      void db.put(key, value);
      model.set(key, value);
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    snapshot ??= db.snapshot();
  }
  await db.sync();
  return { db, model, snapshot: snapshot! };
}

const manualJobs = (events: StrataEvent[]) =>
  events.filter((e): e is CompactionFinished => e.type === 'compaction' && e.phase === 'finished' && e.reason === 'manual');

const sortedEntries = (model: Map<string, string>) => [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe("compact() with compaction: 'inline'", () => {
  it('runs one job a task: timers, reads and writes go on between its jobs', async () => {
    const { db, model, snapshot } = await twoVersions('inline-jobs', 'inline');
    const events: StrataEvent[] = [];
    db.subscribe((e) => events.push(e));
    // A probe a task: how many manual jobs had finished at each of its turns,
    // and a read and a write there.
    const seen: number[] = [];
    let probing = true;
    const probe = () => {
      if (!probing) return;
      seen.push(manualJobs(events).length);
      expect(db.get('a00001')).toBe(model.get('a00001'));
      const key = `during${seen.length}`;
      void db.put(key, 'x');
      model.set(key, 'x');
      setImmediate(probe);
    };
    setImmediate(probe);
    await db.compact();
    probing = false;
    const jobs = manualJobs(events);
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const job of jobs) expect(job.runner).toBe('here');
    expect(seen.some((n) => n > 0 && n < jobs.length)).toBe(true); // a turn between two jobs
    expect(db.scan().map(({ key, value }) => [key, value])).toEqual(sortedEntries(model));
    snapshot.release();
    await db.close();
  });

  it('runs calls over different ranges one after another', async () => {
    const ranges = [
      { gte: 'a', lte: 'a~' },
      { gte: 'b', lte: 'b~' },
    ];
    // The jobs each call ran: one after the other, then both at once (the
    // jobs until the first call resolved are its own).
    const jobsOf = async (together: boolean) => {
      const { db, model, snapshot } = await twoVersions(`ranges-${together}`, 'inline');
      const events: StrataEvent[] = [];
      db.subscribe((e) => events.push(e));
      const jobs: number[] = [];
      const first = db.compact(ranges[0]).then(() => jobs.push(manualJobs(events).length));
      if (!together) await first;
      await Promise.all([first, db.compact(ranges[1])]);
      jobs.push(manualJobs(events).length - jobs[0]!);
      expect(db.scan().map(({ key, value }) => [key, value])).toEqual(sortedEntries(model));
      snapshot.release();
      await db.close();
      return jobs;
    };
    const oneAfterAnother = await jobsOf(false);
    expect(oneAfterAnother[0]).toBeGreaterThanOrEqual(2);
    expect(await jobsOf(true)).toEqual(oneAfterAnother);
  });
});

describe('events', () => {
  it('reports flushes, compactions step by step, and durability points', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const db = await runtime.open('events', { compaction: 'instance', memtableBytes: 64 * KiB });
    const events: StrataEvent[] = [];
    const unsubscribe = db.subscribe((e) => events.push(e));
    for (let round = 0; round < 20; round++) {
      const batch = [];
      for (let i = 0; i < 400; i++) {
        batch.push({ type: 'put' as const, key: `k${String((round * 7919 + i * 31) % 4000).padStart(5, '0')}`, value: 'v'.repeat(150) });
      }
      await db.batch(batch);
      await new Promise((r) => setTimeout(r, 0));
    }
    for (let i = 0; i < 200 && !events.some((e) => e.type === 'compaction' && e.phase === 'finished'); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const of = (type: string, phase?: string) =>
      events.filter((e) => e.type === type && (phase === undefined || ('phase' in e && e.phase === phase)));
    expect(of('flush', 'started').length).toBeGreaterThan(0);
    expect(of('flush', 'finished').length).toBe(of('flush', 'started').length);
    const started = of('compaction', 'started') as CompactionStarted[];
    const finished = of('compaction', 'finished') as CompactionFinished[];
    const merged = finished.find((e) => !e.trivialMove);
    expect(merged, 'a compaction that rewrote tables').toBeDefined();
    const start = started.find((e) => e.job === merged!.job)!;
    expect(start.inputs.length).toBeGreaterThan(0);
    expect(start.inputs.map((t) => t.number)).toEqual(merged!.inputs.map((t) => t.number));
    for (const t of start.inputs) expect([start.level, start.outputLevel]).toContain(t.level);
    expect(merged!.runner).toBe('instance');
    expect(merged!.error).toBeNull();
    expect(merged!.outputs.length).toBeGreaterThan(0);
    for (const t of merged!.outputs) expect(t.level).toBe(merged!.outputLevel);
    expect(merged!.bytesWritten).toBe(merged!.outputs.reduce((n, t) => n + t.size, 0));
    expect(merged!.bytesRead).toBe(merged!.inputs.reduce((n, t) => n + t.size, 0));
    // The driver's transfer steps: each input sent, each output installed.
    const progress = of('compaction', 'progress').filter((e) => 'job' in e && e.job === merged!.job);
    expect(progress.length).toBe(merged!.inputs.length + merged!.outputs.length);
    // Flushes and compactions share the engine's job counter.
    const jobs = [...of('flush', 'finished'), ...finished].map((e) => (e as { job: number }).job);
    expect(new Set(jobs).size).toBe(jobs.length);
    // Every output was announced as created; the inputs, as deleted.
    const created = new Set(events.flatMap((e) => (e.type === 'table-created' ? [e.table.number] : [])));
    const deleted = new Set(events.flatMap((e) => (e.type === 'table-deleted' ? [e.number] : [])));
    for (const t of merged!.outputs) expect(created.has(t.number)).toBe(true);
    for (const t of merged!.inputs) expect(deleted.has(t.number)).toBe(true);
    // One durability point per commit, in order.
    const durable = of('durable') as Extract<StrataEvent, { type: 'durable' }>[];
    expect(durable.map((e) => e.commit)).toEqual(durable.map((_, i) => durable[0]!.commit + i));
    expect(durable.at(-1)!.commit).toBe(db.stats().commits.commits);
    unsubscribe();
    const count = events.length;
    await db.put('after', 'v');
    expect(events.length).toBe(count);
    await db.close();
  });

  it('reports a write stall once, however many writes wait in it', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const db = await runtime.open('stalls', { compaction: 'instance', memtableBytes: 64 * KiB });
    const stalls: { stalled: boolean; cause: string }[] = [];
    db.subscribe((e) => e.type === 'write-stall' && stalls.push(e));
    // Many writes at once, never yielding: L0 fills up while jobs are out.
    const writes = [];
    for (let i = 0; i < 30_000; i++) writes.push(db.put(`k${String((i * 7919) % 30_000).padStart(5, '0')}`, 'v'.repeat(100)));
    await Promise.all(writes);
    expect(db.stats().stoppedWrites).toBeGreaterThan(0);
    // Alternating on/off, starting with on and ending with off; at most one
    // stall at the L0 limit per compaction job, however many writes waited.
    expect(stalls.length).toBeGreaterThan(0);
    expect(stalls.length % 2).toBe(0);
    stalls.forEach(({ stalled }, i) => expect(stalled).toBe(i % 2 === 0));
    const l0Stops = stalls.filter((e) => e.stalled && e.cause === 'l0-stop').length;
    expect(l0Stops).toBeGreaterThan(0);
    expect(l0Stops).toBeLessThanOrEqual(db.stats().compactionJobs.sent);
    expect(db.scan().length).toBe(30_000);
    await db.close();
  });

  it('runs the compaction that lookups made due (seek compaction) with no write after them', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const db = await runtime.open('seeks', { compaction: 'instance' });
    const events: StrataEvent[] = [];
    db.subscribe((e) => events.push(e));
    const key = (i: number) => `k${String(i).padStart(4, '0')}`;
    // Two L0 tables over one range: odd keys, then even ones.
    for (const first of [1, 0]) {
      for (let i = first; i < 400; i += 2) await db.put(key(i), `v${i}`);
      await db.flush();
    }
    expect(db.stats().levels[0]!.files).toBe(2);
    // Each get of an odd key reads the newer table first: 100 use up its
    // allowance, and the compaction runs in the background steps.
    for (let n = 0; n < 300; n++) expect(db.get(key(2 * (n % 200) + 1))).toBe(`v${2 * (n % 200) + 1}`);
    const finished = () =>
      events.find((e): e is CompactionFinished => e.type === 'compaction' && e.phase === 'finished' && e.reason === 'seeks');
    for (let i = 0; i < 200 && !finished(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(finished()).toMatchObject({ level: 0, outputLevel: 1, runner: 'instance', error: null });
    expect(db.stats().levels[0]!.files).toBe(0);
    for (let i = 0; i < 400; i++) expect(db.get(key(i))).toBe(`v${i}`);
    await db.close();
  });

  it('reports a flush asked for by flush(), and none for an empty memtable', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const db = await runtime.open('manual-flush', { compaction: 'instance' });
    const flushes: StrataEvent[] = [];
    db.subscribe((e) => e.type === 'flush' && flushes.push(e));
    await db.put('k', 'v');
    await db.flush();
    expect(flushes.map((e) => ('phase' in e ? e.phase : ''))).toEqual(['started', 'finished']);
    expect(flushes[1]).toMatchObject({ reason: 'manual', memtableEntries: 1, error: null, output: { level: 0, entries: 1 } });
    await db.flush();
    expect(flushes.length).toBe(2);
    await db.close();
  });
});
