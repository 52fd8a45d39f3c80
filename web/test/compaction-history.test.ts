import { describe, expect, it } from 'vitest';
import { createRuntime, type Stats, type StrataEvent } from 'stratadb';
import { CompactionHistory, fileNumberOf, writeAmplification, type HistoryRow } from '../src/model/compaction-history.js';

// Only the fields the model reads; the rest of Stats does not matter here.
interface Table {
  number: number;
  size: number;
}
interface LevelSketch {
  tables?: Table[];
  read?: number;
  written?: number;
}
function stats(levels: LevelSketch[], counters: { compactions?: number; flushes?: number; flushBytesWritten?: number } = {}): Stats {
  return {
    compactions: counters.compactions ?? 0,
    flushes: counters.flushes ?? 0,
    flushBytesWritten: counters.flushBytesWritten ?? 0,
    levels: Array.from({ length: 7 }, (_, level) => ({
      level,
      tables: levels[level]?.tables ?? [],
      compactionBytesRead: levels[level]?.read ?? 0,
      compactionBytesWritten: levels[level]?.written ?? 0,
    })),
  } as unknown as Stats;
}

const path = (n: number) => `/stratadb/db/${String(n).padStart(6, '0')}.sst`;
const started = (job: number, inputs: [number, number][], runner: 'worker' | 'here' = 'worker'): StrataEvent => ({
  type: 'compaction',
  phase: 'started',
  job,
  runner,
  inputs: inputs.map(([n, bytes]) => ({ path: path(n), bytes })),
});
const finished = (
  job: number,
  outputs: [number, number][],
  micros = 5000,
  runner: 'worker' | 'here' = 'worker',
  bytesWritten = outputs.reduce((s, [, b]) => s + b, 0),
): StrataEvent => ({
  type: 'compaction',
  phase: 'finished',
  job,
  runner,
  outputs: outputs.map(([n, bytes]) => ({ path: path(n), bytes })),
  bytesWritten,
  micros,
});
const progress = (job: number, step: 'input-sent' | 'output-installed', done: number, total: number): StrataEvent => ({
  type: 'compaction',
  phase: 'progress',
  job,
  step,
  done,
  total,
});

describe('fileNumberOf', () => {
  it('reads the number of a table path', () => {
    expect(fileNumberOf('/stratadb/my-db/000123.sst')).toBe(123);
    expect(fileNumberOf('000007.sst')).toBe(7);
    expect(fileNumberOf('/stratadb/db/000123.wal')).toBeUndefined();
    expect(fileNumberOf('/stratadb/db/MANIFEST-000002')).toBeUndefined();
  });
});

describe('CompactionHistory', () => {
  it('follows a running job from start to finish and records it', () => {
    const h = new CompactionHistory();
    h.stats(stats([{ tables: [{ number: 10, size: 100 }, { number: 11, size: 100 }] }, { tables: [{ number: 5, size: 800 }] }]));
    h.event(started(3, [[10, 100], [11, 100], [5, 800]]), 1000);
    expect(h.running).toMatchObject({ job: 3, runner: 'worker', fromLevel: 0, toLevel: 1, bytesIn: 1000, stage: 'sending', done: 0, total: 3 });
    expect(h.running!.inputs.map((i) => i.level)).toEqual([0, 0, 1]);

    h.event(progress(3, 'input-sent', 2, 3), 1100);
    expect(h.running).toMatchObject({ stage: 'sending', done: 2 });
    h.event(progress(3, 'input-sent', 3, 3), 1200);
    expect(h.running).toMatchObject({ stage: 'running', done: 3 });
    h.event(progress(3, 'output-installed', 1, 2), 1900);
    expect(h.running).toMatchObject({ stage: 'installing', done: 1, total: 2 });
    expect(h.rows()).toEqual([]);

    h.event(finished(3, [[20, 500], [21, 450]], 600_000), 2000);
    expect(h.running).toBeUndefined();
    const [row] = h.rows();
    expect(row).toMatchObject({
      id: 'c3',
      kind: 'compaction',
      at: 1000,
      micros: 1_000_000, // from the started event, not the runner's own 0.6 s
      runner: 'worker',
      fromLevel: 0,
      toLevel: 1,
      bytesIn: 1000,
      upperBytesIn: 200,
      bytesOut: 950,
      filesIn: 3,
      filesOut: 2,
      inputFiles: [10, 11, 5],
      outputFiles: [20, 21],
    });
    expect(writeAmplification(row!)).toBe(950 / 200);
    expect(h.lastCompaction).toBe(row);
  });

  it('finds the levels from the outputs when the inputs were never in the stats', () => {
    const h = new CompactionHistory();
    h.stats(stats([]));
    h.event(started(1, [[40, 300], [41, 700]]), 0);
    expect(h.running!.fromLevel).toBeUndefined();
    h.event(finished(1, [[50, 900]]), 10);
    expect(h.rows()[0]!.toLevel).toBeUndefined();
    expect(h.stats(stats([{}, {}, {}, { tables: [{ number: 50, size: 900 }] }]))).toBe(true);
    expect(h.rows()[0]).toMatchObject({ fromLevel: 2, toLevel: 3, bytesIn: 1000 });
    // Which bytes came from L2 is still unknown: no write amplification.
    expect(writeAmplification(h.rows()[0]!)).toBeUndefined();
  });

  it('finds the levels of inputs that appear in a stats sample while the job runs', () => {
    const h = new CompactionHistory();
    h.event(started(2, [[7, 100], [3, 400]]), 0);
    h.stats(stats([{}, {}, { tables: [{ number: 7, size: 100 }] }, { tables: [{ number: 3, size: 400 }] }]));
    expect(h.running).toMatchObject({ fromLevel: 2, toLevel: 3 });
    h.event(finished(2, [[9, 480]]), 50);
    expect(h.rows()[0]).toMatchObject({ fromLevel: 2, toLevel: 3, upperBytesIn: 100 });
    expect(writeAmplification(h.rows()[0]!)).toBeCloseTo(4.8);
  });

  it('knows the level of files an earlier job wrote before any sample lists them', () => {
    const h = new CompactionHistory();
    h.stats(stats([{ tables: [{ number: 1, size: 100 }] }, { tables: [{ number: 2, size: 300 }] }, { tables: [{ number: 9, size: 900 }] }]));
    h.event(started(1, [[1, 100], [2, 300]]), 0);
    h.event(finished(1, [[20, 250], [21, 150]]), 10);
    // Job 2 takes an output of job 1 (now in L1) and a table of L2.
    h.event(started(2, [[20, 250], [9, 900]]), 20);
    expect(h.running).toMatchObject({ fromLevel: 1, toLevel: 2 });
    h.event(finished(2, [[30, 1100]]), 30);
    expect(h.rows()[0]).toMatchObject({ id: 'c2', fromLevel: 1, toLevel: 2, upperBytesIn: 250 });
  });

  it('waits for a sure level when the inputs it knows are all in one level', () => {
    const h = new CompactionHistory();
    h.stats(stats([{}, { tables: [{ number: 5, size: 500 }] }]));
    // 5 is in L1, 6 is not in the stats yet: this may be L0 into L1 or L1 into L2.
    h.event(started(3, [[6, 100], [5, 500]]), 0);
    expect(h.running!.fromLevel).toBeUndefined();
    h.stats(stats([{ tables: [{ number: 6, size: 100 }] }, { tables: [{ number: 5, size: 500 }] }]));
    expect(h.running).toMatchObject({ fromLevel: 0, toLevel: 1 });
    h.event(finished(3, [[7, 550]]), 10);
    expect(h.rows()[0]).toMatchObject({ fromLevel: 0, toLevel: 1, upperBytesIn: 100 });
  });

  it('tells what a job run here did from the stats around it', () => {
    const h = new CompactionHistory();
    h.stats(stats([{ tables: [{ number: 8, size: 100 }, { number: 9, size: 120 }] }, { tables: [{ number: 2, size: 1000 }, { number: 3, size: 50 }] }]));
    h.event(started(1, [], 'here'), 500);
    h.event(finished(1, [], 20_000, 'here', 900), 500);
    const row = h.rows()[0]!;
    expect(row).toMatchObject({ at: 480, micros: 20_000, runner: 'here' });
    expect(row.fromLevel).toBeUndefined();
    h.stats(
      stats([{}, { tables: [{ number: 12, size: 900 }, { number: 3, size: 50 }], read: 1220, written: 900 }], { compactions: 1 }),
    );
    expect(h.rows()[0]).toMatchObject({
      fromLevel: 0,
      toLevel: 1,
      bytesIn: 1220,
      upperBytesIn: 220,
      bytesOut: 900,
      filesIn: 3,
      filesOut: 1,
      outputFiles: [12],
    });
  });

  it('gives several jobs run here between two samples their level but not bytes', () => {
    const h = new CompactionHistory();
    h.stats(stats([]));
    for (const job of [1, 2]) {
      h.event(started(job, [], 'here'), job * 10);
      h.event(finished(job, [], 1000, 'here'), job * 10);
    }
    h.stats(stats([{}, {}, { read: 5000, written: 4000 }], { compactions: 2 }));
    for (const row of h.rows()) {
      expect(row).toMatchObject({ fromLevel: 1, toLevel: 2 });
      expect(row.bytesIn).toBeUndefined();
    }
  });

  it('keeps the inputs of a job the runner failed and that ran here', () => {
    const h = new CompactionHistory();
    h.stats(stats([{ tables: [{ number: 4, size: 10 }] }]));
    h.event(started(6, [[4, 10]]), 0);
    h.event(started(6, [], 'here'), 5);
    expect(h.running).toMatchObject({ job: 6, runner: 'here', fromLevel: 0, bytesIn: 10 });
    h.event(finished(6, [], 100, 'here'), 9);
    expect(h.rows()[0]).toMatchObject({ runner: 'here', filesIn: 1, fromLevel: 0, toLevel: 1 });
    expect(h.rows()[0]!.filesOut).toBeUndefined();
  });

  it('records flushes with their bytes from the stats', () => {
    const h = new CompactionHistory();
    h.stats(stats([], { flushes: 2, flushBytesWritten: 1000 }));
    h.event({ type: 'flush', phase: 'started' }, 100);
    expect(h.flushing).toBe(true);
    h.event({ type: 'flush', phase: 'finished', micros: 3000, l0Files: 3 }, 103);
    expect(h.flushing).toBe(false);
    expect(h.rows()[0]).toMatchObject({ kind: 'flush', at: 100, micros: 3000, toLevel: 0 });
    h.stats(stats([{ tables: [{ number: 30, size: 4000 }] }], { flushes: 4, flushBytesWritten: 9000 }));
    expect(h.rows()[0]).toMatchObject({ bytesOut: 8000, filesOut: 2 });
  });

  it('marks a write stall from its first waiting write to the last one going on', () => {
    const h = new CompactionHistory();
    h.event({ type: 'write-stall', stalled: true }, 1000);
    h.event({ type: 'write-stall', stalled: true }, 1010);
    expect(h.stalled).toBe(true);
    expect(h.rows()).toHaveLength(1);
    expect(h.rows()[0]).toMatchObject({ kind: 'stall', at: 1000, micros: undefined, writes: 2 });
    h.event({ type: 'write-stall', stalled: false }, 1200);
    expect(h.rows()[0]!.micros).toBeUndefined();
    h.event({ type: 'write-stall', stalled: false }, 1250);
    expect(h.stalled).toBe(false);
    expect(h.rows()[0]).toMatchObject({ micros: 250_000, writes: 2 });
    // A stray end (after a reset, say) changes nothing.
    expect(h.event({ type: 'write-stall', stalled: false }, 1300)).toBe(false);
    h.event({ type: 'write-stall', stalled: true }, 2000);
    expect(h.rows().map((r) => r.kind)).toEqual(['stall', 'stall']);
  });

  it('lists newest first, bounds each kind, and bumps versions of changed rows', () => {
    const h = new CompactionHistory(3);
    for (let job = 1; job <= 5; job++) {
      h.event(started(job, []), job * 100);
      h.event(finished(job, [], 10), job * 100 + 10);
    }
    h.event({ type: 'flush', phase: 'finished', micros: 1000, l0Files: 1 }, 251);
    expect(h.rows().map((r) => r.id)).toEqual(['c5', 'c4', 'c3', 'f1']);
    expect(h.rows(new Set(['flush'])).map((r) => r.id)).toEqual(['f1']);

    const revision = h.revision;
    const stall = { type: 'write-stall', stalled: true } as const;
    h.event(stall, 600);
    const row: HistoryRow = h.rows()[0]!;
    const version = row.version;
    h.event(stall, 610);
    expect(row.version).toBeGreaterThan(version);
    expect(h.revision).toBeGreaterThan(revision);
    expect(h.event({ type: 'durable', commit: 1, filesStored: 1, filesDeleted: 0, bytes: 1, micros: 1, idbDurability: 'strict' }, 700)).toBe(false);
  });

  it('forgets everything on reset', () => {
    const h = new CompactionHistory();
    h.event(started(1, [[1, 1]]), 0);
    h.event({ type: 'write-stall', stalled: true }, 0);
    h.event({ type: 'flush', phase: 'started' }, 0);
    h.reset();
    expect(h.running).toBeUndefined();
    expect(h.stalled).toBe(false);
    expect(h.flushing).toBe(false);
    expect(h.rows()).toEqual([]);
  });
});

describe('CompactionHistory on a real engine', () => {
  async function run(compaction: 'instance' | 'inline') {
    const runtime = await createRuntime();
    const db = await runtime.open(`history-${compaction}`, {
      storage: 'memory',
      keyEncoding: 'binary',
      valueEncoding: 'binary',
      compaction,
      memtableBytes: 64 * 1024,
      durability: 'deferred',
    });
    const history = new CompactionHistory();
    db.subscribe((event) => history.event(event, Date.now()));
    const value = new Uint8Array(200).fill(7);
    const encoder = new TextEncoder();
    try {
      for (let i = 0; i < 4000 && !history.rows().some((r) => r.kind === 'compaction' && r.toLevel !== undefined); i++) {
        await db.put(encoder.encode(`user:${String((i * 7919) % 100_000).padStart(6, '0')}`), value);
        // As the dashboard does: a stats sample now and then, between events.
        if (i % 50 === 0) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          history.stats(await db.stats());
        }
      }
      history.stats(await db.stats());
      return history.rows().find((r) => r.kind === 'compaction');
    } finally {
      await db.close();
    }
  }

  it('records a compaction from L0 into L1 run by another instance, with its files', async () => {
    const row = await run('instance');
    expect(row).toMatchObject({ runner: 'instance', fromLevel: 0, toLevel: 1 });
    expect(row!.filesIn).toBeGreaterThanOrEqual(4);
    expect(row!.bytesIn).toBeGreaterThan(0);
    expect(row!.upperBytesIn).toBeGreaterThan(0);
    expect(row!.bytesOut).toBeGreaterThan(0);
    expect(row!.filesOut).toBeGreaterThan(0);
    expect(writeAmplification(row!)).toBeGreaterThan(0);
  }, 60_000);

  it('records a compaction run inline, its levels and bytes taken from the stats', async () => {
    const row = await run('inline');
    expect(row).toMatchObject({ runner: 'here', fromLevel: 0, toLevel: 1 });
    expect(row!.bytesIn).toBeGreaterThan(0);
    expect(row!.bytesOut).toBeGreaterThan(0);
  }, 60_000);
});
